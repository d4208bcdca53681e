// Settings: everything kura reads from a global flag or the environment, declared once — flag, variables,
// default, help — in k_settings, and resolved once into one struct with the same errors everywhere
// ("KURA_SESSION_REFRESH: '5x' is not a duration"). `kura --help` is generated from the table and a unit test
// checks README's option table against it, so neither can drift.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "keyring/selection.h"
#include "util/env.h"
#include "util/result.h"
#include "util/secret.h"
#include "util/time.h"

namespace kura {

struct Settings {
  bool debug = false;
  KeystoreSettings keystore;
  std::optional<Secret> file_passphrase;  // KURA_FILE_PASSPHRASE; else asked on the terminal
  Seconds session_refresh{300};
  std::chrono::milliseconds lock_timeout{120'000};
  std::chrono::milliseconds server_read_timeout{5000};
  std::string prompt;  // MFA code driver; empty: automatic
  std::optional<std::string> ykman_account;
  std::optional<std::string> role_session_name;
  std::optional<std::string> federation_url;
  // aws-vault's own stores, read by `kura import --from aws-vault`.
  std::optional<std::string> aws_vault_file_dir;
  std::optional<Secret> aws_vault_file_passphrase;
  std::optional<std::string> aws_vault_pass_prefix;
};

struct SettingSpec {
  std::string_view flag;                      // a global flag ("--backend"), or empty
  std::string_view value_name;                // what the flag takes ("NAME"); empty for a switch
  std::array<std::string_view, 2> variables;  // the environment variables, first wins; empty slots unused
  std::string_view fallback;                  // the default, as shown in help
  std::string_view help;
  // Parses and stores a value (for a switch: "1"); `source` names the flag or variable for errors.
  Result<void> (*apply)(Settings& settings, std::string_view value, std::string_view source);
};

std::span<const SettingSpec> setting_specs();

// Flags win over variables; a setting with neither keeps its default. `flags` maps a global flag to its
// value.
Result<Settings> resolve_settings(const Environment& env, const std::map<std::string, std::string>& flags);

// The table as help text: one line per setting.
std::string settings_help();

}  // namespace kura
