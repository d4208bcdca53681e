// The settings table.
#include "cli/settings.h"

#include <array>

#include "util/strings.h"

namespace kura {

namespace {

Result<Seconds> duration_value(std::string_view value, std::string_view source) {
  auto parsed = parse_duration(value);
  if (!parsed) {
    return make_error(std::string(source) + ": '" + std::string(value) + "' is not a duration",
                      "use seconds (3600) or units like 1h, 15m, 1h30m");
  }
  return *parsed;
}

// An STS duration variable: 15m to 36h, what GetSessionToken, AssumeRole and GetFederationToken accept at
// most.
Result<Seconds> sts_duration_value(std::string_view value, std::string_view source) {
  auto parsed = duration_value(value, source);
  if (!parsed) return parsed.error();
  if (parsed->count() < 900 || parsed->count() > 129600) {
    return make_error(std::string(source) + ": " + std::string(value) + " is not an STS duration",
                      "use 15m to 36h (the longest GetSessionToken allows)");
  }
  return *parsed;
}

// Go's strconv.ParseBool, which aws-vault's switches use.
Result<bool> boolean(std::string_view value, std::string_view source) {
  for (std::string_view yes : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (value == yes) return true;
  }
  for (std::string_view no : {"0", "f", "F", "false", "FALSE", "False", ""}) {
    if (value == no) return false;
  }
  return make_error(std::string(source) + ": '" + std::string(value) + "' is not true or false");
}

Result<void> not_empty(std::string_view value, std::string_view source) {
  if (value.empty()) return make_error(std::string(source) + ": a value is required");
  return {};
}

Result<void> choice(std::string_view value, std::string_view source,
                    std::initializer_list<std::string_view> allowed) {
  for (std::string_view option : allowed) {
    if (value == option) return {};
  }
  std::string list;
  for (std::string_view option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
  return make_error(std::string(source) + ": unknown value '" + std::string(value) + "'", "one of: " + list);
}

// kura's backends, under kura's names or aws-vault's (keyctl is the kernel keyring).
Result<std::string> backend_name(std::string_view value, std::string_view source) {
  if (value == "keyctl") return std::string("kernel");
  auto ok = choice(value, source, {"secret-service", "pass", "kernel", "file"});
  if (!ok) {
    Error error = ok.error();
    for (std::string_view other : {"keychain", "wincred", "winhello", "kwallet", "passage", "op",
                                   "op-connect", "op-desktop", "proton-pass"}) {
      if (value == other) {
        error.hint = "kura has no '" + std::string(value) +
                     "' backend (aws-vault's); use secret-service, pass, kernel (aws-vault's keyctl) or file";
      }
    }
    return error;
  }
  return std::string(value);
}

constexpr SettingSpec k_table[] = {
    {"--debug",
     "",
     {"KURA_DEBUG", ""},
     "",
     k_every_persona,
     "off",
     "explain on stderr what happens (keys masked as ****ABCD)",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.debug = value != "0" && value != "false";
       return {};
     }},
    {"--backend",
     "NAME",
     {"KURA_BACKEND", ""},
     "AWS_VAULT_BACKEND",
     k_every_persona,
     "recorded, else chosen",
     "keystore backend: secret-service, pass, kernel, file",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto name = backend_name(value, source);
       if (!name) return name.error();
       s.keystore.backend = *name;
       return {};
     }},
    {"--session-backend",
     "NAME",
     {"KURA_SESSION_BACKEND", ""},
     "",
     k_every_persona,
     "the same as for keys",
     "keep cached sessions in another backend (e.g. kernel)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto name = backend_name(value, source);
       if (!name) return name.error();
       s.keystore.session_backend = *name;
       return {};
     }},
    {"--pass-dir",
     "DIR",
     {"PASSWORD_STORE_DIR", ""},
     "AWS_VAULT_PASS_PASSWORD_STORE_DIR",
     k_every_persona,
     "~/.password-store",
     "pass's store",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = not_empty(value, source); !ok) return ok;
       s.keystore.backends.pass_dir = std::string(value);
       return {};
     }},
    {"",
     "",
     {"KURA_PASS_PREFIX", ""},
     "",
     k_every_persona,
     "kura",
     "kura's folder in pass's store",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = not_empty(value, source); !ok) return ok;
       s.keystore.backends.pass_prefix = value;
       return {};
     }},
    {"",
     "",
     {"KURA_FILE_DIR", ""},
     "",
     k_every_persona,
     "$XDG_DATA_HOME/kura/file-store",
     "the encrypted file store's directory",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = not_empty(value, source); !ok) return ok;
       s.keystore.file_dir = value;
       return {};
     }},
    {"",
     "",
     {"KURA_FILE_PASSPHRASE", ""},
     "AWS_VAULT_FILE_PASSPHRASE",
     k_every_persona,
     "asked on /dev/tty",
     "the file store's passphrase, for unattended use",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.file_passphrase = Secret(value);
       return {};
     }},
    {"",
     "",
     {"KURA_FILE_KEY_TTL", ""},
     "",
     k_every_persona,
     "15m",
     "how long the unlocked file-store key stays in the kernel keyring (0: never)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = duration_value(value, source);
       if (!parsed) return parsed.error();
       s.keystore.file_key_ttl = *parsed;
       return {};
     }},
    {"",
     "",
     {"KURA_FILE_KDF", ""},
     "",
     k_every_persona,
     "argon2id, 64 MiB",
     "insecure-fast-for-tests: a cheap key derivation for test suites (the store is weak against guessing)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = choice(value, source, {"insecure-fast-for-tests"}); !ok) return ok;
       s.keystore.fast_kdf_for_tests = true;
       return {};
     }},
    {"",
     "",
     {"KURA_SESSION_REFRESH", "AWS_MIN_TTL"},
     "",
     k_every_persona,
     "5m",
     "renew a cached session this long before it expires (shorter than the session)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = duration_value(value, source);
       if (!parsed) return parsed.error();
       s.session_refresh = *parsed;
       return {};
     }},
    {"",
     "",
     {"KURA_LOCK_TIMEOUT", ""},
     "",
     k_every_persona,
     "2m",
     "how long a caller waits for another kura refreshing the same session",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = duration_value(value, source);
       if (!parsed) return parsed.error();
       s.lock_timeout = *parsed;
       return {};
     }},
    {"",
     "",
     {"KURA_ROTATE_WAIT", ""},
     "",
     k_every_persona,
     "1m",
     "how long `rotate` waits for IAM to accept a new key everywhere before it puts the old one back",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = duration_value(value, source);
       if (!parsed) return parsed.error();
       s.rotate_wait = *parsed;
       return {};
     }},
    {"",
     "",
     {"KURA_SSO_AUTO_LOGIN", ""},
     "",
     k_every_persona,
     "on",
     "a caller without a terminal (credential_process, an SDK) may open the IAM Identity Center sign-in in "
     "the browser; off: it fails and says to run `kura sso login`",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto on = boolean(value, source);
       if (!on) return on.error();
       s.sso_auto_login = *on;
       return {};
     }},
    {"",
     "",
     {"KURA_SERVER_READ_TIMEOUT", ""},
     "",
     k_every_persona,
     "5s",
     "how long an endpoint client may take to send a request's head, or stay idle",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = duration_value(value, source);
       if (!parsed) return parsed.error();
       if (parsed->count() < 1) {
         return make_error(std::string(source) + ": must be at least 1s", "e.g. 5s, the default");
       }
       s.server_read_timeout = *parsed;
       return {};
     }},
    {"--prompt",
     "DRIVER",
     {"KURA_PROMPT", ""},
     "AWS_VAULT_PROMPT",
     k_every_persona,
     "mfa_process, else the terminal, else a dialog",
     "where MFA codes come from: terminal, zenity, kdialog, osascript, ykman, mfa_process",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (value == "pass") {
         return make_error(std::string(source) + ": the pass prompt is gone (aws-vault removed it too)",
                           "set `mfa_process = pass otp <entry>` in the profile instead");
       }
       if (auto ok =
               choice(value, source, {"terminal", "zenity", "kdialog", "osascript", "ykman", "mfa_process"});
           !ok) {
         return ok;
       }
       s.prompt = value;
       return {};
     }},
    {"",
     "",
     {"KURA_YKMAN_OATH_CREDENTIAL_NAME", "YKMAN_OATH_CREDENTIAL_NAME"},
     "",
     k_every_persona,
     "the MFA serial",
     "the YubiKey OATH account for --prompt ykman",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.ykman_account = std::string(value);
       return {};
     }},
    {"",
     "",
     {"AWS_ROLE_SESSION_NAME", ""},
     "",
     k_every_persona,
     "role_session_name, else kura-<unix time>",
     "role session name when the profile sets none",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.role_session_name = std::string(value);
       return {};
     }},
    {"",
     "",
     {"KURA_FEDERATION_URL", ""},
     "",
     k_every_persona,
     "the partition's sign-in endpoint",
     "the console federation endpoint (kura login)",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.federation_url = std::string(value);
       return {};
     }},
    {"--file-dir",
     "DIR",
     {"AWS_VAULT_FILE_DIR", ""},
     "",
     k_aws_vault_only,
     "~/.awsvault/keys",
     "aws-vault's file store, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.aws_vault_file_dir = std::string(value);
       return {};
     }},
    {"",
     "",
     {"AWS_VAULT_FILE_PASSPHRASE", ""},
     "",
     k_every_persona,
     "asked on /dev/tty",
     "the passphrase of aws-vault's file store, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.aws_vault_file_passphrase = Secret(value);
       return {};
     }},
    {"--pass-prefix",
     "PREFIX",
     {"AWS_VAULT_PASS_PREFIX", ""},
     "",
     k_aws_vault_only,
     "none",
     "aws-vault's folder in pass's store, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.aws_vault_pass_prefix = std::string(value);
       return {};
     }},
    {"--secret-service-collection",
     "NAME",
     {"", ""},
     "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME",
     k_aws_vault_only,
     "awsvault",
     "aws-vault's Secret Service collection, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = not_empty(value, source); !ok) return ok;
       s.aws_vault_collection = std::string(value);
       return {};
     }},
    {"--pass-cmd",
     "CMD",
     {"", ""},
     "AWS_VAULT_PASS_CMD",
     k_aws_vault_only,
     "pass",
     "the pass program",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = not_empty(value, source); !ok) return ok;
       s.keystore.backends.pass_command = value;
       return {};
     }},
    {"--keychain",
     "NAME",
     {"", ""},
     "AWS_VAULT_KEYCHAIN_NAME",
     k_aws_vault_only,
     "aws-vault",
     "macOS only: accepted and ignored",
     [](Settings& s, std::string_view, std::string_view source) -> Result<void> {
       if (source.starts_with("--")) s.notes.emplace_back("--keychain names a macOS keychain: ignored here");
       return {};
     }},
    {"--biometrics",
     "",
     {"", ""},
     "AWS_VAULT_BIOMETRICS",
     k_aws_vault_only,
     "off",
     "macOS only (Touch ID): accepted and ignored",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = boolean(value, source); !ok) return ok.error();
       if (source.starts_with("--")) s.notes.emplace_back("--biometrics is Touch ID on macOS: ignored here");
       return {};
     }},
    {"",
     "",
     {"AWS_SESSION_TOKEN_TTL", ""},
     "",
     k_every_persona,
     "1h",
     "GetSessionToken's duration for a profile without a role (--duration wins)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = sts_duration_value(value, source);
       if (!parsed) return parsed.error();
       s.session_token_ttl = *parsed;
       return {};
     }},
    {"",
     "",
     {"AWS_CHAINED_SESSION_TOKEN_TTL", ""},
     "",
     k_every_persona,
     "8h",
     "the MFA session's duration when roles are assumed from it (one MFA code lasts this long)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = sts_duration_value(value, source);
       if (!parsed) return parsed.error();
       s.chained_session_token_ttl = *parsed;
       return {};
     }},
    {"",
     "",
     {"AWS_ASSUME_ROLE_TTL", ""},
     "",
     k_every_persona,
     "duration_seconds, else 1h",
     "AssumeRole's duration (over duration_seconds; --duration wins for the profile asked for)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = sts_duration_value(value, source);
       if (!parsed) return parsed.error();
       s.assume_role_ttl = *parsed;
       return {};
     }},
    {"",
     "",
     {"AWS_FEDERATION_TOKEN_TTL", ""},
     "",
     k_every_persona,
     "1h",
     "GetFederationToken's duration (kura login of a user profile; --duration wins)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto parsed = sts_duration_value(value, source);
       if (!parsed) return parsed.error();
       s.federation_token_ttl = *parsed;
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_VAULT_DURATION",
     k_aws_vault_only,
     "none",
     "-d/--duration of exec, export and login when not given",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto parsed = duration_value(value, source); !parsed) return parsed.error();
       s.default_duration = std::string(value);
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_MFA_SERIAL",
     k_aws_vault_only,
     "mfa_serial",
     "the MFA device of every profile in the chain",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       if (!value.empty()) s.mfa_serial = std::string(value);
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_ROLE_ARN",
     k_aws_vault_only,
     "role_arn",
     "the role of the profile asked for",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       if (!value.empty()) s.role_arn = std::string(value);
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_SESSION_TAGS",
     k_aws_vault_only,
     "session_tags",
     "session tags (key=value,key=value) of the profile asked for",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       if (!value.empty()) s.session_tags = std::string(value);
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_TRANSITIVE_TAGS",
     k_aws_vault_only,
     "transitive_session_tags",
     "transitive tag keys (key,key) of the profile asked for",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       if (!value.empty()) s.transitive_tags = std::string(value);
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_SOURCE_IDENTITY",
     k_aws_vault_only,
     "source_identity",
     "the source identity of the profile asked for",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       if (!value.empty()) s.source_identity = std::string(value);
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_VAULT_PROFILE_ENV",
     k_aws_vault_only,
     "off",
     "exec --profile-env when not given",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto on = boolean(value, source);
       if (!on) return on.error();
       s.profile_env = *on;
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_VAULT_STDOUT",
     k_aws_vault_only,
     "off",
     "login --stdout when not given (print the URL, open no browser)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto on = boolean(value, source);
       if (!on) return on.error();
       s.print_url = *on;
       return {};
     }},
    {"",
     "",
     {"", ""},
     "AWS_VAULT_AUTO_LOGOUT",
     k_aws_vault_only,
     "off",
     "login --auto-logout when not given",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       auto on = boolean(value, source);
       if (!on) return on.error();
       s.auto_logout = *on;
       return {};
     }},
};

}  // namespace

std::span<const SettingSpec> setting_specs() {
  return k_table;
}

bool has_flag(const SettingSpec& spec, Persona persona) {
  const unsigned mask = persona == Persona::aws_vault ? k_aws_vault_only : k_kura_only;
  return !spec.flag.empty() && (spec.flag_personas & mask) != 0;
}

Result<Settings> resolve_settings(const Environment& env, const std::map<std::string, std::string>& flags,
                                  Persona persona) {
  Settings settings;
  settings.persona = persona;
  settings.keystore.file_dir = env.data_home() + "/kura/file-store";
  settings.keystore.record_path =
      env.get("XDG_CONFIG_HOME").value_or(env.home() + "/.config") + "/kura/backend";
  for (const SettingSpec& spec : k_table) {
    std::optional<std::string> value;
    std::string_view source;
    if (has_flag(spec, persona)) {
      // The flags given are few (a map by name; `spec.flag` is a view): a look at each is cheaper than a key.
      for (const auto& [flag, given] : flags) {
        if (flag == spec.flag) {
          value = given;
          source = spec.flag;
          break;
        }
      }
    }
    std::array<std::string_view, 3> variables{spec.variables[0], spec.variables[1], ""};
    if (persona == Persona::aws_vault && !spec.aws_vault_variable.empty()) {
      variables = {spec.aws_vault_variable, spec.variables[0], spec.variables[1]};
    }
    for (std::string_view variable : variables) {
      if (value || variable.empty()) continue;
      if (auto from_env = env.view(variable)) {
        value.emplace(*from_env);
        source = variable;
      }
    }
    if (!value) continue;
    auto applied = spec.apply(settings, *value, source);
    if (is_secret_variable(source)) wipe_string(*value);
    if (!applied) return applied.error();
  }
  if (!settings.keystore.backends.pass_dir)
    settings.keystore.backends.pass_dir = env.home() + "/.password-store";
  return settings;
}

std::string settings_help(Persona persona) {
  std::string text;
  for (const SettingSpec& spec : k_table) {
    std::string names;
    if (has_flag(spec, persona))
      names = std::string(spec.flag) + (spec.value_name.empty() ? "" : " " + std::string(spec.value_name));
    std::array<std::string_view, 3> variables{spec.variables[0], spec.variables[1],
                                              persona == Persona::aws_vault ? spec.aws_vault_variable : ""};
    for (std::string_view variable : variables) {
      if (!variable.empty()) names += (names.empty() ? "" : ", ") + std::string(variable);
    }
    if (names.empty()) continue;  // nothing this persona reads
    text += "  " + names + "\n      " + std::string(spec.help) + " (default: " + std::string(spec.fallback) +
            ")\n";
  }
  return text;
}

}  // namespace kura
