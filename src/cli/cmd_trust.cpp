// kura trust: the trust policies of many roles at once. Everything that can be refused is refused before any
// call (the policy file, the principals, the flags); credentials for every profile come first (one MFA code);
// the roles are read concurrently; changes are shown as diffs, confirmed once, backed up, applied, and read
// back; one failing account never stops the others, and a summary ends it.
#include <nlohmann/json.hpp>

#include <mutex>

#include "aws/iam.h"
#include "cli/commands.h"
#include "crypto/sodium.h"
#include "trust/policy.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/parallel.h"
#include "util/strings.h"

namespace kura {

namespace {

enum class Action { show, diff, apply, add, remove };

Result<Action> action_of(const std::string& name) {
  if (name == "show") return Action::show;
  if (name == "diff") return Action::diff;
  if (name == "apply") return Action::apply;
  if (name == "add") return Action::add;
  if (name == "remove") return Action::remove;
  std::vector<std::string> known{"show", "diff", "apply", "add", "remove"};
  auto suggestion = closest_match(name, known);
  return make_error(
      "unknown trust action '" + name + "'" + (suggestion ? "; did you mean '" + *suggestion + "'?" : ""),
      "kura trust show|diff|apply|add|remove PROFILE...");
}

// One profile's role, as it goes through the steps.
struct Target {
  std::string profile;
  std::string role_name;
  std::optional<ProfileCredentials> credentials;
  std::unique_ptr<HttpTransport> transport;
  std::optional<IamEndpoint> endpoint;
  std::optional<Policy> current;
  std::optional<Policy> desired;
  std::string diff;
  std::string outcome;             // for the summary
  std::vector<std::string> notes;  // said before the summary
  std::optional<Error> error;
  bool changed = false;
};

void fail(Target& target, Error error) {
  if (!target.error) target.error = std::move(error);
}

std::string state_directory(const Environment& env) {
  if (auto state = env.get("XDG_STATE_HOME"); state && !state->empty()) return *state + "/kura/trust";
  return env.home() + "/.local/state/kura/trust";
}

// Whether the person at the terminal agrees; without a terminal, --yes is the only way.
Result<bool> confirm(Context& context, const std::string& question) {
  auto answer = context.deps().prompt.ask_line(question + " [y/N] ");
  if (!answer) {
    Error error = answer.error().context("cannot ask for confirmation");
    error.hint = "pass --yes to confirm without a terminal";
    return error;
  }
  std::string reply = to_lower(std::string(trim(*answer)));
  return reply == "y" || reply == "yes";
}

}  // namespace

void bind_trust(FlagSet& flags, TrustInput& input) {
  flags.positional("ACTION", &input.action, "show, diff, apply, add or remove");
  bind_bulk_flags(flags, input.bulk);
  flags.option("--role-name", "NAME", &input.role_name,
               "this role in each profile's account, instead of the profile's role_arn");
  flags.option("--format", "F", &input.format, "show: text or json (one object keyed by profile)");
  flags.choices("--format", {"text", "json"});
  flags.option("--policy", "FILE", &input.policy, "diff, apply: the trust policy document (JSON)");
  flags.repeated("--principal", "ARN", &input.principals,
                 "add, remove: an AWS principal (account id, or root/user/role ARN); repeat for more");
  flags.flag("--dry-run", &input.dry_run, "apply, add, remove: show what would change, change nothing");
  flags.flag("--yes,-y", &input.yes, "apply, add, remove: do not ask before updating");
}

Result<void> run_trust(Context& context, const TrustInput& input) {
  auto action = action_of(input.action);
  if (!action) return action.error();
  const bool edits = *action == Action::add || *action == Action::remove;
  const bool writes = *action == Action::apply || edits;
  if (*action == Action::diff) context.set_error_exit_code(2);  // as diff(1): 0 same, 1 different, 2 trouble

  // Refused before any call.
  if ((*action == Action::diff || *action == Action::apply) != input.policy.has_value()) {
    return make_error(input.policy ? "--policy is for diff and apply" : "--policy FILE is required");
  }
  if (edits == input.principals.empty()) {
    return make_error(edits ? "--principal ARN is required" : "--principal is for add and remove");
  }
  if (!writes && (input.dry_run || input.yes))
    return make_error("--dry-run and --yes are for apply, add and remove");
  if (*action != Action::show && input.format != "text") return make_error("--format is for show");
  if (input.bulk.profiles.empty())
    return make_error("no profile given", "name profiles or globs, e.g. 'prod-*'");
  std::optional<Policy> wanted;
  if (input.policy) {
    auto text = read_file(*input.policy);
    if (!text) return text.error();
    if (!*text) return make_error(*input.policy + ": no such file");
    auto parsed = parse_policy(**text, *input.policy);
    if (!parsed) return parsed.error();
    wanted = std::move(*parsed);
  }
  for (const std::string& principal : input.principals) {
    if (auto checked = check_principal(principal); !checked) return checked.error().context("--principal");
  }
  auto parallel = parallelism(input.bulk.parallel);
  if (!parallel) return parallel.error();
  auto names = bulk_profiles(context, input.bulk);
  if (!names) return names.error();
  auto files = context.files();
  if (!files) return files.error();

  // Which role of each profile.
  std::vector<Target> targets(names->size());
  std::vector<std::string> with_role;
  std::vector<size_t> slot;
  for (size_t i = 0; i < names->size(); ++i) {
    Target& target = targets[i];
    target.profile = (*names)[i];
    if (input.role_name) {
      target.role_name = *input.role_name;
    } else {
      auto profile = context.profile(target.profile);
      if (!profile) {
        fail(target, profile.error());
      } else if (!profile->role_arn) {
        fail(target, make_error("profile '" + target.profile + "' has no role_arn",
                                "give --role-name NAME for a role in its account"));
      } else if (auto arn = parse_role_arn(*profile->role_arn); !arn) {
        fail(target, arn.error().context("profile '" + target.profile + "'"));
      } else {
        target.role_name = arn->role_name;
      }
    }
    if (!target.error) {
      with_role.push_back(target.profile);
      slot.push_back(i);
    }
  }

  // Credentials for all of them, before any work.
  std::vector<BulkCredentials> obtained = credentials_for_all(context, with_role, input.bulk, *parallel);
  for (size_t k = 0; k < obtained.size(); ++k) {
    Target& target = targets[slot[k]];
    if (obtained[k].error) {
      fail(target, *obtained[k].error);
      continue;
    }
    target.credentials = std::move(obtained[k].credentials);
    auto endpoint =
        resolve_iam_endpoint(target.credentials->region, target.credentials->profile, *files, context.env());
    if (!endpoint) {
      fail(target, endpoint.error());
      continue;
    }
    target.endpoint = std::move(*endpoint);
    target.transport = context.new_transport(target.credentials->profile);
  }

  auto for_each_ready = [&](const std::function<void(Target&, IamClient&)>& work) {
    std::vector<Target*> ready;
    for (Target& target : targets) {
      if (!target.error) ready.push_back(&target);
    }
    (void)sodium_ready();  // before threads that may use crypto/ (crypto/sodium.h)
    run_parallel(ready.size(), *parallel, [&](size_t i) {
      Target& target = *ready[i];
      RetryingTransport retrying(*target.transport, context.deps().clock);
      IamClient iam(retrying, context.deps().clock, *target.endpoint);
      work(target, iam);
    });
  };

  // The roles as they are now.
  for_each_ready([&](Target& target, IamClient& iam) {
    auto role = iam.get_role(target.credentials->obtained.credentials, target.role_name);
    if (!role) return fail(target, role.error().context("profile '" + target.profile + "'"));
    auto policy = parse_policy(role->assume_role_policy_document, target.profile + " (" + role->arn + ")");
    if (!policy) return fail(target, policy.error());
    target.current = std::move(*policy);
    if (wanted) {
      target.desired = *wanted;
    } else if (edits) {
      Policy edited = *target.current;
      auto change = *action == Action::add ? add_principals(edited, input.principals)
                                           : remove_principals(edited, input.principals);
      if (!change) return fail(target, change.error());  // the policy's source names the profile
      for (const std::string& principal : change->unchanged) {
        target.notes.push_back(principal +
                               (*action == Action::add ? " is already trusted" : " was not trusted"));
      }
      target.desired = std::move(edited);
    }
    if (target.desired) {
      target.diff = semantic_diff(*target.current, *target.desired, target.profile + " (current)",
                                  input.policy ? *input.policy : target.profile + " (wanted)");
      target.changed = !target.diff.empty();
      // IAM counts the policy without whitespace: 2,048 characters unless the account's quota was raised,
      // 4,096 at most.
      const size_t length = compact(*target.desired).size();
      if (target.changed && length > k_trust_policy_quota_limit) {
        return fail(target, make_error("profile '" + target.profile + "': the new trust policy is " +
                                           std::to_string(length) + " characters; IAM accepts at most " +
                                           std::to_string(k_trust_policy_quota_limit),
                                       "trust whole accounts (their root) instead of many single users"));
      }
      if (target.changed && length > k_trust_policy_default_limit) {
        target.notes.push_back("the new policy is " + std::to_string(length) +
                               " characters: more than IAM's default limit of 2048 (fine if the account's "
                               "quota was raised)");
      }
    }
  });

  size_t failed = 0, differing = 0;
  for (Target& target : targets) {
    if (target.error) ++failed;
    if (target.changed) ++differing;
  }

  if (*action == Action::show) {
    if (input.format == "json") {
      nlohmann::json all = nlohmann::json::object();
      for (Target& target : targets) {
        if (target.current) all[target.profile] = nlohmann::json::parse(compact(*target.current));
      }
      context.out(all.dump(2) + "\n");
    } else {
      for (Target& target : targets) {
        if (target.current) context.out("# " + target.profile + "\n" + pretty(*target.current));
      }
    }
  } else {
    for (Target& target : targets) context.out(target.diff);
  }

  std::string backups;
  if (writes && differing > 0 && !input.dry_run) {
    bool go = input.yes;
    if (!go) {
      auto agreed = confirm(context, "update the trust policy of " + std::to_string(differing) + " role(s)?");
      if (!agreed) return agreed.error();
      go = *agreed;
    }
    if (!go) {
      log_note("nothing changed");
      for (Target& target : targets) {
        if (target.changed) target.outcome = "not updated (declined)";
      }
      differing = 0;
    } else {
      // The policies as they were, to put back by hand if needed.
      backups = state_directory(context.env()) + "/" + format_amz_date(context.deps().clock.now());
      if (auto made = make_directories(backups, 0700); !made) return made.error().context("backups");
      for (Target& target : targets) {
        if (!target.changed) continue;
        if (auto saved =
                write_file_atomic(backups + "/" + target.profile + ".json", pretty(*target.current), 0600);
            !saved) {
          return saved.error().context("backing up the trust policy of '" + target.profile + "'");
        }
      }
      for_each_ready([&](Target& target, IamClient& iam) {
        if (!target.changed) return;
        const Credentials& caller = target.credentials->obtained.credentials;
        auto updated = iam.update_assume_role_policy(caller, target.role_name, compact(*target.desired));
        if (!updated) return fail(target, updated.error().context("profile '" + target.profile + "'"));
        // Read back: what IAM now holds must mean what was asked for.
        auto role = iam.get_role(caller, target.role_name);
        if (!role)
          return fail(target, role.error().context("profile '" + target.profile + "': reading back"));
        auto now = parse_policy(role->assume_role_policy_document, target.profile);
        if (!now || !equivalent(*now, *target.desired)) {
          return fail(target, make_error("profile '" + target.profile +
                                         "': the role's trust policy read back differs from the one sent"));
        }
        target.outcome = "updated";
      });
    }
  }

  // The summary: every profile, in the order asked.
  size_t width = 7;
  for (const Target& target : targets) width = std::max(width, target.profile.size());
  std::string summary = "\nprofile" + std::string(width - 7, ' ') + "  result\n";
  failed = 0;
  for (Target& target : targets) {
    for (const std::string& note : target.notes) log_note(target.profile + ": " + note);
    if (target.error) {
      ++failed;
      log_error(*target.error);
      target.outcome = "failed: " + target.error->message;
    } else if (target.outcome.empty()) {
      if (*action == Action::show) {
        target.outcome = "shown";
      } else if (*action == Action::diff) {
        target.outcome = target.changed ? "differs" : "matches";
      } else {
        target.outcome = target.changed ? "would update (dry run)" : "unchanged";
      }
    }
    summary += target.profile + std::string(width - target.profile.size(), ' ') + "  " +
               printable(target.outcome, 200) + "\n";
  }
  std::fwrite(summary.data(), 1, summary.size(), stderr);
  if (!backups.empty()) {
    log_note("previous trust policies saved in " + backups + "; to put one back: kura trust apply --policy " +
             backups + "/PROFILE.json PROFILE");
  }
  if (failed > 0) {
    return make_error(std::to_string(failed) + " of " + std::to_string(targets.size()) +
                      " profile(s) failed");
  }
  if (*action == Action::diff && differing > 0) context.set_exit_code(1);
  return {};
}

}  // namespace kura
