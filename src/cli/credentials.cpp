// Credentials for commands.
#include "cli/credentials.h"

#include <algorithm>

#include "aws/endpoints.h"
#include "aws/render.h"
#include "process/runner.h"
#include "prompt/drivers.h"
#include "util/fs.h"
#include "util/strings.h"

namespace kura {

void bind_credential_flags(FlagSet& flags, CredentialFlags& input) {
  flags.optional_positional(
      "PROFILE", &input.profile,
      "profile name in ~/.aws/config (default: picked on the terminal, else $AWS_PROFILE)");
  flags.option("--duration,-d", "D", &input.duration, "session duration, e.g. 1h, 45m, 3600");
  flags.flag("--no-session,-n", &input.no_session, "skip GetSessionToken; use the long-term key directly");
  flags.option("--mfa-token,-t", "CODE", &input.mfa_token, "the MFA code, instead of asking on the terminal");
  flags.option("--region", "R", &input.region, "region for STS and for the credentials' environment");
}

Result<std::string> profile_name(Context& context, const std::string& given) {
  if (!given.empty()) return given;
  const std::optional<std::string> from_env = context.env().get("AWS_PROFILE");
  Prompt& prompt = context.deps().prompt;
  if (prompt.interactive()) {
    auto files = context.files();
    if (!files) return files.error();
    auto names = (*files)->read_profile_names();
    if (!names) return names.error();
    if (names->empty()) {
      return make_error("missing PROFILE, and there is no profile to choose from",
                        "name one, e.g. `kura add NAME` first");
    }
    auto chosen = prompt.choose("profile:", *names, from_env.value_or(""));
    if (!chosen) return chosen.error();
    if (!*chosen) return make_error("no profile chosen");
    return std::move(**chosen);
  }
  if (from_env && !from_env->empty()) return *from_env;
  context.set_error_exit_code(2);  // a usage error, as a missing argument is
  return make_error("missing PROFILE", "name one, or set AWS_PROFILE");
}

Result<void> apply_profile_variables(const Settings& settings, Profile& profile) {
  if (settings.persona != Persona::aws_vault) return {};
  if (settings.role_arn) profile.role_arn = settings.role_arn;
  if (settings.source_identity) profile.source_identity = settings.source_identity;
  if (settings.session_tags) {
    profile.session_tags.clear();
    for (const std::string& pair : split(*settings.session_tags, ',')) {
      const size_t eq = pair.find('=');
      if (eq == std::string::npos || trim(pair.substr(0, eq)).empty()) {
        return make_error("AWS_SESSION_TAGS: expected key=value, got '" + printable(pair) + "'");
      }
      profile.session_tags.push_back(
          {std::string(trim(pair.substr(0, eq))), std::string(trim(pair.substr(eq + 1)))});
    }
  }
  if (settings.transitive_tags) {
    profile.transitive_tag_keys.clear();
    for (const std::string& key : split(*settings.transitive_tags, ',')) {
      if (!trim(key).empty()) profile.transitive_tag_keys.emplace_back(trim(key));
    }
  }
  if (settings.mfa_serial) {
    // Every profile of the chain, as aws-vault has it.
    for (Profile* current = &profile; current != nullptr;) {
      current->mfa_serial = settings.mfa_serial;
      if (!current->source) break;
      auto source = std::make_shared<Profile>(*current->source);
      current->source = source;
      current = source.get();
    }
  }
  return {};
}

bool exported_by_use(const Environment& env) {
  auto used = env.get("KURA_USE_PROFILE");
  return used && !used->empty() && used == env.get("AWS_VAULT");
}

Result<void> refuse_nesting(const Environment& env, std::string_view what, Persona persona) {
  if (exported_by_use(env)) return {};
  auto vault = env.get("AWS_VAULT");
  const bool in_vault = vault && !vault->empty();
  auto nested = env.get("KURA_PROFILE");
  // Each tool's own words first: aws-vault's users script against its message.
  if (nested && !(persona == Persona::aws_vault && in_vault)) {
    return make_error("already inside `kura exec` for profile '" + printable(*nested) + "'",
                      "exit that shell first, or unset KURA_PROFILE if it is stale");
  }
  if (in_vault) {
    return make_error(
        std::string(what) + " in an existing aws-vault subshell for '" + printable(*vault) + "'",
        "'exit' from the subshell, or unset AWS_VAULT to force");
  }
  return {};
}

Result<ProviderOptions> provider_options(Context& context, const CredentialFlags& flags,
                                         const Profile& profile) {
  const Settings& settings = context.settings();
  ProviderOptions options;
  if (flags.duration) {
    auto parsed = parse_duration(*flags.duration);
    if (!parsed) {
      return make_error("--duration: '" + *flags.duration + "' is not a duration",
                        "use seconds (3600) or units like 1h, 15m, 1h30m");
    }
    if (parsed->count() < 900) {
      return make_error("--duration: " + *flags.duration + " is shorter than STS allows",
                        "use at least 15m (900 seconds)");
    }
    options.plan.duration = *parsed;
  }
  options.plan.no_session = flags.no_session;
  options.plan.session_token_ttl = settings.session_token_ttl;
  options.plan.chained_session_token_ttl = settings.chained_session_token_ttl;
  options.plan.assume_role_ttl = settings.assume_role_ttl;
  options.plan.role_session_name = settings.role_session_name;
  options.mfa_token = flags.mfa_token;
  options.refresh_window = settings.session_refresh;
  MfaDriverConfig drivers;
  drivers.driver = settings.prompt;
  if (auto it = profile.raw.find("mfa_process"); it != profile.raw.end() && !it->second.empty()) {
    drivers.mfa_process = it->second;
  }
  drivers.ykman_account = settings.ykman_account;
  auto driver = make_mfa_code_source(drivers, context.env(), context.deps().prompt);
  if (!driver) return driver.error();
  options.mfa_driver = std::move(*driver);
  return options;
}

Result<ProfileCredentials> credentials_for(Context& context, const CredentialFlags& given) {
  CredentialFlags flags = given;
  auto name = profile_name(context, flags.profile);
  if (!name) return name.error();
  flags.profile = std::move(*name);
  if (!flags.duration && context.settings().default_duration)
    flags.duration = context.settings().default_duration;
  auto profile = context.profile(flags.profile);
  if (!profile) return profile.error();
  if (auto applied = apply_profile_variables(context.settings(), *profile); !applied) return applied.error();
  auto options = provider_options(context, flags, *profile);
  if (!options) return options.error();
  std::string region = resolve_region(flags.region, *profile, context.env());
  auto store = context.keystore();
  if (!store) return store.error();
  auto files = context.files();
  if (!files) return files.error();
  const Profile& resolved = *profile;
  ProviderDeps deps{**store,
                    context.deps().prompt,
                    context.deps().clock,
                    **files,
                    [&context, &resolved, region]() { return context.sts(resolved, region); },
                    &context.session_locks(),
                    [&context](const SsoProfileConfig& sso, const std::string& for_profile) {
                      return context.sso_tokens(sso.session, for_profile);
                    },
                    context.command_output(),
                    &context.sign_in_locks()};
  auto obtained = obtain_credentials(*profile, deps, *options);
  if (!obtained) {
    Error error = obtained.error();
    // Someone coming from aws-vault whose keys are still in its store: say how to bring them over.
    const std::string vault_dir =
        context.settings().aws_vault_file_dir.value_or(context.env().home() + "/.awsvault/keys");
    if (error.message.starts_with("no credentials for profile") && directory_has_entries(vault_dir)) {
      error.hint =
          "aws-vault's store is in " + vault_dir + ": `kura import --from aws-vault` brings its keys over";
    }
    return error;
  }
  return ProfileCredentials{std::move(*profile), region, std::move(*obtained)};
}

namespace {

// Whatever would make the child use other credentials than the ones kura hands it.
constexpr std::string_view k_stale[] = {"AWS_PROFILE",
                                        "AWS_DEFAULT_PROFILE",
                                        "AWS_ACCESS_KEY_ID",
                                        "AWS_SECRET_ACCESS_KEY",
                                        "AWS_SESSION_TOKEN",
                                        "AWS_SECURITY_TOKEN",
                                        "AWS_CREDENTIAL_EXPIRATION",
                                        "AWS_CREDENTIAL_FILE",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                        "AWS_SDK_LOAD_CONFIG",
                                        "AWS_VAULT",
                                        "KURA_PROFILE",
                                        "KURA_USE_PROFILE",
                                        "KURA_USE_REFRESH_AT",
                                        "KURA_USE_REFRESH_UPTIME"};
static_assert(std::all_of(std::begin(k_stale), std::end(k_stale), is_credential_variable_name),
              "inherited looks only at AWS_ and KURA_ names");

// Whether a child of kura inherits the variable: never a secret one (KURA_FILE_PASSPHRASE and friends), nor
// a stale credential source.
bool inherited(std::string_view name) {
  if (!is_credential_variable_name(name)) return true;  // most of an environment: one look
  if (is_secret_variable(name)) return false;
  for (std::string_view stale : k_stale) {
    if (name == stale) return false;
  }
  return true;
}

}  // namespace

std::map<std::string, std::string> child_variables(const Environment& env) {
  std::map<std::string, std::string> vars;
  for (const auto& [name, value] : env.entries()) {
    if (inherited(name)) vars.emplace(name, value);
  }
  return vars;
}

std::vector<std::string> child_environment(const Environment& env,
                                           std::initializer_list<std::string_view> also_left_out) {
  std::vector<std::string> out;
  out.reserve(env.entries().size() + 8);
  for (const auto& [name, value] : env.entries()) {
    if (!inherited(name) ||
        std::find(also_left_out.begin(), also_left_out.end(), name) != also_left_out.end())
      continue;
    out.push_back(environment_entry(name, value));
  }
  return out;
}

std::vector<std::string> exec_environment(const Environment& env, const ProfileCredentials& creds) {
  std::vector<std::string> out = child_environment(env, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  std::vector<std::string> credentials =
      credential_variables(creds.obtained.credentials, creds.region);  // each entry allocated once
  for (std::string& entry : credentials) out.push_back(std::move(entry));
  out.push_back("AWS_VAULT=" + creds.profile.name);  // what aws-vault sets: prompts and scripts test it
  out.push_back("KURA_PROFILE=" + creds.profile.name);
  return out;
}

}  // namespace kura
