// Renewal that cannot run away: due credentials are renewed once, failures back off, and credentials that
// arrive inside the renewal window are an error rather than a loop.
#include "server/renewing_credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fakes.h"

namespace kura {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

Credentials credentials_until(TimePoint expiration) {
  Credentials c;
  c.access_key_id = "ASIARENEW";
  c.secret_access_key = Secret(std::string("secret"));
  c.session_token = Secret(std::string("token"));
  c.expiration = expiration;
  return c;
}

TEST(NextFetchDelay, DueTimeMinimumIntervalAndBackoff) {
  FakeClock clock;
  RenewalPolicy policy{Seconds(300), 5000ms, 300000ms};
  const TimePoint now = clock.now();
  EXPECT_EQ(next_fetch_delay(now, now + 3600s, 0, policy), 3300000ms);
  // Already inside the window (a long window, a short session, a skewed clock): never zero.
  EXPECT_EQ(next_fetch_delay(now, now + 60s, 0, policy), 5000ms);
  EXPECT_EQ(next_fetch_delay(now, now - 60s, 0, policy), 5000ms);
  EXPECT_EQ(next_fetch_delay(now, now + 3600s, 1, policy), 5000ms);
  EXPECT_EQ(next_fetch_delay(now, now + 3600s, 2, policy), 10000ms);
  EXPECT_EQ(next_fetch_delay(now, now + 3600s, 4, policy), 40000ms);
  EXPECT_EQ(next_fetch_delay(now, now + 3600s, 40, policy), 300000ms);
}

TEST(RenewingCredentials, PrimeRefusesCredentialsInsideTheWindowOrExpired) {
  FakeClock clock;
  RenewingCredentials inside([&] { return Result<Credentials>(credentials_until(clock.now() + 60s)); },
                             RenewalPolicy{Seconds(300), 1000ms, 1000ms}, clock);
  auto primed = inside.prime();
  ASSERT_FALSE(primed);
  EXPECT_NE(primed.error().message.find("renewed continuously"), std::string::npos);
  RenewingCredentials expired([&] { return Result<Credentials>(credentials_until(clock.now() - 1s)); },
                              RenewalPolicy{Seconds(300), 1000ms, 1000ms}, clock);
  auto late = expired.prime();
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("expired before they arrived"), std::string::npos);
  EXPECT_EQ(expired.ecs_json(), "");  // nothing served
}

// What used to happen with KURA_SESSION_REFRESH longer than the session: a fetch loop with no delay
// (thousands of STS calls a second). Now: the minimum interval, then exponential back-off.
TEST(RenewingCredentials, ShortLivedCredentialsDoNotCauseAFetchLoop) {
  FakeClock clock;
  std::atomic<int> calls{0};
  RenewingCredentials renewing(
      [&] {
        ++calls;
        return Result<Credentials>(credentials_until(clock.now() + 1s));
      },
      RenewalPolicy{Seconds(8), 20ms, 160ms}, clock);
  (void)renewing.prime();
  renewing.start();
  std::this_thread::sleep_for(1000ms);
  renewing.stop();
  // 20 + 40 + 80 + 160 * n ms: at most ~8 fetches in a second; a loop would make thousands.
  EXPECT_LE(calls.load(), 10);
  EXPECT_GE(calls.load(), 3);
}

TEST(RenewingCredentials, RenewsWhenDueAndServesTheNewCredentials) {
  FakeClock clock;
  std::atomic<int> calls{0};
  RenewingCredentials renewing(
      [&] {
        int n = ++calls;
        Credentials c = credentials_until(clock.now() + 300s + 200ms);
        c.access_key_id = "ASIA" + std::to_string(n);
        return Result<Credentials>(std::move(c));
      },
      RenewalPolicy{Seconds(300), 10ms, 1000ms}, clock);
  ASSERT_TRUE(renewing.prime());
  EXPECT_NE(renewing.ecs_json().find("ASIA1"), std::string::npos);
  renewing.start();
  for (int i = 0; i < 100 && calls.load() < 2; ++i) std::this_thread::sleep_for(10ms);
  renewing.stop();
  EXPECT_GE(calls.load(), 2);
  EXPECT_NE(renewing.ecs_json().find("ASIA2"), std::string::npos);
  EXPECT_NE(renewing.imds_json().find("\"Code\":\"Success\""), std::string::npos);
}

}  // namespace
}  // namespace kura
