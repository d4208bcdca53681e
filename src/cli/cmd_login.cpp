// kura login: a console sign-in URL for a profile. Role credentials are federated directly with
// SessionDuration; IAM-user keys first go through GetFederationToken (session-token credentials cannot be
// federated). The URL is printed (--stdout) or opened: $BROWSER, else xdg-open/open; --browser-profile (or
// browser_profile = isolated) gives each kura profile its own browser user-data directory, so several
// accounts stay signed in side by side.
#include "aws/endpoints.h"
#include "aws/federation.h"
#include "cli/browser.h"
#include "cli/commands.h"
#include "creds/providers.h"
#include "creds/resolver.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr const char* k_allow_all =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

Result<std::vector<std::string>> isolated_browser(const Environment& env, const std::string& profile,
                                                  const std::string& url) {
  std::vector<std::string> argv;
  if (auto chosen = browser_command(env)) {
    argv = *chosen;
  } else {
    for (const char* candidate : {"chromium", "google-chrome", "chromium-browser", "firefox"}) {
      if (env.has_program(candidate)) {
        argv = {candidate};
        break;
      }
    }
  }
  if (argv.empty())
    return make_error("--browser-profile: no Chromium, Chrome or Firefox found", "set BROWSER");
  std::string directory = env.data_home() + "/kura/browser/" + uri_encode(profile);
  if (auto made = make_directories(directory, 0700); !made) return made.error();
  bool firefox = argv[0].find("firefox") != std::string::npos;
  if (firefox) {
    argv.insert(argv.end(), {"--profile", directory, "--no-remote"});
  } else {
    argv.insert(argv.end(), {"--user-data-dir=" + directory, "--no-first-run", "--no-default-browser-check"});
  }
  argv.push_back(url);
  return argv;
}

}  // namespace

void bind_login(FlagSet& flags, LoginInput& input) {
  bind_credential_flags(flags, input.flags);
  flags.option("--path", "PATH", &input.path, "console path, e.g. /s3");
  flags.option("--destination", "URL", &input.destination, "a full console URL to land on");
  flags.flag("--stdout,-s", &input.to_stdout, "print the URL instead of opening a browser");
  flags.flag("--auto-logout,-a", &input.auto_logout,
             "sign out of the console's current session first (one account per browser at a time)");
  flags.flag("--browser-profile", &input.browser_profile, "a separate browser profile per kura profile");
  flags.option("--policy-arn", "ARN", &input.policy_arn,
               "IAM users: limit the federation token to this policy");
}

Result<void> run_login(Context& context, const LoginInput& input) {
  if (input.path && input.destination) return make_error("--path and --destination exclude each other");
  auto name = profile_name(context, input.flags.profile);
  if (!name) return name.error();
  CredentialFlags named = input.flags;
  named.profile = *name;
  if (!named.duration && context.settings().default_duration)
    named.duration = context.settings().default_duration;
  auto profile = context.profile(named.profile);
  if (!profile) return profile.error();
  if (auto applied = apply_profile_variables(context.settings(), *profile); !applied) return applied.error();
  const Environment& env = context.env();
  std::string region = resolve_region(named.region, *profile, env);
  std::optional<Seconds> duration;
  if (named.duration) {
    auto parsed = parse_duration(*named.duration);
    if (!parsed) return parsed.error().context("--duration");
    duration = *parsed;
  } else if (profile->duration) {
    duration = profile->duration;
  }
  if (duration && (duration->count() < 900 || duration->count() > 43200)) {
    return make_error("--duration: a console session lasts 15m to 12h", "e.g. --duration 8h");
  }

  // Does the chain end in a role (or start from SSO, a web identity or a credential_process, which give
  // session credentials)? Then its session is federated directly; an IAM user's key is not.
  bool role = profile->role_arn.has_value();
  if (!role) {
    auto files = context.files();
    if (!files) return files.error();
    auto store = context.keystore();
    if (!store) return store.error();
    auto plan = plan_for(*profile, **files, PlanOptions{}, *store);
    if (!plan) return plan.error();
    role = !plan->long_term_key;
  }
  Credentials federated;
  std::optional<Seconds> session_duration;
  if (role) {
    CredentialFlags flags = named;
    flags.duration.reset();  // the role's own STS duration; SessionDuration below governs the console
    auto creds = credentials_for(context, flags);
    if (!creds) return creds.error();
    federated = std::move(creds->obtained.credentials);
    session_duration = duration.value_or(Seconds(3600));
  } else {
    auto files = context.files();
    if (!files) return files.error();
    auto store = context.keystore();
    if (!store) return store.error();
    GetFederationTokenInput request;  // named after the user, found with GetCallerIdentity
    request.duration = duration.value_or(context.settings().federation_token_ttl.value_or(Seconds(43200)));
    if (input.policy_arn) {
      request.policy_arns = {*input.policy_arn};
    } else {
      request.policy = k_allow_all;  // the token can do what the user can, no more
    }
    const Profile& user = *profile;
    FederationTokenProvider token(
        std::make_unique<LongTermKeyProvider>(**store, **files, user.name, user.name),
        [&context, &user, region]() { return context.sts(user, region); }, user.name, request);
    auto obtained = token.retrieve();
    if (!obtained) return obtained.error();
    federated = std::move(obtained->credentials);
  }

  std::optional<std::string> federation_override = context.settings().federation_url;
  if (!federation_override) {
    if (auto it = profile->raw.find("federation_url"); it != profile->raw.end())
      federation_override = it->second;
  }
  ConsoleEndpoints endpoints = console_endpoints(partition_of_region(region), federation_override);
  auto transport = context.new_transport(*profile);
  auto signin = fetch_signin_token(*transport, endpoints.federation_url, federated, session_duration);
  if (!signin) return signin.error();

  std::string destination;
  if (input.destination) {
    destination = *input.destination;
  } else {
    std::string path = input.path.value_or("/console/home");
    if (path.empty() || path[0] != '/') path = "/" + path;
    destination =
        endpoints.console_url + path + (path.find('?') == std::string::npos ? "?" : "&") + "region=" + region;
  }
  std::string url = login_url(endpoints.federation_url, "kura", destination, *signin);
  if (input.auto_logout || context.settings().auto_logout) {
    // The sign-in host's logout, which then goes on to the sign-in URL: the browser's console session for
    // another account ends first.
    std::string host = endpoints.federation_url;
    if (size_t slash = host.find('/', host.find("://") + 3); slash != std::string::npos) host.resize(slash);
    url = host + "/oauth?Action=logout&redirect_uri=" + uri_encode(url);
  }
  if (input.to_stdout || context.settings().print_url) {
    context.out(url + "\n");
    return {};
  }
  bool isolated = input.browser_profile;
  if (auto it = profile->raw.find("browser_profile");
      it != profile->raw.end() && to_lower(it->second) == "isolated") {
    isolated = true;
  }
  std::vector<std::string> argv;
  if (isolated) {
    auto command = isolated_browser(env, profile->name, url);
    if (!command) return command.error();
    argv = *command;
  } else {
    argv = default_browser(env, url);
  }
  log_note("opening the console for '" + profile->name + "' with " + argv[0]);
  return launch(argv, env);
}

}  // namespace kura
