// The ECS and IMDS endpoint handlers, and the roles the ECS endpoint assumes for /role-arn/<arn>.
#include "server/credential_endpoint.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "aws/render.h"
#include "crypto/sodium.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

std::string new_endpoint_token() {
  return hex_encode(random_bytes(32));
}

namespace {

std::string ecs_json_of(const Credentials& credentials) {
  return std::string(render_credentials(credentials, CredentialFormat::ecs, {}).view());
}

}  // namespace

HttpServerResponse RoleArnAssumer::respond(const std::string& role_arn, const RenewingCredentials& served) {
  if (role_arn.rfind("arn:", 0) != 0 || role_arn.find(":role/") == std::string::npos) {
    return {400, "{\"message\":\"not a role ARN\"}"};
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  auto cached = m_cache.find(role_arn);
  if (cached != m_cache.end() && cached->second.expiration &&
      *cached->second.expiration - m_window > m_clock.now()) {
    return {200, ecs_json_of(cached->second)};
  }
  auto caller = served.current();
  if (!caller) return {500, "{\"message\":\"no credentials yet\"}"};
  auto assumed = m_assume(role_arn, *caller);
  if (!assumed) {
    // The message may quote the ARN, which came percent-decoded from the request: any bytes at all, so
    // invalid UTF-8 is replaced rather than thrown on.
    nlohmann::json error = {{"message", assumed.error().message}};
    return {502, error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  std::string body = ecs_json_of(*assumed);
  // Bounded: expired sessions go first, then (a caller cycling through many roles) the one expiring soonest.
  const TimePoint now = m_clock.now();
  std::erase_if(m_cache, [&](const auto& entry) { return entry.second.expiration <= now; });
  if (m_cache.size() >= k_max_cached_roles && !m_cache.count(role_arn)) {
    auto soonest = std::min_element(m_cache.begin(), m_cache.end(), [](const auto& a, const auto& b) {
      return a.second.expiration < b.second.expiration;
    });
    m_cache.erase(soonest);
  }
  m_cache.insert_or_assign(role_arn, std::move(*assumed));
  return {200, body};
}

HttpServerResponse handle_ecs(const HttpServerRequest& request, const std::string& token, uint16_t port,
                              const RenewingCredentials& credentials, RoleArnAssumer* roles) {
  auto host = request.headers.find("host");
  if (host == request.headers.end() || !host_is_loopback(host->second, port)) {
    return {403, "{\"message\":\"forbidden host\"}"};
  }
  auto authorization = request.headers.find("authorization");
  if (authorization == request.headers.end() || !constant_time_equals(authorization->second, token)) {
    return {403, "{\"message\":\"forbidden\"}"};
  }
  if (request.method != "GET") return {405, "{\"message\":\"method not allowed\"}"};
  const std::string role_prefix = "/role-arn/";
  if (roles && request.path.rfind(role_prefix, 0) == 0) {
    return roles->respond(uri_decode(request.path.substr(role_prefix.size())), credentials);
  }
  if (request.path != "/") return {404, "{\"message\":\"not found\"}"};
  return {200, credentials.ecs_json()};
}

namespace {

constexpr size_t k_imds_mac_bytes = 24;
constexpr std::string_view k_imds_token_label = "kura imds token v1";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case too: tokens are issued in lower case, and only an exact copy is valid
}

}  // namespace

ImdsEndpoint::ImdsEndpoint(const RenewingCredentials& credentials, std::string profile, std::string region,
                           bool allow_v1, const Clock& clock)
    : m_credentials(credentials),
      m_profile(std::move(profile)),
      m_region(std::move(region)),
      m_allow_v1(allow_v1),
      m_clock(clock),
      m_token_key(random_bytes(k_key_bytes)) {}

std::string ImdsEndpoint::token_expiring_at(uint64_t expiry) const {
  std::string expiry_bytes(8, '\0');
  for (size_t i = 0; i < 8; ++i) expiry_bytes[i] = static_cast<char>((expiry >> (56 - 8 * i)) & 0xff);
  std::string mac_input(k_imds_token_label);
  mac_input += expiry_bytes;
  return hex_encode(expiry_bytes) + keyed_hash_hex(m_token_key.view(), mac_input, k_imds_mac_bytes);
}

bool ImdsEndpoint::token_valid(std::string_view token) const {
  if (token.size() != 2 * (8 + k_imds_mac_bytes)) return false;
  uint64_t expiry = 0;
  for (size_t i = 0; i < 16; ++i) {
    int digit = hex_digit(token[i]);
    if (digit < 0) return false;
    expiry = (expiry << 4) | static_cast<uint64_t>(digit);
  }
  // The expiry is not secret; the MAC over it is what a client cannot make.
  if (!constant_time_equals(token_expiring_at(expiry), token)) return false;
  const auto now = std::chrono::duration_cast<Seconds>(m_clock.now().time_since_epoch()).count();
  return now >= 0 && static_cast<uint64_t>(now) < expiry;
}

HttpServerResponse ImdsEndpoint::handle(const HttpServerRequest& request, uint16_t port) const {
  auto header = [&](const char* name) -> std::string {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? "" : it->second;
  };
  if (!host_is_loopback(header("host"), port)) return {403, "forbidden host", "text/plain"};
  if (request.method == "PUT" && request.path == "/latest/api/token") {
    // As on EC2: a token request that went through a proxy is refused.
    if (!header("x-forwarded-for").empty()) return {403, "forbidden", "text/plain"};
    std::string ttl_text = header("x-aws-ec2-metadata-token-ttl-seconds");
    auto ttl = parse_duration(ttl_text);
    if (ttl_text.empty() || !ttl || ttl->count() < 1 || ttl->count() > 21600) {
      return {400, "bad ttl", "text/plain"};
    }
    // Rounded up to a whole second, so a token never lives shorter than asked.
    const auto since_epoch = m_clock.now().time_since_epoch();
    auto now = std::chrono::duration_cast<Seconds>(since_epoch);
    if (now < since_epoch) now += Seconds(1);
    const std::string token = token_expiring_at(static_cast<uint64_t>(std::max<int64_t>(now.count(), 0)) +
                                                static_cast<uint64_t>(ttl->count()));
    return {
        200, token, "text/plain", {{"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(ttl->count())}}};
  }
  if (request.method != "GET") return {405, "method not allowed", "text/plain"};
  std::string token = header("x-aws-ec2-metadata-token");
  if (token.empty() ? !m_allow_v1 : !token_valid(token)) return {401, "unauthorized", "text/plain"};

  const std::string role = "kura-" + m_profile;
  const std::string credentials_path = "/latest/meta-data/iam/security-credentials/";
  if (request.path == credentials_path) return {200, role, "text/plain"};
  if (request.path == credentials_path + role) return {200, m_credentials.imds_json()};
  if (request.path == "/latest/meta-data/iam/info") {
    nlohmann::json info = {{"Code", "Success"},
                           {"LastUpdated", format_iso8601(m_clock.now())},
                           {"InstanceProfileArn", "arn:aws:iam::000000000000:instance-profile/" + role},
                           {"InstanceProfileId", "AIPAKURALOCALENDPOINT"}};
    return {200, info.dump()};
  }
  if (request.path == "/latest/dynamic/instance-identity/document") {
    nlohmann::json document = {{"region", m_region},
                               {"availabilityZone", m_region + "a"},
                               {"instanceId", "i-0kura00000000000"},
                               {"instanceType", "kura.local"},
                               {"accountId", "000000000000"},
                               {"architecture", "x86_64"},
                               {"privateIp", "127.0.0.1"}};
    return {200, document.dump(2)};
  }
  if (request.path == "/latest/meta-data/placement/region") return {200, m_region, "text/plain"};
  if (request.path == "/latest/meta-data/placement/availability-zone")
    return {200, m_region + "a", "text/plain"};
  return {404, "not found", "text/plain"};
}

}  // namespace kura
