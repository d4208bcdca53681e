// Commands run without argv, network or terminal: export formats, exec's environment, add and remove.
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/app.h"
#include "cli_fakes.h"
#include "creds/store_items.h"
#include "util/strings.h"

namespace kura {
namespace {

using namespace kura::testing;

class CommandsTest : public ::testing::Test, protected CliFakes {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-cli-test.XXXXXX";
    root = mkdtemp(pattern);
    write(root + "/config", "[profile dev]\nregion = eu-west-1\n[profile other]\n");
    write(root + "/credentials", "");
    deps.env = Environment({{"HOME", root},
                            {"AWS_CONFIG_FILE", root + "/config"},
                            {"AWS_SHARED_CREDENTIALS_FILE", root + "/credentials"},
                            {"AWS_PROFILE", "stale"},
                            {"AWS_SESSION_TOKEN", "stale-token"},
                            {"PATH", "/usr/bin:/bin"},
                            {"SHELL", "/bin/zsh"}});
  }
  void TearDown() override { std::filesystem::remove_all(root); }

  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  void store_dev_key() {
    Credentials key;
    key.access_key_id = "AKIADEVDEVDEVDEVDEV1";
    key.secret_access_key = Secret(std::string("dev'secret"));
    ASSERT_TRUE(store_master_key(keystore, "dev", key));
  }
  int run(std::vector<std::string> args) { return run_cli(args, deps); }

  std::string root;
};

TEST_F(CommandsTest, ExportJsonIsTheCredentialProcessContract) {
  store_dev_key();
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"export", "--format", "json", "dev"}), 0);
  auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["Version"], 1);
  EXPECT_EQ(json["AccessKeyId"], "ASIADEV");
  EXPECT_EQ(json["SecretAccessKey"], "secret-ASIADEV");
  EXPECT_EQ(json["SessionToken"], "token-ASIADEV");
  EXPECT_EQ(json["Expiration"], "2026-11-22T13:00:00Z");
  EXPECT_EQ(json.size(), 5u);
  EXPECT_NE(transport.requests[0].url.find("sts.eu-west-1.amazonaws.com"),
            std::string::npos);  // profile region
}

TEST_F(CommandsTest, ExportLongTermKeyOmitsSessionFields) {
  store_dev_key();
  ASSERT_EQ(run({"export", "-f", "json", "--no-session", "dev"}), 0);
  auto json = nlohmann::json::parse(out);
  EXPECT_FALSE(json.contains("SessionToken"));
  EXPECT_FALSE(json.contains("Expiration"));
  out.clear();
  ASSERT_EQ(run({"export", "--no-session", "dev"}), 0);
  EXPECT_NE(out.find("unset AWS_SESSION_TOKEN"), std::string::npos);
  EXPECT_NE(out.find("export AWS_SECRET_ACCESS_KEY='dev'\\''secret'\n"), std::string::npos) << out;
}

TEST_F(CommandsTest, ExportShellFormats) {
  store_dev_key();
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"export", "--format", "fish", "--region", "ap-south-1", "dev"}), 0);
  EXPECT_NE(out.find("set -gx AWS_SESSION_TOKEN 'token-ASIADEV';"), std::string::npos) << out;
  EXPECT_NE(out.find("set -gx AWS_REGION 'ap-south-1';"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(run({"export", "--format", "powershell", "dev"}), 0);
  EXPECT_NE(out.find("$env:AWS_ACCESS_KEY_ID = 'ASIADEV'"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(run({"export", "--format", "ini", "dev"}), 0);
  EXPECT_EQ(out.rfind("[dev]\naws_access_key_id = ASIADEV\n", 0), 0u) << out;
  EXPECT_EQ(run({"export", "--format", "yaml", "dev"}), 1);
}

TEST_F(CommandsTest, ExecSetsCredentialsAndRemovesStaleVariables) {
  store_dev_key();
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"exec", "dev", "--", "aws", "sts", "get-caller-identity", "--debug"}), 0);
  EXPECT_EQ(runner.argv, (std::vector<std::string>{"aws", "sts", "get-caller-identity", "--debug"}));
  EXPECT_EQ(runner.env("AWS_ACCESS_KEY_ID"), "ASIADEV");
  EXPECT_EQ(runner.env("AWS_SECRET_ACCESS_KEY"), "secret-ASIADEV");
  EXPECT_EQ(runner.env("AWS_SESSION_TOKEN"), "token-ASIADEV");
  EXPECT_EQ(runner.env("AWS_CREDENTIAL_EXPIRATION"), "2026-11-22T13:00:00Z");
  EXPECT_EQ(runner.env("AWS_REGION"), "eu-west-1");
  EXPECT_EQ(runner.env("AWS_DEFAULT_REGION"), "eu-west-1");
  EXPECT_EQ(runner.env("KURA_PROFILE"), "dev");
  EXPECT_EQ(runner.env("AWS_PROFILE"), "<unset>");
  EXPECT_EQ(runner.env("PATH"), "/usr/bin:/bin");
  EXPECT_TRUE(out.empty());  // nothing on stdout
}

TEST_F(CommandsTest, ExecPassesNoSecretNorStaleVariableAndEachVariableOnce) {
  store_dev_key();
  deps.env.set("KURA_FILE_PASSPHRASE", "hunter2");
  deps.env.set("AWS_VAULT_FILE_PASSPHRASE", "hunter3");
  deps.env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/stale");
  deps.env.set("AWS_REGION", "us-east-2");
  deps.env.set("AWS_DEFAULT_REGION", "us-east-2");
  deps.env.set("LANG", "C.UTF-8");
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"exec", "dev", "--", "true"}), 0);
  for (const char* gone :
       {"KURA_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"}) {
    EXPECT_EQ(runner.env(gone), "<unset>") << gone;
  }
  EXPECT_EQ(runner.env("AWS_VAULT"), "dev");
  EXPECT_EQ(runner.env("AWS_REGION"), "us-east-2");  // the caller's AWS_REGION wins over the profile's, once
  EXPECT_EQ(runner.env("AWS_DEFAULT_REGION"), "us-east-2");
  EXPECT_EQ(runner.env("LANG"), "C.UTF-8");
  std::set<std::string> names;
  for (const std::string& entry : runner.environment) {
    EXPECT_TRUE(names.insert(entry.substr(0, entry.find('='))).second) << "twice: " << entry;
  }
  EXPECT_EQ(runner.environment.size(), names.size());
}

TEST_F(CommandsTest, ExecDefaultsToTheShellAndRefusesToNest) {
  store_dev_key();
  ASSERT_EQ(run({"exec", "--no-session", "dev"}), 0);
  EXPECT_EQ(runner.argv, std::vector<std::string>{"/bin/zsh"});
  EXPECT_EQ(runner.env("AWS_SESSION_TOKEN"), "<unset>");  // the stale token is gone
  deps.env.set("KURA_PROFILE", "dev");
  runner.argv.clear();
  EXPECT_EQ(run({"exec", "--no-session", "dev", "--", "true"}), 1);
  EXPECT_TRUE(runner.argv.empty());
}

TEST_F(CommandsTest, AddFromEnvironmentValidatesAndStores) {
  deps.env.set("AWS_ACCESS_KEY_ID", "not-a-key");
  deps.env.set("AWS_SECRET_ACCESS_KEY", "s");
  deps.env.unset("AWS_SESSION_TOKEN");
  EXPECT_EQ(run({"add", "--env", "dev"}), 1);
  EXPECT_TRUE(keystore.items.empty());
  deps.env.set("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
  transport.reply(200, sts_caller_identity_xml("123456789012", "alice"));
  ASSERT_EQ(run({"add", "--env", "dev"}), 0);
  auto key = load_master_key(keystore, "dev");
  ASSERT_TRUE(key && *key);
  EXPECT_EQ((*key)->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  // Checked with GetCallerIdentity, signed with the key itself; whose key it is is recorded.
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_NE(transport.requests[0].body.find("Action=GetCallerIdentity"), std::string::npos);
  auto identity = load_key_identity(keystore, "dev");
  ASSERT_TRUE(identity && *identity);
  EXPECT_EQ((*identity)->arn, "arn:aws:iam::123456789012:user/alice");
  out.clear();
  ASSERT_EQ(run({"list"}), 0);
  EXPECT_NE(out.find("stored (memory) 123456789012:user/alice"), std::string::npos) << out;
}

// list: the profiles of both files and of the store, each once and in order, with where each one's key is.
TEST_F(CommandsTest, ListMergesTheFilesAndTheStoreInOrder) {
  write(root + "/config", "[profile zulu]\n[profile dev]\nregion = eu-west-1\n[default]\n[profile alpha]\n");
  write(root + "/credentials",
        "[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\naws_secret_access_key = s\n[dev]\n[alpha]\n");
  store_dev_key();
  Credentials orphan;
  orphan.access_key_id = "AKIAORPHANORPHANORP1";
  orphan.secret_access_key = Secret(std::string("o"));
  ASSERT_TRUE(store_master_key(keystore, "orphan", orphan));  // stored for a profile no file names
  ASSERT_EQ(run({"list"}), 0);
  std::vector<std::string> lines = split(out, '\n');
  ASSERT_EQ(lines.size(), 8u) << out;  // a header, six profiles, and the empty piece after the last newline
  std::vector<std::string> names;
  for (size_t i = 1; i + 1 < lines.size(); ++i) names.push_back(lines[i].substr(0, lines[i].find(' ')));
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "default", "dev", "orphan", "plain", "zulu"})) << out;
  EXPECT_EQ(lines[0].rfind("PROFILE  CREDENTIALS", 0), 0u) << out;
  EXPECT_NE(lines[3].find("stored (memory)"), std::string::npos) << out;
  EXPECT_NE(lines[4].find("stored (memory)"), std::string::npos) << out;
  EXPECT_NE(lines[5].find("plaintext file"), std::string::npos) << out;
  EXPECT_EQ(lines[6].find("  -  "), lines[1].find("  -  ")) << out;  // the columns line up
  out.clear();
  ASSERT_EQ(run({"list", "--profiles"}), 0);
  EXPECT_EQ(out, "alpha\ndefault\ndev\nplain\nzulu\n");
}

TEST_F(CommandsTest, AddStoresNothingAWSRejectsOrCannotCheckUnlessToldNotToAsk) {
  deps.env.set("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
  deps.env.set("AWS_SECRET_ACCESS_KEY", "mistyped");
  transport.reply(403, sts_invalid_key_xml());
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run({"add", "--env", "dev"}), 1);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("AWS rejected the key ****MPLE"), std::string::npos) << err;
  EXPECT_NE(err.find("nothing was stored"), std::string::npos) << err;
  EXPECT_EQ(err.find("mistyped"), std::string::npos) << err;
  EXPECT_TRUE(keystore.items.empty());
  transport.drop();
  EXPECT_EQ(run({"add", "--env", "dev"}), 1);  // no answer: not stored either
  EXPECT_TRUE(keystore.items.empty());
  const size_t asked = transport.requests.size();
  ASSERT_EQ(run({"add", "--env", "--no-verify", "dev"}), 0);
  EXPECT_EQ(transport.requests.size(), asked);
  EXPECT_TRUE(*load_master_key(keystore, "dev"));
  EXPECT_FALSE(*load_key_identity(keystore, "dev"));
}

TEST_F(CommandsTest, AddPromptsOnTheTerminal) {
  prompt.answers = {"AKIAIOSFODNN7EXAMPLE", "typed-secret"};
  transport.reply(200, sts_caller_identity_xml("123456789012", "alice"));
  ASSERT_EQ(run({"add", "other"}), 0);
  EXPECT_EQ(prompt.questions,
            (std::vector<std::string>{"Enter Access Key ID: ", "Enter Secret Access Key: "}));
  EXPECT_EQ((*load_master_key(keystore, "other"))->secret_access_key.view(), "typed-secret");
}

TEST_F(CommandsTest, RemoveAsksUnlessForcedAndClearKeepsKeys) {
  store_dev_key();
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"export", "dev"}), 0);
  EXPECT_EQ(keystore.items.size(), 2u);
  ASSERT_EQ(run({"clear"}), 0);
  EXPECT_EQ(keystore.items.size(), 1u);
  prompt.answers = {"n"};
  EXPECT_EQ(run({"remove", "dev"}), 1);
  EXPECT_EQ(keystore.items.size(), 1u);
  ASSERT_EQ(run({"remove", "-f", "dev"}), 0);
  EXPECT_TRUE(keystore.items.empty());
  EXPECT_EQ(run({"remove", "-f", "dev"}), 1);
}

TEST_F(CommandsTest, ListShowsProfilesKeysAndSessions) {
  store_dev_key();
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"export", "dev"}), 0);
  out.clear();
  ASSERT_EQ(run({"list"}), 0);
  EXPECT_NE(out.find("dev      stored (memory)       GetSessionToken: 1h00m left"), std::string::npos) << out;
  EXPECT_NE(out.find("other    -"), std::string::npos) << out;
  out.clear();
  ASSERT_EQ(run({"list", "--credentials"}), 0);
  EXPECT_EQ(out, "dev\n");
}

// kura's static build (util/full_build.h) runs a hit's commands itself and hands the others over to kura-full
// before it parses their flags (so before they read anything); a miss is handed over at the refresh.
TEST_F(CommandsTest, TheStaticBuildServesAHitAndHandsOverAMissAndTheOtherCommands) {
  HandOverRecorder handed;
  store_dev_key();
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"export", "--format", "json", "dev"}), 0);
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"a session to refresh"});

  HandOverRecorder::reasons().clear();
  for (const std::vector<std::string>& hit :
       std::vector<std::vector<std::string>>{{"export", "--format", "json", "dev"},
                                             {"exec", "dev", "--", "true"},
                                             {"use", "--shell", "bash", "dev"},
                                             {"list"},
                                             {"ls", "--sessions"},
                                             {"version"},
                                             {"help", "exec"},
                                             {"completion", "bash"},
                                             {"shell-hook", "zsh"},
                                             {"direnv"}}) {
    EXPECT_EQ(run(hit), 0) << hit[0];
  }
  EXPECT_TRUE(HandOverRecorder::reasons().empty()) << HandOverRecorder::reasons()[0];
  EXPECT_EQ(transport.requests.size(), 1u);

  EXPECT_EQ(run({"add", "--no-such-flag"}), 2);
  EXPECT_EQ(run({"--debug", "rm", "--no-such-flag"}), 2);
  EXPECT_EQ(HandOverRecorder::reasons(),
            (std::vector<std::string>{"the command 'add'", "the command 'remove'"}));
}

TEST_F(CommandsTest, BadFlagsExitTwoAndBadConfigNamesTheLine) {
  deps.env.unset("AWS_PROFILE");  // else it names the profile (and no terminal here to pick one on)
  EXPECT_EQ(run({"exec"}), 2);
  deps.env.set("AWS_PROFILE", "stale");
  EXPECT_EQ(run({"frobnicate"}), 2);
  EXPECT_EQ(run({"export", "--duration", "1x", "dev"}), 1);
  write(root + "/config", "[profile dev]\nregion\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run({"export", "dev"}), 1);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("kura: error: " + root + "/config:2: malformed line: 'region'"), std::string::npos)
      << err;
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

using namespace kura::testing;

TEST_F(CommandsTest, MfaSetupStoresTheKeyEncryptedAndTheDeviceInConfig) {
  prompt.answers = {"work", "AKIAIOSFODNN7EXAMPLE", "setup-secret", "arn:aws:iam::123456789012:mfa/me"};
  transport.reply(200, sts_caller_identity_xml("123456789012", "me"));
  ASSERT_EQ(run({"mfa", "--setup"}), 0);
  auto key = load_master_key(keystore, "work-long-term");
  ASSERT_TRUE(key && *key);
  EXPECT_EQ((*key)->secret_access_key.view(), "setup-secret");
  std::ifstream config(root + "/config");
  std::string text((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text,
            "[profile dev]\nregion = eu-west-1\n[profile other]\n\n[profile work]\nmfa_serial = "
            "arn:aws:iam::123456789012:mfa/me\n");
  std::ifstream credentials(root + "/credentials");
  std::string plain((std::istreambuf_iterator<char>(credentials)), std::istreambuf_iterator<char>());
  EXPECT_EQ(plain, "");  // nothing in plaintext
}

TEST_F(CommandsTest, MfaRenewsWhenTheLongTermKeyChanged) {
  Credentials key;
  key.access_key_id = "AKIAFIRSTFIRSTFIRST1";
  key.secret_access_key = Secret(std::string("s1"));
  ASSERT_TRUE(store_master_key(keystore, "dev-long-term", key));
  write(root + "/config", "[profile dev]\nmfa_serial = arn:aws:iam::1:mfa/dev\n");
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAONE", "2026-11-23T00:00:00Z"));
  ASSERT_EQ(run({"mfa", "--profile", "dev", "--token", "123456"}), 0);
  ASSERT_EQ(transport.requests.size(), 1u);
  ASSERT_EQ(run({"mfa", "--profile", "dev"}), 0);  // still valid: no prompt, no call
  EXPECT_EQ(transport.requests.size(), 1u);
  EXPECT_TRUE(prompt.questions.empty());
  key.access_key_id = "AKIASECONDSECONDSEC2";  // rotated
  ASSERT_TRUE(store_master_key(keystore, "dev-long-term", key));
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIATWO", "2026-11-23T00:00:00Z"));
  ASSERT_EQ(run({"mfa", "--profile", "dev", "--token", "654321"}), 0);
  EXPECT_EQ(transport.requests.size(), 2u);
  std::ifstream credentials(root + "/credentials");
  std::string text((std::istreambuf_iterator<char>(credentials)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("aws_access_key_id = ASIATWO\n"), std::string::npos) << text;
  EXPECT_NE(text.find("aws_security_token = token-ASIATWO\n"), std::string::npos) << text;
  EXPECT_NE(text.find("expiration = 2026-11-23 00:00:00\n"), std::string::npos) << text;
}

TEST_F(CommandsTest, MfaSuffixesFollowAwsMfaRules) {
  EXPECT_EQ(run({"mfa", "--profile", "dev", "--long-term-suffix", "none", "--token", "123456"}),
            1);  // equal names
  write(root + "/credentials",
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n");
  write(root + "/config", "[profile dev]\nmfa_serial = arn:aws:iam::1:mfa/dev\n");
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIASHORT", "2026-11-23T00:00:00Z"));
  ASSERT_EQ(
      run({"mfa", "--profile", "dev", "--long-suffix", "none", "--short-suffix", "mfa", "--token", "123456"}),
      0);
  std::ifstream credentials(root + "/credentials");
  std::string text((std::istreambuf_iterator<char>(credentials)), std::istreambuf_iterator<char>());
  EXPECT_EQ(
      text.rfind("[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n\n[dev-mfa]\n",
                 0),
      0u)
      << text;
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

using namespace kura::testing;

TEST_F(CommandsTest, RenameMovesTheStoredKeyWithItsIdentityAndDropsTheOldSessions) {
  Credentials key;
  key.access_key_id = "AKIADEVDEVDEVDEVDEV1";
  key.secret_access_key = Secret(std::string("dev'secret"));
  ASSERT_TRUE(store_master_key(keystore, "dev", key,
                               KeyIdentity{"123456789012", "arn:aws:iam::123456789012:user/d"}));
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIADEV", "2026-11-22T13:00:00Z"));
  ASSERT_EQ(run({"export", "dev"}), 0);  // a session of dev's
  ASSERT_EQ(keystore.items.size(), 2u);
  EXPECT_EQ(run({"rename", "nobody", "x"}), 1);
  EXPECT_EQ(run({"rename", "dev", "dev"}), 1);
  ASSERT_EQ(run({"rename", "dev", "dev-user"}), 0);
  EXPECT_FALSE(*load_master_key(keystore, "dev"));
  auto moved = load_master_key(keystore, "dev-user");
  ASSERT_TRUE(moved && *moved);
  EXPECT_EQ((*moved)->secret_access_key.view(), "dev'secret");
  EXPECT_EQ((*load_key_identity(keystore, "dev-user"))->arn, "arn:aws:iam::123456789012:user/d");
  EXPECT_EQ(keystore.items.size(), 1u);  // the session went
  // NEW must have no key of its own.
  store_dev_key();
  EXPECT_EQ(run({"rename", "dev", "dev-user"}), 1);
  EXPECT_TRUE(*load_master_key(keystore, "dev"));
}

TEST_F(CommandsTest, ImportAsStoresOneSectionUnderAnotherName) {
  write(root + "/credentials",
        "[a-long-term]\naws_access_key_id = AKIAAAAAAAAAAAAAAAA1\naws_secret_access_key = a-secret\n"
        "[b-long-term]\naws_access_key_id = AKIABBBBBBBBBBBBBBB1\naws_secret_access_key = b-secret\n");
  EXPECT_EQ(run({"import", "a-long-term", "b-long-term", "--as", "x"}), 1);  // one section only
  EXPECT_EQ(run({"import", "--all", "--as", "x"}), 1);
  store_dev_key();
  EXPECT_EQ(run({"import", "a-long-term", "--as", "dev"}), 1);  // never over a stored key
  EXPECT_EQ((*load_master_key(keystore, "dev"))->access_key_id, "AKIADEVDEVDEVDEVDEV1");
  ASSERT_EQ(run({"import", "a-long-term", "--as", "alpha"}), 0);
  EXPECT_EQ((*load_master_key(keystore, "alpha"))->secret_access_key.view(), "a-secret");
  EXPECT_FALSE(*load_master_key(keystore, "a-long-term"));
}

}  // namespace
}  // namespace kura
