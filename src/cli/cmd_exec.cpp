// kura exec: run a command (default $SHELL) with temporary credentials in its environment.
#include <map>

#include "aws/endpoints.h"
#include "cli/commands.h"
#include "prompt/drivers.h"
#include "util/log.h"

namespace kura {

Result<ProfileCredentials> credentials_for(Context& context, const CredentialFlags& flags) {
  auto profile = context.profile(flags.profile);
  if (!profile) return profile.error();
  auto options = context.provider_options(flags.duration, flags.no_session, flags.mfa_token);
  if (!options) return options.error();
  MfaDriverConfig drivers;
  drivers.driver = flags.prompt.value_or(context.env().get("KURA_PROMPT").value_or(""));
  if (auto it = profile->raw.find("mfa_process"); it != profile->raw.end() && !it->second.empty()) {
    drivers.mfa_process = it->second;
  }
  drivers.ykman_account = context.env().get("KURA_YKMAN_OATH_CREDENTIAL_NAME");
  auto codes = make_mfa_code_source(drivers, context.env(), context.deps().prompt);
  if (!codes) return codes.error();
  options->mfa_code = std::move(*codes);
  std::string region = resolve_region(flags.region, *profile, context.env());
  auto obtained = context.credentials(*profile, region, *options);
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
  std::map<std::string, std::string> vars = env.all();
  for (const char* name : k_stale) vars.erase(name);
  return vars;
}

std::vector<std::string> exec_environment(const Environment& env, const ProfileCredentials& creds) {
  std::map<std::string, std::string> vars = child_variables(env);
  const Credentials& c = creds.obtained.credentials;
  vars["AWS_ACCESS_KEY_ID"] = c.access_key_id;
  vars["AWS_SECRET_ACCESS_KEY"] = std::string(c.secret_access_key.view());
  if (!c.session_token.empty()) vars["AWS_SESSION_TOKEN"] = std::string(c.session_token.view());
  if (c.expiration) vars["AWS_CREDENTIAL_EXPIRATION"] = format_iso8601(*c.expiration);
  vars["AWS_REGION"] = creds.region;
  vars["AWS_DEFAULT_REGION"] = creds.region;
  vars["KURA_PROFILE"] = creds.profile.name;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (auto& [name, value] : vars) {
    out.push_back(name + "=" + value);
    wipe_string(value);
  }
  return out;
}

Result<void> run_exec(Context& context, const ExecInput& input) {
  if (auto nested = context.env().get("KURA_PROFILE")) {
    return make_error("already inside `kura exec` for profile '" + *nested + "'",
                      "exit that shell first, or unset KURA_PROFILE if it is stale");
  }
  if (input.ecs_server || input.imds_server) return run_exec_with_server(context, input);
  auto creds = credentials_for(context, input.flags);
  if (!creds) return creds.error();
  std::vector<std::string> command = input.command;
  if (command.empty()) command.push_back(context.env().get("SHELL").value_or("/bin/sh"));
  std::vector<std::string> environment = exec_environment(context.env(), *creds);
  log_debug("exec: " + command[0] + " with credentials " +
            mask_key_id(creds->obtained.credentials.access_key_id));
  auto ran = context.deps().runner.exec(command, environment);
  for (std::string& entry : environment) wipe_string(entry);
  return ran;
}

}  // namespace kura
