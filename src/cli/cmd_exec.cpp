// kura exec: run a command (default $SHELL) with temporary credentials in its environment.
#include "aws/render.h"
#include "cli/commands.h"
#include "process/runner.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

void bind_exec(FlagSet& flags, ExecInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.flag("--ecs-server,--server,-s", &input.ecs_server,
             "give the command a local ECS credential endpoint (renewed credentials) instead of keys");
  flags.flag("--imds-server,--ec2-server", &input.imds_server,
             "give the command a local IMDS endpoint (IMDSv2) instead of keys");
  flags.flag("--imds-v1", &input.imds_v1, "also answer IMDSv1 requests (no token) on that endpoint");
  flags.flag("--allow-role-arn", &input.allow_role_arn, "ECS: also serve /role-arn/<arn> to the command");
  flags.flag("--json,-j", &input.json,
             "print the credentials as credential_process JSON instead (export --format json)");
  flags.flag("--profile-env", &input.profile_env,
             "give the command AWS_PROFILE instead of keys (the session is fetched, and cached, first)");
  flags.flag("--lazy", &input.lazy,
             "accepted for aws-vault: kura fetches credentials before the command starts");
  flags.flag("--stdout", &input.print_url, "print sign-in URLs instead of opening a browser");
  flags.rest("COMMAND", &input.command, "the command and its arguments (default: $SHELL)");
}

Result<void> run_exec(Context& context, const ExecInput& input) {
  if (input.json) {
    if (input.ecs_server || input.imds_server) {
      return make_error("--json prints credentials; it runs no endpoint",
                        "drop --ecs-server / --imds-server");
    }
    ExportInput as_export;
    as_export.flags = input.flags;
    as_export.format = "json";
    return run_export(context, as_export);
  }
  if (auto nested = refuse_nesting(context.env(), "running", context.settings().persona); !nested)
    return nested;
  if (input.ecs_server && input.imds_server) {
    return make_error("--ecs-server and --imds-server (--ec2-server) are two endpoints: choose one");
  }
  if ((input.ecs_server || input.imds_server) && input.flags.no_session) {
    return make_error("--no-session would serve the long-term key itself from the endpoint",
                      "drop --no-session, or use exec without an endpoint");
  }
  if (input.ecs_server || input.imds_server) return run_exec_with_server(context, input);
  auto creds = credentials_for(context, input.flags);
  if (!creds) return creds.error();
  std::vector<std::string> command = input.command;
  if (command.empty()) command.push_back(context.env().get("SHELL").value_or("/bin/sh"));
  std::vector<std::string> environment;
  if (input.profile_env || context.settings().profile_env) {
    // The session is cached now; the child's SDK reads the profile itself.
    std::map<std::string, std::string> vars = child_variables(context.env());
    vars["AWS_PROFILE"] = creds->profile.name;
    vars["AWS_REGION"] = creds->region;
    vars["AWS_DEFAULT_REGION"] = creds->region;
    vars["AWS_VAULT"] = creds->profile.name;
    vars["KURA_PROFILE"] = creds->profile.name;
    environment = environment_entries(vars);
  } else {
    environment = exec_environment(context.env(), *creds);
  }
  log_debug("exec: " + command[0] + " with credentials " +
            mask_key_id(creds->obtained.credentials.access_key_id));
  auto ran = context.deps().runner.exec(command, environment);
  for (std::string& entry : environment) wipe_string(entry);
  return ran;
}

}  // namespace kura
