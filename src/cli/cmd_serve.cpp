// Local credential endpoints: `kura exec --ecs-server` (for the child only) and `kura serve --ecs`.
#include <signal.h>

#include "aws/endpoints.h"
#include "cli/commands.h"
#include "process/runner.h"
#include "server/credential_endpoint.h"
#include "util/full_build.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

std::atomic<bool>* g_stop = nullptr;
void on_signal(int) {
  if (g_stop) *g_stop = true;
}

// Credentials for the endpoint, renewed by re-running the provider (cache first, STS when due) with the same
// refresh window, so the provider and the renewing thread agree on when a session is due.
std::unique_ptr<RenewingCredentials> renewing(Context& context, const CredentialFlags& flags) {
  RenewalPolicy policy;
  policy.window = context.settings().session_refresh;
  return std::make_unique<RenewingCredentials>(
      [&context, flags]() -> Result<Credentials> {
        auto creds = credentials_for(context, flags);
        if (!creds) return creds.error();
        return std::move(creds->obtained.credentials);
      },
      policy, context.deps().clock);
}

}  // namespace

// One endpoint (ECS or IMDS) on loopback, serving renewed credentials for a profile.
struct Endpoint {
  std::unique_ptr<RenewingCredentials> credentials;
  std::unique_ptr<HttpTransport> role_transport;  // its own: the renewing thread uses the context's
  std::unique_ptr<StsClient> role_sts;
  std::unique_ptr<RoleArnAssumer> roles;
  std::unique_ptr<ImdsEndpoint> imds;
  std::string token;  // ECS only
  LoopbackServer server;
  uint16_t port = 0;
  std::string region;
  std::string profile;
};

Result<void> start_endpoint(Context& context, const CredentialFlags& given, bool imds, bool imds_v1,
                            bool allow_role_arn, uint16_t port, bool background, Endpoint& endpoint) {
  CredentialFlags flags = given;
  auto name = profile_name(context, flags.profile);
  if (!name) return name.error();
  flags.profile = *name;
  endpoint.profile = *name;
  auto profile = context.profile(flags.profile);
  if (!profile) return profile.error();
  endpoint.region = resolve_region(flags.region, *profile, context.env());
  const Seconds window = context.settings().session_refresh;
  HttpServerOptions options;
  options.read_timeout = context.settings().server_read_timeout;
  endpoint.credentials = renewing(context, flags);
  if (auto primed = endpoint.credentials->prime(); !primed) return primed;
  if (imds) {
    endpoint.imds = std::make_unique<ImdsEndpoint>(*endpoint.credentials, flags.profile, endpoint.region,
                                                   imds_v1, context.deps().clock);
  } else {
    endpoint.token = new_endpoint_token();
    if (allow_role_arn) {
      endpoint.role_transport = context.new_transport(*profile);
      endpoint.role_sts =
          std::make_unique<StsClient>(*endpoint.role_transport, context.deps().clock,
                                      resolve_sts_endpoint(endpoint.region, *profile, context.env()));
      StsClient* sts = endpoint.role_sts.get();
      endpoint.roles = std::make_unique<RoleArnAssumer>(
          [sts](const std::string& role_arn, const Credentials& caller) {
            AssumeRoleInput request;
            request.role_arn = role_arn;
            request.session_name = "kura-ecs";
            request.duration = Seconds(3600);  // assumed with temporary credentials: the chaining limit
            return sts->assume_role(caller, request);
          },
          window, context.deps().clock);
    }
  }
  auto started = endpoint.server.start(
      [&endpoint](const HttpServerRequest& request) {
        return endpoint.imds ? endpoint.imds->handle(request, endpoint.port)
                             : handle_ecs(request, endpoint.token, endpoint.port, *endpoint.credentials,
                                          endpoint.roles.get());
      },
      options, port, background);
  if (!started) return started;
  endpoint.port = endpoint.server.port();
  endpoint.credentials->start();
  return {};
}

Result<void> run_exec_with_server(Context& context, const ExecInput& input) {
  need_full_build("a credentials endpoint");  // threads that refresh: the static build hands over first
  Endpoint endpoint;
  if (auto started = start_endpoint(context, input.flags, input.imds_server, input.imds_v1,
                                    input.allow_role_arn, 0, true, endpoint);
      !started) {
    return started;
  }
  std::map<std::string, std::string> vars = child_variables(context.env());
  vars.erase("AWS_EC2_METADATA_DISABLED");  // the child must be allowed to ask the endpoint
  const std::string url = "http://127.0.0.1:" + std::to_string(endpoint.port) + "/";
  if (input.imds_server) {
    vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = url;
    vars["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = "IPv4";
  } else {
    vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url;
    vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = endpoint.token;
  }
  vars["AWS_REGION"] = endpoint.region;
  vars["AWS_DEFAULT_REGION"] = endpoint.region;
  vars["AWS_VAULT"] = endpoint.profile;
  vars["KURA_PROFILE"] = endpoint.profile;
  std::vector<std::string> environment = environment_entries(vars);
  std::vector<std::string> command = input.command;
  if (command.empty()) command.push_back(context.env().get("SHELL").value_or("/bin/sh"));
  log_debug("exec: " + command[0] + " with a credential endpoint on " + url);
  auto status = context.deps().runner.run(command, environment);
  endpoint.credentials->stop();
  endpoint.server.stop();
  if (!status) return status.error();
  context.set_exit_code(*status);
  return {};
}

void bind_serve(FlagSet& flags, ServeInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.flag("--ecs", &input.ecs, "the ECS container-credentials protocol");
  flags.flag("--imds", &input.imds, "the EC2 instance metadata protocol (IMDSv2)");
  flags.flag("--imds-v1", &input.imds_v1, "also answer IMDSv1 requests (no token)");
  flags.flag("--allow-role-arn", &input.allow_role_arn, "ECS: also serve /role-arn/<arn>");
  flags.option("--port", "N", &input.port, "port on 127.0.0.1 (default: any free one)");
}

Result<void> run_serve(Context& context, const ServeInput& input) {
  if (input.ecs == input.imds)
    return make_error("serve: say which endpoint: --ecs or --imds", "kura serve --ecs PROFILE");
  uint16_t port = 0;
  if (input.port) {
    const std::string& text = *input.port;
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(text) > 65535) {
      return make_error("--port: '" + text + "' is not a port number",
                        "1 to 65535, or leave it out for any free one");
    }
    port = static_cast<uint16_t>(std::stoul(text));
  }
  Endpoint endpoint;
  if (auto started = start_endpoint(context, input.flags, input.imds, input.imds_v1, input.allow_role_arn,
                                    port, false, endpoint);
      !started) {
    return started;
  }
  // What a shell (or a test) needs to point SDKs here; the ECS token is for this user's processes only.
  const std::string url = "http://127.0.0.1:" + std::to_string(endpoint.port) + "/";
  if (input.imds) {
    context.out("export AWS_EC2_METADATA_SERVICE_ENDPOINT=" + url + "\n");
  } else {
    context.out("export AWS_CONTAINER_CREDENTIALS_FULL_URI=" + url + "\n");
    context.out("export AWS_CONTAINER_AUTHORIZATION_TOKEN=" + endpoint.token + "\n");
  }
  std::fflush(stdout);
  log_note("serving credentials for '" + endpoint.profile +
           "' on 127.0.0.1:" + std::to_string(endpoint.port) + " (Ctrl-C to stop)");
  g_stop = &endpoint.server.stop_flag();
  struct sigaction action {};
  action.sa_handler = on_signal;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  endpoint.server.run_here();
  endpoint.credentials->stop();
  return {};
}

}  // namespace kura
