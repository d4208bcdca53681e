// RenewingCredentials: the credentials a local endpoint serves, renewed on a background thread before they
// expire, so long-running processes never see expired ones — and never more often than the policy allows, so
// a misconfiguration or an outage cannot turn into a stream of STS calls (or MFA prompts).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aws/credentials.h"
#include "util/result.h"
#include "util/secure_buffer.h"
#include "util/time.h"

namespace kura {

struct RenewalPolicy {
  Seconds window{300};                             // renew this long before expiry (KURA_SESSION_REFRESH)
  std::chrono::milliseconds min_interval{5000};    // never fetch more often than this
  std::chrono::milliseconds max_backoff{300'000};  // after failures: min_interval doubling, up to this
};

// How long to wait before the next fetch. `failures` counts the fetches that failed (or brought credentials
// already inside the window) since the last good one.
std::chrono::milliseconds next_fetch_delay(TimePoint now, std::optional<TimePoint> expiration, int failures,
                                           const RenewalPolicy& policy);

// Holds the current credentials and renews them `window` before expiry on its own thread.
class RenewingCredentials {
 public:
  using Fetch = std::function<Result<Credentials>()>;
  RenewingCredentials(Fetch fetch, RenewalPolicy policy, const Clock& clock);
  RenewingCredentials(Fetch fetch, Seconds window);  // the system clock and the default intervals
  ~RenewingCredentials() { stop(); }
  RenewingCredentials(const RenewingCredentials&) = delete;
  RenewingCredentials& operator=(const RenewingCredentials&) = delete;

  // The first fetch, on the caller's thread. An error when nothing could be fetched, when the credentials had
  // expired on arrival, or when they expire within the renewal window (they would be renewed continuously).
  Result<void> prime();
  void start();  // the renewing thread
  void stop();
  // The ECS JSON ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}), built by the JSON library.
  std::string ecs_json() const;
  // The IMDS JSON for iam/security-credentials/<role>.
  std::string imds_json() const;
  // A copy of the current credentials (for assuming other roles with them).
  std::optional<Credentials> current() const;
  // How many fetches were made (tests and --debug), and how many failed in a row since the last good one.
  int fetches() const;
  int failures() const;

 private:
  void run();
  Result<void> fetch_and_store();
  Fetch m_fetch;
  RenewalPolicy m_policy;
  const Clock& m_clock;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::optional<Credentials> m_current;
  // What the endpoints serve, kept out of core dumps and wiped when replaced.
  SecureBuffer m_json{4096};
  SecureBuffer m_imds_json{4096};
  int m_fetches = 0;
  int m_failures = 0;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace kura
