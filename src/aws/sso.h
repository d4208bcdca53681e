// IAM Identity Center (SSO) as the AWS CLI and SDKs configure it: a profile's SSO settings ([sso-session
// NAME] sections, or the legacy keys in the profile), the OIDC and portal endpoints, and the token cache
// shared with them (~/.aws/sso/cache/<sha1>.json).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/profiles.h"
#include "util/env.h"
#include "util/result.h"
#include "util/secret.h"
#include "util/time.h"

namespace kura {

struct SsoSessionConfig {
  std::string name;  // the [sso-session NAME]; empty for a legacy profile (sso_start_url in the profile)
  std::string start_url;
  std::string region;
  std::vector<std::string> scopes;  // sso_registration_scopes; default sso:account:access
  // What the cache file is named after: the session's name, or a legacy profile's start URL.
  const std::string& cache_key() const { return name.empty() ? start_url : name; }
};

struct SsoProfileConfig {
  SsoSessionConfig session;
  std::string account_id;
  std::string role_name;
};

// The [sso-session NAME] section; `where` ("profile 'x'") prefixes the error when it is missing.
Result<SsoSessionConfig> sso_session_named(const std::string& name, const ConfigFiles& files,
                                           const std::string& where = "");

// The SSO settings of a profile, checked as botocore checks them (the session exists and names its start URL
// and region; a profile's own sso_start_url/sso_region agree with its session's; account and role are both
// given); nullopt for a profile that uses no SSO.
Result<std::optional<SsoProfileConfig>> sso_config_of(const Profile& profile, const ConfigFiles& files);

struct SsoEndpoints {
  std::string oidc;    // https://oidc.REGION.amazonaws.com
  std::string portal;  // https://portal.sso.REGION.amazonaws.com
};

// The partition's endpoints for the SSO region, unless configured: AWS_ENDPOINT_URL_SSO_OIDC /
// AWS_ENDPOINT_URL_SSO, then AWS_ENDPOINT_URL, then the profile's services section (sso_oidc =, sso =),
// then its endpoint_url; none of them with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or
// ignore_configured_endpoint_urls.
Result<SsoEndpoints> resolve_sso_endpoints(const std::string& sso_region, const Profile& profile,
                                           const ConfigFiles* files, const Environment& env);

// An access token with the registration that can refresh it, as the AWS CLI caches it.
struct SsoToken {
  std::string start_url;
  std::string region;
  Secret access_token;
  TimePoint expires_at{};
  std::string client_id;  // the registration, when there is one
  Secret client_secret;
  std::optional<TimePoint> registration_expires_at;
  Secret refresh_token;  // empty: none was issued
};

// ~/.aws/sso/cache/<sha1 of the cache key>.json under $HOME.
std::string sso_cache_path(const Environment& env, const SsoSessionConfig& session);

// The cache file's JSON (untrusted: another program writes it; fuzz_sso_token): startUrl, region,
// accessToken, expiresAt required; clientId, clientSecret, registrationExpiresAt, refreshToken optional.
// Times as ISO 8601 (botocore writes 2026-11-23T20:00:00Z; +00:00 and a UTC suffix are read too). Errors
// name `source`.
Result<SsoToken> parse_sso_token(std::string_view json, const std::string& source);
// The same fields, the AWS CLI's way (times with Z), in a wiping buffer.
Secret render_sso_token(const SsoToken& token);

}  // namespace kura
