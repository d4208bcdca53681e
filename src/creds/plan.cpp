// The resolver. The table of profile shapes and the calls they make is in docs/SESSIONS.md.
#include "creds/plan.h"

#include <set>

#include "crypto/hash.h"

namespace kura {

std::string Step::describe() const {
  std::string text;
  switch (kind) {
    case StepKind::get_session_token:
      text = "GetSessionToken";
      break;
    case StepKind::assume_role:
      text = "AssumeRole " + role_arn;
      break;
    case StepKind::sso_role:
      text = "SSO " + sso->role_name + " in " + sso->account_id;
      break;
    case StepKind::web_identity:
      text = "AssumeRoleWithWebIdentity " + role_arn;
      break;
    case StepKind::credential_process:
      text = "credential_process";
      break;
  }
  if (mfa_serial) text += " with MFA";
  return text;
}

namespace {

std::string step_identity(const Step& step) {
  static constexpr const char* k_names[] = {"gst", "ar", "sso", "wi", "cp"};
  std::string text = k_names[static_cast<int>(step.kind)];
  for (const std::string* part : {&step.profile, &step.role_arn}) text += "\x1f" + *part;
  if (step.sso) {
    text += "\x1f" + step.sso->session.name + "\x1f" + step.sso->session.start_url + "\x1f" +
            step.sso->session.region + "\x1f" + step.sso->account_id + "\x1f" + step.sso->role_name;
  }
  text += "\x1f" + step.web_identity_token_file.value_or("") + "\x1f" +
          step.web_identity_token_process.value_or("") + "\x1f" + step.credential_process;
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

std::optional<std::string> raw_value(const Profile& profile, const char* key) {
  auto it = profile.raw.find(key);
  if (it == profile.raw.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

// The first step of a chain that starts without a long-term key, if the base profile is such a one.
Result<std::optional<Step>> external_base(const Profile& base, const PlanOptions& options,
                                          const SsoSettingsOf& sso_of,
                                          const std::function<bool(const std::string&)>& stored_key) {
  Step step;
  step.profile = base.name;
  auto token_file = raw_value(base, "web_identity_token_file");
  auto token_process = raw_value(base, "web_identity_token_process");
  if (base.role_arn && (token_file || token_process)) {
    step = role_step(base, k_default_role_duration, false, options);
    step.kind = StepKind::web_identity;
    step.web_identity_token_file = token_file;
    step.web_identity_token_process = token_process;
    if (options.assume_role_ttl) {
      step.duration = *options.assume_role_ttl;
      step.duration_requested = true;
    } else if (base.duration) {
      step.duration = *base.duration;
      step.duration_requested = true;
    }
    return std::optional<Step>(std::move(step));
  }
  if (sso_of) {
    auto sso = sso_of(base);
    if (!sso) return sso.error();
    if (*sso) {
      step.kind = StepKind::sso_role;
      step.sso = std::move(**sso);
      return std::optional<Step>(std::move(step));
    }
  }
  if (base.static_access_key_id) return std::optional<Step>();
  if (auto command = raw_value(base, "credential_process");
      command && !(stored_key && stored_key(base.name))) {
    step.kind = StepKind::credential_process;
    step.credential_process = *command;
    return std::optional<Step>(std::move(step));
  }
  return std::optional<Step>();
}

}  // namespace

Result<Plan> make_plan(const Profile& profile, const PlanOptions& options,
                       const std::function<bool(const std::string&)>& has_key,
                       const std::function<std::string(const std::string&)>& key_id,
                       const SsoSettingsOf& sso_of,
                       const std::function<bool(const std::string&)>& stored_key) {
  // Roles to assume, outermost (the requested profile) first, then walk to the base.
  std::vector<const Profile*> roles;
  const Profile* current = &profile;
  while (current->source) {
    roles.push_back(current);
    current = current->source.get();
  }
  const Profile& base = *current;
  auto external = external_base(base, options, sso_of, stored_key);
  if (!external) return external.error();
  // A role that sources itself, or a role with its own key (a web identity's role is its first step).
  if (base.role_arn && !(*external && (*external)->kind == StepKind::web_identity)) roles.push_back(&base);
  if (!*external && !has_key(base.name) && !base.in_files) {
    return make_error("profile '" + base.name + "' is not in the AWS config files and has no stored key",
                      "check the name (`kura list`), or store a key with `kura add " + base.name + "`");
  }
  if (!*external && !has_key(base.name)) {
    std::string chain = profile.name == base.name ? "" : " (the source of '" + profile.name + "')";
    return make_error("no credentials for profile '" + base.name + "'" + chain,
                      "store its access key with `kura add " + base.name + "`");
  }
  std::vector<const Profile*> order(roles.rbegin(), roles.rend());  // assume order: innermost first

  Plan plan;
  plan.base_profile = base.name;
  // Role credentials from SSO or a web identity make every AssumeRole after them role chaining.
  const bool role_base =
      *external && ((*external)->kind == StepKind::sso_role || (*external)->kind == StepKind::web_identity);
  if (*external) {
    plan.long_term_key = false;
    plan.steps.push_back(std::move(**external));
  }
  // A user profile's session: --duration, else AWS_SESSION_TOKEN_TTL, else its duration_seconds. (A role's
  // duration is per role, below.)
  const std::optional<Seconds> user_duration =
      options.duration ? options.duration
                       : (options.session_token_ttl ? options.session_token_ttl : profile.duration);
  const Seconds requested = user_duration.value_or(Seconds(0));
  const bool duration_requested = requested.count() > 0;

  if (order.empty()) {
    if (!options.no_session && plan.long_term_key) {
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
    std::optional<std::string> first_mfa =
        first.mfa_serial ? first.mfa_serial : (plan.long_term_key ? base.mfa_serial : std::nullopt);
    auto role_duration = [&](size_t i) {
      if (i + 1 == order.size() && options.duration) return std::make_pair(*options.duration, true);
      if (options.assume_role_ttl) {
        // A default for every role, as aws-vault has it: capped, not refused, where roles are chained.
        const Seconds ttl = i > 0 || role_base ? std::min(*options.assume_role_ttl, k_role_chaining_limit)
                                               : *options.assume_role_ttl;
        return std::make_pair(ttl, true);
      }
      if (order[i]->duration) return std::make_pair(*order[i]->duration, true);
      return std::make_pair(k_default_role_duration, false);
    };
    // A cached MFA session feeds the roles unless the first role wants more than role chaining allows.
    const bool use_session_token = !options.no_session && plan.long_term_key && first_mfa &&
                                   role_duration(0).first <= k_role_chaining_limit;
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
      if ((i > 0 || role_base) && duration > k_role_chaining_limit) {
        const bool from_flag = i + 1 == order.size() && options.duration;
        const std::string previous = i > 0 ? order[i - 1]->name : base.name;
        return make_error("profile '" + order[i]->name + "' is assumed with the credentials of role '" +
                              previous + "' (role chaining), which STS limits to 1h; " +
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

  std::string chain = "base\x1f" + base.name + "\x1f" + (plan.long_term_key ? key_id(base.name) : "");
  for (Step& step : plan.steps) {
    chain += "\x1e" + step_identity(step);
    step.cache_id = sha256_hex(chain).substr(0, 32);
  }
  return plan;
}

}  // namespace kura
