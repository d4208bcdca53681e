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
  for (const char* key : {"SecretAccessKey", "Token"}) wipe_string(json[key].get_ref<std::string&>());
  std::lock_guard<std::mutex> lock(m_mutex);
  wipe_string(m_json);
  m_json = std::move(text);
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

HttpServerResponse handle_ecs(const HttpServerRequest& request, const std::string& token, uint16_t port,
                              const RenewingCredentials& credentials) {
  auto host = request.headers.find("host");
  if (host == request.headers.end() || !host_is_loopback(host->second, port)) {
    return {403, "{\"message\":\"forbidden host\"}"};
  }
  auto authorization = request.headers.find("authorization");
  if (authorization == request.headers.end() || !constant_time_equals(authorization->second, token)) {
    return {403, "{\"message\":\"forbidden\"}"};
  }
  if (request.method != "GET") return {405, "{\"message\":\"method not allowed\"}"};
  if (request.path != "/") return {404, "{\"message\":\"not found\"}"};
  return {200, credentials.ecs_json()};
}

}  // namespace kura
