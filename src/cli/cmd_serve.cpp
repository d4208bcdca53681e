// Local credential endpoints: `kura exec --ecs-server` (for the child only) and `kura serve --ecs`.
#include <signal.h>

#include "aws/endpoints.h"
#include "cli/commands.h"
#include "server/credential_endpoint.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

std::atomic<bool>* g_stop = nullptr;
void on_signal(int) {
  if (g_stop) *g_stop = true;
}

HttpServerOptions server_options(const Environment& env) {
  HttpServerOptions options;
  if (auto timeout = env.get("KURA_SERVER_READ_TIMEOUT")) {
    if (auto parsed = parse_duration(*timeout)) options.read_timeout = *parsed;
  }
  return options;
}

// Credentials for the endpoint, renewed by re-running the provider (cache first, STS when due).
std::unique_ptr<RenewingCredentials> renewing(Context& context, const CredentialFlags& flags,
                                              Seconds window) {
  return std::make_unique<RenewingCredentials>(
      [&context, flags]() -> Result<Credentials> {
        auto creds = credentials_for(context, flags);
        if (!creds) return creds.error();
        return std::move(creds->obtained.credentials);
      },
      window);
}

Seconds refresh_window(const Environment& env) {
  if (auto window = env.get("KURA_SESSION_REFRESH")) {
    if (auto parsed = parse_duration(*window)) return *parsed;
  }
  return Seconds(300);
}

}  // namespace

Result<void> run_exec_with_ecs_server(Context& context, const ExecInput& input) {
  auto creds = renewing(context, input.flags, refresh_window(context.env()));
  if (auto primed = creds->prime(); !primed) return primed;
  const std::string token = new_endpoint_token();
  LoopbackServer server;
  uint16_t port = 0;
  auto started =
      server.start([&](const HttpServerRequest& request) { return handle_ecs(request, token, port, *creds); },
                   server_options(context.env()));
  if (!started) return started;
  port = server.port();
  creds->start();

  auto profile = context.profile(input.flags.profile);
  if (!profile) return profile.error();
  std::map<std::string, std::string> vars = context.env().all();
  for (const char* stale : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
                            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                            "AWS_CREDENTIAL_EXPIRATION", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"}) {
    vars.erase(stale);
  }
  std::string region = resolve_region(input.flags.region, *profile, context.env());
  vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:" + std::to_string(port) + "/";
  vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token;
  vars["AWS_REGION"] = region;
  vars["AWS_DEFAULT_REGION"] = region;
  vars["KURA_PROFILE"] = input.flags.profile;
  std::vector<std::string> environment;
  for (const auto& [name, value] : vars) environment.push_back(name + "=" + value);
  std::vector<std::string> command = input.command;
  if (command.empty()) command.push_back(context.env().get("SHELL").value_or("/bin/sh"));
  log_debug("exec: " + command[0] + " with an ECS endpoint on 127.0.0.1:" + std::to_string(port));
  auto status = context.deps().runner.run(command, environment);
  creds->stop();
  server.stop();
  if (!status) return status.error();
  context.set_exit_code(*status);
  return {};
}

Result<void> run_serve(Context& context, const ServeInput& input) {
  if (!input.ecs) return make_error("serve: say which endpoint: --ecs", "kura serve --ecs PROFILE");
  auto creds = renewing(context, input.flags, refresh_window(context.env()));
  if (auto primed = creds->prime(); !primed) return primed;
  const std::string token = new_endpoint_token();
  LoopbackServer server;
  uint16_t port = 0;
  auto started =
      server.start([&](const HttpServerRequest& request) { return handle_ecs(request, token, port, *creds); },
                   server_options(context.env()), input.port, false);
  if (!started) return started;
  port = server.port();
  creds->start();
  // What a shell (or a test) needs to point SDKs here; the token is for this user's processes only.
  context.out("export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" + std::to_string(port) + "/\n");
  context.out("export AWS_CONTAINER_AUTHORIZATION_TOKEN=" + token + "\n");
  std::fflush(stdout);
  log_note("serving credentials for '" + input.flags.profile + "' on 127.0.0.1:" + std::to_string(port) +
           " (Ctrl-C to stop)");
  g_stop = &server.stop_flag();
  struct sigaction action {};
  action.sa_handler = on_signal;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  server.run_here();
  creds->stop();
  return {};
}

}  // namespace kura
