// The settings layer: one table, resolved once, with the same errors everywhere; README and the sources are
// checked against it so that a variable cannot be documented wrongly or parsed somewhere else.
#include "cli/settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace kura {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::filesystem::path k_source = std::filesystem::path(KURA_TEST_DATA).parent_path().parent_path();

TEST(Settings, DefaultsVariablesAndFlags) {
  Environment env(std::map<std::string, std::string>{{"HOME", "/home/u"}});
  auto defaults = resolve_settings(env, {});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->session_refresh.count(), 300);
  EXPECT_EQ(defaults->lock_timeout.count(), 120'000);
  EXPECT_EQ(defaults->keystore.file_dir, "/home/u/.local/share/kura/file-store");
  EXPECT_EQ(*defaults->keystore.backends.pass_dir, "/home/u/.password-store");
  EXPECT_EQ(defaults->keystore.record_path, "/home/u/.config/kura/backend");
  EXPECT_FALSE(defaults->file_passphrase);

  Environment set({{"HOME", "/home/u"},
                   {"KURA_SESSION_REFRESH", "10m"},
                   {"KURA_BACKEND", "pass"},
                   {"KURA_FILE_PASSPHRASE", "hunter2"},
                   {"PASSWORD_STORE_DIR", "/p"},
                   {"XDG_DATA_HOME", "/d"}});
  auto resolved = resolve_settings(set, {{"--backend", "kernel"}, {"--debug", "1"}});
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->session_refresh.count(), 600);
  EXPECT_EQ(resolved->keystore.backend, "kernel");  // the flag wins over KURA_BACKEND
  EXPECT_TRUE(resolved->debug);
  EXPECT_EQ(resolved->file_passphrase->view(), "hunter2");
  EXPECT_EQ(*resolved->keystore.backends.pass_dir, "/p");
  EXPECT_EQ(resolved->keystore.file_dir, "/d/kura/file-store");
}

// The same wording wherever a value is bad, naming the variable or flag it came from.
TEST(Settings, BadValuesNameTheirSource) {
  struct Case {
    std::map<std::string, std::string> env;
    std::map<std::string, std::string> flags;
    std::string message;
  };
  const Case cases[] = {
      {{{"KURA_SESSION_REFRESH", "5x"}}, {}, "KURA_SESSION_REFRESH: '5x' is not a duration"},
      {{{"KURA_LOCK_TIMEOUT", "forever"}}, {}, "KURA_LOCK_TIMEOUT: 'forever' is not a duration"},
      {{{"KURA_SERVER_READ_TIMEOUT", "0"}}, {}, "KURA_SERVER_READ_TIMEOUT: must be at least 1s"},
      {{{"KURA_FILE_KEY_TTL", "1d"}}, {}, "KURA_FILE_KEY_TTL: '1d' is not a duration"},
      {{{"KURA_BACKEND", "keychain"}}, {}, "KURA_BACKEND: unknown value 'keychain'"},
      {{}, {{"--backend", "keychain"}}, "--backend: unknown value 'keychain'"},
      {{{"KURA_PROMPT", "dialog"}}, {}, "KURA_PROMPT: unknown value 'dialog'"},
  };
  for (const Case& c : cases) {
    std::map<std::string, std::string> vars = c.env;
    vars["HOME"] = "/h";
    auto resolved = resolve_settings(Environment(vars), c.flags);
    ASSERT_FALSE(resolved) << c.message;
    EXPECT_EQ(resolved.error().message, c.message);
    EXPECT_FALSE(resolved.error().hint.empty()) << c.message;
  }
}

// README's option table and the settings table agree: every flag and variable of the table is documented, and
// every KURA_ variable README mentions is in the table (or is one kura sets for a child). What only the
// aws-vault persona reads is documented in docs/AWS-VAULT.md.
TEST(Settings, ReadmeDocumentsExactlyTheTable) {
  const std::string readme = read(k_source / "README.md");
  const std::string aws_vault = read(k_source / "docs" / "AWS-VAULT.md");
  ASSERT_FALSE(readme.empty());
  ASSERT_FALSE(aws_vault.empty());
  std::set<std::string> declared;
  for (const SettingSpec& spec : setting_specs()) {
    if (has_flag(spec, Persona::kura)) {
      EXPECT_NE(readme.find("`" + std::string(spec.flag)), std::string::npos)
          << spec.flag << " is not in README";
    }
    if (has_flag(spec, Persona::aws_vault) && !has_flag(spec, Persona::kura)) {
      EXPECT_NE(aws_vault.find("`--" + std::string(spec.flag.substr(2))), std::string::npos)
          << spec.flag << " is not in docs/AWS-VAULT.md";
    }
    for (std::string_view variable : spec.variables) {
      if (variable.empty()) continue;
      declared.insert(std::string(variable));
      EXPECT_NE(readme.find("`" + std::string(variable) + "`"), std::string::npos)
          << variable << " is not in README";
    }
    if (!spec.aws_vault_variable.empty()) {
      EXPECT_NE(aws_vault.find("`" + std::string(spec.aws_vault_variable) + "`"), std::string::npos)
          << spec.aws_vault_variable << " is not in docs/AWS-VAULT.md";
    }
  }
  const std::set<std::string> set_by_kura = {"KURA_PROFILE", "KURA_USE_PROFILE", "KURA_USE_REFRESH_AT",
                                             "KURA_USE_REFRESH_UPTIME"};
  std::regex variable("KURA_[A-Z_]+");
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), variable); it != std::sregex_iterator();
       ++it) {
    const std::string name = it->str();
    EXPECT_TRUE(declared.count(name) || set_by_kura.count(name)) << name << " is in README but not a setting";
  }
}

// KURA_ variables are read in one place: no other source file reads one from the environment (but
// KURA_PROFILE and KURA_USE_PROFILE, which exec and `kura use` set and check to refuse nesting).
TEST(Settings, NoOtherSourceReadsAKuraVariable) {
  std::regex literal("(get|secret|getenv)\\(\"KURA_[A-Z_]+");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(k_source / "src")) {
    if (!entry.is_regular_file() || entry.path().filename() == "settings.cpp") continue;
    const std::string text = read(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), literal); it != std::sregex_iterator();
         ++it) {
      EXPECT_TRUE(it->str().find("\"KURA_PROFILE") != std::string::npos ||
                  it->str().find("\"KURA_USE_PROFILE") != std::string::npos)
          << entry.path() << " reads " << it->str();
    }
  }
}

}  // namespace
}  // namespace kura
