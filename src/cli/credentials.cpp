// Credentials for commands.
#include "cli/credentials.h"

#include "aws/endpoints.h"
#include "aws/render.h"
#include "prompt/drivers.h"

namespace kura {

void bind_credential_flags(FlagSet& flags, CredentialFlags& input) {
  flags.positional("PROFILE", &input.profile, "profile name in ~/.aws/config");
  flags.option("--duration,-d", "D", &input.duration, "session duration, e.g. 1h, 45m, 3600");
  flags.flag("--no-session,-n", &input.no_session, "skip GetSessionToken; use the long-term key directly");
  flags.option("--mfa-token,-t", "CODE", &input.mfa_token, "the MFA code, instead of asking on the terminal");
  flags.option("--region", "R", &input.region, "region for STS and for the credentials' environment");
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

Result<ProfileCredentials> credentials_for(Context& context, const CredentialFlags& flags) {
  auto profile = context.profile(flags.profile);
  if (!profile) return profile.error();
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
                    &context.session_locks()};
  auto obtained = obtain_credentials(*profile, deps, *options);
  if (!obtained) return obtained.error();
  return ProfileCredentials{std::move(*profile), region, std::move(*obtained)};
}

std::map<std::string, std::string> child_variables(const Environment& env) {
  // Whatever would make the child use other credentials than the ones kura hands it.
  static const char* const k_stale[] = {"AWS_PROFILE",
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
                                        "KURA_PROFILE"};
  std::map<std::string, std::string> vars = env.for_child();  // never KURA_FILE_PASSPHRASE and friends
  for (const char* name : k_stale) vars.erase(name);
  return vars;
}

std::vector<std::string> exec_environment(const Environment& env, const ProfileCredentials& creds) {
  std::map<std::string, std::string> vars = child_variables(env);
  vars.erase("AWS_REGION");
  vars.erase("AWS_DEFAULT_REGION");
  std::vector<std::string> out;
  out.reserve(vars.size() + 7);
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  std::vector<std::string> credentials =
      credential_variables(creds.obtained.credentials, creds.region);  // each entry allocated once
  for (std::string& entry : credentials) out.push_back(std::move(entry));
  out.push_back("KURA_PROFILE=" + creds.profile.name);
  return out;
}

}  // namespace kura
