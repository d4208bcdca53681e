// Console sign-in: hosts per partition, and requests whose every field is encoded.
#include "aws/federation.h"

#include <gtest/gtest.h>

#include "util/strings.h"

namespace kura {
namespace {

TEST(Federation, HostsPerPartitionAndOverride) {
  EXPECT_EQ(console_endpoints("aws", std::nullopt).federation_url,
            "https://signin.aws.amazon.com/federation");
  EXPECT_EQ(console_endpoints("aws", std::nullopt).console_url, "https://console.aws.amazon.com");
  EXPECT_EQ(console_endpoints("aws-cn", std::nullopt).federation_url,
            "https://signin.amazonaws.cn/federation");
  EXPECT_EQ(console_endpoints("aws-cn", std::nullopt).console_url, "https://console.amazonaws.cn");
  EXPECT_EQ(console_endpoints("aws-us-gov", std::nullopt).federation_url,
            "https://signin.amazonaws-us-gov.com/federation");
  EXPECT_EQ(console_endpoints("aws-us-gov", std::nullopt).console_url,
            "https://console.amazonaws-us-gov.com");
  EXPECT_EQ(console_endpoints("aws", std::string("http://127.0.0.1:9/federation")).federation_url,
            "http://127.0.0.1:9/federation");
}

TEST(Federation, SigninTokenRequestCarriesTheSessionAndDurationOnlyWhenAsked) {
  Credentials c;
  c.access_key_id = "ASIAEXAMPLE";
  c.secret_access_key = Secret(std::string("se/cr+et="));
  c.session_token = Secret(std::string("to&ken"));
  std::string with = signin_token_request_url("https://signin.aws.amazon.com/federation", c, Seconds(7200));
  EXPECT_EQ(
      with.rfind(
          "https://signin.aws.amazon.com/federation?Action=getSigninToken&SessionDuration=7200&Session=", 0),
      0u);
  std::string session = uri_decode(with.substr(with.find("Session=") + 8));
  EXPECT_EQ(session, R"({"sessionId":"ASIAEXAMPLE","sessionKey":"se/cr+et=","sessionToken":"to&ken"})");
  std::string without = signin_token_request_url("https://x/federation", c, std::nullopt);
  EXPECT_EQ(without.find("SessionDuration"), std::string::npos);
}

TEST(Federation, LoginUrlEncodesEveryField) {
  EXPECT_EQ(login_url("https://signin.aws.amazon.com/federation", "kura",
                      "https://console.aws.amazon.com/s3?region=eu-west-1", "tok/en+=="),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=kura&Destination="
            "https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%3Fregion%3Deu-west-1&SigninToken=tok%2Fen%2B%3D%3D");
  EXPECT_TRUE(parse_signin_token(R"({"SigninToken":"abc"})"));
  EXPECT_FALSE(parse_signin_token("<html>"));
}

}  // namespace
}  // namespace kura
