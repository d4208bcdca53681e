// kura mfa / aws-mfa: the aws-mfa workflow. A long-term key (from the keystore, or a `[NAME-long-term]`
// section) and an MFA code become a short-term `[NAME]` section in ~/.aws/credentials that every AWS tool
// reads. Same names, defaults, keys and informational wording as aws-mfa; errors that say what is wrong.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "aws/endpoints.h"
#include "cli/commands.h"
#include "config/ini_file.h"
#include "creds/providers.h"
#include "creds/store_items.h"
#include "crypto/hash.h"
#include "crypto/sodium.h"
#include "util/full_build.h"
#include "util/log.h"
#include "util/parallel.h"
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
  need_full_build("the user database");  // NSS may load modules, which the static build cannot
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
  AddInput add{long_name, false, false};  // no config section: the -long-term one is not a profile
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
          if (auto set = doc.set(section, "mfa_serial", *device); !set) return set.error();
          return true;
        });
    if (!edited) return edited;
    log_note("set mfa_serial for profile '" + profile + "' in " + (*files)->config_path);
  }
  log_note("ready: run `kura mfa --profile " + profile + "`");
  return {};
}

// What the short-term section is to hold, and where it comes from.
struct Request {
  Names names;
  const IniSection* config = nullptr;         // [profile NAME] in ~/.aws/config
  const IniSection* long_section = nullptr;   // [NAME-long-term]
  const IniSection* short_section = nullptr;  // [NAME]
  std::optional<std::string> role;
  std::string device;
  Seconds duration{43200};
};

// --assume-role, MFA_ASSUME_ROLE, assume_role in the long-term section, role_arn in the config.
std::optional<std::string> find_role(const MfaCommandInput& input, const Environment& env,
                                     const Request& request) {
  if (input.assume_role) return input.assume_role;
  if (auto role = env.get("MFA_ASSUME_ROLE")) return role;
  if (auto role = value_of(request.long_section, "assume_role")) return role;
  return value_of(request.config, "role_arn");
}

// --device, MFA_DEVICE, aws_mfa_device in the long-term section, mfa_serial in the config.
Result<std::string> find_device(const MfaCommandInput& input, const Environment& env, const Request& request,
                                const ConfigFiles& files) {
  std::optional<std::string> device = input.device;
  if (!device) device = env.get("MFA_DEVICE");
  if (!device) device = value_of(request.long_section, "aws_mfa_device");
  if (!device) device = value_of(request.config, "mfa_serial");
  if (!device) {
    return make_error(
        "You must provide --device or MFA_DEVICE or set \"aws_mfa_device\" in \".aws/credentials\"",
        "or set mfa_serial for profile '" + request.names.profile + "' in " + files.config_path);
  }
  if (device->rfind("arn:", 0) == 0 && device->find(":mfa/") == std::string::npos) {
    return make_error(*device + " does not appear to be an MFA device.",
                      "a virtual device's ARN looks like arn:aws:iam::123456789012:mfa/NAME (IAM console, "
                      "Security credentials), not the user's ARN");
  }
  return *device;
}

// --duration, MFA_STS_DURATION, duration_seconds in the config; aws-mfa's defaults; STS's range.
Result<Seconds> find_duration(const MfaCommandInput& input, const Environment& env, const Request& request) {
  Seconds duration{request.role ? 3600 : 43200};
  if (input.duration) {
    auto parsed = parse_seconds(*input.duration, "--duration");
    if (!parsed) return parsed.error();
    duration = *parsed;
  } else if (auto from_env = env.get("MFA_STS_DURATION")) {
    auto parsed = parse_seconds(*from_env, "MFA_STS_DURATION");
    if (!parsed) return parsed.error();
    duration = *parsed;
  } else if (auto from_config = value_of(request.config, "duration_seconds")) {
    auto parsed = parse_duration(*from_config);
    if (!parsed) return parsed.error().context("duration_seconds of profile '" + request.names.profile + "'");
    duration = *parsed;
  }
  const long long low = 900, high = request.role ? 43200 : 129600;
  if (duration.count() < low || duration.count() > high) {
    return make_error("duration " + std::to_string(duration.count()) +
                          " is out of range: " + (request.role ? "AssumeRole" : "GetSessionToken") +
                          " accepts " + std::to_string(low) + " to " + std::to_string(high) + " seconds",
                      request.role ? "a role's own maximum (MaxSessionDuration) may be lower still" : "");
  }
  return duration;
}

// aws-mfa's renewal rules, and its messages: renew when the section is missing or incomplete, when forced,
// when it was made for another role, device or key, when it has expired or has less than 5 minutes left.
bool needs_refresh(const MfaCommandInput& input, const Request& request, const Credentials& key,
                   TimePoint now, const MfaLog& log) {
  const IniSection* short_section = request.short_section;
  if (!short_section) {
    log.info("Short term credentials section " + request.names.short_term +
             " is missing, obtaining new credentials.");
    return true;
  }
  for (const char* option : {"assumed_role", "aws_access_key_id", "aws_secret_access_key",
                             "aws_session_token", "aws_security_token", "expiration"}) {
    if (!value_of(short_section, option)) {
      log.warning("Your existing credentials are missing or invalid, obtaining new credentials.");
      return true;
    }
  }
  if (input.force) {
    log.info("Forcing refresh of credentials.");
    return true;
  }
  auto made_with_device = value_of(short_section, "kura_mfa_device");
  auto made_with_key = value_of(short_section, "kura_source_key");
  if (value_of(short_section, "assumed_role_arn") != request.role ||
      (made_with_device && *made_with_device != request.device) ||
      (made_with_key && *made_with_key != key_fingerprint(key.access_key_id))) {
    log.info("Obtaining credentials for a new role or profile.");
    return true;
  }
  std::string text = *value_of(short_section, "expiration");
  auto expires = parse_iso8601(text.size() == 19 ? text.substr(0, 10) + "T" + text.substr(11) + "Z" : "");
  if (!expires) {
    log.warning("Your existing credentials are missing or invalid, obtaining new credentials.");
    return true;
  }
  auto left = std::chrono::duration_cast<Seconds>(*expires - now);
  if (left.count() <= 0) {
    log.info("Your credentials have expired, renewing.");
    return true;
  }
  if (left < k_renew_before) {
    log.info("Your credentials expire in " + std::to_string(left.count()) + " seconds, renewing.");
    return true;
  }
  log.info("Your credentials are still valid for " + std::to_string(left.count()) +
           " seconds they will expire at " + text);
  return false;
}

// The code: --token, else typed on the terminal (hidden, as aws-mfa's getpass), checked by MfaCodes.
Result<std::string> read_code(Context& context, const MfaCommandInput& input, const Request& request,
                              const MfaLog& log) {
  if (input.token) log.debug("Received token as argument");
  Prompt& prompt = context.deps().prompt;
  const std::string question = "Enter AWS MFA code for device [" + request.device + "] (renewing for " +
                               std::to_string(request.duration.count()) + " seconds):";
  MfaDriver typed{[&prompt, question](const std::string&) -> Result<std::string> {
                    auto secret = prompt.ask_secret(question);
                    if (!secret) return secret.error();
                    return std::string(secret->view());
                  },
                  nullptr};
  MfaCodes codes(input.token, std::move(typed));
  return codes.code_for(request.device);
}

// GetSessionToken, or AssumeRole with the code when there is a role to assume.
Result<Credentials> fetch(Context& context, const MfaCommandInput& input, const Request& request,
                          const Credentials& key, const std::string& code, const MfaLog& log) {
  const Environment& env = context.env();
  Profile settings;
  if (request.config) {
    if (auto resolved = context.profile(request.names.profile)) settings = std::move(*resolved);
  }
  auto sts = context.sts(settings, resolve_region(input.region, settings, env));
  if (!sts) return sts.error();
  const std::string duration = std::to_string(request.duration.count());
  if (!request.role) {
    log.info("Fetching Credentials - Profile: " + request.names.short_term + ", Duration: " + duration);
    return (*sts)->get_session_token(key,
                                     GetSessionTokenInput{request.duration, MfaInput{request.device, code}});
  }
  log.info("Assuming Role - Profile: " + request.names.short_term + ", Role: " + *request.role +
           ", Duration: " + duration);
  AssumeRoleInput call;
  call.role_arn = *request.role;
  call.session_name = input.role_session_name.value_or(
      value_of(request.config, "role_session_name").value_or(login_name(env)));
  call.duration = request.duration;
  call.mfa = MfaInput{request.device, code};
  call.external_id = input.external_id ? input.external_id : value_of(request.config, "external_id");
  return (*sts)->assume_role(key, call);
}

// The short-term sections in aws-mfa's keys (one profile, or several from one MFA code), in one locked,
// verified, atomic edit.
struct Written {
  const Request* request;
  const Credentials* key;
  const Credentials* fresh;
};
Result<void> write_many(const std::string& path, const std::vector<Written>& all) {
  return edit_aws_file(path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
    for (const Written& one : all) {
      const std::string& s = one.request->names.short_term;
      Result<void> done;  // the first refused edit stops the rest
      auto set = [&](const char* name, std::string_view value) {
        if (done) done = doc.set(s, name, std::string(value));
      };
      set("assumed_role", one.request->role ? "True" : "False");
      if (one.request->role) {
        set("assumed_role_arn", *one.request->role);
      } else if (auto removed = doc.remove_key(s, "assumed_role_arn"); !removed) {
        return removed.error();
      }
      set("aws_access_key_id", one.fresh->access_key_id);
      set("aws_secret_access_key", one.fresh->secret_access_key.view());
      // botocore reads aws_security_token before aws_session_token: the two are always written together.
      set("aws_session_token", one.fresh->session_token.view());
      set("aws_security_token", one.fresh->session_token.view());
      set("expiration", format_utc_space(*one.fresh->expiration));
      set("kura_mfa_device", one.request->device);
      set("kura_source_key", key_fingerprint(one.key->access_key_id));
      if (!done) return done.error();
    }
    return true;
  });
}

Result<void> write_short_term(const std::string& path, const Request& request, const Credentials& key,
                              const Credentials& fresh) {
  return write_many(path, {Written{&request, &key, &fresh}});
}

// --all: every NAME with a [NAME-long-term] section or a stored NAME-long-term key, sorted.
Result<std::vector<std::string>> long_term_profiles(const ConfigFiles& files, Keystore& store,
                                                    const std::string& long_suffix) {
  const std::string tail = "-" + long_suffix;
  std::set<std::string> names;
  auto consider = [&](const std::string& section) {
    if (section.size() > tail.size() &&
        section.compare(section.size() - tail.size(), tail.size(), tail) == 0) {
      names.insert(section.substr(0, section.size() - tail.size()));
    }
  };
  auto document = files.credentials_document();
  if (!document) return document.error();
  for (const IniSection& section : (*document)->sections()) consider(section.name);
  auto items = store.list();
  if (!items) return items.error();
  for (const std::string& item : *items) {
    if (item.rfind("master:", 0) == 0) consider(item.substr(7));
  }
  if (names.empty()) {
    return make_error("--all: no long-term section ([NAME" + tail + "]) in " + files.credentials_path,
                      "or name the profiles with --profile");
  }
  return std::vector<std::string>(names.begin(), names.end());
}

// Several profiles, one MFA code: the profiles due for renewal are grouped by long-term key and device; each
// group makes one GetSessionToken with its code, then each profile with a role assumes it from that (MFA)
// session, concurrently; every short-term section is written in one edit.
Result<void> run_mfa_many(Context& context, const MfaCommandInput& input) {
  if (input.assume_role) {
    return make_error("--assume-role names one role, and several profiles were given",
                      "set assume_role (or role_arn) per profile instead");
  }
  const Environment& env = context.env();
  MfaLog log(input.log_level);
  auto files = context.files();
  if (!files) return files.error();
  auto store = context.keystore();
  if (!store) return store.error();
  std::vector<std::string> profiles = input.profiles;
  if (input.all) {
    auto found = long_term_profiles(**files, **store, input.long_suffix.value_or("long-term"));
    if (!found) return found.error();
    profiles = std::move(*found);
  }

  struct Pending {
    Request request;
    Credentials key;
    std::optional<Credentials> fresh;
    std::optional<Error> error;
  };
  std::vector<std::unique_ptr<Pending>> pending;
  std::vector<std::string> failed;
  std::set<std::string> short_names;
  for (const std::string& profile : profiles) {
    MfaCommandInput one = input;
    one.profile = profile;
    auto names = section_names(one, env, **files, **store);
    if (!names) return names.error().context("profile '" + profile + "'");
    if (!short_names.insert(names->short_term).second) continue;  // the same profile twice
    auto item = std::make_unique<Pending>();
    Request& request = item->request;
    request.names = std::move(*names);
    request.config = (*files)->config_section(request.names.profile);
    request.long_section = (*files)->credentials_section(request.names.long_term);
    request.short_section = (*files)->credentials_section(request.names.short_term);
    request.role = find_role(one, env, request);
    auto key = long_term_key(**store, **files, request.names.long_term);
    if (!key) return key.error().context("profile '" + profile + "'");
    auto device = find_device(one, env, request, **files);
    if (!device) return device.error().context("profile '" + profile + "'");
    request.device = std::move(*device);
    auto duration = find_duration(one, env, request);
    if (!duration) return duration.error().context("profile '" + profile + "'");
    request.duration = *duration;
    log.info("Validating credentials for profile: " + request.names.short_term +
             (request.role ? " with assumed role: " + *request.role : ""));
    if (!needs_refresh(one, request, *key, context.deps().clock.now(), log)) continue;
    item->key = std::move(*key);
    pending.push_back(std::move(item));
  }
  if (pending.empty()) return {};
  if (auto writable = check_aws_file_writable((*files)->credentials_path); !writable) return writable;

  // One session per (long-term key, device): one code each, --token for the first.
  std::vector<std::pair<std::string, std::vector<Pending*>>> groups;
  for (auto& item : pending) {
    std::string id = item->key.access_key_id + "\x1f" + item->request.device;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == id; });
    if (it == groups.end()) {
      groups.push_back({id, {}});
      it = std::prev(groups.end());
    }
    it->second.push_back(item.get());
  }
  std::optional<std::string> token = input.token;
  struct RoleJob {
    Pending* item;
    const Credentials* session;
    std::unique_ptr<HttpTransport> transport;
    Profile settings;
  };
  std::vector<std::unique_ptr<Credentials>> sessions;
  std::vector<RoleJob> role_jobs;
  for (auto& [id, members] : groups) {
    Pending& first = *members.front();
    // The session lasts as long as the longest role-less profile of the group asks (12h with roles only).
    Seconds duration{0};
    for (Pending* member : members) {
      if (!member->request.role) duration = std::max(duration, member->request.duration);
    }
    if (duration.count() == 0) duration = Seconds(43200);
    Request asked = first.request;
    asked.duration = duration;
    MfaCommandInput with_token = input;
    with_token.token = token;
    token.reset();
    auto code = read_code(context, with_token, asked, log);
    if (!code) {
      for (Pending* member : members) member->error = code.error();
      continue;
    }
    Profile settings;
    if (first.request.config) {
      if (auto resolved = context.profile(first.request.names.profile)) settings = std::move(*resolved);
    }
    auto sts = context.sts(settings, resolve_region(input.region, settings, env));
    if (!sts) return sts.error();
    log.info("Fetching Credentials - one session for " + std::to_string(members.size()) +
             " profile(s), Duration: " + std::to_string(duration.count()));
    auto session = (*sts)->get_session_token(
        first.key, GetSessionTokenInput{duration, MfaInput{first.request.device, *code}});
    if (!session) {
      for (Pending* member : members) member->error = session.error();
      continue;
    }
    sessions.push_back(std::make_unique<Credentials>(std::move(*session)));
    for (Pending* member : members) {
      if (!member->request.role) {
        member->fresh = sessions.back()->clone();
        continue;
      }
      Profile role_settings;
      if (member->request.config) {
        if (auto resolved = context.profile(member->request.names.profile))
          role_settings = std::move(*resolved);
      }
      auto transport = context.new_transport(role_settings);
      role_jobs.push_back({member, sessions.back().get(), std::move(transport), std::move(role_settings)});
    }
  }
  (void)sodium_ready();  // before threads that may use crypto/ (crypto/sodium.h)
  run_parallel(role_jobs.size(), k_default_parallel, [&](size_t i) {
    RoleJob& job = role_jobs[i];
    const Request& request = job.item->request;
    RetryingTransport retrying(*job.transport, context.deps().clock);
    StsClient sts(retrying, context.deps().clock,
                  resolve_sts_endpoint(resolve_region(input.region, job.settings, env), job.settings, env));
    AssumeRoleInput call;
    call.role_arn = *request.role;
    call.session_name = input.role_session_name.value_or(
        value_of(request.config, "role_session_name").value_or(login_name(env)));
    call.duration = request.duration;
    call.external_id = input.external_id ? input.external_id : value_of(request.config, "external_id");
    auto fresh = sts.assume_role(*job.session, call);  // the session carries the MFA: no code again
    if (fresh) {
      job.item->fresh = std::move(*fresh);
    } else {
      job.item->error = fresh.error();
    }
  });

  std::vector<Written> written;
  for (auto& item : pending) {
    if (item->fresh) {
      written.push_back({&item->request, &item->key, &*item->fresh});
      log.info("Assumed - Profile: " + item->request.names.short_term +
               (item->request.role ? ", Role: " + *item->request.role : "") +
               ", expires: " + format_utc_space(*item->fresh->expiration) + "+00:00");
    } else {
      failed.push_back(item->request.names.short_term);
      log_error(item->error->context("profile '" + item->request.names.short_term + "'"));
    }
  }
  if (!written.empty()) {
    if (auto done = write_many((*files)->credentials_path, written); !done) return done;
    log.info("Success! " + std::to_string(written.size()) + " short-term profile(s) written to " +
             (*files)->credentials_path);
  }
  if (!failed.empty()) {
    return make_error(std::to_string(failed.size()) + " of " + std::to_string(pending.size()) +
                      " profile(s) failed: " + join(failed, ", "));
  }
  return {};
}

}  // namespace

void bind_mfa(FlagSet& flags, MfaCommandInput& input) {
  flags.repeated("--profile", "NAME", &input.profiles,
                 "profile name (default: AWS_PROFILE, then 'default'); repeat it for several, one MFA code");
  flags.flag("--all", &input.all, "every profile with a long-term section (NAME-long-term), one MFA code");
  flags.option("--device", "ARN", &input.device,
               "MFA device ARN (or MFA_DEVICE, aws_mfa_device, mfa_serial)");
  flags.option("--assume-role,--assume", "ARN", &input.assume_role,
               "role ARN to assume (or MFA_ASSUME_ROLE)");
  flags.option("--role-session-name", "NAME", &input.role_session_name,
               "role session name (default: login name)");
  flags.option("--duration", "SECONDS", &input.duration,
               "seconds (or MFA_STS_DURATION); 3600 with a role, else 43200");
  flags.option("--long-term-suffix,--long-suffix", "SUFFIX", &input.long_suffix,
               "long-term section suffix ('none')");
  flags.option("--short-term-suffix,--short-suffix", "SUFFIX", &input.short_suffix,
               "short-term section suffix");
  flags.option("--token,--mfa-token", "CODE", &input.token,
               "the MFA code, instead of asking on the terminal");
  flags.option("--region", "R", &input.region, "region for STS");
  flags.option("--external-id", "ID", &input.external_id, "external id for the role");
  flags.option("--log-level", "LEVEL", &input.log_level, "CRITICAL, ERROR, WARNING, INFO, DEBUG or NOTSET");
  flags.choices("--log-level", {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET"});
  flags.flag("--force", &input.force, "refresh credentials even if currently valid");
  flags.flag("--setup", &input.setup, "store a long-term key (encrypted) and the MFA device for a profile");
  flags.optional_positional(
      "ACTION", &input.action,
      "enroll: create and enable a virtual MFA device for PROFILE (QR code on the terminal)");
  flags.optional_positional("PROFILE", &input.enroll_profile, "enroll: the profile");
  flags.option("--name", "DEVICE", &input.device_name,
               "enroll: the device's name (default: the user's name)");
  flags.option("--codes", "C1,C2", &input.codes, "enroll: two consecutive codes, instead of asking");
  flags.flag("--no-session,-n", &input.no_session, "enroll: call IAM with the long-term key, without MFA");
}

Result<void> run_mfa(Context& context, const MfaCommandInput& given) {
  if (given.action) {
    if (*given.action != "enroll") {
      return make_error("mfa: unknown action '" + *given.action + "'",
                        "`kura mfa enroll PROFILE`, or aws-mfa's flags");
    }
    return run_mfa_enroll(context, given);
  }
  if (given.enroll_profile || given.device_name || given.codes || given.no_session) {
    return make_error("--name, --codes and --no-session are for `kura mfa enroll PROFILE`");
  }
  MfaCommandInput input = given;
  if (!input.profile && input.profiles.size() == 1) input.profile = input.profiles.front();
  if (input.all || input.profiles.size() > 1) {
    if (input.setup) return make_error("--setup takes one profile");
    return run_mfa_many(context, input);
  }
  if (input.setup) return run_setup(context, input);
  const Environment& env = context.env();
  MfaLog log(input.log_level);
  auto files = context.files();
  if (!files) return files.error();
  auto store = context.keystore();
  if (!store) return store.error();
  auto names = section_names(input, env, **files, **store);
  if (!names) return names.error();

  Request request;
  request.names = std::move(*names);
  // The profile's settings in ~/.aws/config, which aws-mfa ignored.
  request.config = (*files)->config_section(request.names.profile);
  request.long_section = (*files)->credentials_section(request.names.long_term);
  request.short_section = (*files)->credentials_section(request.names.short_term);
  request.role = find_role(input, env, request);
  std::string role_message;
  if (request.role) {
    role_message = "with assumed role: " + *request.role;
  } else if (auto current = value_of(request.short_section, "assumed_role_arn")) {
    role_message = "with assumed role: " + *current;
  }
  log.info("Validating credentials for profile: " + request.names.short_term + " " + role_message);

  auto key = long_term_key(**store, **files, request.names.long_term);
  if (!key) return key.error();
  auto device = find_device(input, env, request, **files);
  if (!device) return device.error();
  request.device = std::move(*device);
  auto duration = find_duration(input, env, request);
  if (!duration) return duration.error();
  request.duration = *duration;

  if (!needs_refresh(input, request, *key, context.deps().clock.now(), log)) return {};
  // Refused now rather than after STS has accepted (and so spent) the MFA code.
  if (auto writable = check_aws_file_writable((*files)->credentials_path); !writable) return writable;
  auto code = read_code(context, input, request, log);
  if (!code) return code.error();
  auto fresh = fetch(context, input, request, *key, *code, log);
  if (!fresh) return fresh.error();
  if (auto written = write_short_term((*files)->credentials_path, request, *key, *fresh); !written)
    return written;
  const std::string expiration = format_utc_space(*fresh->expiration);
  auto lifetime = std::chrono::duration_cast<Seconds>(*fresh->expiration - context.deps().clock.now());
  log.info("Success! Your credentials will expire in " + std::to_string(lifetime.count()) +
           " seconds at: " + expiration + "+00:00");
  return {};
}

}  // namespace kura
