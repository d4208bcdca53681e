// Web identity tokens (a file read fresh on every call, or a process) exchanged unsigned, and
// credential_process output read as the AWS CLI reads it, with errors that name the source and never hold a
// secret.
#include "creds/external_providers.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "fakes.h"
#include "util/fs.h"

namespace kura {
namespace {

using namespace kura::testing;

class WebIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "kura-web-identity-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory = pattern;
    token_file = directory + "/token";
  }
  void TearDown() override {
    (void)remove_file(token_file);
    ::rmdir(directory.c_str());
  }

  WebIdentityProvider provider(WebIdentitySource source, std::string session_name = "") {
    AssumeRoleInput input;
    input.role_arn = "arn:aws:iam::2:role/ci";
    input.session_name = std::move(session_name);
    input.duration = Seconds(900);
    return WebIdentityProvider([this]() -> Result<StsClient*> { return &sts; }, "ci", std::move(source),
                               std::move(input),
                               [this](const std::string& command) -> Result<Secret> {
                                 commands.push_back(command);
                                 return std::move(command_result);
                               },
                               clock);
  }
  void write_token(std::string_view text) { ASSERT_TRUE(write_file_atomic(token_file, text, 0600)); }
  void reply() {
    transport.reply(200, sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIAWEB",
                                             format_iso8601(clock.now() + Seconds(900))));
  }
  std::string sent_body(size_t i) const { return transport.requests.at(i).body; }

  std::string directory, token_file;
  FakeClock clock;
  FakeTransport transport;
  StsClient sts{transport, clock, StsEndpoint{"https://sts.us-east-1.amazonaws.com", "us-east-1", "aws"}};
  std::vector<std::string> commands;
  Result<Secret> command_result = make_error("no command expected");
};

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

TEST_F(WebIdentityTest, TheTokenFileIsReadFreshOnEveryCallAndTrimmed) {
  auto web = provider({token_file, std::nullopt});
  write_token("  eyJ.first.sig\n");
  reply();
  auto first = web.retrieve();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->credentials.access_key_id, "ASIAWEB");
  EXPECT_EQ(first->origin, Origin::sts);
  write_token("eyJ.second.sig\n\n");
  reply();
  ASSERT_TRUE(web.retrieve());
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_TRUE(ends_with(sent_body(0), "&WebIdentityToken=eyJ.first.sig")) << sent_body(0);
  EXPECT_TRUE(ends_with(sent_body(1), "&WebIdentityToken=eyJ.second.sig")) << sent_body(1);
  EXPECT_EQ(web.describe(), "AssumeRoleWithWebIdentity arn:aws:iam::2:role/ci");
}

TEST_F(WebIdentityTest, TheRequestIsUnsignedWithTheDefaultSessionName) {
  write_token("eyJ.tok.sig");
  reply();
  auto web = provider({token_file, std::nullopt});
  ASSERT_TRUE(web.retrieve());
  const std::string seconds =
      std::to_string(std::chrono::duration_cast<Seconds>(clock.now().time_since_epoch()).count());
  EXPECT_EQ(sent_body(0),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A2%3Arole%2Fci"
            "&RoleSessionName=kura-" +
                seconds + "&DurationSeconds=900&WebIdentityToken=eyJ.tok.sig");
  for (const auto& [name, value] : transport.requests[0].headers) EXPECT_NE(name, "Authorization");

  reply();
  auto named = provider({token_file, std::nullopt}, "pipeline-42");
  ASSERT_TRUE(named.retrieve());
  EXPECT_NE(sent_body(1).find("&RoleSessionName=pipeline-42&"), std::string::npos) << sent_body(1);
}

TEST_F(WebIdentityTest, AMissingOrEmptyTokenFileIsNamedAndNothingIsSent) {
  auto web = provider({token_file, std::nullopt});
  auto missing = web.retrieve();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "profile 'ci': web_identity_token_file " + token_file + " does not exist");
  write_token(" \n\t\n");
  auto empty = web.retrieve();
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "profile 'ci': web_identity_token_file " + token_file + " is empty");
  auto neither = provider({}).retrieve();
  ASSERT_FALSE(neither);
  EXPECT_NE(neither.error().hint.find("web_identity_token_file"), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(WebIdentityTest, TheTokenProcessGivesTheTokenTrimmed) {
  command_result = Secret(std::string("\n eyJ.from-process.sig \n"));
  reply();
  auto got = provider({std::nullopt, "get-token --aud sts"}).retrieve();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(commands, std::vector<std::string>{"get-token --aud sts"});
  EXPECT_TRUE(ends_with(sent_body(0), "&WebIdentityToken=eyJ.from-process.sig")) << sent_body(0);

  command_result = Secret(std::string(" \n"));
  auto empty = provider({std::nullopt, "get-token"}).retrieve();
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "profile 'ci': web_identity_token_process 'get-token' printed no token");
  command_result = make_error("'get-token' exited with status 2");
  auto failed = provider({std::nullopt, "get-token"}).retrieve();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message,
            "profile 'ci': web_identity_token_process 'get-token': 'get-token' exited with status 2");
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(WebIdentityTest, ARefusedTokenIsExplainedWithoutTheToken) {
  write_token("eyJ.SECRET-TOKEN.sig");
  transport.reply(400,
                  "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>Incorrect token "
                  "audience</Message></Error></ErrorResponse>");
  auto refused = provider({token_file, std::nullopt}).retrieve();
  ASSERT_FALSE(refused);
  EXPECT_EQ(
      refused.error().message.rfind("profile 'ci': AssumeRoleWithWebIdentity: the web identity token was "
                                    "refused",
                                    0),
      0u)
      << refused.error().message;
  EXPECT_EQ((refused.error().message + refused.error().hint).find("SECRET"), std::string::npos);
}

// --- credential_process --------------------------------------------------------------------------------

const std::string k_source = "the credential_process of 'dev'";

Result<Credentials> parse(const std::string& json, TimePoint now = *parse_iso8601("2026-11-22T12:00:00Z")) {
  return parse_process_credentials(json, k_source, now);
}

TEST(ProcessCredentials, ReadsVersionOneOutput) {
  auto full = parse(
      "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"s3cr3t\", \"SessionToken\": "
      "\"tok\", \"Expiration\": \"2026-11-22T13:00:00Z\"}\n");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->access_key_id, "ASIAPROC");
  EXPECT_EQ(full->secret_access_key.view(), "s3cr3t");
  EXPECT_EQ(full->session_token.view(), "tok");
  EXPECT_EQ(format_iso8601(*full->expiration), "2026-11-22T13:00:00Z");

  auto long_term = parse(R"({"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"s3cr3t"})");
  ASSERT_TRUE(long_term) << long_term.error().message;
  EXPECT_TRUE(long_term->session_token.empty());
  EXPECT_FALSE(long_term->expiration);
  auto nulls = parse(
      R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","SessionToken":null,"Expiration":null})");
  ASSERT_TRUE(nulls) << nulls.error().message;
  EXPECT_FALSE(nulls->expiration);
}

TEST(ProcessCredentials, OtherMembersAreIgnoredWhateverTheyHold) {
  auto got =
      parse(R"({"Version":1,"Extra":{"a":[1,{"b":"}]\""}],"c":{}},"AccessKeyId":"A","Ratio":0.5,"Big":1e300,)"
            R"("List":[],"Flag":true,"Note":"{[","SecretAccessKey":"s3cr3t","AccountId":"123456789012"})");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->access_key_id, "A");
  EXPECT_EQ(got->secret_access_key.view(), "s3cr3t");
}

TEST(ProcessCredentials, ExpirationWithAUtcOffset) {
  const std::pair<const char*, const char*> cases[] = {
      {"2026-11-22T15:00:00+02:00", "2026-11-22T13:00:00Z"},
      {"2026-11-22T08:00:00-0500", "2026-11-22T13:00:00Z"},
      {"2026-11-22T14:00:00.123+01", "2026-11-22T13:00:00Z"},
      {"2026-11-22T13:00:00+00:00", "2026-11-22T13:00:00Z"},
  };
  for (const auto& [given, utc] : cases) {
    auto got = parse(std::string(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":")") +
                     given + "\"}");
    ASSERT_TRUE(got) << given << ": " << got.error().message;
    EXPECT_EQ(format_iso8601(*got->expiration), utc) << given;
  }
}

TEST(ProcessCredentials, WrongOutputIsNamedPreciselyWithoutASecret) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s3cr3t"})", "its Version is the number 2"},
      {R"({"Version":"1","AccessKeyId":"A","SecretAccessKey":"s3cr3t"})", "its Version is a string"},
      {R"({"Version":1.0,"AccessKeyId":"A","SecretAccessKey":"s3cr3t"})",
       "its Version is a number with a fraction or exponent"},
      {R"({"AccessKeyId":"A","SecretAccessKey":"s3cr3t"})", "its Version is missing"},
      {R"({"Version":1,"AccessKeyId":"A"})", "its output has no SecretAccessKey"},
      {R"({"Version":1,"SecretAccessKey":"s3cr3t"})", "its output has no AccessKeyId"},
      {R"({"Version":1,"AccessKeyId":7,"SecretAccessKey":"s3cr3t"})", "its AccessKeyId is the number 7"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":""})", "its SecretAccessKey is empty"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":["s3cr3t"]})", "its SecretAccessKey is an array"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","SessionToken":{"t":"s3cr3t"}})",
       "its SessionToken is an object"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","Expiration":"tomorrow"})",
       "its Expiration 'tomorrow' is not an ISO 8601 time"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","Expiration":1700000000})",
       "its Expiration is the number 1700000000"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","Expiration":"2026-11-22T11:00:00Z"})",
       "the credentials it gave expired at 2026-11-22T11:00:00Z (this machine's clock says "
       "2026-11-22T12:00:00Z)"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t","X":[1,2})", "not the JSON object"},
      {"AccessKeyId=A SecretAccessKey=s3cr3t", "not the JSON object"},
      {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"s3cr3t"} trailing)", "not the JSON object"},
      {"", "not the JSON object"},
  };
  for (const auto& [json, expected] : cases) {
    auto got = parse(json);
    ASSERT_FALSE(got) << json;
    const Error& error = got.error();
    EXPECT_EQ(error.message.rfind(k_source + ": ", 0), 0u) << error.message;
    EXPECT_NE(error.message.find(expected), std::string::npos) << json << " gave " << error.message;
    EXPECT_EQ((error.message + error.hint).find("s3cr3t"), std::string::npos) << error.message;
  }
}

TEST(ProcessCredentialsProvider, RunsTheCommandAndReadsItsOutput) {
  FakeClock clock;
  std::vector<std::string> commands;
  Result<Secret> output = Secret(
      std::string(R"({"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s3cr3t","SessionToken":"t",)"
                  R"("Expiration":"2026-11-22T13:00:00Z"})"));
  ProcessCredentialsProvider provider(
      "dev", "cred-helper --profile dev",
      [&](const std::string& command) {
        commands.push_back(command);
        return std::move(output);
      },
      clock);
  auto got = provider.retrieve();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->origin, Origin::credential_process);
  EXPECT_EQ(got->credentials.access_key_id, "ASIAPROC");
  EXPECT_EQ(commands, std::vector<std::string>{"cred-helper --profile dev"});
  EXPECT_EQ(provider.describe(), k_source);

  output = make_error("'cred-helper' exited with status 1: not logged in");
  auto failed = provider.retrieve();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, k_source + ": 'cred-helper' exited with status 1: not logged in");

  clock.advance(Seconds(2 * 3600));  // the same output, now stale
  output = Secret(std::string(
      R"({"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s3cr3t","Expiration":"2026-11-22T13:00:00Z"})"));
  auto stale = provider.retrieve();
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().message.find("expired at 2026-11-22T13:00:00Z"), std::string::npos)
      << stale.error().message;
}

}  // namespace
}  // namespace kura
