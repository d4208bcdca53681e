// The resolver: which STS calls a profile needs, in order, as a pure function of the profile and options.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/sso.h"
#include "config/profiles.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

constexpr Seconds k_role_chaining_limit{3600};
constexpr Seconds k_default_session_duration{3600};              // GetSessionToken for a user profile
constexpr Seconds k_default_chained_session_duration{8 * 3600};  // GetSessionToken that feeds a role
constexpr Seconds k_default_role_duration{3600};

// The first step of a chain whose credentials do not come from a long-term key (sso_role, web_identity,
// credential_process) has no source; every other step uses the credentials of the step before it.
enum class StepKind { get_session_token, assume_role, sso_role, web_identity, credential_process };

struct Step {
  StepKind kind = StepKind::get_session_token;
  std::string profile;                    // the profile this step's settings come from
  std::optional<std::string> mfa_serial;  // prompt for a code and send it with this call
  Seconds duration{3600};
  bool duration_requested = false;  // from --duration or duration_seconds: a shorter cached session won't do
  // AssumeRole only:
  std::string role_arn;
  std::optional<std::string> external_id;
  std::optional<std::string> session_name;
  std::optional<std::string> source_identity;
  std::vector<SessionTag> tags;
  std::vector<std::string> transitive_tag_keys;
  // sso_role: the profile's IAM Identity Center settings.
  std::optional<SsoProfileConfig> sso;
  // web_identity (role_arn, session_name and duration above): where the token comes from.
  std::optional<std::string> web_identity_token_file;
  std::optional<std::string> web_identity_token_process;
  // credential_process: the command line.
  std::string credential_process;
  // Identity of the session this step yields, for the cache: it covers the whole chain up to this step.
  std::string cache_id;
  std::string describe() const;  // "GetSessionToken (mfa)" / "AssumeRole arn:..."
};

struct Plan {
  std::string base_profile;  // the profile whose credentials start the chain
  // Whether the chain starts with the base profile's long-term key (then steps may be empty: the key itself,
  // --no-session on a user profile); false: steps.front() is an sso_role, web_identity or credential_process
  // step.
  bool long_term_key = true;
  std::vector<Step> steps;
};

struct PlanOptions {
  std::optional<Seconds> duration;               // --duration: the credentials asked for
  bool no_session = false;                       // --no-session: never GetSessionToken
  std::optional<std::string> role_session_name;  // AWS_ROLE_SESSION_NAME
  // aws-vault's duration variables, below --duration: GetSessionToken for a user profile
  // (AWS_SESSION_TOKEN_TTL, over its duration_seconds), the MFA session that feeds roles
  // (AWS_CHAINED_SESSION_TOKEN_TTL), and every AssumeRole (AWS_ASSUME_ROLE_TTL, over duration_seconds; capped
  // at 1h where roles are chained, as aws-vault does).
  std::optional<Seconds> session_token_ttl;
  std::optional<Seconds> chained_session_token_ttl;
  std::optional<Seconds> assume_role_ttl;
};

// A profile's IAM Identity Center settings (sso_config_of with the config files), nullopt when it has none.
using SsoSettingsOf = std::function<Result<std::optional<SsoProfileConfig>>(const Profile&)>;

// `has_key(profile)` says whether a long-term key exists for a profile (stored or in the credentials file);
// `key_id(profile)` gives its access key id, which becomes part of every cache id. The base profile (the end
// of the source_profile chain) is, in botocore's order: a web identity (role_arn with web_identity_token_file
// or aws-vault's web_identity_token_process), an SSO profile (`sso_of`), a plaintext key, a
// credential_process unless kura stores a key for the profile (`stored_key`, asked of such a profile only),
// else a stored key. A stored key comes first as in aws-vault, whose documented `[profile home]
// credential_process = aws-vault export --format=json home` would otherwise run kura again for the same
// profile, and that kura wait on the first one's lock.
Result<Plan> make_plan(const Profile& profile, const PlanOptions& options,
                       const std::function<bool(const std::string&)>& has_key,
                       const std::function<std::string(const std::string&)>& key_id,
                       const SsoSettingsOf& sso_of = {},
                       const std::function<bool(const std::string&)>& stored_key = {});

}  // namespace kura
