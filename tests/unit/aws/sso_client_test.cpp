// IAM Identity Center's OIDC and portal clients: the requests botocore sends, the answers' parsers, what each
// error means to a caller, and paging that ends.
#include "aws/sso_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"

namespace kura {
namespace {

using testing::FakeClock;
using testing::FakeTransport;

constexpr const char* k_oidc = "https://oidc.eu-west-1.amazonaws.com";
constexpr const char* k_portal = "https://portal.sso.eu-west-1.amazonaws.com";
constexpr const char* k_access_token = "aoaAAAAA-access-token-secret";

std::string header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

nlohmann::json body_of(const HttpRequest& request) {
  return nlohmann::json::parse(request.body);
}

template <typename T>
T ok(SsoResult<T> result) {
  if (auto* failure = std::get_if<SsoError>(&result)) {
    ADD_FAILURE() << failure->error.message;
    return T{};
  }
  return std::get<T>(std::move(result));
}

// CreateToken's device code grant.
CreateTokenInput device_grant(const Secret& client_secret, const Secret& device_code) {
  CreateTokenInput input;
  input.client_id = "cid";
  input.client_secret = &client_secret;
  input.device_code = &device_code;
  return input;
}

template <typename T>
SsoError failed(SsoResult<T> result) {
  if (auto* failure = std::get_if<SsoError>(&result)) return std::move(*failure);
  ADD_FAILURE() << "expected an error";
  return {};
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::string oidc_error(const std::string& error, const std::string& description) {
  return nlohmann::json{{"error", error}, {"error_description", description}}.dump();
}

std::string role_credentials(const std::string& expiration = "1795870800000") {
  return R"({"roleCredentials": {"accessKeyId": "ASIAEXAMPLEEXAMPLE12", "secretAccessKey": "role-secret",
             "sessionToken": "role-session-token", "expiration": )" +
         expiration + "}}";
}

// --- OIDC ---

TEST(SsoOidc, RegisterClientSendsBotocoresShapeAndReadsTheRegistration) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, R"({"clientId": "cid", "clientSecret": "client-secret", "clientIdIssuedAt": 1795860000,
                           "clientSecretExpiresAt": 1803636000})");
  SsoOidcClient oidc(transport, clock, std::string(k_oidc) + "/");  // a trailing slash is harmless
  RegisterClientInput input;
  input.client_name = "kura-host-1795860000";
  input.scopes = {"sso:account:access"};
  input.grant_types = {"authorization_code", "refresh_token"};
  input.redirect_uris = {"http://127.0.0.1/oauth/callback"};
  input.issuer_url = "https://corp.awsapps.com/start";
  auto registration = oidc.register_client(input);
  ASSERT_TRUE(registration) << registration.error().message;
  EXPECT_EQ(registration->client_id, "cid");
  EXPECT_EQ(registration->client_secret.view(), "client-secret");
  EXPECT_EQ(registration->expires_at, TimePoint(Seconds(1803636000)));

  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& request = transport.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, std::string(k_oidc) + "/client/register");
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_EQ(body_of(request), nlohmann::json::parse(R"({"clientName": "kura-host-1795860000",
      "clientType": "public", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code",
      "refresh_token"], "redirectUris": ["http://127.0.0.1/oauth/callback"],
      "issuerUrl": "https://corp.awsapps.com/start"})"));
}

TEST(SsoOidc, RegisterClientLeavesOutWhatIsNotGiven) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, R"({"clientId": "cid", "clientSecret": "s", "clientSecretExpiresAt": 1803636000})");
  SsoOidcClient oidc(transport, clock, k_oidc);
  RegisterClientInput input;
  input.client_name = "kura";
  ASSERT_TRUE(oidc.register_client(input));
  EXPECT_EQ(body_of(transport.requests[0]),
            (nlohmann::json{{"clientName", "kura"}, {"clientType", "public"}}));
}

TEST(SsoOidc, ARegistrationThatArrivesExpiredBlamesTheClock) {
  FakeTransport transport;
  FakeClock clock;  // 2026-11-22T12:00:00Z
  transport.reply(200, R"({"clientId": "cid", "clientSecret": "s", "clientSecretExpiresAt": 1700000000})");
  SsoOidcClient oidc(transport, clock, k_oidc);
  auto registration = oidc.register_client(RegisterClientInput{"kura", {}, {}, {}, {}});
  ASSERT_FALSE(registration);
  EXPECT_TRUE(contains(registration.error().message, "sso-oidc RegisterClient: the registration had expired"))
      << registration.error().message;
  EXPECT_TRUE(contains(registration.error().hint, "clock"));
}

TEST(SsoOidc, RegisterClientErrorsNameTheActionAndTheServersWords) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(400, oidc_error("invalid_redirect_uri", "Invalid redirect URI"));
  transport.drop();
  SsoOidcClient oidc(transport, clock, k_oidc);
  auto refused = oidc.register_client(RegisterClientInput{"kura", {}, {}, {}, {}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "sso-oidc RegisterClient: invalid_redirect_uri: Invalid redirect URI");
  auto unreachable = oidc.register_client(RegisterClientInput{"kura", {}, {}, {}, {}});
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().message, "sso-oidc RegisterClient: connection refused");
}

TEST(SsoOidc, StartDeviceAuthorizationSendsTheClientAndReadsTheCodes) {
  FakeTransport transport;
  FakeClock clock;
  transport.reply(200, R"({"deviceCode": "device-secret", "userCode": "ABCD-EFGH",
      "verificationUri": "https://device.sso.eu-west-1.amazonaws.com/",
      "verificationUriComplete": "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH",
      "expiresIn": 600, "interval": 1})");
  SsoOidcClient oidc(transport, clock, k_oidc);
  Secret client_secret(std::string("client-\"secret"));
  auto device = oidc.start_device_authorization("cid", client_secret, "https://corp.awsapps.com/start");
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(device->device_code.view(), "device-secret");
  EXPECT_EQ(device->user_code, "ABCD-EFGH");
  EXPECT_EQ(device->verification_uri, "https://device.sso.eu-west-1.amazonaws.com/");
  EXPECT_EQ(device->verification_uri_complete,
            "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH");
  EXPECT_EQ(device->expires_in, Seconds(600));
  EXPECT_EQ(device->interval, Seconds(1));

  const HttpRequest& request = transport.requests.at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, std::string(k_oidc) + "/device_authorization");
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_EQ(body_of(request),
            (nlohmann::json{{"clientId", "cid"},
                            {"clientSecret", "client-\"secret"},  // escaped, read back whole
                            {"startUrl", "https://corp.awsapps.com/start"}}));
}

TEST(SsoOidc, DeviceAuthorizationDefaultsAndRefusals) {
  auto defaults = parse_device_authorization(
      R"({"deviceCode": "d", "userCode": "U", "verificationUri": "https://x/", "verificationUriComplete": null})");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->interval, Seconds(5));  // RFC 8628's default
  EXPECT_EQ(defaults->expires_in, Seconds(600));
  EXPECT_EQ(defaults->verification_uri_complete, "");

  struct Case {
    const char* json;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"userCode": "U", "verificationUri": "https://x/"})", " lacks deviceCode"},
           Case{R"({"deviceCode": 7, "userCode": "U", "verificationUri": "https://x/"})",
                "'s deviceCode is not a string"},
           Case{R"({"deviceCode": "d", "userCode": "U\u001b[2J", "verificationUri": "https://x/"})",
                "'s userCode is invalid"},
           Case{R"({"deviceCode": "d", "userCode": "U", "verificationUri": "javascript:alert"})",
                " has a verification URI that is not a web address"},
           Case{R"({"deviceCode": "d", "userCode": "U", "verificationUri": "https://x/", "interval": 0})",
                "'s interval (0) is out of range"},
           Case{
               R"({"deviceCode": "d", "userCode": "U", "verificationUri": "https://x/", "expiresIn": "600"})",
               "'s expiresIn is not an integer"},
           Case{R"({"deviceCode": "d", "userCode": "U", "verificationUri": "https://x/", "expiresIn": 1e3})",
                " is not the expected JSON ('expiresIn': a number that is not an integer)"},
       }) {
    auto device = parse_device_authorization(c.json);
    ASSERT_FALSE(device) << c.json;
    EXPECT_EQ(device.error().message,
              std::string("sso-oidc StartDeviceAuthorization: the answer") + c.message);
  }
}

TEST(SsoOidc, CreateTokenSendsEachGrantAsBotocoreDoes) {
  FakeTransport transport;
  FakeClock clock;
  for (int i = 0; i < 3; ++i) {
    transport.reply(200, R"({"accessToken": "at", "tokenType": "Bearer", "expiresIn": 3600,
                             "refreshToken": "rt", "idToken": "id"})");
  }
  SsoOidcClient oidc(transport, clock, k_oidc);
  Secret client_secret(std::string("cs"));
  Secret device_code(std::string("dc"));
  Secret code(std::string("code"));
  Secret verifier(std::string("verifier"));
  Secret refresh(std::string("old-rt"));

  SsoTokenGrant grant = ok(oidc.create_token(device_grant(client_secret, device_code)));
  EXPECT_EQ(grant.access_token.view(), "at");
  EXPECT_EQ(grant.refresh_token.view(), "rt");
  EXPECT_EQ(grant.expires_in, Seconds(3600));

  CreateTokenInput authorization;
  authorization.grant = CreateTokenInput::Grant::authorization_code;
  authorization.client_id = "cid";
  authorization.client_secret = &client_secret;
  authorization.code = &code;
  authorization.redirect_uri = "http://127.0.0.1:4711/oauth/callback";
  authorization.code_verifier = &verifier;
  (void)ok(oidc.create_token(authorization));

  CreateTokenInput refreshing;
  refreshing.grant = CreateTokenInput::Grant::refresh_token;
  refreshing.client_id = "cid";
  refreshing.client_secret = &client_secret;
  refreshing.refresh_token = &refresh;
  (void)ok(oidc.create_token(refreshing));

  ASSERT_EQ(transport.requests.size(), 3u);
  for (const HttpRequest& request : transport.requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.url, std::string(k_oidc) + "/token");
    EXPECT_EQ(header(request, "Content-Type"), "application/json");
  }
  EXPECT_EQ(body_of(transport.requests[0]),
            (nlohmann::json{{"clientId", "cid"},
                            {"clientSecret", "cs"},
                            {"grantType", "urn:ietf:params:oauth:grant-type:device_code"},
                            {"deviceCode", "dc"}}));
  EXPECT_EQ(body_of(transport.requests[1]),
            (nlohmann::json{{"clientId", "cid"},
                            {"clientSecret", "cs"},
                            {"grantType", "authorization_code"},
                            {"code", "code"},
                            {"redirectUri", "http://127.0.0.1:4711/oauth/callback"},
                            {"codeVerifier", "verifier"}}));
  EXPECT_EQ(body_of(transport.requests[2]), (nlohmann::json{{"clientId", "cid"},
                                                            {"clientSecret", "cs"},
                                                            {"grantType", "refresh_token"},
                                                            {"refreshToken", "old-rt"}}));
}

TEST(SsoOidc, CreateTokenWithoutItsSecretsSendsNothing) {
  FakeTransport transport;
  FakeClock clock;
  SsoOidcClient oidc(transport, clock, k_oidc);
  Secret client_secret(std::string("cs"));
  CreateTokenInput input;
  input.grant = CreateTokenInput::Grant::refresh_token;  // and no refresh token given
  input.client_id = "cid";
  input.client_secret = &client_secret;
  SsoError error = failed(oidc.create_token(input));
  EXPECT_EQ(error.kind, SsoErrorKind::other);
  EXPECT_TRUE(contains(error.error.message, "sso-oidc CreateToken")) << error.error.message;
  EXPECT_TRUE(transport.requests.empty());
}

TEST(SsoOidc, TokenAnswers) {
  auto without_refresh =
      parse_create_token(R"({"accessToken": "at", "tokenType": "Bearer", "expiresIn": 28800})");
  ASSERT_TRUE(without_refresh) << without_refresh.error().message;
  EXPECT_TRUE(without_refresh->refresh_token.empty());
  EXPECT_EQ(without_refresh->expires_in, Seconds(28800));

  struct Case {
    std::string json;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"expiresIn": 3600})", " lacks accessToken"},
           {R"({"accessToken": "", "expiresIn": 3600})", "'s accessToken is empty"},
           {R"({"accessToken": "at-secret"})", " lacks expiresIn"},
           {R"({"accessToken": "at-secret", "expiresIn": "3600"})", "'s expiresIn is not an integer"},
           {R"({"accessToken": "at-secret", "expiresIn": 0})", "'s expiresIn (0) is out of range"},
           {R"({"accessToken": "at-secret", "expiresIn": 9223372036854775807})",
            "'s expiresIn (9223372036854775807) is out of range"},
           {R"({"accessToken": "at-secret", "expiresIn": 99999999999999999999})",
            " is not the expected JSON ('expiresIn': a number out of range)"},
           {R"({"accessToken": "at-secret", "expiresIn": 3600, "refreshToken": 5})",
            "'s refreshToken is not a string"},
           {R"({"accessToken": "at-secret", "expiresIn": 3600, "extra": {"a": 1}})",
            " is not the expected JSON ('extra' is nested, which kura's items never are)"},
           {R"(<html>gateway timeout</html>)", " is not the expected JSON (not a JSON object)"},
           {"{\"accessToken\": \"at-secret\", \"expiresIn\": 3600, \"\\u001b[2J\": 1, \"\\u001b[2J\": 2}",
            " is not the expected JSON (a duplicate member '[2J')"},  // a member name, made printable
           {"{\"x\": \"" + std::string(70000, 'x') + "\"}", " is too large"},
       }) {
    auto grant = parse_create_token(c.json);
    ASSERT_FALSE(grant) << c.json;
    EXPECT_EQ(grant.error().message, "sso-oidc CreateToken: the answer" + c.message);
    EXPECT_FALSE(contains(grant.error().message, "at-secret"));
  }
}

TEST(SsoOidc, CreateTokenErrorsSayWhatToDoNext) {
  struct Case {
    long status;
    std::string body;
    SsoErrorKind kind;
  };
  for (const Case& c : std::vector<Case>{
           {400, oidc_error("authorization_pending", "Authorization is pending"),
            SsoErrorKind::authorization_pending},
           {400, oidc_error("slow_down", "Client is polling too fast"), SsoErrorKind::slow_down},
           {400, oidc_error("expired_token", "The device code has expired"), SsoErrorKind::expired},
           {400, oidc_error("access_denied", "The user denied the request"), SsoErrorKind::access_denied},
           {400, oidc_error("invalid_grant", "Invalid refresh token"), SsoErrorKind::invalid_grant},
           {401, oidc_error("invalid_client", "Invalid client"), SsoErrorKind::invalid_client},
           {400, oidc_error("unsupported_grant_type", "Unsupported grant type"), SsoErrorKind::other},
           // The exception names, in "error" or as an AWS JSON __type.
           {400, R"({"error": "AuthorizationPendingException"})", SsoErrorKind::authorization_pending},
           {400, R"({"__type": "com.amazonaws.ssooidc#SlowDownException", "message": "x"})",
            SsoErrorKind::slow_down},
           {400, R"({"__type": "ExpiredTokenException:http://internal.amazon.com/coral/"})",
            SsoErrorKind::expired},
           {400, R"({"error": "InvalidGrantException"})", SsoErrorKind::invalid_grant},
           {401, R"({"error": "InvalidClientException"})", SsoErrorKind::invalid_client},
           {400, R"({"error": "AccessDeniedException"})", SsoErrorKind::access_denied},
           {500, "<html>oops</html>", SsoErrorKind::other},
       }) {
    FakeTransport transport;
    FakeClock clock;
    transport.reply(c.status, c.body);
    SsoOidcClient oidc(transport, clock, k_oidc);
    Secret client_secret(std::string("cs"));
    Secret device_code(std::string("dc"));
    SsoError error = failed(oidc.create_token(device_grant(client_secret, device_code)));
    EXPECT_EQ(error.kind, c.kind) << c.body;
    EXPECT_TRUE(error.error.message.starts_with("sso-oidc CreateToken: ")) << error.error.message;
  }
}

TEST(SsoOidc, ErrorMessagesAreBoundedAndSafeForATerminal) {
  SsoError pending = parse_sso_error(400, oidc_error("authorization_pending", "Authorization is pending"),
                                     "sso-oidc CreateToken");
  EXPECT_EQ(pending.error.message, "sso-oidc CreateToken: authorization_pending: Authorization is pending");

  SsoError hostile =
      parse_sso_error(400, oidc_error("bad\x1b[31m", "Denied\x1b]0;owned\x07 " + std::string(5000, 'x')),
                      "sso-oidc CreateToken");
  EXPECT_FALSE(contains(hostile.error.message, "\x1b"));
  EXPECT_FALSE(contains(hostile.error.message, "\x07"));
  EXPECT_TRUE(hostile.error.message.starts_with("sso-oidc CreateToken: HTTP 400: Denied]0;owned x"))
      << hostile.error.message;
  EXPECT_LT(hostile.error.message.size(), 400u);

  SsoError html = parse_sso_error(502, "<html>Bad \x1b[2J gateway</html>", "SSO ListAccounts");
  EXPECT_EQ(html.error.message, "SSO ListAccounts: HTTP 502: <html>Bad [2J gateway</html>");
  EXPECT_EQ(html.kind, SsoErrorKind::other);

  SsoError empty = parse_sso_error(500, "", "SSO ListAccounts");
  EXPECT_EQ(empty.error.message, "SSO ListAccounts: HTTP 500: no error details in the answer");
}

TEST(SsoOidc, AuthorizeUrlEncodesEveryValue) {
  FakeTransport transport;
  FakeClock clock;
  SsoOidcClient oidc(transport, clock, std::string(k_oidc) + "/");
  EXPECT_EQ(oidc.authorize_url("c&id", "http://127.0.0.1:4711/oauth/callback", "st=ate", "ch+al/le",
                               {"sso:account:access", "extra scope"}),
            std::string(k_oidc) +
                "/authorize?response_type=code&client_id=c%26id"
                "&redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Foauth%2Fcallback&state=st%3Date"
                "&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess%20extra%20scope"
                "&code_challenge=ch%2Bal%2Fle");
}

// --- the portal ---

TEST(SsoPortal, GetRoleCredentialsSendsTheTokenAsAHeaderOnly) {
  FakeTransport transport;
  transport.reply(200, role_credentials());
  SsoPortalClient portal(transport, std::string(k_portal) + "/");
  Secret token(std::string{k_access_token});
  Credentials credentials = ok(portal.get_role_credentials(token, "111111111111", "Admin+Ops"));
  EXPECT_EQ(credentials.access_key_id, "ASIAEXAMPLEEXAMPLE12");
  EXPECT_EQ(credentials.secret_access_key.view(), "role-secret");
  EXPECT_EQ(credentials.session_token.view(), "role-session-token");
  ASSERT_TRUE(credentials.expiration);
  EXPECT_EQ(format_iso8601(*credentials.expiration), "2026-11-28T13:00:00Z");  // milliseconds, not seconds

  const HttpRequest& request = transport.requests.at(0);
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.url,
            std::string(k_portal) + "/federation/credentials?role_name=Admin%2BOps&account_id=111111111111");
  EXPECT_EQ(header(request, "x-amz-sso_bearer_token"), k_access_token);
  EXPECT_TRUE(request.body.empty());
  EXPECT_FALSE(contains(request.url, k_access_token));
}

TEST(SsoPortal, RoleCredentialAnswers) {
  struct Case {
    std::string json;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({})", " lacks roleCredentials"},
           {R"({"roleCredentials": "x"})", "'s roleCredentials is not an object"},
           {R"({"roleCredentials": [1]})",
            " is not the expected JSON ('roleCredentials' is an array, which this "
            "reader does not take)"},
           {R"({"roleCredentials": {"accessKeyId": {"a": 1}}})",
            " is not the expected JSON ('roleCredentials': 'accessKeyId' is nested more than one level)"},
           {R"({"roleCredentials": {"secretAccessKey": "s", "sessionToken": "t", "expiration": 1}})",
            " lacks accessKeyId"},
           {R"({"roleCredentials": {"accessKeyId": "ASIA", "sessionToken": "t", "expiration": 1}})",
            " lacks secretAccessKey"},
           {R"({"roleCredentials": {"accessKeyId": "ASIA", "secretAccessKey": "s", "expiration": 1}})",
            " lacks sessionToken"},
           {role_credentials("\"1795870800000\""), "'s expiration is not an integer"},
           {role_credentials("-5"), "'s expiration (-5) is out of range"},
           {role_credentials("9223372036854775807"), "'s expiration (9223372036854775807) is out of range"},
           {role_credentials("1795870800000.5"),
            " is not the expected JSON ('roleCredentials': 'expiration': a number that is not an integer)"},
           {R"({"roleCredentials": {"accessKeyId": "AS IA", "secretAccessKey": "s", "sessionToken": "t",
                "expiration": 1}})",
            "'s accessKeyId is invalid"},
       }) {
    auto credentials = parse_role_credentials(c.json);
    ASSERT_FALSE(credentials) << c.json;
    EXPECT_EQ(credentials.error().message, "SSO GetRoleCredentials: the answer" + c.message);
  }
}

TEST(SsoPortal, ARefusedTokenMeansSignInAgain) {
  FakeTransport transport;
  transport.reply(401, R"({"message": "Session token not found or invalid"})");
  transport.reply(403, R"({"message": "No access"})");
  transport.reply(400, R"({"message": "Invalid next token"})");
  transport.drop();
  SsoPortalClient portal(transport, k_portal);
  Secret token(std::string{k_access_token});

  SsoError unauthorized = failed(portal.get_role_credentials(token, "111111111111", "Admin"));
  EXPECT_EQ(unauthorized.kind, SsoErrorKind::unauthorized);
  EXPECT_EQ(unauthorized.error.message,
            "SSO GetRoleCredentials: HTTP 401: Session token not found or invalid");
  EXPECT_FALSE(contains(unauthorized.error.message + unauthorized.error.hint, k_access_token));
  EXPECT_TRUE(contains(unauthorized.error.hint, "sign in again"));

  SsoError forbidden = failed(portal.get_role_credentials(token, "111111111111", "Admin"));
  EXPECT_EQ(forbidden.kind, SsoErrorKind::other);
  EXPECT_EQ(forbidden.error.message, "SSO GetRoleCredentials: HTTP 403: No access");
  EXPECT_TRUE(contains(forbidden.error.hint, "sso_role_name"));

  EXPECT_EQ(failed(portal.list_accounts(token)).kind, SsoErrorKind::other);

  SsoError unreachable = failed(portal.get_role_credentials(token, "111111111111", "Admin"));
  EXPECT_EQ(unreachable.error.message, "SSO GetRoleCredentials: connection refused");

  EXPECT_EQ(parse_sso_error(401, R"({"__type": "UnauthorizedException"})", "SSO ListAccounts").kind,
            SsoErrorKind::unauthorized);
}

TEST(SsoPortal, ListAccountsFollowsEveryPage) {
  FakeTransport transport;
  transport.reply(200, R"({"accountList": [{"accountId": "111111111111", "accountName": "dev",
                                            "emailAddress": "dev@example.com"}], "nextToken": "a+b/c="})");
  transport.reply(200, R"({"accountList": [{"accountId": "222222222222", "accountName": "prod\u001b[2J",
                                            "emailAddress": "prod@example.com"}], "nextToken": null})");
  SsoPortalClient portal(transport, k_portal);
  Secret token(std::string{k_access_token});
  std::vector<SsoAccount> accounts = ok(portal.list_accounts(token));
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].account_id, "111111111111");
  EXPECT_EQ(accounts[0].account_name, "dev");
  EXPECT_EQ(accounts[0].email, "dev@example.com");
  EXPECT_EQ(accounts[1].account_name, "prod[2J");  // shown in pickers: no escape sequence survives

  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].method, "GET");
  EXPECT_EQ(transport.requests[0].url, std::string(k_portal) + "/assignment/accounts?max_result=100");
  EXPECT_EQ(transport.requests[1].url,
            std::string(k_portal) + "/assignment/accounts?next_token=a%2Bb%2Fc%3D&max_result=100");
  for (const HttpRequest& request : transport.requests) {
    EXPECT_EQ(header(request, "x-amz-sso_bearer_token"), k_access_token);
  }
}

TEST(SsoPortal, ListAccountRolesFollowsEveryPage) {
  FakeTransport transport;
  transport.reply(200,
                  R"({"roleList": [{"roleName": "Admin", "accountId": "111111111111"}], "nextToken": "p2"})");
  transport.reply(200, R"({"roleList": [{"roleName": "ReadOnly", "accountId": "111111111111"}]})");
  SsoPortalClient portal(transport, std::string(k_portal) + "//");
  Secret token(std::string{k_access_token});
  std::vector<SsoAccountRole> roles = ok(portal.list_account_roles(token, "111111111111"));
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0].role_name, "Admin");
  EXPECT_EQ(roles[1].role_name, "ReadOnly");
  EXPECT_EQ(roles[1].account_id, "111111111111");
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].url,
            std::string(k_portal) + "/assignment/roles?max_result=100&account_id=111111111111");
  EXPECT_EQ(transport.requests[1].url,
            std::string(k_portal) + "/assignment/roles?next_token=p2&max_result=100&account_id=111111111111");
}

TEST(SsoPortal, PagingThatNeverEndsIsStopped) {
  Secret token(std::string{k_access_token});
  {
    FakeTransport transport;  // the same token again: stopped at once
    transport.reply(200, R"({"accountList": [], "nextToken": "again"})");
    transport.reply(200, R"({"accountList": [], "nextToken": "again"})");
    transport.reply(200, R"({"accountList": []})");
    SsoPortalClient portal(transport, k_portal);
    SsoError error = failed(portal.list_accounts(token));
    EXPECT_TRUE(
        contains(error.error.message, "SSO ListAccounts: the portal sent a page token it had sent before"))
        << error.error.message;
    EXPECT_EQ(transport.requests.size(), 2u);
  }
  {
    FakeTransport transport;  // a new token every time: stopped at the cap
    for (int i = 0; i < 1001; ++i) {
      transport.reply(200, R"({"roleList": [], "nextToken": "t)" + std::to_string(i) + "\"}");
    }
    transport.reply(200, R"({"roleList": []})");
    SsoPortalClient portal(transport, k_portal);
    SsoError error = failed(portal.list_account_roles(token, "111111111111"));
    EXPECT_TRUE(contains(error.error.message, "SSO ListAccountRoles: the portal sent more than 1000 pages"))
        << error.error.message;
    EXPECT_EQ(transport.requests.size(), 1000u);
  }
}

TEST(SsoPortal, ListPageAnswers) {
  auto empty = parse_account_page("{}");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->first.empty());
  EXPECT_EQ(empty->second, "");

  struct Case {
    std::string json;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"[]", " is not a JSON object"},
           {"{\"accountList\": [", " is not a JSON object"},
           {R"({"accountList": {}})", "'s accountList is not a list"},
           {R"({"accountList": [1]})", " has an account that is not an object"},
           {R"({"accountList": [{"accountName": "x"}]})", " has an accountId that is not 12 digits"},
           {R"({"accountList": [{"accountId": 111111111111}]})", "'s accountId is not a string"},
           {R"({"accountList": [{"accountId": "11111111111x"}]})", " has an accountId that is not 12 digits"},
           {R"({"accountList": [], "nextToken": 5})", "'s nextToken is not a string"},
           {R"({"accountList": [], "nextToken": ")" + std::string(5000, 't') + "\"}",
            " has an oversized nextToken"},
       }) {
    auto page = parse_account_page(c.json);
    ASSERT_FALSE(page) << c.json;
    EXPECT_EQ(page.error().message, "SSO ListAccounts: the answer" + c.message);
  }
  auto bad_role =
      parse_role_page(R"({"roleList": [{"roleName": "Admin Role", "accountId": "111111111111"}]})");
  ASSERT_FALSE(bad_role);
  EXPECT_EQ(bad_role.error().message, "SSO ListAccountRoles: the answer has an invalid roleName");
  auto nested = parse_role_page(R"({"roleList": [[{"roleName": "Admin"}]]})");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().message, "SSO ListAccountRoles: the answer has a role that is not an object");
}

TEST(SsoPortal, LogoutEndsTheSignIn) {
  FakeTransport transport;
  transport.reply(200, "");
  transport.reply(401, R"({"message": "Session token not found or invalid"})");  // ended already
  transport.reply(500, R"({"message": "Internal failure"})");
  SsoPortalClient portal(transport, k_portal);
  Secret token(std::string{k_access_token});
  EXPECT_TRUE(portal.logout(token));
  const HttpRequest& request = transport.requests.at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, std::string(k_portal) + "/logout");
  EXPECT_EQ(header(request, "x-amz-sso_bearer_token"), k_access_token);
  EXPECT_TRUE(portal.logout(token));
  auto failure = portal.logout(token);
  ASSERT_FALSE(failure);
  EXPECT_EQ(failure.error().message, "SSO Logout: HTTP 500: Internal failure");
}

}  // namespace
}  // namespace kura
