// The credential endpoints' handlers: IMDS session tokens (stateless, with a TTL, not flushable by other
// clients, not forgeable) and the ECS checks (token, Host, duplicates), on heads parsed as the server parses
// them.
#include "server/credential_endpoint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "fakes.h"

namespace kura {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

constexpr uint16_t k_port = 4242;

Credentials fake_credentials(TimePoint expiration) {
  Credentials c;
  c.access_key_id = "ASIAENDPOINTTEST0001";
  c.secret_access_key = Secret(std::string("endpoint-secret"));
  c.session_token = Secret(std::string("endpoint-session-token"));
  c.expiration = expiration;
  return c;
}

// A request as the server would hand it over; fails the test when the head does not parse.
HttpServerRequest request_of(const std::string& head) {
  HttpServerRequest request;
  EXPECT_EQ(parse_request_head(head, HttpServerOptions{}, request), HeadStatus::ok) << head;
  return request;
}

class ImdsTokens : public ::testing::Test {
 protected:
  ImdsTokens()
      : m_credentials([this] { return Result<Credentials>(fake_credentials(m_clock.now() + 1h)); },
                      RenewalPolicy{}, m_clock),
        m_imds(m_credentials, "dev", "eu-west-1", false, m_clock) {
    EXPECT_TRUE(m_credentials.prime());
  }

  HttpServerResponse put_token(const std::string& ttl) {
    return m_imds.handle(request_of("PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:4242\r\n"
                                    "X-aws-ec2-metadata-token-ttl-seconds: " +
                                    ttl + "\r\n"),
                         k_port);
  }
  std::string token(int ttl = 60) {
    HttpServerResponse response = put_token(std::to_string(ttl));
    EXPECT_EQ(response.status, 200);
    return response.body;
  }
  int get_credentials(const ImdsEndpoint& imds, const std::string& token) {
    return imds
        .handle(request_of("GET /latest/meta-data/iam/security-credentials/kura-dev HTTP/1.1\r\n"
                           "Host: localhost:4242\r\nX-aws-ec2-metadata-token: " +
                           token + "\r\n"),
                k_port)
        .status;
  }
  int get_credentials(const std::string& token) { return get_credentials(m_imds, token); }

  FakeClock m_clock;
  RenewingCredentials m_credentials;
  ImdsEndpoint m_imds;
};

TEST_F(ImdsTokens, IssuedAsSixtyFourHexCharactersWithTheirTtl) {
  HttpServerResponse response = put_token("60");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), 64u);
  EXPECT_EQ(response.body.find_first_not_of("0123456789abcdef"), std::string::npos);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "60");
  EXPECT_EQ(get_credentials(response.body), 200);
}

TEST_F(ImdsTokens, ValidUntilTheTtlThenRefused) {
  const std::string t = token(60);
  m_clock.advance(59s);
  EXPECT_EQ(get_credentials(t), 200);
  m_clock.advance(1s);
  EXPECT_EQ(get_credentials(t), 401);
  m_clock.advance(3600s);
  EXPECT_EQ(get_credentials(t), 401);
}

TEST_F(ImdsTokens, NeverShorterThanAskedWhenIssuedBetweenSeconds) {
  m_clock.sleep_for(900ms);
  const std::string t = token(1);
  m_clock.sleep_for(999ms);
  EXPECT_EQ(get_credentials(t), 200);
}

TEST_F(ImdsTokens, TtlBounds) {
  EXPECT_EQ(put_token("0").status, 400);
  EXPECT_EQ(put_token("21601").status, 400);
  EXPECT_EQ(put_token("-5").status, 400);
  EXPECT_EQ(put_token("").status, 400);
  EXPECT_EQ(put_token("21600").status, 200);
  EXPECT_EQ(put_token("1").status, 200);
}

TEST_F(ImdsTokens, TwentyThousandOtherTokensDoNotInvalidateAnEarlierOne) {
  const std::string first = token(21600);
  std::set<std::string> others;
  for (int i = 0; i < 20000; ++i) {
    others.insert(token(1 + i % 21600));
    if (i % 1000 == 0) m_clock.advance(1s);  // issued over time, as a flood would be
  }
  EXPECT_GT(others.size(), 1000u);
  EXPECT_EQ(get_credentials(first), 200);
}

TEST_F(ImdsTokens, AnyChangedCharacterIsRefused) {
  const std::string t = token(600);
  for (size_t i = 0; i < t.size(); ++i) {
    std::string changed = t;
    changed[i] = changed[i] == '0' ? '1' : '0';
    EXPECT_EQ(get_credentials(changed), 401) << i;
  }
  std::string upper = t;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != t) {
    EXPECT_EQ(get_credentials(upper), 401);
  }
  EXPECT_EQ(get_credentials(t + "0"), 401);
  EXPECT_EQ(get_credentials(t.substr(0, 63)), 401);
  EXPECT_EQ(get_credentials(std::string(64, 'f')), 401);
  EXPECT_EQ(get_credentials(std::string(64, 'z')), 401);
}

TEST_F(ImdsTokens, AForgedLaterExpiryIsRefused) {
  const std::string t = token(60);
  // The expiry is readable (the first 16 characters); pushing it out breaks the MAC.
  std::string later = t;
  later[13] = 'f';
  later[14] = 'f';
  if (later != t) {
    EXPECT_EQ(get_credentials(later), 401);
  }
}

TEST_F(ImdsTokens, ATokenFromAnotherEndpointIsRefused) {
  ImdsEndpoint other(m_credentials, "dev", "eu-west-1", false, m_clock);
  const std::string t = token(60);
  EXPECT_EQ(get_credentials(other, t), 401);
}

TEST_F(ImdsTokens, NoTokenIsRefusedUnlessImdsV1IsAllowed) {
  EXPECT_EQ(m_imds
                .handle(request_of("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\n"
                                   "Host: 127.0.0.1:4242\r\n"),
                        k_port)
                .status,
            401);
  ImdsEndpoint v1(m_credentials, "dev", "eu-west-1", true, m_clock);
  HttpServerResponse response = v1.handle(
      request_of("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: 127.0.0.1:4242\r\n"),
      k_port);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "kura-dev");
}

TEST_F(ImdsTokens, ForeignHostAndProxiedTokenRequestsAreRefused) {
  EXPECT_EQ(m_imds
                .handle(request_of("PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
                                   "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n"),
                        k_port)
                .status,
            403);
  EXPECT_EQ(m_imds
                .handle(request_of("PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:4242\r\n"
                                   "X-aws-ec2-metadata-token-ttl-seconds: 60\r\nX-Forwarded-For: a\r\n"),
                        k_port)
                .status,
            403);
}

TEST(ImdsHeads, RepeatedTokenHeadersNeverReachTheHandler) {
  HttpServerRequest request;
  EXPECT_EQ(parse_request_head("PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"
                               "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n"
                               "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n",
                               HttpServerOptions{}, request),
            HeadStatus::bad_request);
  EXPECT_EQ(parse_request_head("GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-aws-ec2-metadata-token: a\r\n"
                               "X-aws-ec2-metadata-token: b\r\n",
                               HttpServerOptions{}, request),
            HeadStatus::bad_request);
}

// --- ECS ---

class Ecs : public ::testing::Test {
 protected:
  Ecs()
      : m_credentials([this] { return Result<Credentials>(fake_credentials(m_clock.now() + 1h)); },
                      RenewalPolicy{}, m_clock) {
    EXPECT_TRUE(m_credentials.prime());
  }
  HttpServerResponse get(const std::string& path, const std::string& headers,
                         RoleArnAssumer* roles = nullptr) {
    return handle_ecs(request_of("GET " + path + " HTTP/1.1\r\n" + headers), m_token, k_port, m_credentials,
                      roles);
  }
  FakeClock m_clock;
  RenewingCredentials m_credentials;
  const std::string m_token = new_endpoint_token();
};

TEST_F(Ecs, TheExactTokenAndALoopbackHostGetCredentials) {
  HttpServerResponse response = get("/", "Host: 127.0.0.1:4242\r\nAuthorization: " + m_token + "\r\n");
  ASSERT_EQ(response.status, 200);
  auto json = nlohmann::json::parse(response.body);
  EXPECT_EQ(json["AccessKeyId"], "ASIAENDPOINTTEST0001");
  EXPECT_EQ(json["SecretAccessKey"], "endpoint-secret");
  EXPECT_EQ(get("/", "Host: localhost:4242\r\nAuthorization: " + m_token + "\r\n").status, 200);
  EXPECT_EQ(get("/", "Host: [::1]:4242\r\nAuthorization: " + m_token + "\r\n").status, 200);
}

TEST_F(Ecs, WrongTokensAreRefused) {
  const std::string host = "Host: 127.0.0.1:4242\r\n";
  EXPECT_EQ(get("/", host).status, 403);
  EXPECT_EQ(get("/", host + "Authorization: \r\n").status, 403);
  EXPECT_EQ(get("/", host + "Authorization: " + m_token.substr(1) + "\r\n").status, 403);
  EXPECT_EQ(get("/", host + "Authorization: " + m_token + "0\r\n").status, 403);
  EXPECT_EQ(get("/", host + "Authorization: Bearer " + m_token + "\r\n").status, 403);
  std::string changed = m_token;
  changed.back() = changed.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(get("/", host + "Authorization: " + changed + "\r\n").status, 403);
}

TEST_F(Ecs, ForeignOrMissingHostsAreRefused) {
  const std::string auth = "Authorization: " + m_token + "\r\n";
  EXPECT_EQ(get("/", auth).status, 403);
  EXPECT_EQ(get("/", "Host: evil.example:4242\r\n" + auth).status, 403);
  EXPECT_EQ(get("/", "Host: 127.0.0.1:4243\r\n" + auth).status, 403);
  EXPECT_EQ(get("/", "Host: 127.0.0.1\r\n" + auth).status, 403);
  EXPECT_EQ(get("/", "Host: 127.0.0.1:4242.evil.example\r\n" + auth).status, 403);
}

TEST_F(Ecs, RepeatedHostOrAuthorizationNeverReachTheHandler) {
  HttpServerRequest request;
  // Which one a check would read is exactly the confusion to avoid: the parser refuses them.
  EXPECT_EQ(parse_request_head(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:4242\r\nHost: evil.example\r\nAuthorization: " + m_token +
                    "\r\n",
                HttpServerOptions{}, request),
            HeadStatus::bad_request);
  EXPECT_EQ(
      parse_request_head("GET / HTTP/1.1\r\nHost: 127.0.0.1:4242\r\nAuthorization: wrong\r\nAuthorization: " +
                             m_token + "\r\n",
                         HttpServerOptions{}, request),
      HeadStatus::bad_request);
}

TEST_F(Ecs, OnlyGetOnTheRoot) {
  const std::string headers = "Host: 127.0.0.1:4242\r\nAuthorization: " + m_token + "\r\n";
  EXPECT_EQ(get("/other", headers).status, 404);
  EXPECT_EQ(get("/role-arn/arn:aws:iam::1:role/x", headers).status, 404);  // not enabled
  EXPECT_EQ(handle_ecs(request_of("POST / HTTP/1.1\r\n" + headers), m_token, k_port, m_credentials).status,
            405);
}

TEST_F(Ecs, ARoleArnThatIsNotUtf8GetsAnErrorNotAnException) {
  // The ARN comes percent-decoded from the path, so any byte, and STS's error quotes it (fuzz_http_server
  // finds this within seconds when the fix is reverted).
  RoleArnAssumer roles(
      [](const std::string& role_arn, const Credentials&) -> Result<Credentials> {
        return make_error("cannot assume " + role_arn);
      },
      Seconds(300), m_clock);
  const std::string headers = "Host: 127.0.0.1:4242\r\nAuthorization: " + m_token + "\r\n";
  HttpServerResponse response;
  EXPECT_NO_THROW(response = get("/role-arn/arn:aws:iam::1:role/%FF%FE", headers, &roles));
  EXPECT_EQ(response.status, 502);
  EXPECT_NO_THROW(nlohmann::json::parse(response.body));
}

}  // namespace
}  // namespace kura
