// IAM: endpoint rules per partition and override, role ARNs, request shapes, paging, and the error messages.
#include "aws/iam.h"

#include <gtest/gtest.h>

#include <functional>

#include "aws/endpoints.h"
#include "fakes.h"

namespace kura {
namespace {

using testing::FakeClock;
using testing::FakeTransport;

// The trust policy as IAM sends it (percent-encoded) and as it reads decoded. "a+b c" checks that a '+' IAM
// encoded (%2B) and a space (%20) come back as themselves.
constexpr const char* k_encoded_policy =
    "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%"
    "22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A111122223333%3Aroot%22%7D%2C%22Action%22%3A%22sts%"
    "3AAssumeRole%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22sts%3AExternalId%22%3A%22a%2Bb%20c%"
    "22%7D%7D%7D%5D%7D";
constexpr const char* k_decoded_policy =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
    "111122223333:root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":"
    "\"a+b c\"}}}]}";

std::string role_xml(const std::string& name, const std::string& path = "/",
                     const std::string& extra = "<MaxSessionDuration>3600</MaxSessionDuration>") {
  return "<Path>" + path + "</Path><Arn>arn:aws:iam::111122223333:role" + path + name + "</Arn><RoleName>" +
         name + "</RoleName><AssumeRolePolicyDocument>" + k_encoded_policy +
         "</AssumeRolePolicyDocument><CreateDate>2024-05-08T23:34:01Z</CreateDate><RoleId>AROA" + name +
         "EXAMPLE</RoleId>" + extra;
}

std::string get_role_xml(const std::string& role) {
  return "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role>" + role +
         "</Role></GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></"
         "GetRoleResponse>";
}

std::string list_roles_xml(const std::vector<std::string>& names, const std::string& marker = "") {
  std::string xml =
      "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult><Roles>";
  for (const auto& name : names) xml += "<member>" + role_xml(name) + "</member>";
  xml += "</Roles><IsTruncated>" + std::string(marker.empty() ? "false" : "true") + "</IsTruncated>";
  if (!marker.empty()) xml += "<Marker>" + marker + "</Marker>";
  return xml + "</ListRolesResult></ListRolesResponse>";
}

constexpr const char* k_update_ok =
    "<UpdateAssumeRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata>"
    "<RequestId>r</RequestId></ResponseMetadata></UpdateAssumeRolePolicyResponse>";

std::string error_xml(const std::string& code, const std::string& message) {
  return "<ErrorResponse "
         "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message + "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

Credentials session_key() {
  Credentials c;
  c.access_key_id = "ASIAIOSFODNN7EXAMPLE";
  c.secret_access_key = Secret(std::string("wJalrXUtnFEMI-secret"));
  c.session_token = Secret(std::string("FwoGZX-session-token"));
  return c;
}

std::string header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

IamEndpoint global() {
  return default_iam_endpoint("aws");
}

// --- endpoint ---

TEST(IamEndpoint, OneGlobalEndpointPerPartitionSignedForItsHomeRegion) {
  const Environment env;
  struct Case {
    const char* region;
    const char* url;
    const char* signing_region;
    const char* partition;
  };
  for (const Case& c : {
           Case{"us-east-1", "https://iam.amazonaws.com", "us-east-1", "aws"},
           Case{"eu-west-1", "https://iam.amazonaws.com", "us-east-1", "aws"},
           Case{"ap-southeast-2", "https://iam.amazonaws.com", "us-east-1", "aws"},
           Case{"cn-north-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "aws-cn"},
           Case{"cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "aws-cn"},
           Case{"us-gov-west-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1", "aws-us-gov"},
           Case{"us-gov-east-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1", "aws-us-gov"},
       }) {
    auto endpoint = resolve_iam_endpoint(c.region, Profile{}, nullptr, env);
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    EXPECT_EQ(endpoint->url, c.url) << c.region;
    EXPECT_EQ(endpoint->signing_region, c.signing_region) << c.region;
    EXPECT_EQ(endpoint->partition, c.partition) << c.region;
  }
}

ConfigFiles files(const char* config) {
  auto loaded = ConfigFiles::from_text(config, "");
  EXPECT_TRUE(loaded) << loaded.error().message;
  return std::move(*loaded);
}

constexpr const char* k_config =
    "[profile p]\nservices = local\nendpoint_url = http://profile-global:4/\n"
    "[services local]\nsts =\n  endpoint_url = http://services-sts:9\niam =\n  endpoint_url = "
    "http://services-iam:3/\n";

TEST(IamEndpoint, ConfiguredUrlsInTheSameOrderAsSts) {
  ConfigFiles config = files(k_config);
  auto profile = resolve_profile(config, "p");
  ASSERT_TRUE(profile) << profile.error().message;
  Environment env({{"AWS_ENDPOINT_URL_IAM", "http://iam-env:1"},
                   {"AWS_ENDPOINT_URL_STS", "http://sts-env:1"},
                   {"AWS_ENDPOINT_URL", "http://global-env:2"}});
  auto url = [&] {
    auto endpoint = resolve_iam_endpoint("eu-west-1", *profile, &config, env);
    EXPECT_TRUE(endpoint) << endpoint.error().message;
    EXPECT_EQ(endpoint->signing_region, "us-east-1");  // overridden or not, signed for the partition
    return endpoint ? endpoint->url : std::string("<error>");
  };
  EXPECT_EQ(url(), "http://iam-env:1");
  env.unset("AWS_ENDPOINT_URL_IAM");
  EXPECT_EQ(url(), "http://global-env:2");  // the global variable beats the services block, as for STS
  EXPECT_EQ(resolve_sts_endpoint("eu-west-1", *profile, env).url, "http://sts-env:1");
  env.unset("AWS_ENDPOINT_URL_STS");
  EXPECT_EQ(resolve_sts_endpoint("eu-west-1", *profile, env).url, "http://global-env:2");
  env.unset("AWS_ENDPOINT_URL");
  EXPECT_EQ(url(), "http://services-iam:3");  // trailing slash dropped
  EXPECT_EQ(resolve_sts_endpoint("eu-west-1", *profile, env).url, "http://services-sts:9");
  // Without the files the services block cannot be read: the profile's endpoint_url is next.
  auto no_files = resolve_iam_endpoint("eu-west-1", *profile, nullptr, env);
  ASSERT_TRUE(no_files);
  EXPECT_EQ(no_files->url, "http://profile-global:4");
}

TEST(IamEndpoint, TheStsBlockIsNotTheIamBlock) {
  ConfigFiles config = files(
      "[profile p]\nservices = local\nendpoint_url = http://profile-global:4\n"
      "[services local]\nsts =\n  endpoint_url = http://services-sts:9\n");
  auto profile = resolve_profile(config, "p");
  ASSERT_TRUE(profile) << profile.error().message;
  auto endpoint = resolve_iam_endpoint("us-east-1", *profile, &config, Environment());
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  EXPECT_EQ(endpoint->url, "http://profile-global:4");
}

TEST(IamEndpoint, OverriddenUrlKeepsThePartitionsSigningRegion) {
  Environment env(std::map<std::string, std::string>{{"AWS_ENDPOINT_URL_IAM", "http://localhost:5000"}});
  auto cn = resolve_iam_endpoint("cn-northwest-1", Profile{}, nullptr, env);
  ASSERT_TRUE(cn);
  EXPECT_EQ(cn->url, "http://localhost:5000");
  EXPECT_EQ(cn->signing_region, "cn-north-1");
  EXPECT_EQ(cn->partition, "aws-cn");
  auto gov = resolve_iam_endpoint("us-gov-east-1", Profile{}, nullptr, env);
  ASSERT_TRUE(gov);
  EXPECT_EQ(gov->signing_region, "us-gov-west-1");
}

TEST(IamEndpoint, IgnoreConfiguredEndpointUrlsAsForSts) {
  ConfigFiles config = files(k_config);
  auto resolved = resolve_profile(config, "p");
  ASSERT_TRUE(resolved);
  Profile profile = *resolved;
  Environment env(std::map<std::string, std::string>{{"AWS_ENDPOINT_URL_IAM", "http://iam-env:1"}});
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
  EXPECT_EQ(resolve_iam_endpoint("us-east-1", profile, &config, env)->url, "https://iam.amazonaws.com");
  EXPECT_EQ(resolve_sts_endpoint("us-east-1", profile, env).url, "https://sts.us-east-1.amazonaws.com");
  env.unset("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  env.unset("AWS_ENDPOINT_URL_IAM");
  profile.ignore_configured_endpoint_urls = true;
  EXPECT_EQ(resolve_iam_endpoint("us-east-1", profile, &config, env)->url, "https://iam.amazonaws.com");
  // The variable, when set, decides over the profile's setting.
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
  EXPECT_EQ(resolve_iam_endpoint("us-east-1", profile, &config, env)->url, "http://services-iam:3");
  EXPECT_EQ(resolve_sts_endpoint("us-east-1", profile, env).url, "http://services-sts:9");
}

TEST(IamEndpoint, AMissingServicesSectionIsAnError) {
  ConfigFiles config = files("[profile p]\nregion = eu-west-1\n");
  Profile profile;
  profile.name = "p";
  profile.raw["services"] = "nowhere";
  auto endpoint = resolve_iam_endpoint("us-east-1", profile, &config, Environment());
  ASSERT_FALSE(endpoint);
  EXPECT_NE(endpoint.error().message.find("services section 'nowhere' not found"), std::string::npos);
}

// --- role ARNs ---

TEST(IamArn, SplitsARoleArn) {
  auto with_path = parse_role_arn("arn:aws:iam::123456789012:role/team/ops/deployer");
  ASSERT_TRUE(with_path) << with_path.error().message;
  EXPECT_EQ(with_path->partition, "aws");
  EXPECT_EQ(with_path->account, "123456789012");
  EXPECT_EQ(with_path->role_name, "deployer");
  EXPECT_EQ(with_path->path, "/team/ops/");
  auto plain = parse_role_arn("arn:aws-us-gov:iam::210987654321:role/admin+ops@x.y=z,w_-");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->partition, "aws-us-gov");
  EXPECT_EQ(plain->role_name, "admin+ops@x.y=z,w_-");
  EXPECT_EQ(plain->path, "/");
}

TEST(IamArn, ClearErrorsForWhatIsNotARoleArn) {
  struct Case {
    const char* arn;
    const char* message;
  };
  for (const Case& c : {
           Case{"", "is not an ARN"},
           Case{"admin", "is not an ARN"},
           Case{"arn:aws:iam::123456789012", "is not an ARN"},
           Case{"urn:aws:iam::123456789012:role/a", "is not an ARN"},
           Case{"arn:AWS:iam::123456789012:role/a", "unknown partition"},
           Case{"arn:aws:s3:::bucket", "is not an IAM ARN"},
           Case{"arn:aws:iam:us-east-1:123456789012:role/a", "no region"},
           Case{"arn:aws:iam::12345678901:role/a", "12 digits"},
           Case{"arn:aws:iam::12345678901x:role/a", "12 digits"},
           Case{"arn:aws:iam::123456789012:user/alice", "does not name a role"},
           Case{"arn:aws:iam::123456789012:role/", "not a valid role name"},
           Case{"arn:aws:iam::123456789012:role/a/", "not a valid role name"},
           Case{"arn:aws:iam::123456789012:role/bad name", "not a valid role name"},
           Case{"arn:aws:iam::123456789012:role/a//b", "invalid path"},
       }) {
    auto parsed = parse_role_arn(c.arn);
    ASSERT_FALSE(parsed) << c.arn;
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos) << parsed.error().message;
    EXPECT_FALSE(parsed.error().hint.empty()) << c.arn;
  }
  auto session = parse_role_arn("arn:aws:sts::123456789012:assumed-role/admin/alice");
  ASSERT_FALSE(session);
  EXPECT_NE(session.error().message.find("session's ARN"), std::string::npos);
  EXPECT_NE(session.error().hint.find("arn:aws:iam::123456789012:role/admin"), std::string::npos)
      << session.error().hint;
  auto escape = parse_role_arn("arn:aws:iam::123456789012:role/\x1b[2Jx");
  ASSERT_FALSE(escape);
  EXPECT_EQ(escape.error().message.find('\x1b'), std::string::npos);
}

// --- parsing ---

TEST(IamParse, PolicyDocumentsArePercentDecodedAsBotocoreDoes) {
  EXPECT_EQ(decode_policy_document(k_encoded_policy), k_decoded_policy);
  EXPECT_EQ(decode_policy_document("a+b%20c%2B%7b"), "a+b c+{");  // '+' is not a space here
  EXPECT_EQ(decode_policy_document("100%"), "100%");
  EXPECT_EQ(decode_policy_document("%4"), "%4");
  EXPECT_EQ(decode_policy_document("%zz%41"), "%zzA");
  EXPECT_EQ(decode_policy_document("{\"raw\":1}"), "{\"raw\":1}");  // an unencoded document passes through
}

TEST(IamParse, ReadsARole) {
  auto role = parse_get_role(get_role_xml(role_xml("deployer", "/team/")));
  ASSERT_TRUE(role) << role.error().message;
  EXPECT_EQ(role->name, "deployer");
  EXPECT_EQ(role->arn, "arn:aws:iam::111122223333:role/team/deployer");
  EXPECT_EQ(role->role_id, "AROAdeployerEXAMPLE");
  EXPECT_EQ(role->path, "/team/");
  EXPECT_EQ(role->create_date, "2024-05-08T23:34:01Z");
  EXPECT_EQ(role->assume_role_policy_document, k_decoded_policy);
  EXPECT_EQ(role->max_session_duration, Seconds(3600));
  auto without_duration = parse_get_role(get_role_xml(role_xml("r", "/", "")));
  ASSERT_TRUE(without_duration) << without_duration.error().message;
  EXPECT_FALSE(without_duration->max_session_duration);
}

TEST(IamParse, RejectsIncompleteOrInconsistentAnswers) {
  const std::string good = role_xml("r");
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string xml = good;
    xml.replace(xml.find(from), from.size(), to);
    return get_role_xml(xml);
  };
  struct Case {
    std::string xml;
    const char* message;
  };
  const Case cases[] = {
      {"not xml", "not XML"},
      {list_roles_xml({"r"}), "not a GetRole answer"},
      {"<GetRoleResponse><GetRoleResult/></GetRoleResponse>", "lacks a Role"},
      {replace("<RoleName>r</RoleName>", ""), "lacks RoleName"},
      {replace("<RoleId>AROArEXAMPLE</RoleId>", ""), "lacks RoleId"},
      {replace("<CreateDate>2024-05-08T23:34:01Z</CreateDate>", "<CreateDate>yesterday</CreateDate>"),
       "invalid CreateDate"},
      {replace("<RoleName>r</RoleName>", "<RoleName>r\x1b[2J</RoleName>"), "invalid RoleName"},
      {replace("<RoleName>r</RoleName>", "<RoleName>other</RoleName>"), "Arn does not name role"},
      {replace("<Path>/</Path>", "<Path>/x/</Path>"), "Arn does not name role"},
      {replace("<Path>/</Path>", "<Path>x</Path>"), "invalid Path"},
      {replace("3600", "99999999"), "invalid MaxSessionDuration"},
      {replace("3600", "60"), "invalid MaxSessionDuration"},
      {replace("3600", "-3600"), "invalid MaxSessionDuration"},
      {replace(k_encoded_policy, ""), "lacks AssumeRolePolicyDocument"},
  };
  for (const Case& c : cases) {
    auto role = parse_get_role(c.xml);
    ASSERT_FALSE(role) << c.message;
    EXPECT_NE(role.error().message.find(c.message), std::string::npos) << role.error().message;
  }
}

TEST(IamParse, ListRolesPages) {
  auto last = parse_list_roles(list_roles_xml({"a", "b"}));
  ASSERT_TRUE(last) << last.error().message;
  ASSERT_EQ(last->roles.size(), 2u);
  EXPECT_EQ(last->roles[1].name, "b");
  EXPECT_FALSE(last->marker);
  auto more = parse_list_roles(list_roles_xml({}, "m1"));
  ASSERT_TRUE(more);
  EXPECT_EQ(more->marker, "m1");
  EXPECT_FALSE(parse_list_roles(
      "<ListRolesResponse><ListRolesResult><IsTruncated>true</IsTruncated></ListRolesResult></"
      "ListRolesResponse>"));
  EXPECT_FALSE(parse_list_roles(
      "<ListRolesResponse><ListRolesResult><IsTruncated>maybe</IsTruncated></ListRolesResult></"
      "ListRolesResponse>"));
  EXPECT_FALSE(parse_list_roles("<ListRolesResponse/>"));
}

// --- the client ---

TEST(IamClient, GetRoleIsASignedQueryPostToTheGlobalEndpoint) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, get_role_xml(role_xml("deployer")));
  IamClient iam(transport, clock, global());
  auto role = iam.get_role(session_key(), "deployer");
  ASSERT_TRUE(role) << role.error().message;
  EXPECT_EQ(role->assume_role_policy_document, k_decoded_policy);
  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& request = transport.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://iam.amazonaws.com/");
  EXPECT_EQ(request.body, "Action=GetRole&Version=2010-05-08&RoleName=deployer");
  EXPECT_EQ(header(request, "Host"), "iam.amazonaws.com");
  EXPECT_EQ(header(request, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(header(request, "X-Amz-Security-Token"), "FwoGZX-session-token");
  const std::string authorization = header(request, "Authorization");
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20261122/us-east-1/iam/"
                                "aws4_request, ",
                                0),
            0u)
      << authorization;

  // The signature covers this body for this service and region: signing it again independently agrees.
  SignableRequest again;
  again.method = "POST";
  again.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                   {"Host", "iam.amazonaws.com"}};
  again.body = request.body;
  Credentials key = session_key();
  SigningParams params;
  params.access_key_id = key.access_key_id;
  params.secret_access_key = key.secret_access_key.view();
  params.session_token = key.session_token.view();
  params.region = "us-east-1";
  params.service = "iam";
  params.time = clock.now();
  sign_request(again, params);
  std::string expected;
  for (const auto& [name, value] : again.headers) {
    if (name == "Authorization") expected = value;
  }
  EXPECT_EQ(authorization, expected);
}

TEST(IamClient, SignsForTheEndpointsRegionAndKeepsAnOverriddenPath) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, get_role_xml(role_xml("r")));
  IamClient iam(transport, clock, IamEndpoint{"http://127.0.0.1:5000/iam", "cn-north-1", "aws-cn"});
  ASSERT_TRUE(iam.get_role(session_key(), "r"));
  EXPECT_EQ(transport.requests[0].url, "http://127.0.0.1:5000/iam");
  EXPECT_EQ(header(transport.requests[0], "Host"), "127.0.0.1:5000");
  EXPECT_NE(header(transport.requests[0], "Authorization").find("/cn-north-1/iam/aws4_request"),
            std::string::npos);
}

TEST(IamClient, ListRolesFollowsMarkersToTheLastPage) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, list_roles_xml({"a", "b"}, "page+2/=="));
  transport.reply(200, list_roles_xml({"c"}, "page3"));
  transport.reply(200, list_roles_xml({"d", "e"}));
  IamClient iam(transport, clock, global());
  auto roles = iam.list_roles(session_key(), std::string("/service-role/"));
  ASSERT_TRUE(roles) << roles.error().message;
  std::vector<std::string> names;
  for (const Role& role : *roles) names.push_back(role.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ((*roles)[4].assume_role_policy_document, k_decoded_policy);
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(transport.requests[0].body,
            "Action=ListRoles&Version=2010-05-08&MaxItems=20&PathPrefix=%2Fservice-role%2F");
  EXPECT_EQ(
      transport.requests[1].body,
      "Action=ListRoles&Version=2010-05-08&MaxItems=20&PathPrefix=%2Fservice-role%2F&Marker=page%2B2%2F%"
      "3D%3D");
  EXPECT_EQ(transport.requests[2].body,
            "Action=ListRoles&Version=2010-05-08&MaxItems=20&PathPrefix=%2Fservice-role%2F&Marker=page3");
}

TEST(IamClient, ListRolesStopsAfterAThousandPages) {
  FakeTransport transport;
  FakeClock clock;
  for (int i = 0; i <= 1000; ++i) transport.reply(200, list_roles_xml({}, "m" + std::to_string(i)));
  IamClient iam(transport, clock, global());
  auto roles = iam.list_roles(session_key());
  ASSERT_FALSE(roles);
  EXPECT_NE(roles.error().message.find("more than 1000 pages"), std::string::npos) << roles.error().message;
  EXPECT_EQ(transport.requests.size(), 1000u);
}

TEST(IamClient, ListRolesRefusesAMarkerThatDoesNotMove) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, list_roles_xml({"a"}, "same"));
  transport.reply(200, list_roles_xml({"b"}, "same"));
  transport.reply(200, list_roles_xml({"c"}));
  IamClient iam(transport, clock, global());
  auto roles = iam.list_roles(session_key());
  ASSERT_FALSE(roles);
  EXPECT_NE(roles.error().message.find("same Marker"), std::string::npos) << roles.error().message;
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST(IamClient, ListRolesNamesThePageThatFailed) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, list_roles_xml({"a"}, "m"));
  transport.reply(200, "<html>proxy</html>");
  IamClient iam(transport, clock, global());
  auto roles = iam.list_roles(session_key());
  ASSERT_FALSE(roles);
  EXPECT_EQ(roles.error().message, "page 2: ListRoles: response is not a ListRoles answer");
}

TEST(IamClient, UpdateAssumeRolePolicySendsTheDocument) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, k_update_ok);
  IamClient iam(transport, clock, global());
  auto updated = iam.update_assume_role_policy(session_key(), "deployer", "{\"Version\":\"2012-10-17\"}");
  ASSERT_TRUE(updated) << updated.error().message;
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].body,
            "Action=UpdateAssumeRolePolicy&Version=2010-05-08&RoleName=deployer&PolicyDocument=%7B%22Version%"
            "22%3A%222012-10-17%22%7D");
  transport.reply(200, "<html>captive portal</html>");
  EXPECT_FALSE(iam.update_assume_role_policy(session_key(), "deployer", "{}"));
}

TEST(IamClient, InvalidInputIsRefusedBeforeAnyRequest) {
  FakeTransport transport;
  FakeClock clock;
  IamClient iam(transport, clock, global());
  auto bad_name = iam.get_role(session_key(), "arn:aws:iam::123456789012:role/admin");
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().message.find("is not a valid IAM role name"), std::string::npos);
  EXPECT_FALSE(iam.get_role(session_key(), ""));
  EXPECT_FALSE(iam.get_role(session_key(), std::string(65, 'a')));
  EXPECT_FALSE(iam.update_assume_role_policy(session_key(), "r", ""));
  EXPECT_FALSE(iam.list_roles(session_key(), std::string("service-role/")));
  EXPECT_TRUE(transport.requests.empty());
}

TEST(IamClient, ThrottlingIsRetriedByTheRetryingTransport) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(400, error_xml("Throttling", "Rate exceeded"));
  transport.reply(503, "<html>unavailable</html>");
  transport.reply(200, get_role_xml(role_xml("r")));
  RetryingTransport retrying(transport, clock, 3);
  IamClient iam(retrying, clock, global());
  auto role = iam.get_role(session_key(), "r");
  ASSERT_TRUE(role) << role.error().message;
  EXPECT_EQ(transport.requests.size(), 3u);
}

// --- errors ---

TEST(IamErrors, EachCommonErrorGetsItsMessageAndHint) {
  struct Case {
    long status;
    const char* action;
    const char* code;
    const char* message;
    const char* expect_message;
    const char* expect_hint;
  };
  const Case cases[] = {
      {404, "GetRole", "NoSuchEntity", "The role with name ghost cannot be found.",
       "GetRole: role 'ghost' not found in the account", "--role-name"},
      {400, "UpdateAssumeRolePolicy", "MalformedPolicyDocument", "Has prohibited field Resource",
       "IAM rejected the trust policy of role 'ghost': Has prohibited field Resource", "2012-10-17"},
      {403, "UpdateAssumeRolePolicy", "AccessDenied",
       "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:UpdateAssumeRolePolicy "
       "on resource: role ghost because no identity-based policy allows the iam:UpdateAssumeRolePolicy "
       "action",
       "AccessDenied: User: arn:aws:iam::123456789012:user/alice is not authorized",
       "needs iam:UpdateAssumeRolePolicy on role 'ghost'"},
      {403, "GetRole", "AccessDenied", "Access denied", "GetRole: AccessDenied: Access denied",
       "needs iam:GetRole"},
      {400, "GetRole", "Throttling", "Rate exceeded", "GetRole: IAM is throttling requests (Throttling",
       "wait a few seconds"},
      {409, "UpdateAssumeRolePolicy", "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048",
       "is too long", "quota increase"},
      {400, "UpdateAssumeRolePolicy", "UnmodifiableEntity",
       "Cannot perform the operation on the protected role", "cannot be changed", "service-linked"},
      {403, "GetRole", "InvalidClientTokenId", "The security token included in the request is invalid.",
       "GetRole: InvalidClientTokenId", "kura add"},
      {403, "GetRole", "ExpiredToken", "The security token included in the request is expired",
       "GetRole: ExpiredToken", "kura clear"},
  };
  for (const Case& c : cases) {
    Error e = parse_iam_error(c.status, error_xml(c.code, c.message), c.action, {"role", "ghost"});
    EXPECT_NE(e.message.find(c.expect_message), std::string::npos) << e.message;
    EXPECT_NE(e.hint.find(c.expect_hint), std::string::npos) << c.code << ": " << e.hint;
  }
}

TEST(IamErrors, AccessDeniedNamesThePermissionIamNamed) {
  Error e = parse_iam_error(
      403, error_xml("AccessDenied", "User: x is not authorized to perform: iam:PassRole on resource: y"),
      "UpdateAssumeRolePolicy", {"role", "r"});
  EXPECT_NE(e.hint.find("needs iam:PassRole"), std::string::npos) << e.hint;
  Error list = parse_iam_error(403, error_xml("AccessDenied", "denied"), "ListRoles", {});
  EXPECT_NE(list.hint.find("needs iam:ListRoles:"), std::string::npos) << list.hint;
}

TEST(IamErrors, ServerTextIsMadePrintableAndNonXmlBodiesStillRead) {
  Error e =
      parse_iam_error(400, error_xml("MalformedPolicyDocument", "bad \x1b]0;pwned\x07policy\nhere\x1b[2J"),
                      "UpdateAssumeRolePolicy", {"role", "r"});
  EXPECT_EQ(e.message.find('\x1b'), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find('\x07'), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find('\n'), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("policy here"), std::string::npos) << e.message;
  Error moto = parse_iam_error(
      404,
      "<ErrorResponse><Errors><Error><Code>NoSuchEntity</Code><Message>gone</Message></Error></Errors>"
      "</ErrorResponse>",
      "GetRole", {"role", "ghost"});
  EXPECT_NE(moto.message.find("role 'ghost' not found"), std::string::npos) << moto.message;
  Error html = parse_iam_error(502, "<html>\x1b[2Jbad gateway</html>", "ListRoles", {});
  EXPECT_EQ(html.message.rfind("ListRoles: HTTP 502", 0), 0u) << html.message;
  EXPECT_EQ(html.message.find('\x1b'), std::string::npos) << html.message;
}

// --- access keys, the user, virtual MFA devices ---

constexpr const char* k_seed_base32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
// As IAM sends Base32StringSeed: base64 of the base32 text.
constexpr const char* k_seed_base64 =
    "SkJTV1kzRFBFSFBLM1BYUEpCU1dZM0RQRUhQSzNQWFBHRVpER05CVkdZM1RRT0pRR0VaREdOQlZHWTNUUU9KUQ==";
constexpr const char* k_new_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzNEWSECRET";
constexpr const char* k_serial = "arn:aws:iam::111122223333:mfa/alice";

std::string answer(const std::string& action, const std::string& result) {
  return "<" + action + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><" + action +
         "Result>" + result + "</" + action +
         "Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" + action + "Response>";
}

std::string acknowledgement(const std::string& action) {
  return "<" + action +
         "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata>"
         "<RequestId>r</RequestId></ResponseMetadata></" +
         action + "Response>";
}

std::string key_xml(const std::string& id, const std::string& status, const std::string& extra = "") {
  return "<UserName>alice</UserName><AccessKeyId>" + id + "</AccessKeyId><Status>" + status +
         "</Status><CreateDate>2024-01-02T03:04:05Z</CreateDate>" + extra;
}

std::string list_keys_xml(const std::vector<std::string>& members, const std::string& marker = "") {
  std::string xml = "<UserName>alice</UserName><AccessKeyMetadata>";
  for (const auto& member : members) xml += "<member>" + member + "</member>";
  xml +=
      "</AccessKeyMetadata><IsTruncated>" + std::string(marker.empty() ? "false" : "true") + "</IsTruncated>";
  if (!marker.empty()) xml += "<Marker>" + marker + "</Marker>";
  return answer("ListAccessKeys", xml);
}

std::string create_key_xml(const std::string& key) {
  return answer("CreateAccessKey", "<AccessKey>" + key + "</AccessKey>");
}

std::string mfa_device_xml(const std::string& seed) {
  return answer("CreateVirtualMFADevice", "<VirtualMFADevice><SerialNumber>" + std::string(k_serial) +
                                              "</SerialNumber><Base32StringSeed>" + seed +
                                              "</Base32StringSeed><QRCodePNG>iVBORw0KGgo=</QRCodePNG>"
                                              "</VirtualMFADevice>");
}

std::string list_mfa_xml(const std::vector<std::string>& serials, const std::string& marker = "") {
  std::string xml = "<MFADevices>";
  for (const auto& serial : serials) {
    xml += "<member><UserName>alice</UserName><SerialNumber>" + serial +
           "</SerialNumber><EnableDate>2024-03-04T05:06:07Z</EnableDate></member>";
  }
  xml += "</MFADevices><IsTruncated>" + std::string(marker.empty() ? "false" : "true") + "</IsTruncated>";
  if (!marker.empty()) xml += "<Marker>" + marker + "</Marker>";
  return answer("ListMFADevices", xml);
}

std::string user_xml(const std::string& fields) {
  return answer("GetUser",
                "<User>" + fields + "<Path>/</Path><CreateDate>2020-01-01T00:00:00Z</CreateDate></User>");
}

Credentials long_term_key() {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = Secret(std::string("wJalrXUtnFEMI-long-term"));
  return c;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A client over a fake transport, for the calls below.
class IamCalls : public ::testing::Test {
 protected:
  FakeTransport transport;
  FakeClock clock;
  IamClient iam{transport, clock, global()};
};

TEST_F(IamCalls, ListAccessKeysFollowsMarkersAndReadsEachKey) {
  transport.reply(200, list_keys_xml({key_xml("AKIAOLDOLDOLDOLD1111", "Active")}, "next/page=="));
  transport.reply(200, list_keys_xml({key_xml("AKIANEWNEWNEWNEW2222", "Inactive")}));
  auto keys = iam.list_access_keys(session_key(), std::string("alice"));
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].access_key_id, "AKIAOLDOLDOLDOLD1111");
  EXPECT_EQ((*keys)[0].status, AccessKeyStatus::active);
  EXPECT_EQ((*keys)[0].user_name, "alice");
  ASSERT_TRUE((*keys)[0].create_date);
  EXPECT_EQ(format_iso8601(*(*keys)[0].create_date), "2024-01-02T03:04:05Z");
  EXPECT_EQ((*keys)[1].status, AccessKeyStatus::inactive);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].body, "Action=ListAccessKeys&Version=2010-05-08&UserName=alice");
  EXPECT_EQ(transport.requests[1].body,
            "Action=ListAccessKeys&Version=2010-05-08&UserName=alice&Marker=next%2Fpage%3D%3D");

  // Without a user name IAM answers for the caller.
  transport.reply(200, list_keys_xml({}));
  ASSERT_TRUE(iam.list_access_keys(session_key(), std::nullopt));
  EXPECT_EQ(transport.requests[2].body, "Action=ListAccessKeys&Version=2010-05-08");
}

TEST(IamAccessKeys, ListAccessKeysRefusesWhatIsNotAKey) {
  const std::pair<std::string, std::string> cases[] = {
      {key_xml("AKIAOLDOLDOLDOLD1111", "Retired"), "no valid Status"},
      {key_xml("AKIA-bad", "Active"), "invalid AccessKeyId"},
      {"<AccessKeyId>AKIAOLDOLDOLDOLD1111</AccessKeyId><Status>Active</Status><CreateDate>yesterday</"
       "CreateDate>",
       "invalid CreateDate"},
      {"<UserName>al ice</UserName><AccessKeyId>AKIAOLDOLDOLDOLD1111</AccessKeyId><Status>Active</Status>",
       "invalid UserName"},
      {"<Status>Active</Status>", "lacks AccessKeyId"},
  };
  for (const auto& [member, expected] : cases) {
    auto page = parse_list_access_keys(list_keys_xml({member}));
    ASSERT_FALSE(page) << member;
    EXPECT_TRUE(has(page.error().message, expected)) << page.error().message;
  }
  // The root user's keys name no user; the date is optional.
  auto root = parse_list_access_keys(
      list_keys_xml({"<AccessKeyId>AKIAROOTROOTROOT0000</AccessKeyId><Status>Expired</Status>"}));
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(root->keys[0].user_name, "");
  EXPECT_EQ(root->keys[0].status, AccessKeyStatus::expired);
  EXPECT_FALSE(root->keys[0].create_date);
  auto none = parse_list_access_keys(answer("ListAccessKeys", "<AccessKeyMetadata/>"));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->keys.empty());
  EXPECT_FALSE(parse_list_access_keys(acknowledgement("ListAccessKeys")));
}

TEST_F(IamCalls, CreateAccessKeyPutsTheSecretInTheKey) {
  transport.reply(
      200, create_key_xml(key_xml("AKIANEWNEWNEWNEW2222", "Active",
                                  "<SecretAccessKey>" + std::string(k_new_secret) + "</SecretAccessKey>")));
  auto key = iam.create_access_key(session_key(), std::string("alice"));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->key.access_key_id, "AKIANEWNEWNEWNEW2222");
  EXPECT_EQ(key->key.secret_access_key.view(), k_new_secret);
  EXPECT_TRUE(key->key.session_token.empty());
  EXPECT_FALSE(key->key.expiration);
  EXPECT_EQ(key->status, AccessKeyStatus::active);
  EXPECT_EQ(key->user_name, "alice");
  ASSERT_TRUE(key->create_date);
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].body, "Action=CreateAccessKey&Version=2010-05-08&UserName=alice");

  transport.reply(200, create_key_xml(key_xml("AKIANEWNEWNEWNEW2222", "Active",
                                              "<SecretAccessKey>a&#43;b/c</SecretAccessKey>")));
  auto escaped = iam.create_access_key(session_key(), std::nullopt);
  ASSERT_TRUE(escaped) << escaped.error().message;
  EXPECT_EQ(escaped->key.secret_access_key.view(), "a+b/c");
  EXPECT_EQ(transport.requests[1].body, "Action=CreateAccessKey&Version=2010-05-08");
}

TEST(IamAccessKeys, AnIncompleteNewKeyIsAnErrorThatNeverShowsTheSecret) {
  const std::string secret = "<SecretAccessKey>" + std::string(k_new_secret) + "</SecretAccessKey>";
  const std::pair<std::string, std::string> cases[] = {
      {"<Status>Active</Status>" + secret, "lacks AccessKeyId"},
      {key_xml("AKIANEWNEWNEWNEW2222", "Active"), "lacks SecretAccessKey"},
      {key_xml("AKIANEWNEWNEWNEW2222", "Active",
               "<SecretAccessKey>" + std::string(k_new_secret) + "&#10;</SecretAccessKey>"),
       "invalid SecretAccessKey"},
      {key_xml(
           "AKIANEWNEWNEWNEW2222", "Active",
           "<SecretAccessKey>" + std::string(300, 'k') + std::string(k_new_secret) + "</SecretAccessKey>"),
       "invalid SecretAccessKey"},
      {key_xml("AKIANEWNEWNEWNEW2222", "Pending", secret), "no valid Status"},
  };
  for (const auto& [key, expected] : cases) {
    auto parsed = parse_create_access_key(create_key_xml(key));
    ASSERT_FALSE(parsed) << key;
    EXPECT_TRUE(has(parsed.error().message, expected)) << parsed.error().message;
    EXPECT_FALSE(has(parsed.error().message + parsed.error().hint, k_new_secret)) << parsed.error().message;
  }
  EXPECT_FALSE(parse_create_access_key(answer("CreateAccessKey", "")));
  EXPECT_FALSE(parse_create_access_key("<CreateAccessKeyResponse>" + secret));
}

TEST_F(IamCalls, DeleteAndUpdateNameTheKeyAndTheUser) {
  transport.reply(200, acknowledgement("DeleteAccessKey"));
  ASSERT_TRUE(iam.delete_access_key(session_key(), "AKIAOLDOLDOLDOLD1111", std::string("alice")));
  transport.reply(200, acknowledgement("UpdateAccessKey"));
  ASSERT_TRUE(
      iam.update_access_key(session_key(), "AKIAOLDOLDOLDOLD1111", AccessKeyStatus::inactive, std::nullopt));
  transport.reply(200, acknowledgement("UpdateAccessKey"));
  ASSERT_TRUE(iam.update_access_key(session_key(), "AKIAOLDOLDOLDOLD1111", AccessKeyStatus::active,
                                    std::string("bob")));
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(transport.requests[0].body,
            "Action=DeleteAccessKey&Version=2010-05-08&AccessKeyId=AKIAOLDOLDOLDOLD1111&UserName=alice");
  EXPECT_EQ(transport.requests[1].body,
            "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIAOLDOLDOLDOLD1111&Status=Inactive");
  EXPECT_EQ(transport.requests[2].body,
            "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIAOLDOLDOLDOLD1111&Status=Active&"
            "UserName=bob");

  // A mismatched answer is not a success.
  transport.reply(200, acknowledgement("UpdateAccessKey"));
  EXPECT_FALSE(iam.delete_access_key(session_key(), "AKIAOLDOLDOLDOLD1111", std::nullopt));
}

TEST_F(IamCalls, GetUserReadsTheCallerAndChecksTheArn) {
  transport.reply(200, user_xml("<UserName>alice</UserName><UserId>AIDAEXAMPLE</UserId>"
                                "<Arn>arn:aws:iam::111122223333:user/team/alice</Arn>"));
  auto user = iam.get_user(session_key());
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->name, "alice");
  EXPECT_EQ(user->arn, "arn:aws:iam::111122223333:user/team/alice");
  EXPECT_EQ(user->user_id, "AIDAEXAMPLE");
  EXPECT_EQ(transport.requests[0].body, "Action=GetUser&Version=2010-05-08");

  auto root =
      parse_get_user(user_xml("<UserId>111122223333</UserId><Arn>arn:aws:iam::111122223333:root</Arn>"));
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(root->name, "");
  for (const std::string fields : {
           "<UserName>alice</UserName><UserId>AIDA</UserId><Arn>arn:aws:iam::111122223333:user/malice</Arn>",
           "<UserName>alice</UserName><UserId>AIDA</UserId><Arn>arn:aws:iam::111122223333:role/alice</Arn>",
           "<UserId>AIDA</UserId><Arn>arn:aws:iam::111122223333:user/alice</Arn>",
           "<UserName>alice</UserName><Arn>arn:aws:iam::111122223333:user/alice</Arn>",
       }) {
    EXPECT_FALSE(parse_get_user(user_xml(fields))) << fields;
  }
}

TEST_F(IamCalls, CreateVirtualMfaDeviceDecodesTheSeedToBase32) {
  transport.reply(200, mfa_device_xml(k_seed_base64));
  auto device = iam.create_virtual_mfa_device(session_key(), "alice");
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(device->serial_number, k_serial);
  EXPECT_EQ(device->base32_seed.view(), k_seed_base32);
  EXPECT_EQ(transport.requests[0].body,
            "Action=CreateVirtualMFADevice&Version=2010-05-08&VirtualMFADeviceName=alice");
}

TEST(IamMfa, ASeedThatIsNotBase64OfBase32IsRefusedWithoutShowingIt) {
  const std::string cases[] = {
      k_seed_base32,                   // base32 sent as is: not base64 of it
      "bm90IGJhc2UzMiBhdCBhbGwhIQ==",  // base64 of "not base32 at all!!"
      "",                              // absent
      std::string(2000, 'A'),          // too long
  };
  for (const std::string& seed : cases) {
    auto device = parse_create_virtual_mfa_device(mfa_device_xml(seed));
    ASSERT_FALSE(device) << seed;
    EXPECT_TRUE(has(device.error().message, "Base32StringSeed")) << device.error().message;
    EXPECT_FALSE(has(device.error().message + device.error().hint, k_seed_base32)) << device.error().message;
    if (!seed.empty()) {
      EXPECT_FALSE(has(device.error().message, seed.substr(0, 16))) << device.error().message;
    }
  }
  EXPECT_FALSE(parse_create_virtual_mfa_device(
      answer("CreateVirtualMFADevice", "<VirtualMFADevice><Base32StringSeed>" + std::string(k_seed_base64) +
                                           "</Base32StringSeed></VirtualMFADevice>")));
}

TEST_F(IamCalls, EnableSendsBothCodesAndChecksTheirShape) {
  transport.reply(200, acknowledgement("EnableMFADevice"));
  ASSERT_TRUE(iam.enable_mfa_device(session_key(), "alice", k_serial, "123456", "654321"));
  EXPECT_EQ(transport.requests[0].body,
            "Action=EnableMFADevice&Version=2010-05-08&UserName=alice&SerialNumber=arn%3Aaws%3Aiam%3A%"
            "3A111122223333%"
            "3Amfa%2Falice&AuthenticationCode1=123456&AuthenticationCode2=654321");

  for (const auto& [code1, code2] : {std::pair{"12345", "123456"}, std::pair{"123456", "12345a"},
                                     std::pair{"", "123456"}, std::pair{"1234567", "123456"}}) {
    auto bad = iam.enable_mfa_device(session_key(), "alice", k_serial, code1, code2);
    ASSERT_FALSE(bad);
    EXPECT_TRUE(has(bad.error().message, "six digits")) << bad.error().message;
  }
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(IamCalls, ListMfaDevicesFollowsMarkers) {
  transport.reply(200, list_mfa_xml({k_serial}, "m2"));
  transport.reply(200, list_mfa_xml({"GAHT12345678"}));
  auto devices = iam.list_mfa_devices(session_key(), std::nullopt);
  ASSERT_TRUE(devices) << devices.error().message;
  ASSERT_EQ(devices->size(), 2u);
  EXPECT_EQ((*devices)[0].serial_number, k_serial);
  EXPECT_EQ((*devices)[0].user_name, "alice");
  EXPECT_EQ(format_iso8601((*devices)[0].enable_date), "2024-03-04T05:06:07Z");
  EXPECT_EQ((*devices)[1].serial_number, "GAHT12345678");
  EXPECT_EQ(transport.requests[0].body, "Action=ListMFADevices&Version=2010-05-08");
  EXPECT_EQ(transport.requests[1].body, "Action=ListMFADevices&Version=2010-05-08&Marker=m2");

  EXPECT_FALSE(parse_list_mfa_devices(list_mfa_xml({"short"})));
  EXPECT_FALSE(parse_list_mfa_devices(
      answer("ListMFADevices",
             "<MFADevices><member><UserName>alice</UserName><SerialNumber>GAHT12345678</SerialNumber>"
             "</member></MFADevices>")));
}

TEST_F(IamCalls, DeleteVirtualMfaDeviceNamesTheDevice) {
  transport.reply(200, acknowledgement("DeleteVirtualMFADevice"));
  ASSERT_TRUE(iam.delete_virtual_mfa_device(session_key(), k_serial));
  EXPECT_EQ(
      transport.requests[0].body,
      "Action=DeleteVirtualMFADevice&Version=2010-05-08&SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%"
      "2Falice");
}

TEST_F(IamCalls, NewCallsRefuseInvalidInputBeforeAnyRequest) {
  const Credentials key = session_key();
  EXPECT_FALSE(iam.list_access_keys(key, std::string("arn:aws:iam::111122223333:user/alice")));
  EXPECT_FALSE(iam.list_access_keys(key, std::string("")));
  EXPECT_FALSE(iam.create_access_key(key, std::string(129, 'a')));
  EXPECT_FALSE(iam.delete_access_key(key, "AKIA", std::nullopt));
  EXPECT_FALSE(iam.delete_access_key(key, "AKIAOLDOLDOLD/1111", std::nullopt));
  EXPECT_FALSE(iam.update_access_key(key, "AKIAOLDOLDOLDOLD1111", AccessKeyStatus::expired, std::nullopt));
  EXPECT_FALSE(iam.create_virtual_mfa_device(key, ""));
  EXPECT_FALSE(iam.create_virtual_mfa_device(key, "alice phone"));
  EXPECT_FALSE(iam.enable_mfa_device(key, "alice", "mfa", "123456", "654321"));
  EXPECT_FALSE(iam.delete_virtual_mfa_device(key, "arn:aws:iam::111122223333:mfa/alice phone"));
  EXPECT_FALSE(iam.list_mfa_devices(key, std::string("al/ice")));
  EXPECT_TRUE(transport.requests.empty());
}

// What each call says when IAM refuses it, as a caller shows it (codes and secrets never in it).
TEST(IamErrors, EachRefusalOfTheNewCallsIsSaidPlainly) {
  struct Case {
    long status;
    const char* code;
    const char* message;
    std::function<Error(IamClient&)> call;
    std::string expect_message;
    const char* expect_hint;
  };
  const Credentials key = session_key();
  const Case cases[] = {
      {409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2",
       [&](IamClient& iam) { return iam.create_access_key(key, std::nullopt).error(); },
       "CreateAccessKey: the user already has two access keys", "delete the key that is not in use"},
      {404, "NoSuchEntity", "The Access Key with id AKIAOLDOLDOLDOLD1111 cannot be found.",
       [&](IamClient& iam) {
         return iam.delete_access_key(key, "AKIAOLDOLDOLDOLD1111", std::nullopt).error();
       },
       "DeleteAccessKey: access key '****1111' not found", "deleted already"},
      {409, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.",
       [&](IamClient& iam) { return iam.create_virtual_mfa_device(key, "alice").error(); },
       "an MFA device named 'alice' already exists", "another device name"},
      {403, "InvalidAuthenticationCode", "Authentication code for device is not valid.",
       [&](IamClient& iam) {
         return iam.enable_mfa_device(key, "alice", k_serial, "123456", "654321").error();
       },
       "EnableMFADevice: the two codes were not accepted", "two consecutive codes"},
      {409, "EntityAlreadyExists", "MFA device already exists.",
       [&](IamClient& iam) {
         return iam.enable_mfa_device(key, "alice", k_serial, "123456", "654321").error();
       },
       "is already assigned to a user", "enrol a new device"},
      {409, "DeleteConflict", "MFA device is in use.",
       [&](IamClient& iam) { return iam.delete_virtual_mfa_device(key, k_serial).error(); },
       "MFA device '" + std::string(k_serial) + "' is still in use", "deactivated"},
  };
  for (const Case& c : cases) {
    FakeTransport transport;
    FakeClock clock;
    transport.reply(c.status, error_xml(c.code, c.message));
    IamClient iam(transport, clock, global());
    Error e = c.call(iam);
    EXPECT_TRUE(has(e.message, c.expect_message)) << e.message;
    EXPECT_TRUE(has(e.hint, c.expect_hint)) << c.code << ": " << e.hint;
    EXPECT_FALSE(has(e.message + e.hint, "654321")) << e.message;
  }
}

TEST(IamErrors, NewCallsGetTheirMessages) {
  const IamSubject device{"MFA device", k_serial};
  Error quota =
      parse_iam_error(409, error_xml("LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: 8"),
                      "EnableMFADevice", device);
  EXPECT_TRUE(has(quota.message, "quota of MFA devices")) << quota.message;
  Error user = parse_iam_error(404, error_xml("NoSuchEntity", "The user with name bob cannot be found."),
                               "ListAccessKeys", {"user", "bob"});
  EXPECT_TRUE(has(user.message, "ListAccessKeys: user 'bob' not found (NoSuchEntity")) << user.message;
  Error denied =
      parse_iam_error(403, error_xml("AccessDenied", "denied"), "CreateAccessKey", {"user", "bob"});
  EXPECT_TRUE(has(denied.hint, "needs iam:CreateAccessKey on user 'bob':")) << denied.hint;
  Error key_denied = parse_iam_error(403, error_xml("AccessDenied", "denied"), "DeleteAccessKey",
                                     {"access key", "****1111"});
  EXPECT_TRUE(has(key_denied.hint, "needs iam:DeleteAccessKey:")) << key_denied.hint;
  Error busy =
      parse_iam_error(409, error_xml("EntityTemporarilyUnmodifiable", "busy"), "EnableMFADevice", device);
  EXPECT_TRUE(has(busy.hint, "wait a few seconds")) << busy.hint;
}

TEST_F(IamCalls, SessionCredentialsWithoutMfaAreExplained) {
  const std::string invalid =
      error_xml("InvalidClientTokenId", "The security token included in the request is invalid");
  transport.reply(403, invalid);
  transport.reply(403, invalid);
  auto with_session = iam.list_access_keys(session_key(), std::nullopt);
  ASSERT_FALSE(with_session);
  EXPECT_TRUE(has(with_session.error().hint, "without MFA")) << with_session.error().hint;
  auto with_key = iam.list_access_keys(long_term_key(), std::nullopt);
  ASSERT_FALSE(with_key);
  EXPECT_TRUE(has(with_key.error().hint, "kura add")) << with_key.error().hint;
}

TEST(IamErrors, NoSecretReachesAnErrorMessage) {
  const Credentials key = session_key();
  FakeTransport transport;
  FakeClock clock;
  transport.reply(403, error_xml("AccessDenied", "denied"));
  transport.reply(404, error_xml("NoSuchEntity", "gone"));
  transport.reply(500, "<html>oops</html>");
  transport.drop();
  IamClient iam(transport, clock, global());
  std::vector<Error> errors;
  errors.push_back(iam.get_role(key, "r").error());
  errors.push_back(iam.update_assume_role_policy(key, "r", "{}").error());
  errors.push_back(iam.list_roles(key).error());
  errors.push_back(iam.get_role(key, "r").error());
  EXPECT_NE(errors[3].message.find("GetRole: connection refused"), std::string::npos) << errors[3].message;
  transport.reply(403, error_xml("AccessDenied", "denied"));
  transport.reply(409, error_xml("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"));
  transport.reply(403, error_xml("InvalidAuthenticationCode", "not valid"));
  transport.reply(500, "<html>oops</html>");
  transport.drop();
  errors.push_back(iam.list_access_keys(key, std::nullopt).error());
  errors.push_back(iam.create_access_key(key, std::nullopt).error());
  errors.push_back(iam.enable_mfa_device(key, "alice", k_serial, "123456", "654321").error());
  errors.push_back(iam.create_virtual_mfa_device(key, "alice").error());
  errors.push_back(iam.get_user(key).error());
  for (const Error& error : errors) {
    for (std::string_view secret : {key.secret_access_key.view(), key.session_token.view()}) {
      EXPECT_EQ(error.message.find(secret), std::string::npos) << error.message;
      EXPECT_EQ(error.hint.find(secret), std::string::npos) << error.hint;
    }
  }
}

}  // namespace
}  // namespace kura
