// STS: request shapes, response parsing, and the error messages people actually hit.
#include "aws/sts.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "util/strings.h"

namespace kura {
namespace {

using testing::FakeClock;
using testing::FakeTransport;
using testing::sts_credentials_xml;

std::string error_xml(const std::string& code, const std::string& message) {
  return "<ErrorResponse "
         "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message + "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

Credentials user_key() {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = Secret(std::string("secret"));
  return c;
}

TEST(StsParse, ReadsCredentials) {
  auto creds = parse_credentials_result(sts_credentials_xml("AssumeRole", "ASIAX", "2026-11-22T13:00:00Z"),
                                        "AssumeRole");
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "ASIAX");
  EXPECT_EQ(creds->secret_access_key.view(), "secret-ASIAX");
  EXPECT_EQ(creds->session_token.view(), "token-ASIAX");
  EXPECT_EQ(format_iso8601(*creds->expiration), "2026-11-22T13:00:00Z");
}

TEST(StsParse, RejectsIncompleteAnswers) {
  EXPECT_FALSE(parse_credentials_result("not xml", "AssumeRole"));
  EXPECT_FALSE(parse_credentials_result(sts_credentials_xml("AssumeRole", "ASIAX", "soon"), "AssumeRole"));
  EXPECT_FALSE(parse_credentials_result(
      sts_credentials_xml("GetSessionToken", "ASIAX", "2026-11-22T13:00:00Z"), "AssumeRole"));
}

TEST(StsParse, CallerIdentity) {
  auto id = parse_caller_identity(
      "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/a</Arn><UserId>AID</"
      "UserId>"
      "<Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->arn, "arn:aws:iam::1:user/a");
  EXPECT_EQ(id->account, "1");
}

struct ErrorCase {
  const char* code;
  const char* message;
  const char* expect_message;
  const char* expect_hint;
};

TEST(StsErrors, CommonMistakesGetClearMessagesAndHints) {
  const ErrorCase cases[] = {
      {"AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.",
       "the MFA code was not accepted", "wait for the next code"},
      {"AccessDenied",
       "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number "
       "is valid "
       "and associated with this user.",
       "the MFA device is not associated with this user", "check mfa_serial"},
      {"ExpiredToken", "The security token included in the request is expired", "ExpiredToken", "kura clear"},
      {"ValidationError",
       "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
       "1 hour session limit", "role chaining"},
      {"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
       "MaxSessionDuration", "raise the role's MaxSessionDuration"},
      {"SignatureDoesNotMatch", "Signature expired: 20200101T000000Z is now earlier than 20200101T001000Z",
       "Signature expired", "clock"},
      {"InvalidClientTokenId", "The security token included in the request is invalid.",
       "InvalidClientTokenId", "kura add"},
  };
  for (const auto& c : cases) {
    Error e = parse_sts_error(403, error_xml(c.code, c.message), "GetSessionToken");
    EXPECT_NE(e.message.find(c.expect_message), std::string::npos) << e.message;
    EXPECT_NE(e.hint.find(c.expect_hint), std::string::npos) << c.code << ": " << e.hint;
    EXPECT_EQ(e.message.rfind("GetSessionToken: ", 0), 0u) << e.message;
  }
}

TEST(StsErrors, MotoLayoutAndNonXmlBodies) {
  Error moto = parse_sts_error(
      403,
      "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>nope</Message></Error></Errors>"
      "</ErrorResponse>",
      "AssumeRole");
  EXPECT_EQ(moto.message, "AssumeRole: AccessDenied: nope");
  EXPECT_NE(moto.hint.find("trust policy"), std::string::npos);
  Error html = parse_sts_error(502, "<html>bad gateway</html>", "AssumeRole");
  EXPECT_EQ(html.message.rfind("AssumeRole: HTTP 502", 0), 0u) << html.message;
}

TEST(StsClient, AssumeRoleSendsEveryParameterSigned) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAR", "2026-11-22T13:00:00Z"));
  StsClient sts(transport, clock, StsEndpoint{"https://sts.eu-west-1.amazonaws.com", "eu-west-1", "aws"});
  AssumeRoleInput input;
  input.role_arn = "arn:aws:iam::2:role/admin";
  input.session_name = "me";
  input.external_id = "ext id";
  input.duration = Seconds(900);
  input.mfa = MfaInput{"arn:aws:iam::1:mfa/me", "123456"};
  input.tags = {{"team", "sre"}, {"env", "prod"}};
  input.transitive_tag_keys = {"team"};
  input.source_identity = "alice";
  input.policy = "{\"Version\":\"2012-10-17\"}";
  input.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  ASSERT_TRUE(sts.assume_role(user_key(), input));
  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& request = transport.requests[0];
  EXPECT_EQ(request.url, "https://sts.eu-west-1.amazonaws.com/");
  for (const char* part :
       {"Action=AssumeRole", "Version=2011-06-15", "RoleArn=arn%3Aaws%3Aiam%3A%3A2%3Arole%2Fadmin",
        "RoleSessionName=me", "ExternalId=ext%20id", "DurationSeconds=900",
        "SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fme", "TokenCode=123456", "Tags.member.1.Key=team",
        "Tags.member.1.Value=sre", "Tags.member.2.Key=env", "TransitiveTagKeys.member.1=team",
        "SourceIdentity=alice", "Policy=%7B%22Version",
        "PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess"}) {
    EXPECT_NE(request.body.find(part), std::string::npos) << part << " in " << request.body;
  }
  bool signed_for_region = false;
  for (const auto& [name, value] : request.headers) {
    if (name == "Authorization")
      signed_for_region = value.find("/eu-west-1/sts/aws4_request") != std::string::npos;
  }
  EXPECT_TRUE(signed_for_region);
}

TEST(StsClient, GetSessionTokenAndFederationBodies) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAS", "2026-11-22T13:00:00Z"));
  transport.reply(200, sts_credentials_xml("GetFederationToken", "ASIAF", "2026-11-22T13:00:00Z"));
  transport.reply(403, error_xml("AccessDenied",
                                 "MultiFactorAuthentication failed with invalid MFA one time pass code."));
  StsClient sts(transport, clock, StsEndpoint{"http://127.0.0.1:5000", "us-east-1", "aws"});
  ASSERT_TRUE(sts.get_session_token(user_key(), {Seconds(3600), MfaInput{"SER", "000000"}}));
  EXPECT_EQ(
      transport.requests[0].body,
      "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600&SerialNumber=SER&TokenCode=000000");
  ASSERT_TRUE(sts.get_federation_token(user_key(), {"alice", Seconds(43200), std::nullopt, {}}));
  EXPECT_EQ(transport.requests[1].body,
            "Action=GetFederationToken&Version=2011-06-15&Name=alice&DurationSeconds=43200");
  auto denied = sts.get_session_token(user_key(), {});
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message.find("MFA code was not accepted"), std::string::npos);
}

// Error text from the endpoint reaches the terminal: no escape sequence or other control character survives.
TEST(StsErrors, ServerTextIsStrippedOfControlCharacters) {
  Error error = parse_sts_error(
      403, error_xml("Access\x1b[31mDenied", "you \x1b]0;pwned\x07shall not\npass\x1b[2J"), "AssumeRole");
  EXPECT_EQ(error.message.find('\x1b'), std::string::npos) << error.message;
  EXPECT_EQ(error.message.find('\x07'), std::string::npos) << error.message;
  EXPECT_EQ(error.message.find('\n'), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("shall not pass"), std::string::npos) << error.message;
  Error raw = parse_sts_error(502, "<html>\x1b[2Jbad gateway</html>", "AssumeRole");
  EXPECT_EQ(raw.message.find('\x1b'), std::string::npos) << raw.message;
}

TEST(StsClient, CredentialsThatExpiredBeforeArrivingAreAnError) {
  FakeTransport transport;
  FakeClock clock;  // 2026-11-22T12:00:00Z
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAOLD", "2026-11-22T11:59:59Z"));
  StsClient sts(transport, clock, StsEndpoint{"http://127.0.0.1:5000", "us-east-1", "aws"});
  auto got = sts.assume_role(user_key(), {"arn:aws:iam::1:role/r", "s", {}, {}, {}, {}, {}, {}, {}, {}});
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("had expired when they arrived"), std::string::npos);
}

AssumeRoleWithWebIdentityInput web_identity(const std::string& token) {
  return {"arn:aws:iam::2:role/ci", "ci-run", Secret(std::string_view(token)), Seconds(900)};
}

TEST(StsClient, AssumeRoleWithWebIdentityIsUnsignedAndCarriesTheToken) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIAW", "2026-11-22T13:00:00Z"));
  StsClient sts(transport, clock, StsEndpoint{"https://sts.eu-west-1.amazonaws.com", "eu-west-1", "aws"});
  auto got = sts.assume_role_with_web_identity(web_identity("eyJ0.a+b/c=.sig"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->access_key_id, "ASIAW");
  EXPECT_EQ(got->session_token.view(), "token-ASIAW");
  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& request = transport.requests[0];
  EXPECT_EQ(request.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_EQ(request.body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A2%3Arole%2Fci"
            "&RoleSessionName=ci-run&DurationSeconds=900&WebIdentityToken=eyJ0.a%2Bb%2Fc%3D.sig");
  for (const auto& [name, value] : request.headers) {
    EXPECT_NE(to_lower(name), "authorization");
    EXPECT_NE(to_lower(name).rfind("x-amz-", 0), 0u) << name;
  }
}

TEST(StsErrors, RefusedWebIdentityTokensAreExplainedWithoutTheToken) {
  const std::string token = "eyJSECRETTOKEN.claims.signature";
  FakeTransport transport;
  FakeClock clock;  // 2026-11-22T12:00:00Z
  transport.reply(400, error_xml("InvalidIdentityToken", "Incorrect token audience"));
  transport.reply(400,
                  error_xml("ExpiredTokenException",
                            "Token expired: current date/time 1 must be before the expiration date/time 0"));
  transport.reply(403, error_xml("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));
  transport.reply(502, "<html>bad gateway</html>");
  transport.drop();
  transport.reply(200, sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIAOLD", "2026-11-22T11:59:59Z"));
  StsClient sts(transport, clock, StsEndpoint{"http://127.0.0.1:5000", "us-east-1", "aws"});
  const char* const expected[][2] = {
      {"the web identity token was refused (InvalidIdentityToken: Incorrect token audience)", "audience"},
      {"the web identity token has expired (ExpiredTokenException", "renews it"},
      {"AccessDenied: Not authorized", "Federated principal"},
      {"HTTP 502", ""},
      {"connection refused", ""},
      {"had expired when they arrived", "clock"},
  };
  for (const auto& [message, hint] : expected) {
    auto got = sts.assume_role_with_web_identity(web_identity(token));
    ASSERT_FALSE(got) << message;
    const Error& error = got.error();
    EXPECT_EQ(error.message.rfind("AssumeRoleWithWebIdentity: ", 0), 0u) << error.message;
    EXPECT_NE(error.message.find(message), std::string::npos) << error.message;
    EXPECT_NE(error.hint.find(hint), std::string::npos) << error.hint;
    EXPECT_EQ(error.hint.find("kura clear"), std::string::npos) << error.hint;
    EXPECT_EQ((error.message + error.hint).find("SECRET"), std::string::npos);
  }
}

}  // namespace
}  // namespace kura
