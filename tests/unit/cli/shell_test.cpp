// Completion: what `kura __complete WORDS...` offers for the last word, from the command table, the flags a
// command declares and the profiles of the config files.
#include "cli/shell.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/app.h"
#include "fakes.h"

namespace kura {
namespace {

using namespace kura::testing;
using Words = std::vector<std::string>;

class CompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-shell-test.XXXXXX";
    root = mkdtemp(pattern);
    std::ofstream(root + "/config") << "[default]\nregion = eu-west-1\n[profile dev]\n[profile prod]\n";
    std::ofstream(root + "/credentials") << "[creds-only]\naws_access_key_id = AKIAEXAMPLE\n";
    deps.env = Environment({{"HOME", root},
                            {"AWS_CONFIG_FILE", root + "/config"},
                            {"AWS_SHARED_CREDENTIALS_FILE", root + "/credentials"}});
    deps.write_out = [this](std::string_view text) { out += text; };
  }
  void TearDown() override { std::filesystem::remove_all(root); }

  Words complete(const Words& words, Persona persona = Persona::kura) {
    return completions(words, deps, persona);
  }

  std::string root;
  ScriptedPrompt prompt;
  FakeClock clock;
  RecordingRunner runner;
  AppDeps deps{Environment(), clock, prompt, runner, nullptr, nullptr, nullptr};
  std::string out;
};

const Words k_profiles = {"creds-only", "default", "dev", "prod"};
const Words k_backends = {"file", "kernel", "pass", "secret-service"};

TEST_F(CompletionTest, CommandNamesByPrefix) {
  EXPECT_EQ(complete({"e"}), (Words{"each", "exec", "export"}));
  EXPECT_EQ(complete({"ex"}), (Words{"exec", "export"}));
  EXPECT_EQ(complete({"mi"}), (Words{"migrate"}));
  EXPECT_EQ(complete({"zz"}), Words{});
  const Words all = complete({""});
  EXPECT_EQ(all.front(), "add");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  for (const char* name : {"exec", "export", "list", "help", "use", "completion", "version"}) {
    EXPECT_NE(std::find(all.begin(), all.end(), name), all.end()) << name;
  }
  // No empty argument list either: the same as one empty word.
  EXPECT_EQ(complete({}), all);
}

TEST_F(CompletionTest, AliasesAreNotListedButWorkAsTheCommandWord) {
  EXPECT_EQ(complete({"l"}), (Words{"list", "login"}));               // not ls
  EXPECT_EQ(complete({"r"}), (Words{"remove", "rename", "rotate"}));  // not rm, mv
  EXPECT_EQ(complete({"m"}), (Words{"mfa", "migrate"}));              // not migrate-backend
  EXPECT_EQ(complete({"ls", "--c"}), (Words{"--credentials"}));
  EXPECT_EQ(complete({"rm", ""}), k_profiles);
}

TEST_F(CompletionTest, FlagsOfTheCommand) {
  EXPECT_EQ(complete({"exec", "--i"}), (Words{"--imds-server", "--imds-v1"}));
  EXPECT_EQ(complete({"exec", "--e"}), (Words{"--ec2-server", "--ecs-server"}));  // both spellings
  EXPECT_EQ(complete({"exec", "dev", "--no"}), (Words{"--no-session"}));
  EXPECT_EQ(complete({"list", "--"}), (Words{"--backend", "--credentials", "--debug", "--help", "--pass-dir",
                                             "--profiles", "--prompt", "--session-backend", "--sessions"}));
  // Only long names: `-` lists no short ones.
  for (const std::string& flag : complete({"exec", "-"})) EXPECT_EQ(flag.rfind("--", 0), 0u) << flag;
  // Another command's flags are not offered.
  EXPECT_EQ(complete({"list", "--imds"}), Words{});
}

TEST_F(CompletionTest, GlobalFlagsBeforeTheCommand) {
  EXPECT_EQ(complete({"--"}), (Words{"--backend", "--debug", "--help", "--pass-dir", "--prompt",
                                     "--session-backend", "--version"}));
  EXPECT_EQ(complete({"--b"}), (Words{"--backend"}));
  // A global flag's value is skipped: the next word is the command.
  EXPECT_EQ(complete({"--backend", "file", "ex"}), (Words{"exec", "export"}));
  EXPECT_EQ(complete({"--backend=file", "--debug", "ex"}), (Words{"exec", "export"}));
  EXPECT_EQ(complete({"--debug", "exec", ""}), k_profiles);
}

TEST_F(CompletionTest, ProfileNamesForProfilePositionals) {
  EXPECT_EQ(complete({"exec", ""}), k_profiles);
  EXPECT_EQ(complete({"exec", "d"}), (Words{"default", "dev"}));
  EXPECT_EQ(complete({"export", "-d", "1h", "p"}), (Words{"prod"}));  // -d's value is not the profile
  EXPECT_EQ(complete({"exec", "--duration=1h", "c"}), (Words{"creds-only"}));
  EXPECT_EQ(complete({"login", "--no-session", ""}), k_profiles);
}

TEST_F(CompletionTest, ValuesOfFlags) {
  EXPECT_EQ(complete({"export", "--format", ""}),
            (Words{"dotenv", "env", "export-env", "fish", "ini", "json", "powershell"}));
  EXPECT_EQ(complete({"export", "-f", "e"}), (Words{"env", "export-env"}));
  EXPECT_EQ(complete({"--backend", ""}), k_backends);
  EXPECT_EQ(complete({"exec", "--backend", "k"}), (Words{"kernel"}));
  EXPECT_EQ(complete({"exec", "--session-backend", ""}), k_backends);
  EXPECT_EQ(complete({"--prompt", ""}),
            (Words{"kdialog", "mfa_process", "osascript", "terminal", "ykman", "zenity"}));
  EXPECT_EQ(complete({"use", "--shell", "f"}), (Words{"fish"}));  // choices
  EXPECT_EQ(complete({"completion", ""}), (Words{"bash", "fish", "zsh"}));
  // A value that is a path: the shell completes files.
  EXPECT_EQ(complete({"--pass-dir", "/tm"}), (Words{":file"}));
}

TEST_F(CompletionTest, FlagWithValueInOneWordKeepsTheFlag) {
  // zsh and fish pass `--format=js` whole.
  EXPECT_EQ(complete({"export", "--format=js"}), (Words{"--format=json"}));
  EXPECT_EQ(complete({"export", "--format="}),
            (Words{"--format=dotenv", "--format=env", "--format=export-env", "--format=fish", "--format=ini",
                   "--format=json", "--format=powershell"}));
  EXPECT_EQ(complete({"--backend=ke"}), (Words{"--backend=kernel"}));
  EXPECT_EQ(complete({"--pass-dir=/tm"}), (Words{":file"}));  // not "--pass-dir=:file"
}

TEST_F(CompletionTest, FlagWithValueSplitAtTheEqualsSignByBash) {
  // bash splits `--format=js` into `--format`, `=`, `js`: the candidates are the values alone.
  EXPECT_EQ(complete({"export", "--format", "=", "js"}), (Words{"json"}));
  EXPECT_EQ(complete({"export", "--format", "=", ""}),
            (Words{"dotenv", "env", "export-env", "fish", "ini", "json", "powershell"}));
  EXPECT_EQ(complete({"--backend", "=", "f"}), (Words{"file"}));
}

// A flag given as `--flag=value` earlier on a bash command line arrives as `--flag`, `=`, `value`: all three
// are the flag, not a positional or the command.
TEST_F(CompletionTest, WordsAfterTheSplitFlagValueAreNotItsValue) {
  // `kura export --format=json <TAB>` in bash: the words are export, --format, =, json and the empty one.
  // json is --format's value, so the profile is still to come.
  EXPECT_EQ(complete({"export", "--format", "=", "json", ""}), k_profiles);
  // The same before the command: `kura --backend=file ex<TAB>`.
  EXPECT_EQ(complete({"--backend", "=", "file", "ex"}), (Words{"exec", "export"}));
}

TEST_F(CompletionTest, TheCommandToRunIsTheShells) {
  EXPECT_EQ(complete({"exec", "dev", "--", ""}), (Words{":command"}));
  EXPECT_EQ(complete({"exec", "dev", "--", "aw"}), (Words{":command"}));
  EXPECT_EQ(complete({"exec", "dev", "--", "aws", "--re"}), (Words{":command"}));  // aws's flags, not ours
  EXPECT_EQ(complete({"exec", "dev", "aws", ""}), (Words{":command"}));            // without `--`
  EXPECT_EQ(complete({"exec", "dev", "aws", "--re"}), (Words{":command"}));
  EXPECT_EQ(complete({"exec", "dev", ""}), (Words{":command"}));  // the profile is given
  // Commands that run nothing have nothing more to offer.
  EXPECT_EQ(complete({"export", "dev", ""}), Words{});
}

TEST_F(CompletionTest, HelpCompletesCommands) {
  EXPECT_EQ(complete({"help", "e"}), (Words{"each", "exec", "export"}));
  EXPECT_EQ(complete({"help", "ro"}), (Words{"rotate"}));
  EXPECT_EQ(complete({"help", "pr"}), Words{});
  EXPECT_EQ(complete({"help", "pr"}, Persona::aws_vault), (Words{"proxy"}));
}

TEST_F(CompletionTest, AwsVaultPersonaHasItsCommandsAndFlags) {
  const Words kura = complete({""});
  const Words vault = complete({""}, Persona::aws_vault);
  for (const char* only : {"proxy"}) {
    EXPECT_EQ(std::find(kura.begin(), kura.end(), only), kura.end()) << only;
    EXPECT_NE(std::find(vault.begin(), vault.end(), only), vault.end()) << only;
  }
  EXPECT_EQ(complete({"r"}, Persona::aws_vault), (Words{"remove", "rename", "rotate"}));
  EXPECT_EQ(complete({"p"}, Persona::aws_vault), (Words{"proxy"}));  // not its alias `server`
  EXPECT_EQ(complete({"--f"}, Persona::aws_vault), (Words{"--file-dir"}));
  EXPECT_EQ(complete({"--f"}), Words{});
  EXPECT_EQ(complete({"remove", "--s"}, Persona::aws_vault),
            (Words{"--secret-service-collection", "--session-backend", "--sessions-only"}));
  EXPECT_EQ(complete({"proxy", "--s"}, Persona::aws_vault),
            (Words{"--secret-service-collection", "--session-backend", "--stop"}));
  EXPECT_EQ(complete({"rotate", ""}, Persona::aws_vault), k_profiles);
}

TEST_F(CompletionTest, AwsMfaPersonaCompletesMfasFlagsWithoutACommandWord) {
  const Words flags = complete({"--"}, Persona::aws_mfa);
  for (const char* flag : {"--profile", "--device", "--assume-role", "--log-level", "--setup", "--backend"}) {
    EXPECT_NE(std::find(flags.begin(), flags.end(), flag), flags.end()) << flag;
  }
  EXPECT_EQ(complete({"--dev"}, Persona::aws_mfa), (Words{"--device"}));
  EXPECT_EQ(complete({"--profile", "d"}, Persona::aws_mfa), (Words{"default", "dev"}));
  EXPECT_EQ(complete({"--profile=p"}, Persona::aws_mfa), (Words{"--profile=prod"}));
  EXPECT_EQ(complete({"--log-level", "D"}, Persona::aws_mfa), (Words{"DEBUG"}));
  EXPECT_EQ(complete({"ex"}, Persona::aws_mfa), Words{});  // no commands: mfa is the command
}

TEST_F(CompletionTest, CompleteWordsPrintsOnePerLine) {
  EXPECT_EQ(run_cli({"__complete", "help", "ex"}, deps), 0);
  EXPECT_EQ(out, "exec\nexport\n");
  out.clear();
  EXPECT_EQ(run_cli({"__complete", "exec", "dev", "--", ""}, deps), 0);
  EXPECT_EQ(out, ":command\n");
}

TEST_F(CompletionTest, NoConfigFilesMeansNoProfiles) {
  deps.env.set("AWS_CONFIG_FILE", root + "/missing");
  deps.env.set("AWS_SHARED_CREDENTIALS_FILE", root + "/missing-too");
  EXPECT_EQ(complete({"exec", ""}), Words{});
}

}  // namespace
}  // namespace kura
