// kura sso: IAM Identity Center. `login` signs in (authorization code with PKCE through a loopback redirect,
// or the device code) and caches the token where the AWS CLI and SDKs read it; `logout` signs out at the
// portal and forgets the tokens and the role sessions made with them; `populate` writes a profile for every
// account and role the sign-in can use into ~/.aws/config, marked so that --prune removes only those.
#include <dirent.h>

#include <cctype>
#include <cstring>
#include <set>

#include "aws/sso.h"
#include "cli/commands.h"
#include "cli/credentials.h"
#include "config/ini_file.h"
#include "creds/store_items.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

enum class Action { login, logout, populate };

Result<Action> action_of(const std::string& name) {
  if (name == "login") return Action::login;
  if (name == "logout") return Action::logout;
  if (name == "populate") return Action::populate;
  return make_error("unknown sso action '" + printable(name) + "'", "use login, logout or populate");
}

// The key that marks a profile `kura sso populate` wrote; its value names the sso-session.
constexpr const char* k_generated_key = "kura_sso_populate";

struct Target {
  SsoSessionConfig session;
  std::string profile;  // the profile it came from, for endpoint settings; empty for --sso-session
};

// The session to sign in to: --sso-session NAME, else the profile's (PROFILE, AWS_PROFILE, or picked).
Result<Target> target_of(Context& context, const SsoInput& input) {
  auto files = context.files();
  if (!files) return files.error();
  if (input.sso_session) {
    if (input.profile) return make_error("give --sso-session or a PROFILE, not both");
    auto session = sso_session_named(*input.sso_session, **files);
    if (!session) return session.error();
    return Target{std::move(*session), ""};
  }
  auto name = profile_name(context, input.profile.value_or(""));
  if (!name) return name.error();
  auto profile = context.profile(*name);
  if (!profile) return profile.error();
  // The SSO profile itself, or the one at the end of its source_profile chain.
  const Profile* base = &*profile;
  while (base->source) base = base->source.get();
  auto sso = sso_config_of(*base, **files);
  if (!sso) return sso.error();
  if (!*sso) {
    return make_error("profile '" + *name + "' does not use IAM Identity Center",
                      "give --sso-session NAME, or a profile with sso_session (or sso_start_url)");
  }
  return Target{std::move((*sso)->session), base->name};
}

// `{account_name}.{role_name}` filled in, as a profile name: characters a section header or a shell would
// trip over become '-'.
std::string profile_name_from(const std::string& name_template, const SsoAccount& account,
                              const std::string& role, const std::string& session) {
  std::string name = name_template;
  const std::pair<const char*, const std::string*> fields[] = {{"{account_name}", &account.account_name},
                                                               {"{account_id}", &account.account_id},
                                                               {"{role_name}", &role},
                                                               {"{sso_session}", &session}};
  for (const auto& [field, value] : fields) {
    for (size_t at = name.find(field); at != std::string::npos; at = name.find(field, at + value->size())) {
      name.replace(at, std::strlen(field), *value);
    }
  }
  for (char& c : name) {
    const bool plain = std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._@+=,-/", c) != nullptr;
    if (!plain) c = '-';
  }
  return name;
}

struct WantedProfile {
  std::string name;
  std::map<std::string, std::string> values;
};

Result<void> populate(Context& context, const SsoInput& input, const Target& target) {
  if (target.session.name.empty()) {
    return make_error("populate needs an [sso-session NAME] section (the generated profiles name it)",
                      "move sso_start_url and sso_region into an sso-session section, or give --sso-session");
  }
  if (input.name_template.find("{account_id}") == std::string::npos &&
      input.name_template.find("{account_name}") == std::string::npos) {
    return make_error("--template '" + input.name_template +
                      "' names no account ({account_name} or {account_id})");
  }
  if (input.name_template.find("{role_name}") == std::string::npos) {
    return make_error("--template '" + input.name_template + "' has no {role_name}");
  }
  auto tokens = context.sso_tokens(target.session, target.profile);
  if (!tokens) return tokens.error();
  auto token = (*tokens)->access_token();
  if (!token) return token.error();
  auto transport = (*tokens)->new_transport();
  SsoPortalClient portal(*transport, (*tokens)->endpoints().portal);
  auto accounts = portal.list_accounts(*token);
  if (auto* failed = std::get_if<SsoError>(&accounts)) return failed->error;

  std::vector<WantedProfile> wanted;
  std::map<std::string, std::string> seen;  // name -> account/role that took it
  for (const SsoAccount& account : std::get<std::vector<SsoAccount>>(accounts)) {
    auto roles = portal.list_account_roles(*token, account.account_id);
    if (auto* failed = std::get_if<SsoError>(&roles)) return failed->error;
    for (const SsoAccountRole& role : std::get<std::vector<SsoAccountRole>>(roles)) {
      WantedProfile profile;
      profile.name = profile_name_from(input.name_template, account, role.role_name, target.session.name);
      const std::string what = account.account_id + "/" + role.role_name;
      if (auto [it, added] = seen.emplace(profile.name, what); !added) {
        return make_error("--template '" + input.name_template + "' gives the name '" + profile.name +
                              "' to both " + it->second + " and " + what,
                          "add {account_id} to the template");
      }
      profile.values = {{"sso_session", target.session.name},
                        {"sso_account_id", account.account_id},
                        {"sso_role_name", role.role_name},
                        {k_generated_key, target.session.name}};
      if (input.region) profile.values["region"] = *input.region;
      wanted.push_back(std::move(profile));
    }
  }

  auto files = context.files();
  if (!files) return files.error();
  std::vector<std::string> report;
  auto edit = [&](IniDocument& doc) -> Result<bool> {
    report.clear();
    bool any = false;
    std::set<std::string> names;
    for (const WantedProfile& profile : wanted) {
      names.insert(profile.name);
      const std::string section = profile.name == "default" ? "default" : "profile " + profile.name;
      const IniSection* existing = doc.find(section);
      if (existing && !existing->values.count(k_generated_key)) {
        report.push_back("  skipped " + profile.name + " (exists, and kura did not write it)");
        continue;
      }
      const bool was_there = existing != nullptr;
      bool touched = false;
      for (const auto& [key, value] : profile.values) {
        if (existing) {
          auto it = existing->values.find(key);
          if (it != existing->values.end() && trim(it->second) == value) continue;
        }
        if (auto set = doc.set(section, key, value); !set) return set.error();
        touched = true;
        existing = doc.find(section);
      }
      if (touched) {
        report.push_back((was_there ? "~ " : "+ ") + profile.name);
        any = true;
      }
    }
    if (input.prune) {
      std::vector<std::string> stale;
      for (const IniSection& section : doc.sections()) {
        auto marker = section.values.find(k_generated_key);
        if (marker == section.values.end() || trim(marker->second) != target.session.name) continue;
        const std::string name = section.name.starts_with("profile ") ? section.name.substr(8) : section.name;
        if (!names.count(name)) stale.push_back(section.name);
      }
      for (const std::string& section : stale) {
        if (auto gone = doc.remove_section(section); !gone) return gone.error();
        report.push_back("- " + (section.starts_with("profile ") ? section.substr(8) : section));
        any = true;
      }
    }
    return any && !input.dry_run;
  };
  auto edited = edit_aws_file((*files)->config_path, AwsFile::config, edit);
  if (!edited) return edited.error();
  for (const std::string& line : report) context.out(line + "\n");
  const std::string summary =
      std::to_string(wanted.size()) + " account role(s) for sso-session '" + target.session.name + "'";
  if (report.empty()) {
    log_note(summary + ": " + (*files)->config_path + " is up to date");
  } else if (input.dry_run) {
    log_note(summary + ": --dry-run, nothing written");
  } else {
    log_note(summary + ": " + (*files)->config_path + " updated");
  }
  return {};
}

// The cached sessions made from SSO role credentials: the role's own, and roles assumed with them.
Result<int> drop_sso_sessions(Context& context) {
  auto store = context.keystore();
  if (!store) return store.error();
  auto files = context.files();
  if (!files) return files.error();
  std::map<std::string, bool> uses_sso;  // base profile -> whether it is an SSO profile
  return remove_sessions_where(**store, [&](const CachedSession& session) {
    if (session.description.starts_with("SSO ")) return true;
    auto [it, added] = uses_sso.emplace(session.base, false);
    if (added) {
      auto profile = context.profile(session.base);
      if (profile) {
        auto sso = sso_config_of(*profile, **files);
        it->second = sso && *sso;
      }
    }
    return it->second;
  });
}

// Every token file in ~/.aws/sso/cache (kura's, or the AWS CLI's).
std::vector<std::string> cached_token_files(const Environment& env) {
  std::vector<std::string> paths;
  const std::string directory = env.home() + "/.aws/sso/cache";
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) return paths;
  while (const dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name.ends_with(".json") && !name.starts_with("kura-client-")) paths.push_back(directory + "/" + name);
  }
  ::closedir(dir);
  return paths;
}

Result<void> logout_everywhere(Context& context) {
  auto files = context.files();
  if (!files) return files.error();
  int signed_out = 0;
  for (const std::string& path : cached_token_files(context.env())) {
    auto contents = read_file(path);
    if (!contents || !*contents) continue;
    Secret text(std::move(**contents));
    auto token = parse_sso_token(text.view(), path);
    if (!token) continue;  // a registration or another tool's file
    SsoSessionConfig session;
    session.start_url = token->start_url;
    session.region = token->region;
    auto endpoints = resolve_sso_endpoints(token->region, Profile{}, *files, context.env());
    if (endpoints) {
      auto transport = context.new_transport(Profile{});
      SsoPortalClient portal(*transport, endpoints->portal);
      if (auto out = portal.logout(token->access_token); !out) {
        log_warning("the portal did not confirm the sign-out of " + token->start_url + " (" +
                    out.error().message + ")");
      }
    }
    if (auto gone = remove_file(path); !gone) return gone.error();
    ++signed_out;
  }
  auto dropped = drop_sso_sessions(context);
  if (!dropped) return dropped.error();
  log_note("signed out of " + std::to_string(signed_out) + " IAM Identity Center session(s); dropped " +
           std::to_string(*dropped) + " cached SSO role session(s)");
  return {};
}

}  // namespace

void bind_sso(FlagSet& flags, SsoInput& input) {
  flags.positional("ACTION", &input.action, "login, logout or populate");
  flags.optional_positional("PROFILE", &input.profile, "a profile that uses the session");
  flags.option("--sso-session", "NAME", &input.sso_session, "the [sso-session NAME] to use");
  flags.flag("--use-device-code", &input.use_device_code,
             "login: the device code flow (approve a code in any browser) instead of the loopback redirect");
  flags.flag("--no-browser", &input.no_browser, "login: print the sign-in URL instead of opening a browser");
  flags.option("--template", "T", &input.name_template,
               "populate: profile names from {account_name}, {account_id}, {role_name}, {sso_session} "
               "(default {account_name}.{role_name})");
  flags.option("--region", "REGION", &input.region, "populate: the region of the generated profiles");
  flags.flag("--prune", &input.prune, "populate: remove generated profiles whose role is gone");
  flags.flag("--dry-run", &input.dry_run, "populate: show what would change, write nothing");
}

Result<void> run_sso(Context& context, const SsoInput& input) {
  auto action = action_of(input.action);
  if (!action) return action.error();
  if (*action != Action::login && (input.use_device_code || input.no_browser)) {
    return make_error("--use-device-code and --no-browser are for login");
  }
  if (*action != Action::populate &&
      (input.prune || input.dry_run || input.region || input.name_template != k_default_populate_template)) {
    return make_error("--template, --region, --prune and --dry-run are for populate");
  }
  if (*action == Action::logout && !input.profile && !input.sso_session) return logout_everywhere(context);
  context.set_sso_sign_in(SsoSignInChoice{
      input.use_device_code ? std::optional<SsoSignInFlow>(SsoSignInFlow::device_code) : std::nullopt,
      input.no_browser});
  auto target = target_of(context, input);
  if (!target) return target.error();
  auto tokens = context.sso_tokens(target->session, target->profile);
  if (!tokens) return tokens.error();
  switch (*action) {
    case Action::login: {
      auto token = (*tokens)->sign_in();
      if (!token) return token.error();
      context.out("Signed in to " + target->session.start_url + " until " +
                  format_iso8601(token->expires_at) +
                  (token->refresh_token.empty() ? "" : " (renewed without a browser after that)") + "\n");
      return {};
    }
    case Action::logout: {
      auto out = (*tokens)->sign_out();
      if (!out) return out.error();
      auto dropped = drop_sso_sessions(context);
      if (!dropped) return dropped.error();
      log_note((*out ? "signed out of " + target->session.start_url
                     : "no cached sign-in for " + target->session.start_url) +
               "; dropped " + std::to_string(*dropped) + " cached SSO role session(s)");
      return {};
    }
    case Action::populate:
      return populate(context, input, *target);
  }
  return {};
}

}  // namespace kura
