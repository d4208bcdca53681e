// Local credential endpoints: the ECS container-credentials protocol (and, later, IMDS), serving credentials
// that a background thread renews before they expire, so long-running processes never see expired ones.
#pragma once

#include <condition_variable>
#include <functional>
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

 private:
  void run();
  Fetch m_fetch;
  Seconds m_window;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::optional<Credentials> m_current;
  std::string m_json;
  bool m_stopping = false;
  std::thread m_thread;
};

// The ECS handler: GET / with the exact token (compared in constant time) and a loopback Host; 403 otherwise.
HttpServerResponse handle_ecs(const HttpServerRequest& request, const std::string& token, uint16_t port,
                              const RenewingCredentials& credentials);

// 256 random bits, hex.
std::string new_endpoint_token();

}  // namespace kura
