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

Result<void> backend_name(std::string_view value, std::string_view source) {
  return choice(value, source, {"secret-service", "pass", "kernel", "file"});
}

const std::array<SettingSpec, 19> k_table = {{
    {"--debug",
     "",
     {"KURA_DEBUG", ""},
     "off",
     "explain on stderr what happens (keys masked as ****ABCD)",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.debug = value != "0" && value != "false";
       return {};
     }},
    {"--backend",
     "NAME",
     {"KURA_BACKEND", ""},
     "recorded, else chosen",
     "keystore backend: secret-service, pass, kernel, file",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = backend_name(value, source); !ok) return ok;
       s.keystore.backend = value;
       return {};
     }},
    {"--session-backend",
     "NAME",
     {"KURA_SESSION_BACKEND", ""},
     "the same as for keys",
     "keep cached sessions in another backend (e.g. kernel)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = backend_name(value, source); !ok) return ok;
       s.keystore.session_backend = value;
       return {};
     }},
    {"--pass-dir",
     "DIR",
     {"PASSWORD_STORE_DIR", ""},
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
     "asked on /dev/tty",
     "the file store's passphrase, for unattended use",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.file_passphrase = Secret(value);
       return {};
     }},
    {"",
     "",
     {"KURA_FILE_KEY_TTL", ""},
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
     "argon2id, 64 MiB",
     "insecure-fast-for-tests: a cheap key derivation for test suites (the store is weak against guessing)",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
       if (auto ok = choice(value, source, {"insecure-fast-for-tests"}); !ok) return ok;
       s.keystore.fast_kdf_for_tests = true;
       return {};
     }},
    {"",
     "",
     {"KURA_SESSION_REFRESH", ""},
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
     {"KURA_SERVER_READ_TIMEOUT", ""},
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
     "mfa_process, else the terminal, else a dialog",
     "where MFA codes come from: terminal, zenity, kdialog, osascript, ykman, mfa_process",
     [](Settings& s, std::string_view value, std::string_view source) -> Result<void> {
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
     {"KURA_YKMAN_OATH_CREDENTIAL_NAME", ""},
     "the MFA serial",
     "the YubiKey OATH account for --prompt ykman",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.ykman_account = std::string(value);
       return {};
     }},
    {"",
     "",
     {"AWS_ROLE_SESSION_NAME", ""},
     "role_session_name, else kura-<unix time>",
     "role session name when the profile sets none",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.role_session_name = std::string(value);
       return {};
     }},
    {"",
     "",
     {"KURA_FEDERATION_URL", ""},
     "the partition's sign-in endpoint",
     "the console federation endpoint (kura login)",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.federation_url = std::string(value);
       return {};
     }},
    {"",
     "",
     {"AWS_VAULT_FILE_DIR", ""},
     "~/.awsvault/keys",
     "aws-vault's file store, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.aws_vault_file_dir = std::string(value);
       return {};
     }},
    {"",
     "",
     {"AWS_VAULT_FILE_PASSPHRASE", ""},
     "asked on /dev/tty",
     "the passphrase of aws-vault's file store, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.aws_vault_file_passphrase = Secret(value);
       return {};
     }},
    {"",
     "",
     {"AWS_VAULT_PASS_PREFIX", ""},
     "none",
     "aws-vault's folder in pass's store, for kura import --from aws-vault",
     [](Settings& s, std::string_view value, std::string_view) -> Result<void> {
       s.aws_vault_pass_prefix = std::string(value);
       return {};
     }},
}};

}  // namespace

std::span<const SettingSpec> setting_specs() {
  return k_table;
}

Result<Settings> resolve_settings(const Environment& env, const std::map<std::string, std::string>& flags) {
  Settings settings;
  settings.keystore.file_dir = env.data_home() + "/kura/file-store";
  settings.keystore.record_path =
      env.get("XDG_CONFIG_HOME").value_or(env.home() + "/.config") + "/kura/backend";
  for (const SettingSpec& spec : k_table) {
    std::optional<std::string> value;
    std::string_view source;
    if (!spec.flag.empty()) {
      if (auto it = flags.find(std::string(spec.flag)); it != flags.end()) {
        value = it->second;
        source = spec.flag;
      }
    }
    for (std::string_view variable : spec.variables) {
      if (value || variable.empty()) continue;
      if (auto from_env = env.get(std::string(variable))) {
        value = std::move(from_env);
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

std::string settings_help() {
  std::string text;
  for (const SettingSpec& spec : k_table) {
    std::string names;
    if (!spec.flag.empty())
      names = std::string(spec.flag) + (spec.value_name.empty() ? "" : " " + std::string(spec.value_name));
    for (std::string_view variable : spec.variables) {
      if (!variable.empty()) names += (names.empty() ? "" : ", ") + std::string(variable);
    }
    text += "  " + names + "\n      " + std::string(spec.help) + " (default: " + std::string(spec.fallback) +
            ")\n";
  }
  return text;
}

}  // namespace kura
