// kura run as aws-vault: its variables (AWS_VAULT_BACKEND, the TTLs, the switches), its global flags, and its
// commands' behaviour (export's env format, AWS_VAULT in exec's child, nesting refused, remove -s), next to
// kura's own persona, which reads none of it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/settings.h"
#include "cli_fakes.h"
#include "creds/store_items.h"

namespace kura {
namespace {

using namespace kura::testing;

Result<Settings> resolve(std::map<std::string, std::string> vars, Persona persona,
                         const std::map<std::string, std::string>& flags = {}) {
  vars["HOME"] = "/home/u";
  return resolve_settings(Environment(vars), flags, persona);
}

// --- settings -----------------------------------------------------------------------------------------

TEST(PersonaSettings, AwsVaultBackendIsReadFirstAsAwsVaultAndIgnoredAsKura) {
  EXPECT_EQ(resolve({{"AWS_VAULT_BACKEND", "pass"}}, Persona::aws_vault)->keystore.backend, "pass");
  EXPECT_EQ(resolve({{"AWS_VAULT_BACKEND", "pass"}}, Persona::kura)->keystore.backend, "");
  // Both set: as aws-vault, aws-vault's variable is read first (the table's aws_vault_variable comes before
  // KURA_BACKEND); as kura, only KURA_BACKEND counts.
  const std::map<std::string, std::string> both = {{"AWS_VAULT_BACKEND", "pass"}, {"KURA_BACKEND", "file"}};
  EXPECT_EQ(resolve(both, Persona::aws_vault)->keystore.backend, "pass");
  EXPECT_EQ(resolve(both, Persona::kura)->keystore.backend, "file");
  // KURA_BACKEND alone still works as aws-vault; the flag wins over both variables.
  EXPECT_EQ(resolve({{"KURA_BACKEND", "file"}}, Persona::aws_vault)->keystore.backend, "file");
  EXPECT_EQ(resolve(both, Persona::aws_vault, {{"--backend", "kernel"}})->keystore.backend, "kernel");
  // The aws-mfa persona is kura's: no aws-vault variables.
  EXPECT_EQ(resolve({{"AWS_VAULT_BACKEND", "pass"}}, Persona::aws_mfa)->keystore.backend, "");
}

TEST(PersonaSettings, KeyctlIsTheKernelKeyring) {
  EXPECT_EQ(resolve({{"AWS_VAULT_BACKEND", "keyctl"}}, Persona::aws_vault)->keystore.backend, "kernel");
  EXPECT_EQ(resolve({{"KURA_BACKEND", "keyctl"}}, Persona::kura)->keystore.backend, "kernel");
  EXPECT_EQ(resolve({}, Persona::kura, {{"--session-backend", "keyctl"}})->keystore.session_backend,
            "kernel");
}

TEST(PersonaSettings, AwsVaultOnlyBackendIsAnErrorNamingTheVariable) {
  auto keychain = resolve({{"AWS_VAULT_BACKEND", "keychain"}}, Persona::aws_vault);
  ASSERT_FALSE(keychain);
  EXPECT_EQ(keychain.error().message, "AWS_VAULT_BACKEND: unknown value 'keychain'");
  EXPECT_NE(keychain.error().hint.find("kura has no 'keychain' backend"), std::string::npos)
      << keychain.error().hint;
  EXPECT_NE(keychain.error().hint.find("keyctl"), std::string::npos) << keychain.error().hint;
  // A name no one has: the list of what there is.
  auto unknown = resolve({{"AWS_VAULT_BACKEND", "vault9"}}, Persona::aws_vault);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().hint, "one of: secret-service, pass, kernel, file");
  // As kura, aws-vault's variable is not read, so its value is no error.
  EXPECT_TRUE(resolve({{"AWS_VAULT_BACKEND", "keychain"}}, Persona::kura));
}

TEST(PersonaSettings, TtlVariablesInBothPersonas) {
  for (Persona persona : {Persona::kura, Persona::aws_vault}) {
    auto settings = resolve({{"AWS_ASSUME_ROLE_TTL", "20m"},
                             {"AWS_SESSION_TOKEN_TTL", "2h"},
                             {"AWS_CHAINED_SESSION_TOKEN_TTL", "36h"},
                             {"AWS_FEDERATION_TOKEN_TTL", "900"}},
                            persona);
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_EQ(settings->assume_role_ttl, Seconds(1200));
    EXPECT_EQ(settings->session_token_ttl, Seconds(7200));
    EXPECT_EQ(settings->chained_session_token_ttl, Seconds(129600));
    EXPECT_EQ(settings->federation_token_ttl, Seconds(900));
  }
  auto none = resolve({}, Persona::aws_vault);
  EXPECT_FALSE(none->assume_role_ttl);
  EXPECT_FALSE(none->session_token_ttl);
  EXPECT_FALSE(none->chained_session_token_ttl);
  EXPECT_FALSE(none->federation_token_ttl);
}

TEST(PersonaSettings, BadTtlsAreErrorsNamingTheVariable) {
  struct Row {
    const char* variable;
    const char* value;
    const char* message;
  } rows[] = {
      {"AWS_SESSION_TOKEN_TTL", "5m", "AWS_SESSION_TOKEN_TTL: 5m is not an STS duration"},
      {"AWS_SESSION_TOKEN_TTL", "899", "AWS_SESSION_TOKEN_TTL: 899 is not an STS duration"},
      {"AWS_CHAINED_SESSION_TOKEN_TTL", "37h", "AWS_CHAINED_SESSION_TOKEN_TTL: 37h is not an STS duration"},
      {"AWS_ASSUME_ROLE_TTL", "1 hour", "AWS_ASSUME_ROLE_TTL: '1 hour' is not a duration"},
      {"AWS_FEDERATION_TOKEN_TTL", "x", "AWS_FEDERATION_TOKEN_TTL: 'x' is not a duration"},
      {"AWS_MIN_TTL", "soon", "AWS_MIN_TTL: 'soon' is not a duration"},
      {"AWS_VAULT_DURATION", "1d", "AWS_VAULT_DURATION: '1d' is not a duration"},
  };
  for (const Row& row : rows) {
    auto settings = resolve({{row.variable, row.value}}, Persona::aws_vault);
    ASSERT_FALSE(settings) << row.variable << "=" << row.value;
    EXPECT_EQ(settings.error().message, row.message);
    EXPECT_FALSE(settings.error().hint.empty()) << row.message;
  }
  // The STS bounds themselves are accepted.
  EXPECT_EQ(resolve({{"AWS_SESSION_TOKEN_TTL", "15m"}}, Persona::kura)->session_token_ttl, Seconds(900));
  EXPECT_EQ(resolve({{"AWS_SESSION_TOKEN_TTL", "36h"}}, Persona::kura)->session_token_ttl, Seconds(129600));
}

TEST(PersonaSettings, MinTtlSetsTheRefreshWindowBelowKurasOwnVariable) {
  EXPECT_EQ(resolve({{"AWS_MIN_TTL", "10m"}}, Persona::aws_vault)->session_refresh, Seconds(600));
  EXPECT_EQ(resolve({{"AWS_MIN_TTL", "10m"}}, Persona::kura)->session_refresh, Seconds(600));
  EXPECT_EQ(
      resolve({{"AWS_MIN_TTL", "10m"}, {"KURA_SESSION_REFRESH", "2m"}}, Persona::aws_vault)->session_refresh,
      Seconds(120));
}

TEST(PersonaSettings, BooleanVariablesAsGoParsesThem) {
  struct Row {
    const char* value;
    bool expected;
  } rows[] = {{"true", true}, {"1", true},      {"T", true}, {"TRUE", true},
              {"0", false},   {"false", false}, {"F", false}};
  for (const Row& row : rows) {
    auto settings = resolve({{"AWS_VAULT_STDOUT", row.value},
                             {"AWS_VAULT_PROFILE_ENV", row.value},
                             {"AWS_VAULT_AUTO_LOGOUT", row.value}},
                            Persona::aws_vault);
    ASSERT_TRUE(settings) << row.value;
    EXPECT_EQ(settings->print_url, row.expected) << row.value;
    EXPECT_EQ(settings->profile_env, row.expected) << row.value;
    EXPECT_EQ(settings->auto_logout, row.expected) << row.value;
  }
  for (const char* variable : {"AWS_VAULT_STDOUT", "AWS_VAULT_PROFILE_ENV", "AWS_VAULT_AUTO_LOGOUT"}) {
    auto maybe = resolve({{variable, "maybe"}}, Persona::aws_vault);
    ASSERT_FALSE(maybe) << variable;
    EXPECT_EQ(maybe.error().message, std::string(variable) + ": 'maybe' is not true or false");
    // As kura they are not read.
    auto ignored = resolve({{variable, "maybe"}}, Persona::kura);
    ASSERT_TRUE(ignored) << variable;
    EXPECT_FALSE(ignored->print_url);
    EXPECT_FALSE(ignored->profile_env);
  }
  EXPECT_FALSE(resolve({{"AWS_VAULT_STDOUT", "yes"}}, Persona::aws_vault));  // Go says no to "yes"
}

TEST(PersonaSettings, AwsVaultProfileVariablesOnlyAsAwsVault) {
  const std::map<std::string, std::string> vars = {{"AWS_MFA_SERIAL", "arn:aws:iam::1:mfa/u"},
                                                   {"AWS_ROLE_ARN", "arn:aws:iam::2:role/r"},
                                                   {"AWS_VAULT_DURATION", "2h"}};
  auto vault = resolve(vars, Persona::aws_vault);
  ASSERT_TRUE(vault);
  EXPECT_EQ(vault->mfa_serial, "arn:aws:iam::1:mfa/u");
  EXPECT_EQ(vault->role_arn, "arn:aws:iam::2:role/r");
  EXPECT_EQ(vault->default_duration, "2h");
  auto kura = resolve(vars, Persona::kura);
  ASSERT_TRUE(kura);
  EXPECT_FALSE(kura->mfa_serial);
  EXPECT_FALSE(kura->role_arn);
  EXPECT_FALSE(kura->default_duration);
}

TEST(PersonaSettings, MacOsOnlyFlagsAreAcceptedWithANote) {
  auto flagged = resolve({}, Persona::aws_vault, {{"--keychain", "login"}});
  ASSERT_TRUE(flagged);
  EXPECT_EQ(flagged->notes, (std::vector<std::string>{"--keychain names a macOS keychain: ignored here"}));
  // The variable is no note: it may be set for aws-vault on a Mac and shared with this machine.
  auto variable = resolve({{"AWS_VAULT_KEYCHAIN_NAME", "login"}}, Persona::aws_vault);
  ASSERT_TRUE(variable);
  EXPECT_TRUE(variable->notes.empty());
  auto biometrics = resolve({}, Persona::aws_vault, {{"--biometrics", "1"}});
  ASSERT_TRUE(biometrics);
  EXPECT_EQ(biometrics->notes, (std::vector<std::string>{"--biometrics is Touch ID on macOS: ignored here"}));
  // As kura the flag is none of its own: not read.
  auto kura = resolve({}, Persona::kura, {{"--keychain", "login"}});
  ASSERT_TRUE(kura);
  EXPECT_TRUE(kura->notes.empty());
}

// --- the command line ---------------------------------------------------------------------------------

class PersonaTest : public ::testing::Test, protected CliFakes {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-persona-test.XXXXXX";
    root = mkdtemp(pattern);
    write(root + "/config",
          "[profile dev]\nregion = eu-west-1\n[profile other]\n"
          "[profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::123456789012:role/admin\n");
    write(root + "/credentials", "");
    deps.env = Environment({{"HOME", root},
                            {"AWS_CONFIG_FILE", root + "/config"},
                            {"AWS_SHARED_CREDENTIALS_FILE", root + "/credentials"},
                            {"PATH", "/usr/bin:/bin"},
                            {"SHELL", "/bin/zsh"}});
    Credentials key;
    key.access_key_id = "AKIADEVDEVDEVDEVDEV1";
    key.secret_access_key = Secret(std::string("dev-secret"));
    ASSERT_TRUE(store_master_key(keystore, "dev", key));
  }
  void TearDown() override { std::filesystem::remove_all(root); }

  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  int run(std::vector<std::string> args, Persona persona = Persona::kura) {
    return run_cli(args, deps, persona);
  }
  void reply_session(const std::string& key_id = "ASIADEV") {
    transport.reply(200, sts_credentials_xml("GetSessionToken", key_id, "2026-11-22T13:00:00Z"));
  }

  std::string root;
};

TEST_F(PersonaTest, AwsVaultOnlyGlobalFlagsAreUnknownToKura) {
  EXPECT_EQ(run({"--file-dir", root, "list", "--profiles"}), 2);
  EXPECT_EQ(run({"list", "--profiles", "--file-dir", root}), 2);
  EXPECT_TRUE(out.empty() || out.find("dev") == std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run({"--file-dir", root, "list", "--profiles"}, Persona::aws_vault), 0);
  EXPECT_EQ(out, "admin\ndev\nother\n");
  out.clear();
  EXPECT_EQ(run({"list", "--profiles", "--file-dir=" + root}, Persona::aws_vault), 0);
  EXPECT_EQ(out, "admin\ndev\nother\n");
  // aws-vault's -v is its version flag; kura has none.
  out.clear();
  EXPECT_EQ(run({"-v"}, Persona::aws_vault), 0);
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(run({"-v", "list"}), 2);
}

// aws-vault's parser takes --no-NAME for every switch, global ones too; a flag with a value has no --no-.
TEST_F(PersonaTest, GlobalSwitchesTakeNoPrefixBeforeAndAfterTheCommand) {
  EXPECT_EQ(run({"--no-debug", "list", "--profiles"}), 0);
  EXPECT_EQ(run({"list", "--profiles", "--no-debug"}), 0);
  EXPECT_EQ(run({"--no-biometrics", "list", "--profiles"}, Persona::aws_vault), 0);
  EXPECT_EQ(run({"--no-backend", "list", "--profiles"}), 2);
  EXPECT_EQ(run({"list", "--no-backend"}), 2);
}

TEST_F(PersonaTest, AwsVaultOnlyCommandsAreUnknownToKura) {
  EXPECT_EQ(run({"proxy"}), 2);
  EXPECT_EQ(run({"server"}, Persona::aws_vault), 1);  // proxy's alias: known, and says what to do instead
}

TEST_F(PersonaTest, ExportEnvIsDotenvAsAwsVault) {
  reply_session();
  ASSERT_EQ(run({"export", "--format", "env", "dev"}, Persona::aws_vault), 0);
  EXPECT_EQ(out,
            "AWS_ACCESS_KEY_ID=ASIADEV\n"
            "AWS_SECRET_ACCESS_KEY=secret-ASIADEV\n"
            "AWS_SESSION_TOKEN=token-ASIADEV\n"
            "AWS_CREDENTIAL_EXPIRATION=2026-11-22T13:00:00Z\n"
            "AWS_REGION=eu-west-1\n"
            "AWS_DEFAULT_REGION=eu-west-1\n");
  // No --format at all: the same.
  out.clear();
  ASSERT_EQ(run({"export", "dev"}, Persona::aws_vault), 0);  // the session is cached now
  EXPECT_EQ(out.rfind("AWS_ACCESS_KEY_ID=ASIADEV\n", 0), 0u) << out;
  // export-env is the one with `export`.
  out.clear();
  ASSERT_EQ(run({"export", "--format", "export-env", "dev"}, Persona::aws_vault), 0);
  EXPECT_EQ(out.rfind("export AWS_ACCESS_KEY_ID='ASIADEV'\n", 0), 0u) << out;
}

TEST_F(PersonaTest, ExportEnvHasExportLinesAsKura) {
  reply_session();
  ASSERT_EQ(run({"export", "--format", "env", "dev"}), 0);
  EXPECT_EQ(out,
            "export AWS_ACCESS_KEY_ID='ASIADEV'\n"
            "export AWS_SECRET_ACCESS_KEY='secret-ASIADEV'\n"
            "export AWS_SESSION_TOKEN='token-ASIADEV'\n"
            "export AWS_CREDENTIAL_EXPIRATION='2026-11-22T13:00:00Z'\n"
            "export AWS_REGION='eu-west-1'\n"
            "export AWS_DEFAULT_REGION='eu-west-1'\n");
  out.clear();
  ASSERT_EQ(run({"export", "--format", "dotenv", "dev"}), 0);
  EXPECT_EQ(out.rfind("AWS_ACCESS_KEY_ID=ASIADEV\n", 0), 0u) << out;
}

TEST_F(PersonaTest, ExportInsideAnAwsVaultSubshellIsRefusedAsAwsVault) {
  deps.env.set("AWS_VAULT", "other");
  reply_session();
  EXPECT_EQ(run({"export", "dev"}, Persona::aws_vault), 1);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(transport.requests.empty());
  // Put there by `kura use`: not a subshell.
  deps.env.set("KURA_USE_PROFILE", "other");
  ASSERT_EQ(run({"export", "dev"}, Persona::aws_vault), 0);
  EXPECT_EQ(out.rfind("AWS_ACCESS_KEY_ID=ASIADEV\n", 0), 0u) << out;
  // kura's own export does not look at AWS_VAULT.
  deps.env.unset("KURA_USE_PROFILE");
  out.clear();
  ASSERT_EQ(run({"export", "dev"}), 0);
  EXPECT_EQ(out.rfind("export AWS_ACCESS_KEY_ID='ASIADEV'\n", 0), 0u) << out;
}

TEST_F(PersonaTest, ExecPutsAwsVaultAndKuraProfileInTheChild) {
  for (Persona persona : {Persona::kura, Persona::aws_vault}) {
    runner.environment.clear();
    ASSERT_EQ(run({"exec", "--no-session", "dev", "--", "env"}, persona), 0);
    EXPECT_EQ(runner.argv, std::vector<std::string>{"env"});
    EXPECT_EQ(runner.env("AWS_VAULT"), "dev");
    EXPECT_EQ(runner.env("KURA_PROFILE"), "dev");
    EXPECT_EQ(runner.env("AWS_ACCESS_KEY_ID"), "AKIADEVDEVDEVDEVDEV1");
  }
  // An empty AWS_VAULT is no subshell (unset and empty are the same).
  deps.env.set("AWS_VAULT", "");
  ASSERT_EQ(run({"exec", "--no-session", "dev", "--", "env"}, Persona::aws_vault), 0);
  EXPECT_EQ(runner.env("AWS_VAULT"), "dev");
}

// exec's child gets none of what `kura use` exported for the shell's prompt hook (bash's and fish's renewal
// times included): a hook in the child would renew the wrong credentials.
TEST_F(PersonaTest, ExecChildGetsNoneOfUsesVariables) {
  // What `kura use other` exported in a fish shell (AWS_VAULT names the same profile: no nesting).
  deps.env.set("AWS_VAULT", "other");
  deps.env.set("KURA_USE_PROFILE", "other");
  deps.env.set("KURA_USE_REFRESH_AT", "1800000000");
  deps.env.set("KURA_USE_REFRESH_UPTIME", "123456");
  ASSERT_EQ(run({"exec", "--no-session", "dev", "--", "fish"}), 0);
  EXPECT_EQ(runner.env("KURA_USE_PROFILE"), "<unset>");
  EXPECT_EQ(runner.env("KURA_USE_REFRESH_AT"), "<unset>");
  EXPECT_EQ(runner.env("KURA_USE_REFRESH_UPTIME"), "<unset>");
}

TEST_F(PersonaTest, ExecProfileEnvGivesTheChildTheProfileNotKeys) {
  reply_session();
  ASSERT_EQ(run({"exec", "--profile-env", "dev", "--", "env"}, Persona::aws_vault), 0);
  EXPECT_EQ(runner.env("AWS_PROFILE"), "dev");
  EXPECT_EQ(runner.env("AWS_VAULT"), "dev");
  EXPECT_EQ(runner.env("KURA_PROFILE"), "dev");
  EXPECT_EQ(runner.env("AWS_ACCESS_KEY_ID"), "<unset>");
  EXPECT_EQ(transport.requests.size(), 1u);  // the session was fetched (and cached) first
}

TEST_F(PersonaTest, ExecInsideAnotherExecIsRefusedUnlessPutThereByUse) {
  for (Persona persona : {Persona::kura, Persona::aws_vault}) {
    deps.env.set("AWS_VAULT", "other");
    deps.env.unset("KURA_USE_PROFILE");
    runner.argv.clear();
    EXPECT_EQ(run({"exec", "--no-session", "dev", "--", "true"}, persona), 1);
    EXPECT_TRUE(runner.argv.empty());
    // KURA_USE_PROFILE naming another profile than AWS_VAULT does not count.
    deps.env.set("KURA_USE_PROFILE", "dev");
    EXPECT_EQ(run({"exec", "--no-session", "dev", "--", "true"}, persona), 1);
    EXPECT_TRUE(runner.argv.empty());
    // `kura use other` exported them: exec runs, and the child's AWS_VAULT is the new profile.
    deps.env.set("KURA_USE_PROFILE", "other");
    ASSERT_EQ(run({"exec", "--no-session", "dev", "--", "true"}, persona), 0);
    EXPECT_EQ(runner.argv, std::vector<std::string>{"true"});
    EXPECT_EQ(runner.env("AWS_VAULT"), "dev");
    EXPECT_EQ(runner.env("KURA_USE_PROFILE"), "<unset>");
  }
}

TEST_F(PersonaTest, ExecJsonPrintsCredentialProcessJson) {
  ASSERT_EQ(run({"exec", "-j", "--no-session", "dev"}, Persona::aws_vault), 0);
  auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["Version"], 1);
  EXPECT_EQ(json["AccessKeyId"], "AKIADEVDEVDEVDEVDEV1");
  EXPECT_TRUE(runner.argv.empty());  // nothing run
}

TEST_F(PersonaTest, RemoveSessionsOnlyKeepsTheKey) {
  reply_session();
  ASSERT_EQ(run({"export", "dev"}), 0);
  ASSERT_EQ(keystore.items.size(), 2u);  // the key and the session
  ASSERT_EQ(run({"remove", "-s", "dev"}, Persona::aws_vault), 0);
  EXPECT_TRUE(prompt.questions.empty());  // no confirmation: the key stays
  ASSERT_EQ(keystore.items.size(), 1u);
  auto key = load_master_key(keystore, "dev");
  ASSERT_TRUE(key && *key);
  EXPECT_EQ((*key)->access_key_id, "AKIADEVDEVDEVDEVDEV1");
  // kura's spelling does the same.
  reply_session("ASIADEV2");
  ASSERT_EQ(run({"export", "dev"}), 0);
  ASSERT_EQ(keystore.items.size(), 2u);
  ASSERT_EQ(run({"remove", "--sessions-only", "dev"}), 0);
  EXPECT_EQ(keystore.items.size(), 1u);
}

TEST_F(PersonaTest, AssumeRoleTtlReachesStsAsAwsVault) {
  deps.env.set("AWS_ASSUME_ROLE_TTL", "20m");
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN", "2026-11-22T12:20:00Z"));
  ASSERT_EQ(run({"export", "--format", "json", "admin"}, Persona::aws_vault), 0);
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_NE(transport.requests[0].body.find("Action=AssumeRole"), std::string::npos);
  EXPECT_NE(transport.requests[0].body.find("DurationSeconds=1200"), std::string::npos)
      << transport.requests[0].body;
}

TEST_F(PersonaTest, AddConfigDefaultsOnAsAwsVaultAndNoAddConfigTurnsItOff) {
  // As aws-vault, a profile missing from the config gets a section (after asking for its MFA device).
  prompt.answers = {"AKIAIOSFODNN7EXAMPLE", "typed-secret", ""};
  ASSERT_EQ(run({"add", "--no-verify", "fresh"}, Persona::aws_vault), 0);
  EXPECT_EQ(prompt.questions.size(), 3u);
  EXPECT_NE(read(root + "/config").find("[profile fresh]"), std::string::npos);
  // --no-add-config: the optional switch recorded as false, not as absent.
  prompt.questions.clear();
  prompt.answers = {"AKIAIOSFODNN7EXAMPLE", "typed-secret"};
  ASSERT_EQ(run({"add", "--no-verify", "--no-add-config", "unlisted"}, Persona::aws_vault), 0);
  EXPECT_EQ(prompt.questions.size(), 2u);
  EXPECT_EQ(read(root + "/config").find("unlisted"), std::string::npos);
  // As kura the default is off, and --add-config turns it on.
  prompt.answers = {"AKIAIOSFODNN7EXAMPLE", "typed-secret"};
  ASSERT_EQ(run({"add", "--no-verify", "quiet"}), 0);
  EXPECT_EQ(read(root + "/config").find("quiet"), std::string::npos);
  prompt.answers = {"AKIAIOSFODNN7EXAMPLE", "typed-secret"};
  ASSERT_EQ(run({"add", "--no-verify", "--add-config", "loud"}), 0);
  EXPECT_NE(read(root + "/config").find("[profile loud]"), std::string::npos);
}

}  // namespace
}  // namespace kura
