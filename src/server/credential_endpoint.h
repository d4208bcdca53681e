// Local credential endpoints: the ECS container-credentials protocol (and, later, IMDS), serving credentials
// that a background thread renews before they expire, so long-running processes never see expired ones.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aws/credentials.h"
#include "server/http_server.h"
#include "util/time.h"

namespace kura {

// Holds the current credentials and renews them `refresh_window` before expiry on its own thread.
class RenewingCredentials {
 public:
  using Fetch = std::function<Result<Credentials>()>;
  RenewingCredentials(Fetch fetch, Seconds refresh_window)
      : m_fetch(std::move(fetch)), m_window(refresh_window) {}
  ~RenewingCredentials() { stop(); }
  RenewingCredentials(const RenewingCredentials&) = delete;
  RenewingCredentials& operator=(const RenewingCredentials&) = delete;

  Result<void> prime();  // the first fetch, on the caller's thread
  void start();          // the renewing thread
  void stop();
  // The ECS JSON ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}), built by the JSON library.
  std::string ecs_json() const;
  // The IMDS JSON for iam/security-credentials/<role>.
  std::string imds_json() const;

 private:
  void run();
  Fetch m_fetch;
  Seconds m_window;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::optional<Credentials> m_current;
  std::string m_json;
  std::string m_imds_json;

 public:
  // A copy of the current credentials (for assuming other roles with them).
  std::optional<Credentials> current() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_current) return std::nullopt;
    return m_current->clone();
  }

 private:
  bool m_stopping = false;
  std::thread m_thread;
};

// Credentials for other roles, assumed with the served credentials: the ECS endpoint's /role-arn/<arn> route,
// only when enabled. Each role's session is cached until shortly before it expires.
class RoleArnAssumer {
 public:
  using Assume = std::function<Result<Credentials>(const std::string& role_arn, const Credentials& caller)>;
  RoleArnAssumer(Assume assume, Seconds refresh_window, const Clock& clock)
      : m_assume(std::move(assume)), m_window(refresh_window), m_clock(clock) {}
  // The ECS JSON for the role, or an error response.
  HttpServerResponse respond(const std::string& role_arn, const RenewingCredentials& served);

 private:
  Assume m_assume;
  Seconds m_window;
  const Clock& m_clock;
  std::mutex m_mutex;
  std::map<std::string, Credentials> m_cache;
};

// The ECS handler: GET / (or /role-arn/<arn> when `roles` is given) with the exact token (compared in
// constant time) and a loopback Host; 403 otherwise.
HttpServerResponse handle_ecs(const HttpServerRequest& request, const std::string& token, uint16_t port,
                              const RenewingCredentials& credentials, RoleArnAssumer* roles = nullptr);

// IMDS: IMDSv2 session tokens (PUT /latest/api/token), then credentials under iam/security-credentials/,
// iam/info, the instance identity document and placement/region. IMDSv1 (no token) only when allowed.
class ImdsEndpoint {
 public:
  ImdsEndpoint(const RenewingCredentials& credentials, std::string profile, std::string region, bool allow_v1,
               const Clock& clock)
      : m_credentials(credentials),
        m_profile(std::move(profile)),
        m_region(std::move(region)),
        m_allow_v1(allow_v1),
        m_clock(clock) {}
  HttpServerResponse handle(const HttpServerRequest& request, uint16_t port);

 private:
  bool token_valid(const std::string& token);
  const RenewingCredentials& m_credentials;
  std::string m_profile;
  std::string m_region;
  bool m_allow_v1;
  const Clock& m_clock;
  std::mutex m_mutex;
  std::vector<std::pair<std::string, TimePoint>> m_tokens;
};

// 256 random bits, hex.
std::string new_endpoint_token();

}  // namespace kura
