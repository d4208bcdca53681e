// Renewing credentials and the ECS endpoint handler.
#include "server/credential_endpoint.h"

#include <nlohmann/json.hpp>

#include "crypto/sodium.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

std::string new_endpoint_token() {
  return hex_encode(random_bytes(32));
}

Result<void> RenewingCredentials::prime() {
  auto fresh = m_fetch();
  if (!fresh) return fresh.error();
  nlohmann::json json = {{"AccessKeyId", fresh->access_key_id},
                         {"SecretAccessKey", std::string(fresh->secret_access_key.view())},
                         {"Token", std::string(fresh->session_token.view())}};
  if (fresh->expiration) json["Expiration"] = format_iso8601(*fresh->expiration);
  std::string text = json.dump();
  json["Code"] = "Success";
  json["Type"] = "AWS-HMAC";
  json["LastUpdated"] = format_iso8601(std::chrono::system_clock::now());
  std::string imds = json.dump();
  for (const char* key : {"SecretAccessKey", "Token"}) wipe_string(json[key].get_ref<std::string&>());
  std::lock_guard<std::mutex> lock(m_mutex);
  wipe_string(m_json);
  wipe_string(m_imds_json);
  m_json = std::move(text);
  m_imds_json = std::move(imds);
  m_current = std::move(*fresh);
  return {};
}

void RenewingCredentials::start() {
  m_thread = std::thread([this] { run(); });
}

void RenewingCredentials::stop() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

std::string RenewingCredentials::imds_json() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_imds_json;
}

std::string RenewingCredentials::ecs_json() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_json;
}

void RenewingCredentials::run() {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (!m_stopping) {
    if (!m_current || !m_current->expiration) return;  // long-term keys do not expire
    auto due = *m_current->expiration - m_window;
    if (m_wake.wait_until(lock, due, [this] { return m_stopping; })) return;
    lock.unlock();
    auto renewed = prime();
    if (!renewed) {
      log_warning("credential endpoint: cannot renew: " + renewed.error().message);
      lock.lock();
      m_wake.wait_for(lock, std::chrono::seconds(10), [this] { return m_stopping; });
      continue;
    }
    log_debug("credential endpoint: renewed");
    lock.lock();
  }
}

namespace {

std::string ecs_json_of(const Credentials& credentials) {
  nlohmann::json json = {{"AccessKeyId", credentials.access_key_id},
                         {"SecretAccessKey", std::string(credentials.secret_access_key.view())},
                         {"Token", std::string(credentials.session_token.view())}};
  if (credentials.expiration) json["Expiration"] = format_iso8601(*credentials.expiration);
  std::string text = json.dump();
  for (const char* key : {"SecretAccessKey", "Token"}) wipe_string(json[key].get_ref<std::string&>());
  return text;
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
    nlohmann::json error = {{"message", assumed.error().message}};
    return {502, error.dump()};
  }
  std::string body = ecs_json_of(*assumed);
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

bool ImdsEndpoint::token_valid(const std::string& token) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const TimePoint now = m_clock.now();
  bool valid = false;
  for (const auto& [known, expires] : m_tokens) {
    if (expires > now && constant_time_equals(known, token)) valid = true;
  }
  return valid;
}

HttpServerResponse ImdsEndpoint::handle(const HttpServerRequest& request, uint16_t port) {
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
    std::string token = new_endpoint_token();
    std::lock_guard<std::mutex> lock(m_mutex);
    const TimePoint now = m_clock.now();
    std::erase_if(m_tokens, [&](const auto& entry) { return entry.second <= now; });
    if (m_tokens.size() > 10000) m_tokens.erase(m_tokens.begin());  // bounded
    m_tokens.emplace_back(token, now + *ttl);
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
