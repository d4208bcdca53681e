// SSO configuration, endpoints and the token cache file (sso.h).
#include "aws/sso.h"

#include "aws/endpoints.h"
#include "crypto/hash.h"
#include "util/flat_json.h"
#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

namespace {

std::optional<std::string> value_of(const std::map<std::string, std::string>& values,
                                    const std::string& key) {
  auto it = values.find(key);
  if (it == values.end() || trim(it->second).empty()) return std::nullopt;
  return std::string(trim(it->second));
}

std::vector<std::string> scopes_of(const std::optional<std::string>& text) {
  std::vector<std::string> scopes;
  if (text) {
    for (const std::string& scope : split(*text, ',')) {
      if (!trim(scope).empty()) scopes.emplace_back(trim(scope));
    }
  }
  if (scopes.empty()) scopes.emplace_back("sso:account:access");  // so that a refresh token is issued
  return scopes;
}

// The partition's DNS suffix for an SSO region.
std::string dns_suffix(const std::string& region) {
  return partition_of_region(region) == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

// botocore writes "...Z"; its isoformat() writes "+00:00"; its strftime fallback writes "UTC".
std::optional<TimePoint> cache_time(std::string_view text) {
  std::string normalised(text);
  if (normalised.ends_with("UTC")) normalised.replace(normalised.size() - 3, 3, "Z");
  return parse_iso8601(normalised);
}

}  // namespace

Result<SsoSessionConfig> sso_session_named(const std::string& name, const ConfigFiles& files,
                                           const std::string& where) {
  auto section = files.read_sso_session_section(name);
  if (!section) return section.error();
  if (!*section) {
    return make_error((where.empty() ? std::string() : where + " names ") + "sso_session '" + name +
                          "', which has no [sso-session " + name + "] section",
                      "add the section to " + files.config_path + " (or run `aws configure sso-session`)");
  }
  const auto& values = (*section)->values;
  SsoSessionConfig session;
  session.name = name;
  auto session_url = value_of(values, "sso_start_url");
  auto session_region = value_of(values, "sso_region");
  if (!session_url || !session_region) {
    return make_error("[sso-session " + name + "] needs sso_start_url and sso_region");
  }
  session.start_url = *session_url;
  session.region = *session_region;
  session.scopes = scopes_of(value_of(values, "sso_registration_scopes"));
  return session;
}

Result<std::optional<SsoProfileConfig>> sso_config_of(const Profile& profile, const ConfigFiles& files) {
  const auto session_name = value_of(profile.raw, "sso_session");
  const auto start_url = value_of(profile.raw, "sso_start_url");
  const auto region = value_of(profile.raw, "sso_region");
  const auto account = value_of(profile.raw, "sso_account_id");
  const auto role = value_of(profile.raw, "sso_role_name");
  if (!session_name && !start_url && !account && !role) return std::optional<SsoProfileConfig>();
  const std::string where = "profile '" + profile.name + "'";

  SsoProfileConfig config;
  if (session_name) {
    auto session = sso_session_named(*session_name, files, where);
    if (!session) return session.error();
    const SsoSessionConfig& named = *session;
    // A profile may repeat them, but not differ (botocore refuses it too).
    if ((start_url && *start_url != named.start_url) || (region && *region != named.region)) {
      return make_error(
          where + ": its sso_start_url or sso_region differs from [sso-session " + *session_name + "]",
          "keep them in the sso-session section only");
    }
    config.session = std::move(*session);
  } else {
    if (!start_url || !region) {
      return make_error(where + ": an SSO profile needs sso_session, or sso_start_url and sso_region");
    }
    config.session.start_url = *start_url;
    config.session.region = *region;
    config.session.scopes = scopes_of(std::nullopt);
  }
  if (!account || !role) {
    return make_error(where + ": SSO credentials need both sso_account_id and sso_role_name");
  }
  config.account_id = *account;
  config.role_name = *role;
  return std::optional<SsoProfileConfig>(std::move(config));
}

Result<SsoEndpoints> resolve_sso_endpoints(const std::string& sso_region, const Profile& profile,
                                           const ConfigFiles* files, const Environment& env) {
  SsoEndpoints endpoints;
  const std::string suffix = dns_suffix(sso_region);
  endpoints.oidc = "https://oidc." + sso_region + "." + suffix;
  endpoints.portal = "https://portal.sso." + sso_region + "." + suffix;
  auto oidc = configured_endpoint_url("SSO_OIDC", "sso_oidc", profile, files, env);
  if (!oidc) return oidc.error();
  if (*oidc) endpoints.oidc = **oidc;
  auto portal = configured_endpoint_url("SSO", "sso", profile, files, env);
  if (!portal) return portal.error();
  if (*portal) endpoints.portal = **portal;
  return endpoints;
}

std::string sso_cache_path(const Environment& env, const SsoSessionConfig& session) {
  return env.home() + "/.aws/sso/cache/" + sha1_hex(session.cache_key()) + ".json";
}

Result<SsoToken> parse_sso_token(std::string_view json, const std::string& source) {
  auto parsed = FlatJson::parse(json);
  if (!parsed) return make_error(source + ": not an SSO token cache file (" + parsed.error().message + ")");
  auto text = [&](const char* key) -> std::optional<std::string> {
    const Secret* value = parsed->string(key);
    if (!value) return std::nullopt;
    return std::string(value->view());
  };
  auto secret = [&](const char* key) -> Secret {
    const Secret* value = parsed->string(key);
    return value ? value->clone() : Secret();
  };
  SsoToken token;
  auto start_url = text("startUrl");
  auto region = text("region");
  auto expires = text("expiresAt");
  const Secret* access = parsed->string("accessToken");
  if (!start_url || !region || !expires || !access || access->empty()) {
    return make_error(source + ": an SSO token needs startUrl, region, accessToken and expiresAt");
  }
  token.start_url = *start_url;
  token.region = *region;
  token.access_token = access->clone();
  auto expires_at = cache_time(*expires);
  if (!expires_at) return make_error(source + ": expiresAt '" + printable(*expires) + "' is not a time");
  token.expires_at = *expires_at;
  token.client_id = text("clientId").value_or("");
  token.client_secret = secret("clientSecret");
  token.refresh_token = secret("refreshToken");
  if (auto registration = text("registrationExpiresAt")) {
    token.registration_expires_at = cache_time(*registration);
    if (!token.registration_expires_at) {
      return make_error(source + ": registrationExpiresAt '" + printable(*registration) + "' is not a time");
    }
  }
  return token;
}

Secret render_sso_token(const SsoToken& token) {
  const std::string expires = format_iso8601(token.expires_at);
  const std::string registration =
      token.registration_expires_at ? format_iso8601(*token.registration_expires_at) : std::string();
  return sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("startUrl", token.start_url);
    json.string("region", token.region);
    json.string("accessToken", token.access_token.view());
    json.string("expiresAt", expires);
    if (!token.client_id.empty()) {
      json.string("clientId", token.client_id);
      json.string("clientSecret", token.client_secret.view());
    }
    if (token.registration_expires_at) json.string("registrationExpiresAt", registration);
    if (!token.refresh_token.empty()) json.string("refreshToken", token.refresh_token.view());
    json.close();
  });
}

}  // namespace kura
