// kura exec: run a command (default $SHELL) with temporary credentials in its environment.
#include "cli/commands.h"
#include "util/log.h"

namespace kura {

void bind_exec(FlagSet& flags, ExecInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.flag("--ecs-server", &input.ecs_server,
             "give the command a local ECS credential endpoint (renewed credentials) instead of keys");
  flags.flag("--imds-server", &input.imds_server,
             "give the command a local IMDS endpoint (IMDSv2) instead of keys");
  flags.flag("--imds-v1", &input.imds_v1, "also answer IMDSv1 requests (no token) on that endpoint");
  flags.flag("--allow-role-arn", &input.allow_role_arn, "ECS: also serve /role-arn/<arn> to the command");
  flags.rest("COMMAND", &input.command, "the command and its arguments (default: $SHELL)");
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
