// kura mfa / aws-mfa: the aws-mfa workflow. A long-term key (from the keystore, or a `[NAME-long-term]`
// section) and an MFA code become a short-term `[NAME]` section in ~/.aws/credentials that every AWS tool
// reads. Same names, defaults, keys and informational wording as aws-mfa; errors that say what is wrong.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "aws/endpoints.h"
#include "cli/commands.h"
#include "config/ini_file.h"
#include "creds/store_items.h"
#include "crypto/hash.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr Seconds k_renew_before{300};

// aws-mfa's "LEVEL - message" lines, filtered by --log-level; on stderr, since kura's stdout is for machines.
class MfaLog {
 public:
  explicit MfaLog(const std::string& level) {
    static const char* const k_levels[] = {"NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
    for (int i = 0; i < 6; ++i) {
      if (level == k_levels[i]) m_threshold = i;
    }
  }
  void debug(const std::string& message) const { emit(1, "DEBUG", message); }
  void info(const std::string& message) const { emit(2, "INFO", message); }
  void warning(const std::string& message) const { emit(3, "WARNING", message); }

 private:
  void emit(int level, const char* name, const std::string& message) const {
    if (level < m_threshold) return;
    std::string line = std::string(name) + " - " + message + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  int m_threshold = 1;
};

std::optional<std::string> value_of(const IniSection* section, const std::string& key) {
  if (!section) return std::nullopt;
  auto it = section->values.find(key);
  if (it == section->values.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string login_name(const Environment& env) {
  if (const passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return env.get("USER").value_or("kura");
}

// What identifies the key that made a short-term section, without revealing it.
std::string key_fingerprint(const std::string& access_key_id) {
  return sha256_hex(access_key_id).substr(0, 16);
}

Result<Seconds> parse_seconds(const std::string& text, const std::string& what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 7) {
    return make_error(what + ": '" + text + "' is not a number of seconds", "e.g. 3600 for one hour");
  }
  return Seconds(std::stoll(text));
}

struct Names {
  std::string profile;
  std::string long_term;
  std::string short_term;
};

Result<Names> section_names(const MfaCommandInput& input, const Environment& env, const ConfigFiles& files,
                            Keystore& store) {
  Names names;
  names.profile = input.profile.value_or(env.get("AWS_PROFILE").value_or("default"));
  std::string long_suffix = input.long_suffix.value_or("long-term");
  bool long_none = to_lower(long_suffix) == "none";
  // `--profile dev-long-term` names the long-term section itself: understood, with a note.
  std::string tail = "-" + long_suffix;
  if (!long_none && names.profile.size() > tail.size() &&
      names.profile.compare(names.profile.size() - tail.size(), tail.size(), tail) == 0) {
    auto stored = store.get(master_item(names.profile));
    bool exists = files.credentials_section(names.profile) || (stored && *stored);
    if (exists) {
      std::string base = names.profile.substr(0, names.profile.size() - tail.size());
      log_note("'" + names.profile + "' is the long-term section; using profile '" + base + "'");
      names.profile = base;
    }
  }
  names.long_term = long_none ? names.profile : names.profile + "-" + long_suffix;
  names.short_term = !input.short_suffix || to_lower(*input.short_suffix) == "none"
                         ? names.profile
                         : names.profile + "-" + *input.short_suffix;
  if (names.long_term == names.short_term) {
    return make_error(
        "The value for '--long-term-suffix' cannot be equal to the value for '--short-term-suffix'",
        "both name the section [" + names.long_term + "]");
  }
  return names;
}

Result<Credentials> long_term_key(Keystore& store, const ConfigFiles& files, const std::string& name) {
  auto stored = load_master_key(store, name);
  if (!stored) return stored.error();
  if (*stored) return std::move(**stored);
  const IniSection* section = files.credentials_section(name);
  if (!section) {
    return make_error(
        "Long term credentials session '[" + name +
            "]' is missing. You must add this section to your credentials file along with your long "
            "term 'aws_access_key_id' and 'aws_secret_access_key'",
        "or keep the key encrypted instead: `kura add " + name + "` (or `kura mfa --setup`)");
  }
  auto id = value_of(section, "aws_access_key_id");
  auto secret = value_of(section, "aws_secret_access_key");
  if (!id || !secret) {
    return make_error(std::string("No option '") + (id ? "aws_secret_access_key" : "aws_access_key_id") +
                      "' in section: '" + name + "' of " + files.credentials_path);
  }
  Credentials key;
  key.access_key_id = *id;
  key.secret_access_key = Secret(std::string_view(*secret));
  return key;
}

Result<void> run_setup(Context& context, const MfaCommandInput& input) {
  Prompt& prompt = context.deps().prompt;
  std::string profile = input.profile.value_or("");
  if (profile.empty()) {
    auto asked = prompt.ask_line("Profile name [default]: ");
    if (!asked) return asked.error();
    profile = asked->empty() ? "default" : *asked;
  }
  std::string long_suffix = input.long_suffix.value_or("long-term");
  std::string long_name = to_lower(long_suffix) == "none" ? profile : profile + "-" + long_suffix;
  AddInput add{long_name, false};
  if (auto added = run_add(context, add); !added) return added;
  auto device = prompt.ask_line("MFA device ARN for '" + profile +
                                "' (arn:aws:iam::ACCOUNT:mfa/NAME, empty to skip): ");
  if (!device) return device.error();
  if (!device->empty()) {
    auto files = context.files();
    if (!files) return files.error();
    std::string section = profile == "default" ? "default" : "profile " + profile;
    auto edited =
        edit_aws_file((*files)->config_path, AwsFile::config, [&](IniDocument& doc) -> Result<bool> {
          doc.set(section, "mfa_serial", *device);
          return true;
        });
    if (!edited) return edited;
    log_note("set mfa_serial for profile '" + profile + "' in " + (*files)->config_path);
  }
  log_note("ready: run `kura mfa --profile " + profile + "`");
  return {};
}

}  // namespace

Result<void> run_mfa(Context& context, const MfaCommandInput& input) {
  if (input.setup) return run_setup(context, input);
  const Environment& env = context.env();
  MfaLog log(input.log_level);
  auto files = context.files();
  if (!files) return files.error();
  auto store = context.keystore();
  if (!store) return store.error();
  auto names = section_names(input, env, **files, **store);
  if (!names) return names.error();

  // The profile's settings in ~/.aws/config, which aws-mfa ignored.
  const IniSection* config = (*files)->config_section(names->profile);
  const IniSection* long_section = (*files)->credentials_section(names->long_term);
  const IniSection* short_section = (*files)->credentials_section(names->short_term);

  std::optional<std::string> role = input.assume_role;
  if (!role) role = env.get("MFA_ASSUME_ROLE");
  if (!role) role = value_of(long_section, "assume_role");
  if (!role) role = value_of(config, "role_arn");

  std::string role_message;
  if (role) {
    role_message = "with assumed role: " + *role;
  } else if (auto current = value_of(short_section, "assumed_role_arn")) {
    role_message = "with assumed role: " + *current;
  }
  log.info("Validating credentials for profile: " + names->short_term + " " + role_message);

  auto key = long_term_key(**store, **files, names->long_term);
  if (!key) return key.error();

  std::optional<std::string> device = input.device;
  if (!device) device = env.get("MFA_DEVICE");
  if (!device) device = value_of(long_section, "aws_mfa_device");
  if (!device) device = value_of(config, "mfa_serial");
  if (!device) {
    return make_error(
        "You must provide --device or MFA_DEVICE or set \"aws_mfa_device\" in \".aws/credentials\"",
        "or set mfa_serial for profile '" + names->profile + "' in " + (*files)->config_path);
  }
  if (device->rfind("arn:", 0) == 0 && device->find(":mfa/") == std::string::npos) {
    return make_error(*device + " does not appear to be an MFA device.",
                      "a virtual device's ARN looks like arn:aws:iam::123456789012:mfa/NAME (IAM console, "
                      "Security credentials), not the user's ARN");
  }

  Seconds duration{role ? 3600 : 43200};
  if (input.duration) {
    auto parsed = parse_seconds(*input.duration, "--duration");
    if (!parsed) return parsed.error();
    duration = *parsed;
  } else if (auto from_env = env.get("MFA_STS_DURATION")) {
    auto parsed = parse_seconds(*from_env, "MFA_STS_DURATION");
    if (!parsed) return parsed.error();
    duration = *parsed;
  } else if (auto from_config = value_of(config, "duration_seconds")) {
    auto parsed = parse_duration(*from_config);
    if (!parsed) return parsed.error().context("duration_seconds of profile '" + names->profile + "'");
    duration = *parsed;
  }
  const long long low = 900, high = role ? 43200 : 129600;
  if (duration.count() < low || duration.count() > high) {
    return make_error("duration " + std::to_string(duration.count()) +
                          " is out of range: " + (role ? "AssumeRole" : "GetSessionToken") + " accepts " +
                          std::to_string(low) + " to " + std::to_string(high) + " seconds",
                      role ? "a role's own maximum (MaxSessionDuration) may be lower still" : "");
  }

  // Renew when missing, incomplete, forced, for another role/device/key, expired, or about to expire.
  const TimePoint now = context.deps().clock.now();
  const std::string reup = "Obtaining credentials for a new role or profile.";
  bool refresh = false;
  if (!short_section) {
    log.info("Short term credentials section " + names->short_term +
             " is missing, obtaining new credentials.");
    refresh = true;
  } else {
    for (const char* option : {"assumed_role", "aws_access_key_id", "aws_secret_access_key",
                               "aws_session_token", "aws_security_token", "expiration"}) {
      if (!value_of(short_section, option)) refresh = true;
    }
    if (refresh) log.warning("Your existing credentials are missing or invalid, obtaining new credentials.");
    auto current_role = value_of(short_section, "assumed_role_arn");
    auto made_with_device = value_of(short_section, "kura_mfa_device");
    auto made_with_key = value_of(short_section, "kura_source_key");
    if (refresh) {
    } else if (input.force) {
      log.info("Forcing refresh of credentials.");
      refresh = true;
    } else if (current_role != role || (made_with_device && *made_with_device != *device) ||
               (made_with_key && *made_with_key != key_fingerprint(key->access_key_id))) {
      log.info(reup);
      refresh = true;
    }
  }
  if (!refresh) {
    std::string text = *value_of(short_section, "expiration");
    auto expires = parse_iso8601(text.size() == 19 ? text.substr(0, 10) + "T" + text.substr(11) + "Z" : "");
    if (!expires) {
      log.warning("Your existing credentials are missing or invalid, obtaining new credentials.");
      refresh = true;
    } else {
      auto left = std::chrono::duration_cast<Seconds>(*expires - now);
      if (left.count() <= 0) {
        log.info("Your credentials have expired, renewing.");
        refresh = true;
      } else if (left < k_renew_before) {
        log.info("Your credentials expire in " + std::to_string(left.count()) + " seconds, renewing.");
        refresh = true;
      } else {
        log.info("Your credentials are still valid for " + std::to_string(left.count()) +
                 " seconds they will expire at " + text);
        return {};
      }
    }
  }

  std::string code;
  if (input.token) {
    log.debug("Received token as argument");
    code = *input.token;
  } else {
    auto typed =
        context.deps().prompt.ask_secret("Enter AWS MFA code for device [" + *device + "] (renewing for " +
                                         std::to_string(duration.count()) + " seconds):");
    if (!typed) return typed.error();
    code = std::string(typed->view());
  }
  if (!is_mfa_code(code)) {
    return make_error("the MFA code must be six digits, got " + std::to_string(code.size()) + " characters",
                      "type the code your device shows now for " + *device);
  }

  Profile profile_settings;
  if (config) {
    auto resolved = context.profile(names->profile);
    if (resolved) profile_settings = std::move(*resolved);
  }
  std::string region = resolve_region(input.region, profile_settings, env);
  auto sts = context.sts(profile_settings, region);
  if (!sts) return sts.error();

  Result<Credentials> fresh = make_error("unreachable");
  if (role) {
    log.info("Assuming Role - Profile: " + names->short_term + ", Role: " + *role +
             ", Duration: " + std::to_string(duration.count()));
    AssumeRoleInput request;
    request.role_arn = *role;
    request.session_name =
        input.role_session_name.value_or(value_of(config, "role_session_name").value_or(login_name(env)));
    request.duration = duration;
    request.mfa = MfaInput{*device, code};
    request.external_id = input.external_id ? input.external_id : value_of(config, "external_id");
    fresh = (*sts)->assume_role(*key, request);
  } else {
    log.info("Fetching Credentials - Profile: " + names->short_term +
             ", Duration: " + std::to_string(duration.count()));
    fresh = (*sts)->get_session_token(*key, GetSessionTokenInput{duration, MfaInput{*device, code}});
  }
  if (!fresh) return fresh.error();

  const std::string expiration = format_utc_space(*fresh->expiration);
  auto written =
      edit_aws_file((*files)->credentials_path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
        const std::string& s = names->short_term;
        doc.set(s, "assumed_role", role ? "True" : "False");
        if (role) {
          doc.set(s, "assumed_role_arn", *role);
        } else {
          doc.remove_key(s, "assumed_role_arn");
        }
        doc.set(s, "aws_access_key_id", fresh->access_key_id);
        doc.set(s, "aws_secret_access_key", std::string(fresh->secret_access_key.view()));
        // botocore reads aws_security_token before aws_session_token: the two are always written together.
        doc.set(s, "aws_session_token", std::string(fresh->session_token.view()));
        doc.set(s, "aws_security_token", std::string(fresh->session_token.view()));
        doc.set(s, "expiration", expiration);
        doc.set(s, "kura_mfa_device", *device);
        doc.set(s, "kura_source_key", key_fingerprint(key->access_key_id));
        return true;
      });
  if (!written) return written;
  auto lifetime = std::chrono::duration_cast<Seconds>(*fresh->expiration - context.deps().clock.now());
  log.info("Success! Your credentials will expire in " + std::to_string(lifetime.count()) +
           " seconds at: " + expiration + "+00:00");
  return {};
}

}  // namespace kura
