// The provider chain: the caching decorator owns lock, re-read, refresh and store; a hit never reaches the
// inner provider; MFA codes come from one place, each checked once.
#include "creds/resolver.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace kura {
namespace {

using namespace kura::testing;

// An inner provider that counts its calls and hands out numbered sessions.
class CountingProvider final : public CredentialProvider {
 public:
  CountingProvider(const Clock& clock, int& calls, Seconds lifetime)
      : m_clock(clock), m_calls(calls), m_lifetime(lifetime) {}
  Result<ObtainedCredentials> retrieve() override {
    ++m_calls;
    Credentials c;
    c.access_key_id = "ASIA" + std::to_string(m_calls);
    c.secret_access_key = Secret(std::string("secret"));
    c.session_token = Secret(std::string("token"));
    c.expiration = m_clock.now() + m_lifetime;
    return ObtainedCredentials{std::move(c), Origin::sts};
  }
  std::string describe() const override { return "counting"; }

 private:
  const Clock& m_clock;
  int& m_calls;
  Seconds m_lifetime;
};

class RecordingLocks final : public SessionLocks {
 public:
  Result<FileLock> lock(const std::string& id) override {
    locked.push_back(id);
    return FileLock();
  }
  std::vector<std::string> locked;
};

SessionKey key(const std::string& id, Seconds duration = Seconds(3600), bool requested = false) {
  return SessionKey{id, "dev", "dev", "GetSessionToken", duration, requested};
}

TEST(CachedProvider, MissLocksRefreshesAndStoresThenHitsWithoutTheInnerProvider) {
  FakeClock clock;
  MemoryKeystore store;
  RecordingLocks locks;
  int calls = 0;
  CachedProvider cached(std::make_unique<CountingProvider>(clock, calls, Seconds(3600)), store, key("abc"),
                        Seconds(300), clock, &locks);
  auto first = cached.retrieve();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->origin, Origin::sts);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(locks.locked, std::vector<std::string>{"abc"});
  EXPECT_EQ(store.items.count("session:abc"), 1u);

  auto second = cached.retrieve();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->origin, Origin::cache);
  EXPECT_EQ(second->credentials.access_key_id, "ASIA1");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(locks.locked.size(), 1u);  // a hit takes no lock

  clock.advance(Seconds(3600 - 299));  // inside the refresh window: due
  auto renewed = cached.retrieve();
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->credentials.access_key_id, "ASIA2");
  EXPECT_EQ(calls, 2);
}

// Another process refreshed the session while this one waited for the lock: it is read, not refreshed again.
TEST(CachedProvider, ASessionRefreshedWhileWaitingForTheLockIsUsed) {
  FakeClock clock;
  MemoryKeystore store;
  int calls = 0;
  struct StoringLocks final : SessionLocks {
    MemoryKeystore& store;
    FakeClock& clock;
    StoringLocks(MemoryKeystore& s, FakeClock& c) : store(s), clock(c) {}
    Result<FileLock> lock(const std::string& id) override {
      Credentials other;
      other.access_key_id = "ASIAOTHERPROCESS";
      other.secret_access_key = Secret(std::string("s"));
      other.session_token = Secret(std::string("t"));
      other.expiration = clock.now() + Seconds(3600);
      EXPECT_TRUE(store_session(
          store, id, CachedSession{"dev", "dev", "x", std::move(other), Seconds(3600), clock.now()}));
      return FileLock();
    }
  } locks(store, clock);
  CachedProvider cached(std::make_unique<CountingProvider>(clock, calls, Seconds(3600)), store, key("abc"),
                        Seconds(300), clock, &locks);
  auto got = cached.retrieve();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->credentials.access_key_id, "ASIAOTHERPROCESS");
  EXPECT_EQ(got->origin, Origin::cache);
  EXPECT_EQ(calls, 0);
}

TEST(CachedProvider, AShorterSessionDoesNotServeAnExplicitlyLongerRequestAndCorruptOnesAreMisses) {
  FakeClock clock;
  MemoryKeystore store;
  int calls = 0;
  CachedProvider short_one(std::make_unique<CountingProvider>(clock, calls, Seconds(3600)), store, key("abc"),
                           Seconds(300), clock, nullptr);
  ASSERT_TRUE(short_one.retrieve());
  CachedProvider longer(std::make_unique<CountingProvider>(clock, calls, Seconds(4 * 3600)), store,
                        key("abc", Seconds(4 * 3600), true), Seconds(300), clock, nullptr);
  auto got = longer.retrieve();
  ASSERT_TRUE(got);
  EXPECT_EQ(calls, 2);
  store.items["session:abc"] = "{not json";
  auto after_corruption = longer.retrieve();
  ASSERT_TRUE(after_corruption);
  EXPECT_EQ(after_corruption->origin, Origin::sts);
  EXPECT_EQ(calls, 3);
}

// kura's static build serves hits and hands a refresh over to kura-full (util/full_build.h) before the
// refresh takes the lock or asks the inner provider (which may prompt or spend an MFA code); a hit hands
// nothing over.
TEST(CachedProvider, OnlyAMissHandsOverAndBeforeItLocksOrAsksTheInnerProvider) {
  HandOverRecorder handed;
  FakeClock clock;
  MemoryKeystore store;
  struct CheckingLocks final : SessionLocks {
    size_t handed_at_lock = 0;
    Result<FileLock> lock(const std::string&) override {
      handed_at_lock = HandOverRecorder::reasons().size();
      return FileLock();
    }
  } locks;
  struct CheckingProvider final : CredentialProvider {
    FakeClock& clock;
    size_t handed_at_retrieve = 0;
    explicit CheckingProvider(FakeClock& c) : clock(c) {}
    Result<ObtainedCredentials> retrieve() override {
      handed_at_retrieve = HandOverRecorder::reasons().size();
      Credentials c;
      c.access_key_id = "ASIAFRESH";
      c.secret_access_key = Secret(std::string("s"));
      c.expiration = clock.now() + Seconds(3600);
      return ObtainedCredentials{std::move(c), Origin::sts};
    }
    std::string describe() const override { return "checking"; }
  };
  auto inner = std::make_unique<CheckingProvider>(clock);
  CheckingProvider& provider = *inner;
  CachedProvider cached(std::move(inner), store, key("abc"), Seconds(300), clock, &locks);
  ASSERT_TRUE(cached.retrieve());
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"a session to refresh"});
  EXPECT_EQ(locks.handed_at_lock, 1u);
  EXPECT_EQ(provider.handed_at_retrieve, 1u);

  auto hit = cached.retrieve();
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->origin, Origin::cache);
  EXPECT_EQ(HandOverRecorder::reasons().size(), 1u);
}

// A code is spent once: the static build hands over before any source of codes is asked.
TEST(MfaCodes, TheStaticBuildHandsOverBeforeACodeIsAskedFor) {
  HandOverRecorder handed;
  size_t handed_when_asked = 0;
  MfaDriver driver{[&](const std::string&) -> Result<std::string> {
                     handed_when_asked = HandOverRecorder::reasons().size();
                     return std::string("654321");
                   },
                   nullptr};
  MfaCodes codes(std::nullopt, driver);
  ASSERT_TRUE(codes.code_for("arn:aws:iam::1:mfa/a"));
  EXPECT_EQ(handed_when_asked, 1u);
  EXPECT_EQ(HandOverRecorder::reasons(), std::vector<std::string>{"an MFA code"});
}

TEST(MfaCodes, TheFlagTokenOnceThenTheDriverEachCheckedOnce) {
  int asked = 0;
  MfaDriver driver{[&asked](const std::string&) -> Result<std::string> {
                     ++asked;
                     return std::string(asked == 1 ? "654321" : "12345");
                   },
                   std::make_shared<const std::string>("mfa_process")};
  MfaCodes codes("123456", driver);
  EXPECT_EQ(*codes.code_for("arn:aws:iam::1:mfa/a"), "123456");
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(*codes.code_for("arn:aws:iam::1:mfa/b"), "654321");
  auto bad = codes.code_for("arn:aws:iam::1:mfa/b");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "mfa_process: an MFA code is six digits, got 5 characters");

  MfaCodes flag_only("12a456", MfaDriver{});
  auto bad_flag = flag_only.code_for("arn:aws:iam::1:mfa/a");
  ASSERT_FALSE(bad_flag);
  EXPECT_EQ(bad_flag.error().message, "--mfa-token: an MFA code is six digits, got 6 characters");
}

// The chain for a role with MFA: cached AssumeRole around AssumeRole around cached GetSessionToken around the
// long-term key — and a hit at the head reads nothing else.
TEST(ResolveChain, ARoleChainIsDecoratedAtEveryStep) {
  auto files = ConfigFiles::from_text(
      "[profile dev]\nmfa_serial = arn:aws:iam::1:mfa/dev\n"
      "[profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::2:role/admin\nmfa_serial = "
      "arn:aws:iam::1:mfa/dev\n",
      "");
  ASSERT_TRUE(files);
  MemoryKeystore keystore;
  ScriptedPrompt prompt;
  FakeClock clock;
  int sts_made = 0;
  ProviderDeps deps{keystore, prompt, clock, *files, [&]() -> Result<StsClient*> {
                      ++sts_made;
                      return make_error("no STS in this test");
                    }};
  auto profile = resolve_profile(*files, "admin");
  ASSERT_TRUE(profile);
  auto chain = resolve_chain(*profile, deps, ProviderOptions{});
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(chain->base_profile, "dev");
  EXPECT_EQ(chain->head->describe(), "AssumeRole arn:aws:iam::2:role/admin");
  EXPECT_EQ(sts_made, 0);  // building the chain touches nothing
  EXPECT_EQ(keystore.gets, 0);
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

using namespace kura::testing;

// An SSO profile's chain: its token source is asked for only when the role credentials are not cached, and
// a role on top of it is role chaining from those credentials.
TEST(ResolveChain, AnSsoChainTouchesNoTokenOnAHit) {
  auto files = ConfigFiles::from_text(
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
      "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
      "[profile deploy]\nsource_profile = dev\nrole_arn = arn:aws:iam::2:role/deploy\n",
      "");
  ASSERT_TRUE(files);
  MemoryKeystore keystore;
  ScriptedPrompt prompt;
  FakeClock clock;
  RecordingLocks locks;
  RecordingLocks sign_in_locks;
  int token_sources = 0;
  ProviderDeps deps{keystore,
                    prompt,
                    clock,
                    *files,
                    []() -> Result<StsClient*> { return make_error("no STS in this test"); },
                    &locks,
                    [&](const SsoProfileConfig& sso,
                        const std::string& profile) -> Result<std::shared_ptr<SsoTokenSource>> {
                      ++token_sources;
                      EXPECT_EQ(sso.session.name, "corp");
                      EXPECT_EQ(profile, "dev");
                      return make_error("signed out");
                    },
                    {},
                    &sign_in_locks};
  auto profile = resolve_profile(*files, "deploy");
  ASSERT_TRUE(profile);
  auto chain = resolve_chain(*profile, deps, ProviderOptions{});
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(chain->base_profile, "dev");
  EXPECT_EQ(token_sources, 0);  // building the chain touches nothing
  EXPECT_EQ(keystore.gets, 0);

  // A miss reaches the token source through both steps' locks, which are the sign-in ones.
  auto missed = chain->head->retrieve();
  ASSERT_FALSE(missed);
  EXPECT_NE(missed.error().message.find("signed out"), std::string::npos) << missed.error().message;
  EXPECT_EQ(token_sources, 1);
  EXPECT_EQ(sign_in_locks.locked.size(), 2u);
  EXPECT_TRUE(locks.locked.empty());

  // A cached role session: the head answers without the token source.
  auto plan = plan_for(*profile, *files, PlanOptions{});
  ASSERT_TRUE(plan);
  Credentials cached;
  cached.access_key_id = "ASIACACHED";
  cached.secret_access_key = Secret(std::string("s"));
  cached.session_token = Secret(std::string("t"));
  cached.expiration = clock.now() + Seconds(3600);
  ASSERT_TRUE(store_session(
      keystore, plan->steps.back().cache_id,
      CachedSession{"deploy", "dev", "AssumeRole", std::move(cached), Seconds(3600), clock.now()}));
  auto hit = resolve_chain(*profile, deps, ProviderOptions{});
  ASSERT_TRUE(hit);
  auto obtained = hit->head->retrieve();
  ASSERT_TRUE(obtained) << obtained.error().message;
  EXPECT_EQ(obtained->credentials.access_key_id, "ASIACACHED");
  EXPECT_EQ(obtained->origin, Origin::cache);
  EXPECT_EQ(token_sources, 1);
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

using namespace kura::testing;

// A credential_process profile's chain: what the command gives is cached by its Expiration; output without
// one (long-term keys) is used as given, never stored, and the command runs again on the next call.
TEST(ResolveChain, ACredentialProcessIsCachedByItsExpirationOnly) {
  auto files = ConfigFiles::from_text("[profile ci]\ncredential_process = /usr/bin/creds --json\n", "");
  ASSERT_TRUE(files);
  MemoryKeystore keystore;
  ScriptedPrompt prompt;
  FakeClock clock;
  RecordingLocks locks;
  std::vector<std::string> commands;
  std::string output;
  ProviderDeps deps{keystore,
                    prompt,
                    clock,
                    *files,
                    []() -> Result<StsClient*> { return make_error("no STS in this test"); },
                    &locks,
                    {},
                    [&](const std::string& command) -> Result<Secret> {
                      commands.push_back(command);
                      return Secret(std::string(output));
                    }};
  auto profile = resolve_profile(*files, "ci");
  ASSERT_TRUE(profile);
  auto retrieve = [&]() -> Result<ObtainedCredentials> {
    auto chain = resolve_chain(*profile, deps, ProviderOptions{});
    if (!chain) return chain.error();
    return chain->head->retrieve();
  };

  output = R"({"Version": 1, "AccessKeyId": "AKIALONGTERM", "SecretAccessKey": "s"})";
  for (int i = 0; i < 2; ++i) {
    auto got = retrieve();
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->credentials.access_key_id, "AKIALONGTERM");
    EXPECT_EQ(got->origin, Origin::credential_process);
  }
  EXPECT_EQ(commands.size(), 2u);
  EXPECT_TRUE(keystore.items.empty());

  output = R"({"Version": 1, "AccessKeyId": "ASIASESSION", "SecretAccessKey": "s", "SessionToken": "t", )"
           R"("Expiration": "2026-11-22T13:00:00Z"})";
  auto fresh = retrieve();
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->origin, Origin::credential_process);
  auto cached = retrieve();
  ASSERT_TRUE(cached) << cached.error().message;
  EXPECT_EQ(cached->credentials.access_key_id, "ASIASESSION");
  EXPECT_EQ(cached->origin, Origin::cache);
  EXPECT_EQ(commands.size(), 3u);
  EXPECT_EQ(keystore.items.size(), 1u);
}

// The chain reads kura's keystore for a key of a credential_process profile, and uses it instead of running
// the command (which, as aws-vault documents it, would be kura again for the same profile).
TEST(ResolveChain, AStoredKeyIsUsedBeforeTheProfilesOwnCredentialProcess) {
  auto files =
      ConfigFiles::from_text("[profile home]\ncredential_process = kura export --format json home\n", "");
  ASSERT_TRUE(files);
  MemoryKeystore keystore;
  Credentials key;
  key.access_key_id = "AKIASTOREDHOME000001";
  key.secret_access_key = Secret(std::string("stored-secret"));
  ASSERT_TRUE(store_master_key(keystore, "home", key));
  ScriptedPrompt prompt;
  FakeClock clock;
  int commands = 0;
  ProviderDeps deps{keystore,
                    prompt,
                    clock,
                    *files,
                    []() -> Result<StsClient*> { return make_error("no STS in this test"); },
                    nullptr,
                    {},
                    [&](const std::string&) -> Result<Secret> {
                      ++commands;
                      return make_error("kura export home: waiting on its own lock");
                    }};
  auto profile = resolve_profile(*files, "home");
  ASSERT_TRUE(profile);
  ProviderOptions options;
  options.plan.no_session = true;
  auto got = obtain_credentials(*profile, deps, options);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_key_id, "AKIASTOREDHOME000001");
  EXPECT_EQ(got->origin, Origin::long_term_key);
  EXPECT_EQ(commands, 0);
}

}  // namespace
}  // namespace kura
