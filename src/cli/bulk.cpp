// Profiles in bulk: selection, grouping by shared MFA session, and credentials obtained on a bounded pool.
#include "cli/bulk.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "aws/endpoints.h"
#include "crypto/sodium.h"
#include "keyring/serialized.h"
#include "util/parallel.h"

namespace kura {

namespace {

// The terminal, shared by threads: one question at a time.
class SerializedPrompt final : public Prompt {
 public:
  explicit SerializedPrompt(Prompt& inner) : m_inner(inner) {}
  Result<std::string> ask_line(std::string_view question) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.ask_line(question);
  }
  Result<Secret> ask_secret(std::string_view question) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.ask_secret(question);
  }
  std::mutex& mutex() { return m_mutex; }

 private:
  Prompt& m_inner;
  std::mutex m_mutex;
};

struct Job {
  std::string name;
  std::optional<Profile> profile;
  std::optional<ProviderOptions> options;
  std::string region;
  // The cache id of the MFA session its chain starts with, or the IAM Identity Center session (`sso`).
  std::optional<std::string> group;
  std::optional<SsoProfileConfig> sso;
  std::string sso_profile;  // the profile naming it (its settings pick the endpoints)
  std::unique_ptr<HttpTransport> transport;
  BulkCredentials outcome;
};

// What an SSO group shares is the session's token: a leader that failed with a working token in the cache
// failed on its own role (not assigned to the user, say), which is no reason to fail the others.
bool signed_in_anyway(Context& context, const Job& leader) {
  if (!leader.sso) return false;
  auto tokens = context.sso_tokens(leader.sso->session, leader.sso_profile);
  return tokens && (*tokens)->holds_token();
}

}  // namespace

void bind_bulk_flags(FlagSet& flags, BulkFlags& input, bool profiles_positional) {
  if (profiles_positional) {
    flags.positionals("PROFILE", &input.profiles, "profile names and globs ('prod-*'), in the config");
  }
  flags.option("--parallel,-j", "N", &input.parallel, "profiles worked on at once (default 8)");
  flags.option("--duration,-d", "D", &input.duration, "session duration, e.g. 1h, 45m, 3600");
  flags.option("--mfa-token,-t", "CODE", &input.mfa_token, "the MFA code, instead of asking on the terminal");
  flags.option("--region", "R", &input.region, "region for STS and for the credentials' environment");
}

Result<size_t> parallelism(const std::optional<std::string>& flag) {
  if (!flag) return k_default_parallel;
  size_t value = 0;
  bool digits = !flag->empty() && flag->size() <= 3;
  for (char c : *flag) {
    if (c < '0' || c > '9') digits = false;
    if (digits) value = value * 10 + static_cast<size_t>(c - '0');
  }
  if (!digits || value < 1 || value > k_max_parallel) {
    return make_error("--parallel: '" + *flag + "' is not a number from 1 to " +
                      std::to_string(k_max_parallel));
  }
  return value;
}

bool is_glob(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

Result<std::vector<std::string>> select_profiles(const std::vector<std::string>& all,
                                                 const std::vector<std::string>& patterns) {
  std::vector<std::string> chosen;
  std::set<std::string> seen;
  auto take = [&](const std::string& name) {
    if (seen.insert(name).second) chosen.push_back(name);
  };
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) return make_error("an empty profile name");
    if (!is_glob(pattern)) {
      take(pattern);
      continue;
    }
    std::vector<std::string> matched;
    for (const std::string& name : all) {
      if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) matched.push_back(name);
    }
    if (matched.empty()) {
      return make_error("no profile matches '" + pattern + "'", "`kura list --profiles` shows the profiles");
    }
    std::sort(matched.begin(), matched.end());
    for (const std::string& name : matched) take(name);
  }
  if (chosen.empty()) return make_error("no profile given", "name profiles or globs, e.g. 'prod-*'");
  return chosen;
}

Result<std::vector<std::string>> bulk_profiles(Context& context, const BulkFlags& flags) {
  context.parse_config_fully();
  auto files = context.files();
  if (!files) return files.error();
  auto names = (*files)->read_profile_names();
  if (!names) return names.error();
  return select_profiles(*names, flags.profiles);
}

std::vector<BulkCredentials> credentials_for_all(Context& context, const std::vector<std::string>& names,
                                                 const BulkFlags& flags, size_t parallel) {
  std::vector<Job> jobs(names.size());
  auto fail_all = [&](const Error& error) {
    std::vector<BulkCredentials> out;
    out.reserve(names.size());
    for (const std::string& name : names) out.push_back({name, std::nullopt, error, {}});
    return out;
  };
  context.parse_config_fully();
  auto files = context.files();
  if (!files) return fail_all(files.error());
  auto opened = context.keystore();
  if (!opened) return fail_all(opened.error());
  SerializedKeystore keystore(**opened);
  SerializedPrompt prompt(context.deps().prompt);
  SessionLocks& locks = context.session_locks();
  SessionLocks& sign_in_locks = context.sign_in_locks();  // made here, before the threads

  // Everything that reads the config or makes a transport happens here, on this thread.
  std::vector<std::string> groups;  // in order of first appearance
  std::map<std::string, size_t> leaders;
  for (size_t i = 0; i < names.size(); ++i) {
    Job& job = jobs[i];
    job.name = names[i];
    job.outcome.name = names[i];
    auto profile = context.profile(names[i]);
    if (!profile) {
      job.outcome.error = profile.error();
      continue;
    }
    CredentialFlags one{names[i], flags.duration, false, std::nullopt, flags.region};
    auto options = provider_options(context, one, *profile);
    if (!options) {
      job.outcome.error = options.error();
      continue;
    }
    auto plan = plan_for(*profile, **files, options->plan, &keystore);
    if (!plan) {
      job.outcome.error = plan.error().context("profile '" + names[i] + "'");
      continue;
    }
    for (const Step& step : plan->steps) {
      // A group's leader runs first, alone: it asks for the MFA code, or signs in to IAM Identity Center,
      // once for all of them.
      if (step.mfa_serial) {
        job.group = step.cache_id;
        break;
      }
      if (step.kind == StepKind::sso_role) {
        job.group = "sso\x1f" + step.sso->session.cache_key();
        job.sso = step.sso;
        job.sso_profile = step.profile;
        break;
      }
    }
    if (job.group && !leaders.count(*job.group)) {
      leaders[*job.group] = i;
      groups.push_back(*job.group);
    }
    // A code from a driver (mfa_process, ykman) is asked for one at a time, as the terminal is.
    if (options->mfa_driver.source) {
      auto source = options->mfa_driver.source;
      std::mutex* mutex = &prompt.mutex();
      options->mfa_driver.source = [source, mutex](const std::string& serial) {
        std::lock_guard<std::mutex> lock(*mutex);
        return source(serial);
      };
    }
    job.region = resolve_region(flags.region, *profile, context.env());
    job.transport = context.new_transport(*profile);
    job.profile = std::move(*profile);
    job.options = std::move(*options);
  }

  auto run = [&](Job& job) {
    auto started = std::chrono::steady_clock::now();
    RetryingTransport retrying(*job.transport, context.deps().clock);
    StsClient sts(retrying, context.deps().clock,
                  resolve_sts_endpoint(job.region, *job.profile, context.env()));
    ProviderDeps deps{keystore,
                      prompt,
                      context.deps().clock,
                      **files,
                      [&sts]() -> Result<StsClient*> { return &sts; },
                      &locks,
                      [&context](const SsoProfileConfig& sso, const std::string& for_profile) {
                        return context.sso_tokens(sso.session, for_profile);
                      },
                      context.command_output(),
                      &sign_in_locks};
    auto obtained = obtain_credentials(*job.profile, deps, *job.options);
    if (obtained) {
      job.outcome.credentials = ProfileCredentials{*job.profile, job.region, std::move(*obtained)};
    } else {
      job.outcome.error = obtained.error();
    }
    job.outcome.took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  };

  // One of each MFA group first, one after another: each asks for its code once and caches the session the
  // rest of its group starts from. --mfa-token is the first one's code (STS takes a code once).
  bool token_used = false;
  for (const std::string& group : groups) {
    Job& leader = jobs[leaders[group]];
    if (!token_used && flags.mfa_token) {
      leader.options->mfa_token = flags.mfa_token;
      token_used = true;
    }
    run(leader);
    if (leader.outcome.error && !signed_in_anyway(context, leader)) {
      // Its group would ask again for each profile; they share its failure instead.
      const std::string shared = leader.sso ? "the IAM Identity Center sign-in" : "the MFA session";
      for (Job& job : jobs) {
        if (&job != &leader && job.group == group && !job.outcome.error) {
          job.outcome.error =
              Error(*leader.outcome.error).context(shared + " it shares with '" + leader.name + "'");
        }
      }
    }
  }
  std::vector<Job*> rest;
  for (size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    bool leader = job.group && leaders[*job.group] == i;
    if (!leader && !job.outcome.error) rest.push_back(&job);
  }
  (void)sodium_ready();  // before threads that may use crypto/ (crypto/sodium.h)
  run_parallel(rest.size(), parallel, [&](size_t i) { run(*rest[i]); });

  std::vector<BulkCredentials> out;
  out.reserve(jobs.size());
  for (Job& job : jobs) out.push_back(std::move(job.outcome));
  return out;
}

}  // namespace kura
