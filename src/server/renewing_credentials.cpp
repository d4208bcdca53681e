// Renewing credentials for the local endpoints.
#include "server/renewing_credentials.h"

#include <algorithm>

#include "aws/render.h"
#include "crypto/sodium.h"
#include "util/log.h"

namespace kura {

namespace {

using std::chrono::milliseconds;

SystemClock& system_clock() {
  static SystemClock clock;
  return clock;
}

RenewalPolicy with_window(Seconds window) {
  RenewalPolicy policy;
  policy.window = window;
  return policy;
}

std::string seconds_text(std::chrono::system_clock::duration duration) {
  return format_duration(std::chrono::duration_cast<Seconds>(duration));
}

}  // namespace

milliseconds next_fetch_delay(TimePoint now, std::optional<TimePoint> expiration, int failures,
                              const RenewalPolicy& policy) {
  if (failures > 0) {
    milliseconds delay = policy.min_interval;
    for (int i = 1; i < failures && delay < policy.max_backoff; ++i) delay *= 2;
    return std::min(delay, std::max(policy.max_backoff, policy.min_interval));
  }
  if (!expiration) return std::chrono::hours(24);  // long-term keys do not expire: nothing to renew
  auto due = std::chrono::duration_cast<milliseconds>(*expiration - policy.window - now);
  return std::max(due, policy.min_interval);
}

RenewingCredentials::RenewingCredentials(Fetch fetch, RenewalPolicy policy, const Clock& clock)
    : m_fetch(std::move(fetch)), m_policy(policy), m_clock(clock) {}

RenewingCredentials::RenewingCredentials(Fetch fetch, Seconds window)
    : RenewingCredentials(std::move(fetch), with_window(window), system_clock()) {}

Result<void> RenewingCredentials::prime() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_fetches;
  }
  auto fetched = fetch_and_store();
  std::lock_guard<std::mutex> lock(m_mutex);
  m_failures = fetched ? 0 : m_failures + 1;
  return fetched;
}

Result<void> RenewingCredentials::fetch_and_store() {
  auto fresh = m_fetch();
  if (!fresh) return fresh.error();
  const TimePoint now = m_clock.now();
  if (fresh->expiration && *fresh->expiration <= now) {
    return make_error("the credentials expired before they arrived (" + format_iso8601(*fresh->expiration) +
                          ", now " + format_iso8601(now) + ")",
                      "check this machine's clock (e.g. `timedatectl set-ntp true`)");
  }
  Secret ecs = render_credentials(*fresh, CredentialFormat::ecs, {});
  Secret imds = render_credentials(*fresh, CredentialFormat::imds, {"", "", now});
  bool fits = false;
  std::optional<TimePoint> expiration = fresh->expiration;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    fits = m_json.assign(ecs.view()) && m_imds_json.assign(imds.view());
    if (fits) m_current = std::move(*fresh);
  }
  if (!fits) return make_error("the credentials are too large to serve");
  if (expiration && *expiration - m_policy.window <= now) {
    return make_error("the credentials last only " + seconds_text(*expiration - now) +
                          ", less than the renewal window of " + format_duration(m_policy.window) +
                          " (KURA_SESSION_REFRESH): they would be renewed continuously",
                      "set KURA_SESSION_REFRESH well below the session's length (default 5m), or ask for a "
                      "longer --duration");
  }
  return {};
}

void RenewingCredentials::start() {
  (void)sodium_ready();  // before a thread that may use crypto/ (crypto/sodium.h)
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
  return std::string(m_imds_json.view());
}

std::string RenewingCredentials::ecs_json() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return std::string(m_json.view());
}

std::optional<Credentials> RenewingCredentials::current() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_current) return std::nullopt;
  return m_current->clone();
}

int RenewingCredentials::fetches() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_fetches;
}

void RenewingCredentials::run() {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (!m_stopping) {
    std::optional<TimePoint> expiration = m_current ? m_current->expiration : std::nullopt;
    if (!expiration && m_failures == 0) return;  // long-term keys do not expire
    milliseconds delay = next_fetch_delay(m_clock.now(), expiration, m_failures, m_policy);
    if (m_wake.wait_for(lock, delay, [this] { return m_stopping; })) return;
    lock.unlock();
    auto renewed = prime();
    if (renewed) {
      log_debug("credential endpoint: renewed");
    } else {
      log_warning("credential endpoint: cannot renew (attempt " + std::to_string(failures()) +
                  "): " + renewed.error().message);
    }
    lock.lock();
  }
}

int RenewingCredentials::failures() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_failures;
}

}  // namespace kura
