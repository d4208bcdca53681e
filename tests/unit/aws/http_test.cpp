// Retries: throttling, 5xx and connection errors are retried with jittered backoff; other 4xx never.
#include "aws/http.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace kura {
namespace {

using testing::FakeClock;
using testing::FakeTransport;

TEST(Retry, RetriesServerErrorsThenSucceeds) {
  FakeTransport inner;
  FakeClock clock;
  inner.reply(503, "busy");
  inner.drop();
  inner.reply(200, "ok");
  RetryingTransport retrying(inner, clock, 3);
  auto response = retrying.send(HttpRequest{});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(inner.requests.size(), 3u);
  ASSERT_EQ(clock.slept.size(), 2u);
  EXPECT_LE(clock.slept[0].count(), 200);  // jitter within base * 2^0
  EXPECT_LE(clock.slept[1].count(), 400);
}

TEST(Retry, ThrottlingIsRetriedOtherClientErrorsAreNot) {
  FakeTransport inner;
  FakeClock clock;
  inner.reply(400,
              "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
              "exceeded</Message></Error></ErrorResponse>");
  inner.reply(403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>");
  inner.reply(200, "never reached");
  RetryingTransport retrying(inner, clock, 5);
  auto response = retrying.send(HttpRequest{});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(inner.requests.size(), 2u);
}

TEST(Retry, GivesUpAfterMaxAttempts) {
  FakeTransport inner;
  FakeClock clock;
  for (int i = 0; i < 5; ++i) inner.reply(500, "boom");
  RetryingTransport retrying(inner, clock, 3);
  auto response = retrying.send(HttpRequest{});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(inner.requests.size(), 3u);
  EXPECT_TRUE(RetryingTransport::is_retryable(HttpResponse{429, ""}));
  EXPECT_FALSE(RetryingTransport::is_retryable(HttpResponse{404, ""}));
}

TEST(HttpOptions, ProxyAndCaBundleFromTheEnvironment) {
  auto options = HttpOptions::from_environment(
      Environment(
          {{"https_proxy", "http://proxy:3128"}, {"NO_PROXY", "localhost"}, {"AWS_CA_BUNDLE", "/ca.pem"}}),
      std::string("/profile-ca.pem"));
  EXPECT_EQ(options.proxy, "http://proxy:3128");
  EXPECT_FALSE(options.http_proxy);
  EXPECT_EQ(options.no_proxy, "localhost");
  EXPECT_EQ(options.ca_bundle, "/ca.pem");
  EXPECT_EQ(HttpOptions::from_environment(Environment(), std::string("/p.pem")).ca_bundle, "/p.pem");
}

}  // namespace
}  // namespace kura
