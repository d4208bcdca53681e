// The resolver. The table of profile shapes and the calls they make is in docs/SESSIONS.md.
#include "creds/plan.h"

#include <set>

#include "crypto/hash.h"

namespace kura {

std::string Step::describe() const {
  std::string text = kind == StepKind::get_session_token ? "GetSessionToken" : "AssumeRole " + role_arn;
  if (mfa_serial) text += " with MFA";
  return text;
}

namespace {

std::string step_identity(const Step& step) {
  std::string text = step.kind == StepKind::get_session_token ? "gst" : "ar";
  for (const std::string* part : {&step.profile, &step.role_arn}) text += "\x1f" + *part;
  text += "\x1f" + step.mfa_serial.value_or("") + "\x1f" + step.external_id.value_or("") + "\x1f" +
          step.session_name.value_or("") + "\x1f" + step.source_identity.value_or("");
  for (const auto& tag : step.tags) text += "\x1ft:" + tag.key + "=" + tag.value;
  for (const auto& key : step.transitive_tag_keys) text += "\x1ftt:" + key;
  return text;
}

Step role_step(const Profile& profile, Seconds duration, bool requested, const PlanOptions& options) {
  Step step;
  step.kind = StepKind::assume_role;
  step.profile = profile.name;
  step.role_arn = *profile.role_arn;
  step.external_id = profile.external_id;
  step.session_name = options.role_session_name ? options.role_session_name : profile.role_session_name;
  step.source_identity = profile.source_identity;
  step.tags = profile.session_tags;
  step.transitive_tag_keys = profile.transitive_tag_keys;
  step.duration = duration;
  step.duration_requested = requested;
  return step;
}

}  // namespace

Result<Plan> make_plan(const Profile& profile, const PlanOptions& options,
                       const std::function<bool(const std::string&)>& has_key,
                       const std::function<std::string(const std::string&)>& key_id) {
  // Roles to assume, outermost (the requested profile) first, then walk to the base.
  std::vector<const Profile*> roles;
  const Profile* current = &profile;
  while (current->source) {
    roles.push_back(current);
    current = current->source.get();
  }
  const Profile& base = *current;
  if (base.role_arn) roles.push_back(&base);  // a role that sources itself, or a role with its own key
  if (!has_key(base.name) && !base.in_files) {
    return make_error("profile '" + base.name + "' is not in the AWS config files and has no stored key",
                      "check the name (`kura list`), or store a key with `kura add " + base.name + "`");
  }
  if (!has_key(base.name)) {
    std::string chain = profile.name == base.name ? "" : " (the source of '" + profile.name + "')";
    return make_error("no credentials for profile '" + base.name + "'" + chain,
                      "store its access key with `kura add " + base.name + "`");
  }
  std::vector<const Profile*> order(roles.rbegin(), roles.rend());  // assume order: innermost first

  Plan plan;
  plan.base_profile = base.name;
  // A user profile's session: --duration, else AWS_SESSION_TOKEN_TTL, else its duration_seconds. (A role's
  // duration is per role, below.)
  const std::optional<Seconds> user_duration =
      options.duration ? options.duration
                       : (options.session_token_ttl ? options.session_token_ttl : profile.duration);
  const Seconds requested = user_duration.value_or(Seconds(0));
  const bool duration_requested = requested.count() > 0;

  if (order.empty()) {
    if (!options.no_session) {
      Step step;
      step.kind = StepKind::get_session_token;
      step.profile = base.name;
      step.mfa_serial = base.mfa_serial;
      step.duration = duration_requested ? requested : k_default_session_duration;
      step.duration_requested = duration_requested;
      plan.steps.push_back(step);
    }
  } else {
    std::set<std::string> satisfied;  // MFA devices already proven in this chain
    const Profile& first = *order.front();
    std::optional<std::string> first_mfa = first.mfa_serial ? first.mfa_serial : base.mfa_serial;
    auto role_duration = [&](size_t i) {
      if (i + 1 == order.size() && options.duration) return std::make_pair(*options.duration, true);
      if (options.assume_role_ttl) {
        // A default for every role, as aws-vault has it: capped, not refused, where roles are chained.
        const Seconds ttl =
            i > 0 ? std::min(*options.assume_role_ttl, k_role_chaining_limit) : *options.assume_role_ttl;
        return std::make_pair(ttl, true);
      }
      if (order[i]->duration) return std::make_pair(*order[i]->duration, true);
      return std::make_pair(k_default_role_duration, false);
    };
    // A cached MFA session feeds the roles unless the first role wants more than role chaining allows.
    const bool use_session_token =
        !options.no_session && first_mfa && role_duration(0).first <= k_role_chaining_limit;
    if (use_session_token) {
      Step session;
      session.kind = StepKind::get_session_token;
      session.profile = base.name;
      session.mfa_serial = first_mfa;
      session.duration = options.chained_session_token_ttl.value_or(k_default_chained_session_duration);
      session.duration_requested = options.chained_session_token_ttl.has_value();
      plan.steps.push_back(session);
      satisfied.insert(*first_mfa);
    }
    for (size_t i = 0; i < order.size(); ++i) {
      auto [duration, requested_here] = role_duration(i);
      // A role assumed with another role's credentials is role chaining: STS caps it at 1h and rejects more
      // only after the MFA code has been spent. Refused here, before any prompt.
      if (i > 0 && duration > k_role_chaining_limit) {
        const bool from_flag = i + 1 == order.size() && options.duration;
        return make_error("profile '" + order[i]->name + "' is assumed with the credentials of role '" +
                              order[i - 1]->name + "' (role chaining), which STS limits to 1h; " +
                              (from_flag ? "--duration" : "its duration_seconds") + " asks for " +
                              format_duration(duration),
                          from_flag
                              ? "use --duration 1h or less"
                              : "set duration_seconds = 3600 or less in profile '" + order[i]->name + "'");
      }
      Step step = role_step(*order[i], duration, requested_here, options);
      std::optional<std::string> mfa = i == 0 ? first_mfa : order[i]->mfa_serial;
      if (mfa && !satisfied.count(*mfa)) {
        step.mfa_serial = mfa;
        satisfied.insert(*mfa);
      }
      plan.steps.push_back(step);
    }
  }

  std::string chain = "base\x1f" + base.name + "\x1f" + key_id(base.name);
  for (Step& step : plan.steps) {
    chain += "\x1e" + step_identity(step);
    step.cache_id = sha256_hex(chain).substr(0, 32);
  }
  return plan;
}

}  // namespace kura
