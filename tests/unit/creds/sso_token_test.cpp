// The SSO token source: the cache shared with the AWS CLI, silent refresh, the two sign-in flows and the
// role credentials, against the fake transport and clock.
#include "creds/sso_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "crypto/hash.h"
#include "fakes.h"
#include "util/flat_json.h"
#include "util/fs.h"

namespace kura {
namespace {

using namespace kura::testing;

// Every transport the source makes is the one fake.
class SharedTransport final : public HttpTransport {
 public:
  explicit SharedTransport(FakeTransport& fake) : m_fake(fake) {}
  Result<HttpResponse> send(const HttpRequest& request) override { return m_fake.send(request); }

 private:
  FakeTransport& m_fake;
};

// The browser: records what it was shown; for the redirect flow it "follows" the authorize URL by handing
// the listener a code, once show() was called with the state the listener was started with.
class FakeUi final : public SsoSignInUi {
 public:
  class Callback final : public AuthorizationCallback {
   public:
    explicit Callback(FakeUi& ui) : m_ui(ui) {}
    std::string redirect_uri() const override { return "http://127.0.0.1:4711/oauth/callback"; }
    Result<Secret> wait(std::chrono::milliseconds timeout) override {
      m_ui.waited = timeout;
      if (!m_ui.approve) return make_error("no answer from the browser");
      const std::string state = "state=" + m_ui.state;
      if (m_ui.shown.empty() || m_ui.shown.back().find(state) == std::string::npos) {
        return make_error("the browser was not sent to a URL with our state");
      }
      return Secret(std::string("the-code"));
    }

   private:
    FakeUi& m_ui;
  };

  Result<void> show(const std::string& url, const std::optional<std::string>& user_code) override {
    shown.push_back(url);
    codes.push_back(user_code.value_or(""));
    return {};
  }
  Result<std::unique_ptr<AuthorizationCallback>> listen(const Secret& given_state) override {
    state = std::string(given_state.view());
    return std::unique_ptr<AuthorizationCallback>(std::make_unique<Callback>(*this));
  }

  std::vector<std::string> shown;
  std::vector<std::string> codes;
  std::string state;
  bool approve = true;
  std::chrono::milliseconds waited{0};
};

class SsoTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-sso-test.XXXXXX";
    home = mkdtemp(pattern);
    env = Environment({{"HOME", home}});
    session.name = "corp";
    session.start_url = "https://corp.awsapps.com/start";
    session.region = "eu-west-1";
    session.scopes = {"sso:account:access"};
  }
  void TearDown() override { std::filesystem::remove_all(home); }

  std::unique_ptr<SsoTokenSource> source(SsoTokenOptions options = {}, SsoSignInUi* with_ui = nullptr) {
    return std::make_unique<SsoTokenSource>(
        session, SsoEndpoints{"https://oidc.test", "https://portal.test"},
        [this]() -> std::unique_ptr<HttpTransport> { return std::make_unique<SharedTransport>(transport); },
        clock, env, nullptr, with_ui ? with_ui : &ui, options);
  }
  std::string cache_path() const { return sso_cache_path(env, session); }
  void write_token(Seconds left, bool refreshable = true) {
    SsoToken token;
    token.start_url = session.start_url;
    token.region = session.region;
    token.access_token = Secret(std::string("old-access"));
    token.expires_at = clock.now() + left;
    if (refreshable) {
      token.client_id = "client-1";
      token.client_secret = Secret(std::string("client-secret-1"));
      token.registration_expires_at = clock.now() + Seconds(90 * 24 * 3600);
      token.refresh_token = Secret(std::string("refresh-1"));
    }
    ASSERT_TRUE(make_directories(home + "/.aws/sso/cache", 0700));
    Secret text = render_sso_token(token);
    ASSERT_TRUE(write_file_atomic(cache_path(), text.view(), 0600));
  }
  SsoToken read_token() {
    auto contents = read_file(cache_path());
    EXPECT_TRUE(contents && *contents);
    auto token = parse_sso_token(**contents, cache_path());
    EXPECT_TRUE(token) << token.error().message;
    return std::move(*token);
  }
  std::string body_member(size_t request, const std::string& key) {
    auto json = FlatJson::parse(transport.requests.at(request).body);
    if (!json) return "<not flat JSON>";
    const Secret* value = json->string(key);
    return value ? std::string(value->view()) : "<none>";
  }

  std::string home;
  Environment env;
  SsoSessionConfig session;
  FakeClock clock;
  FakeTransport transport;
  FakeUi ui;
};

TEST(Pkce, ChallengeIsRfc7636sS256OfTheVerifier) {
  // RFC 7636, appendix B.
  Secret verifier(std::string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  EXPECT_EQ(code_challenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  Secret made = make_code_verifier();
  EXPECT_EQ(made.size(), 43u);
  EXPECT_EQ(std::string(made.view())
                .find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

TEST_F(SsoTokenTest, AFreshCachedTokenIsUsedWithoutAnyCall) {
  write_token(Seconds(3600));
  auto token = source()->access_token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->view(), "old-access");
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_TRUE(ui.shown.empty());
}

TEST_F(SsoTokenTest, ATokenNearExpiryIsRefreshedSilentlyAndTheCacheRewrittenTheClisWay) {
  write_token(Seconds(600));  // within botocore's 15 minutes
  transport.reply(200, R"({"accessToken":"new-access","tokenType":"Bearer","expiresIn":28800,)"
                       R"("refreshToken":"refresh-2"})");
  auto token = source()->access_token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->view(), "new-access");
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].url, "https://oidc.test/token");
  EXPECT_EQ(body_member(0, "grantType"), "refresh_token");
  EXPECT_EQ(body_member(0, "refreshToken"), "refresh-1");
  EXPECT_EQ(body_member(0, "clientSecret"), "client-secret-1");
  EXPECT_TRUE(ui.shown.empty());
  SsoToken cached = read_token();
  EXPECT_EQ(cached.access_token.view(), "new-access");
  EXPECT_EQ(cached.refresh_token.view(), "refresh-2");  // rotated
  EXPECT_EQ(cached.client_id, "client-1");
  EXPECT_EQ(cached.expires_at, clock.now() + Seconds(28800));
  struct stat info {};
  ASSERT_EQ(::stat(cache_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(SsoTokenTest, AnOidcOutageKeepsUsingATokenThatStillWorks) {
  write_token(Seconds(600));
  transport.drop();
  auto token = source()->access_token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->view(), "old-access");
  EXPECT_TRUE(ui.shown.empty());
}

TEST_F(SsoTokenTest, ARefusedRefreshTokenLeadsToOneDeviceCodeSignInThatPollsPolitely) {
  write_token(Seconds(-60));
  transport.reply(400, R"({"error":"invalid_grant","error_description":"Invalid refresh token"})");
  transport.reply(200, R"({"clientId":"client-2","clientSecret":"client-secret-2","clientIdIssuedAt":1,)"
                       R"("clientSecretExpiresAt":4102444800})");
  transport.reply(
      200, R"({"deviceCode":"device-1","userCode":"BCDF-GHJK","verificationUri":"https://v",)"
           R"("verificationUriComplete":"https://v?user_code=BCDF-GHJK","expiresIn":600,"interval":2})");
  transport.reply(400, R"({"error":"authorization_pending"})");
  transport.reply(400, R"({"error":"slow_down"})");
  transport.reply(200,
                  R"({"accessToken":"signed-in","tokenType":"Bearer","expiresIn":3600,"refreshToken":"r3"})");
  SsoTokenOptions options;
  options.flow = SsoSignInFlow::device_code;
  auto token = source(options)->access_token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->view(), "signed-in");
  ASSERT_EQ(ui.shown.size(), 1u);
  EXPECT_EQ(ui.shown[0], "https://v?user_code=BCDF-GHJK");
  EXPECT_EQ(ui.codes[0], "BCDF-GHJK");
  EXPECT_NE(transport.requests[1].body.find(R"("clientType":"public")"), std::string::npos);
  EXPECT_EQ(body_member(2, "startUrl"), session.start_url);
  EXPECT_EQ(body_member(5, "deviceCode"), "device-1");
  // The interval after a pending answer, then five seconds more after slow_down.
  ASSERT_EQ(clock.slept.size(), 2u);
  EXPECT_EQ(clock.slept[0], std::chrono::seconds(2));
  EXPECT_EQ(clock.slept[1], std::chrono::seconds(7));
  SsoToken cached = read_token();
  EXPECT_EQ(cached.access_token.view(), "signed-in");
  EXPECT_EQ(cached.client_id, "client-2");
  EXPECT_EQ(cached.refresh_token.view(), "r3");
}

TEST_F(SsoTokenTest, TheClientRegistrationIsReusedByTheNextSignIn) {
  SsoTokenOptions options;
  options.flow = SsoSignInFlow::device_code;
  transport.reply(200, R"({"clientId":"client-2","clientSecret":"client-secret-2","clientIdIssuedAt":1,)"
                       R"("clientSecretExpiresAt":4102444800})");
  for (int i = 0; i < 2; ++i) {
    transport.reply(200, R"({"deviceCode":"d","userCode":"BCDF-GHJK","verificationUri":"https://v",)"
                         R"("expiresIn":600,"interval":1})");
    transport.reply(200, R"({"accessToken":"a","expiresIn":3600})");
  }
  ASSERT_TRUE(source(options)->sign_in());
  ASSERT_TRUE(source(options)->sign_in());
  int registrations = 0;
  for (const auto& request : transport.requests) registrations += request.url.ends_with("/client/register");
  EXPECT_EQ(registrations, 1);
  EXPECT_EQ(ui.shown.at(1), "https://v");  // no verificationUriComplete: the plain page
  // Kept beside the token, as private as it: it holds the client secret.
  int kept = 0;
  for (const auto& entry : std::filesystem::directory_iterator(home + "/.aws/sso/cache")) {
    if (!entry.path().filename().string().starts_with("kura-client-")) continue;
    ++kept;
    struct stat info {};
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << entry.path();
  }
  EXPECT_EQ(kept, 1);
}

TEST_F(SsoTokenTest, TheAuthorizationCodeFlowSendsTheVerifierOfTheChallengeItShowed) {
  transport.reply(200, R"({"clientId":"client-3","clientSecret":"client-secret-3","clientIdIssuedAt":1,)"
                       R"("clientSecretExpiresAt":4102444800})");
  transport.reply(
      200, R"({"accessToken":"pkce-access","tokenType":"Bearer","expiresIn":3600,"refreshToken":"r"})");
  auto token = source()->sign_in();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->access_token.view(), "pkce-access");
  // Registered for the redirect, with the loopback URI any port matches.
  EXPECT_NE(transport.requests[0].body.find("authorization_code"), std::string::npos);
  EXPECT_NE(transport.requests[0].body.find("http://127.0.0.1/oauth/callback"), std::string::npos);
  ASSERT_EQ(ui.shown.size(), 1u);
  const std::string& url = ui.shown[0];
  EXPECT_TRUE(url.starts_with("https://oidc.test/authorize?")) << url;
  EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_EQ(body_member(1, "grantType"), "authorization_code");
  EXPECT_EQ(body_member(1, "code"), "the-code");
  EXPECT_EQ(body_member(1, "redirectUri"), "http://127.0.0.1:4711/oauth/callback");
  const std::string verifier = body_member(1, "codeVerifier");
  EXPECT_NE(url.find("code_challenge=" + code_challenge(Secret(verifier))), std::string::npos) << url;
  EXPECT_GE(ui.state.size(), 32u);
  EXPECT_EQ(ui.waited, std::chrono::minutes(5));
}

// Another process signs in while this one waits for the session's lock: once it holds the lock it reads the
// file again and uses that token, with no refresh, no sign-in and no browser.
class SignInWhileWaiting final : public SessionLocks {
 public:
  explicit SignInWhileWaiting(std::function<void()> other_process) : m_other(std::move(other_process)) {}
  Result<FileLock> lock(const std::string& id) override {
    locked.push_back(id);
    m_other();
    return FileLock();
  }
  std::vector<std::string> locked;

 private:
  std::function<void()> m_other;
};

TEST_F(SsoTokenTest, ATokenAnotherProcessWroteWhileThisOneWaitedForTheLockIsUsed) {
  write_token(Seconds(-60));  // expired: this process would refresh, or sign in
  SignInWhileWaiting locks([this] {
    SsoToken token;
    token.start_url = session.start_url;
    token.region = session.region;
    token.access_token = Secret(std::string("from-the-other-process"));
    token.expires_at = clock.now() + Seconds(8 * 3600);
    Secret text = render_sso_token(token);
    ASSERT_TRUE(write_file_atomic(cache_path(), text.view(), 0600));
  });
  SsoTokenSource source(
      session, SsoEndpoints{"https://oidc.test", "https://portal.test"},
      [this]() -> std::unique_ptr<HttpTransport> { return std::make_unique<SharedTransport>(transport); },
      clock, env, &locks, &ui, SsoTokenOptions{});
  auto token = source.access_token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->view(), "from-the-other-process");
  EXPECT_EQ(locks.locked, std::vector<std::string>{"sso-" + sha1_hex("corp")});
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_TRUE(ui.shown.empty());
}

TEST_F(SsoTokenTest, WithoutPermissionToSignInTheErrorSaysWhatToRun) {
  SsoTokenOptions options;
  options.may_sign_in = false;
  auto token = source(options)->access_token();
  ASSERT_FALSE(token);
  EXPECT_NE(token.error().hint.find("kura sso login --sso-session corp"), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(SsoTokenTest, ATokenForAnotherStartUrlUnderTheSameNameIsNotUsed) {
  write_token(Seconds(3600));
  session.start_url = "https://other.awsapps.com/start";
  SsoTokenOptions options;
  options.may_sign_in = false;
  EXPECT_FALSE(source(options)->access_token());
}

TEST_F(SsoTokenTest, RoleCredentialsRetryOnceWithANewTokenWhenThePortalRefusesTheCachedOne) {
  write_token(Seconds(3600));
  transport.reply(401, R"({"message":"Session token not found or invalid"})");
  transport.reply(200, R"({"accessToken":"new-access","expiresIn":3600})");  // the refresh
  transport.reply(200,
                  R"({"roleCredentials":{"accessKeyId":"ASIAROLE","secretAccessKey":"s","sessionToken":"t",)"
                  R"("expiration":4102444800000}})");
  std::shared_ptr<SsoTokenSource> tokens = source();
  SsoRoleProvider provider([tokens]() -> Result<std::shared_ptr<SsoTokenSource>> { return tokens; }, "dev",
                           "111111111111", "Admin");
  auto obtained = provider.retrieve();
  ASSERT_TRUE(obtained) << obtained.error().message;
  EXPECT_EQ(obtained->credentials.access_key_id, "ASIAROLE");
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_NE(transport.requests[0].url.find("/federation/credentials?"), std::string::npos);
  EXPECT_EQ(body_member(1, "grantType"), "refresh_token");
  bool bearer = false;
  for (const auto& [name, value] : transport.requests[2].headers) {
    bearer |= name == "x-amz-sso_bearer_token" && value == "new-access";
  }
  EXPECT_TRUE(bearer);
}

TEST_F(SsoTokenTest, SignOutLogsOutAtThePortalAndRemovesTheCacheFile) {
  write_token(Seconds(3600));
  transport.reply(200, "");
  auto out = source()->sign_out();
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(*out);
  EXPECT_FALSE(file_exists(cache_path()));
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_TRUE(transport.requests[0].url.ends_with("/logout"));
}

}  // namespace
}  // namespace kura
