// The provider: cache hits make no STS call, sessions are renewed before expiry, one MFA code per chain.
#include "creds/resolver.h"

#include <gtest/gtest.h>

#include "creds/store_items.h"
#include "fakes.h"

namespace kura {
namespace {

using namespace kura::testing;

class ProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files = std::move(*ConfigFiles::from_text(
        "[profile dev]\nmfa_serial = arn:aws:iam::1:mfa/dev\n"
        "[profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::2:role/admin\n"
        "mfa_serial = arn:aws:iam::1:mfa/dev\n"
        "[profile audit]\nsource_profile = dev\nrole_arn = arn:aws:iam::3:role/audit\n"
        "mfa_serial = arn:aws:iam::1:mfa/dev\n"
        "[profile plain]\n",
        "[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\naws_secret_access_key = plain-secret\n"));
    Credentials key;
    key.access_key_id = "AKIADEVDEVDEVDEVDEV1";
    key.secret_access_key = Secret(std::string("dev-secret"));
    ASSERT_TRUE(store_master_key(keystore, "dev", key));
  }

  Result<ObtainedCredentials> obtain(const std::string& name, ProviderOptions options = {}) {
    auto profile = resolve_profile(files, name);
    EXPECT_TRUE(profile);
    ProviderDeps deps{keystore, prompt, clock, files, [this]() -> Result<StsClient*> {
                        ++sts_made;
                        return &sts;
                      }};
    return obtain_credentials(*profile, deps, options);
  }
  std::string expiry(Seconds from_now) { return format_iso8601(clock.now() + from_now); }
  std::string action(size_t i) const {
    const std::string& body = transport.requests.at(i).body;
    return body.substr(7, body.find('&') - 7);
  }

  ConfigFiles files;
  MemoryKeystore keystore;
  ScriptedPrompt prompt;
  FakeClock clock;
  FakeTransport transport;
  StsClient sts{transport, clock, StsEndpoint{"https://sts.us-east-1.amazonaws.com", "us-east-1", "aws"}};
  int sts_made = 0;
};

TEST_F(ProviderTest, OneCodeForAnMfaSessionThenRolesWithoutPrompts) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(8 * 3600))));
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN", expiry(Seconds(3600))));
  auto admin = obtain("admin");
  ASSERT_TRUE(admin) << admin.error().message;
  EXPECT_EQ(admin->credentials.access_key_id, "ASIAADMIN");
  EXPECT_EQ(admin->origin, Origin::sts);
  EXPECT_EQ(prompt.questions, std::vector<std::string>{"Enter MFA code for arn:aws:iam::1:mfa/dev: "});
  EXPECT_NE(transport.requests[0].body.find("TokenCode=123456"), std::string::npos);
  EXPECT_EQ(transport.requests[1].body.find("TokenCode"), std::string::npos);

  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAAUDIT", expiry(Seconds(3600))));
  auto audit = obtain("audit");
  ASSERT_TRUE(audit) << audit.error().message;
  EXPECT_EQ(audit->credentials.access_key_id, "ASIAAUDIT");
  EXPECT_EQ(prompt.questions.size(), 1u);  // no second prompt
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(action(2), "AssumeRole");
}

TEST_F(ProviderTest, CacheHitMakesNoStsCallAndBuildsNoClient) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(8 * 3600))));
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("admin"));
  sts_made = 0;
  auto again = obtain("admin");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->origin, Origin::cache);
  EXPECT_EQ(again->credentials.access_key_id, "ASIAADMIN");
  EXPECT_EQ(again->credentials.session_token.view(), "token-ASIAADMIN");
  EXPECT_EQ(sts_made, 0);
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(ProviderTest, RenewsFiveMinutesBeforeExpiryFromTheStillValidMfaSession) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(8 * 3600))));
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("admin"));
  clock.advance(Seconds(3600 - 299));  // 4m59s left: inside the refresh window
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN2", expiry(Seconds(3600))));
  auto renewed = obtain("admin");
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->credentials.access_key_id, "ASIAADMIN2");
  EXPECT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(action(2), "AssumeRole");  // from the cached GetSessionToken, no new code
  EXPECT_EQ(prompt.questions.size(), 1u);
}

TEST_F(ProviderTest, RefreshWindowIsConfigurable) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("dev"));
  clock.advance(Seconds(1800));
  ProviderOptions options;
  options.refresh_window = Seconds(1801);
  prompt.answers = {"654321"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST2", expiry(Seconds(3600))));
  auto again = obtain("dev", options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->credentials.access_key_id, "ASIAGST2");
}

TEST_F(ProviderTest, ShorterCachedSessionIsNotReusedForALongerRequest) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIA1H", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("dev"));
  ProviderOptions longer;
  longer.plan.duration = Seconds(4 * 3600);
  longer.mfa_token = "111111";
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIA4H", expiry(Seconds(4 * 3600))));
  auto got = obtain("dev", longer);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->credentials.access_key_id, "ASIA4H");
  EXPECT_NE(transport.requests.back().body.find("DurationSeconds=14400"), std::string::npos);
  // And the 4h session does serve a later 1h request.
  auto shorter = obtain("dev");
  EXPECT_EQ(shorter->origin, Origin::cache);
}

TEST_F(ProviderTest, MfaTokenFlagIsUsedOnceAndNeverPrompts) {
  ProviderOptions options;
  options.mfa_token = "424242";
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("dev", options));
  EXPECT_TRUE(prompt.questions.empty());
  EXPECT_NE(transport.requests[0].body.find("TokenCode=424242"), std::string::npos);
}

TEST_F(ProviderTest, FailedCallCachesNothingAndNamesTheProfile) {
  prompt.answers = {"123456"};
  transport.reply(403,
                  "<ErrorResponse><Error><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed "
                  "with invalid MFA one time pass code.</Message></Error></ErrorResponse>");
  auto got = obtain("admin");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message.rfind("profile 'dev': GetSessionToken: the MFA code was not accepted", 0), 0u)
      << got.error().message;
  EXPECT_EQ(keystore.items.size(), 1u);  // only the master key
}

TEST_F(ProviderTest, PlaintextKeyFromTheCredentialsFileStillWorks) {
  ProviderOptions options;
  options.plan.no_session = true;
  auto got = obtain("plain", options);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->origin, Origin::long_term_key);
  EXPECT_EQ(got->credentials.access_key_id, "AKIAPLAINPLAINPLAIN1");
  EXPECT_EQ(got->credentials.secret_access_key.view(), "plain-secret");
}

// A refresh window as long as the session made every use a refresh (and an MFA prompt): refused up front.
TEST_F(ProviderTest, RefreshWindowNotShorterThanTheSessionIsRefusedBeforeAnyCall) {
  ProviderOptions options;
  options.refresh_window = Seconds(2 * 3600);
  prompt.answers = {"123456"};
  auto got = obtain("dev", options);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("KURA_SESSION_REFRESH (2h00m) must be shorter than the session"),
            std::string::npos)
      << got.error().message;
  EXPECT_TRUE(prompt.questions.empty());
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_EQ(sts_made, 0);
}

// One corrupt cached session is a cache miss, not an error for the profile.
TEST_F(ProviderTest, AnUnreadableCachedSessionIsACacheMiss) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("dev"));
  for (auto& [item, value] : keystore.items) {
    if (item.rfind("session:", 0) == 0) value = "{\"Profile\": 1, garbage";
  }
  prompt.answers = {"654321"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST2", expiry(Seconds(3600))));
  auto again = obtain("dev");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->credentials.access_key_id, "ASIAGST2");
  EXPECT_EQ(again->origin, Origin::sts);
}

// A role assumed from another role is role chaining (1h at most): asking for more is refused before the MFA
// prompt, instead of spending the code and failing at STS.
TEST_F(ProviderTest, RoleChainingOverAnHourIsRefusedBeforeThePrompt) {
  files = std::move(
      *ConfigFiles::from_text("[profile dev]\nmfa_serial = arn:aws:iam::1:mfa/dev\n"
                              "[profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::2:role/admin\n"
                              "mfa_serial = arn:aws:iam::1:mfa/dev\n"
                              "[profile deep]\nsource_profile = admin\nrole_arn = arn:aws:iam::3:role/deep\n",
                              ""));
  ProviderOptions options;
  options.plan.duration = Seconds(2 * 3600);
  prompt.answers = {"123456"};
  auto got = obtain("deep", options);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("role chaining"), std::string::npos) << got.error().message;
  EXPECT_EQ(got.error().hint, "use --duration 1h or less");
  EXPECT_TRUE(prompt.questions.empty());
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(ProviderTest, CredentialsExpiredOnArrivalAreAnErrorAndNotCached) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAOLD", "2026-11-22T11:00:00Z"));
  auto got = obtain("dev");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("had expired when they arrived"), std::string::npos)
      << got.error().message;
  EXPECT_NE(got.error().hint.find("clock"), std::string::npos);
  EXPECT_EQ(keystore.items.size(), 1u);  // only the master key
}

// DurationSeconds: 1e31 in a stored session used to overflow a conversion; now the item is unreadable.
TEST_F(ProviderTest, AnOutOfRangeStoredDurationIsUnreadableNotUndefined) {
  for (const char* duration : {"1e31", "-5", "99999999999999999999", "\"3600\"", "1.5"}) {
    keystore.items["session:x"] = std::string("{\"Profile\":\"dev\",\"AccessKeyId\":\"ASIA\",") +
                                  "\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\",\"Expiration\":" +
                                  "\"2026-11-22T13:00:00Z\",\"DurationSeconds\":" + duration + "}";
    auto loaded = load_session(keystore, "x");
    EXPECT_FALSE(loaded) << duration;
  }
  keystore.items["session:x"] =
      "{\"Profile\":\"dev\",\"AccessKeyId\":\"ASIA\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\","
      "\"Expiration\":\"2026-11-22T13:00:00Z\",\"DurationSeconds\":3600}";
  auto good = load_session(keystore, "x");
  ASSERT_TRUE(good);
  EXPECT_EQ((*good)->duration.count(), 3600);
}

TEST_F(ProviderTest, KeystoreFailureIsNotTakenForAbsence) {
  keystore.fail = true;
  auto got = obtain("dev");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("injected failure"), std::string::npos);
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

using namespace kura::testing;

// A keystore that counts reads of master keys: a cache hit must not read one.
class CountingKeystore final : public Keystore {
 public:
  explicit CountingKeystore(MemoryKeystore& inner) : m_inner(inner) {}
  std::string name() const override { return "counting"; }
  Result<std::optional<Secret>> get(const std::string& item) override {
    if (item.rfind("master:", 0) == 0) ++master_reads;
    return m_inner.get(item);
  }
  Result<bool> contains(const std::string& item) override { return m_inner.items.count(item) > 0; }
  Result<void> set(const std::string& i, std::string_view v, Lifetime l) override {
    return m_inner.set(i, v, l);
  }
  Result<bool> remove(const std::string& i) override { return m_inner.remove(i); }
  Result<std::vector<std::string>> list() override { return m_inner.list(); }
  int master_reads = 0;

 private:
  MemoryKeystore& m_inner;
};

TEST_F(ProviderTest, CacheHitDoesNotReadTheLongTermKey) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(8 * 3600))));
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("admin"));
  CountingKeystore counting(keystore);
  auto profile = resolve_profile(files, "admin");
  ProviderDeps deps{counting, prompt, clock, files, [this]() -> Result<StsClient*> { return &sts; }};
  auto hit = obtain_credentials(*profile, deps, {});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->origin, Origin::cache);
  EXPECT_EQ(counting.master_reads, 0);
}

TEST_F(ProviderTest, SessionsRecordTheirBaseSoANewKeyDropsThem) {
  prompt.answers = {"123456"};
  transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIAGST", expiry(Seconds(8 * 3600))));
  transport.reply(200, sts_credentials_xml("AssumeRole", "ASIAADMIN", expiry(Seconds(3600))));
  ASSERT_TRUE(obtain("admin"));
  auto removed = remove_sessions_of(keystore, "dev");
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 2);  // the MFA session of dev and the role session built on it
  EXPECT_EQ(keystore.items.size(), 1u);
}

}  // namespace
}  // namespace kura
