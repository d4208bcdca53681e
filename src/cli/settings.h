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
#include <vector>

#include "keyring/selection.h"
#include "util/env.h"
#include "util/result.h"
#include "util/secret.h"
#include "util/time.h"

namespace kura {

// Whose command line is being run: kura's, or kura installed under aws-vault's or aws-mfa's name (a link).
enum class Persona { kura, aws_vault, aws_mfa };

struct Settings {
  Persona persona = Persona::kura;
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
  bool sso_auto_login = true;
  Seconds rotate_wait{60};  // KURA_ROTATE_WAIT: how long a new key may take to be accepted  //
                            // KURA_SSO_AUTO_LOGIN: a caller without a terminal may open the sign-in
  // aws-vault's own stores, read by `kura import --from aws-vault`.
  std::optional<std::string> aws_vault_file_dir;
  std::optional<Secret> aws_vault_file_passphrase;
  std::optional<std::string> aws_vault_pass_prefix;
  std::optional<std::string> aws_vault_collection;
  // aws-vault's duration variables: each STS call's duration when no flag asks for one.
  std::optional<Seconds> session_token_ttl;  // AWS_SESSION_TOKEN_TTL: GetSessionToken for a user
  std::optional<Seconds>
      chained_session_token_ttl;                // AWS_CHAINED_SESSION_TOKEN_TTL: the one that feeds roles
  std::optional<Seconds> assume_role_ttl;       // AWS_ASSUME_ROLE_TTL: AssumeRole, over duration_seconds
  std::optional<Seconds> federation_token_ttl;  // AWS_FEDERATION_TOKEN_TTL: GetFederationToken (login)
  // aws-vault's profile variables (aws-vault persona only), over the named profile's config.
  std::optional<std::string> default_duration;  // AWS_VAULT_DURATION: -d when not given
  std::optional<std::string> mfa_serial;        // AWS_MFA_SERIAL: every profile of the chain
  std::optional<std::string> role_arn;          // AWS_ROLE_ARN
  std::optional<std::string> session_tags;      // AWS_SESSION_TAGS: k=v,k2=v2
  std::optional<std::string> transitive_tags;   // AWS_TRANSITIVE_TAGS: k,k2
  std::optional<std::string> source_identity;   // AWS_SOURCE_IDENTITY
  bool profile_env = false;                     // AWS_VAULT_PROFILE_ENV: exec sets AWS_PROFILE only
  bool print_url = false;                       // AWS_VAULT_STDOUT: print URLs instead of opening a browser
  bool auto_logout = false;                     // AWS_VAULT_AUTO_LOGOUT: login logs out first
  std::vector<std::string> notes;               // said once on stderr: flags accepted and ignored
};

// Which personas have a setting's flag, or its aws_vault_variable.
enum PersonaMask : unsigned { k_kura_only = 1, k_aws_vault_only = 2, k_every_persona = 3 };

struct SettingSpec {
  std::string_view flag;                      // a global flag ("--backend"), or empty
  std::string_view value_name;                // what the flag takes ("NAME"); empty for a switch
  std::array<std::string_view, 2> variables;  // the environment variables, first wins; empty slots unused
  std::string_view aws_vault_variable;  // read first when run as aws-vault (AWS_VAULT_BACKEND), else not
  unsigned flag_personas;               // PersonaMask: where the flag is accepted
  std::string_view fallback;            // the default, as shown in help
  std::string_view help;
  // Parses and stores a value (for a switch: "1"); `source` names the flag or variable for errors.
  Result<void> (*apply)(Settings& settings, std::string_view value, std::string_view source);
};

std::span<const SettingSpec> setting_specs();
bool has_flag(const SettingSpec& spec, Persona persona);

// Flags win over variables; a setting with neither keeps its default. `flags` maps a global flag to its
// value.
Result<Settings> resolve_settings(const Environment& env, const std::map<std::string, std::string>& flags,
                                  Persona persona = Persona::kura);

// The table as help text: one line per setting that `persona` reads.
std::string settings_help(Persona persona = Persona::kura);

}  // namespace kura
