// Profiles in bulk: globs, one MFA prompt for profiles sharing a session, failures kept apart, `kura each`.
#include "cli/bulk.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "aws/sso.h"
#include "cli/app.h"
#include "creds/store_items.h"
#include "fakes.h"
#include "util/fs.h"

namespace kura {
namespace {

using namespace kura::testing;

TEST(SelectProfiles, GlobsExpandSortedAndNamesStayAsGiven) {
  std::vector<std::string> all{"prod-b", "dev", "prod-a", "prod-c", "staging"};
  auto chosen = select_profiles(all, {"staging", "prod-*", "prod-a", "extra"});
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(*chosen, (std::vector<std::string>{"staging", "prod-a", "prod-b", "prod-c", "extra"}));
  auto brackets = select_profiles(all, {"prod-[ac]"});
  ASSERT_TRUE(brackets);
  EXPECT_EQ(*brackets, (std::vector<std::string>{"prod-a", "prod-c"}));
}

TEST(SelectProfiles, AGlobMatchingNothingIsAnError) {
  auto chosen = select_profiles({"dev"}, {"prod-*"});
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().message, "no profile matches 'prod-*'");
  EXPECT_FALSE(select_profiles({"dev"}, {}));
}

TEST(Parallelism, DefaultsToEightAndRefusesNonsense) {
  EXPECT_EQ(*parallelism(std::nullopt), 8u);
  EXPECT_EQ(*parallelism(std::string("3")), 3u);
  for (const char* bad : {"0", "65", "x", "", "-1", "1e3"}) {
    auto parsed = parallelism(std::string(bad));
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("--parallel"), std::string::npos);
  }
}

// The fake transport, shared by the threads of a bulk run.
class LockedTransport final : public HttpTransport {
 public:
  explicit LockedTransport(FakeTransport& inner, std::mutex& mutex) : m_inner(inner), m_mutex(mutex) {}
  Result<HttpResponse> send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.send(request);
  }

 private:
  FakeTransport& m_inner;
  std::mutex& m_mutex;
};

class BulkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-bulk-test.XXXXXX";
    root = mkdtemp(pattern);
    std::string config = "[profile login]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n";
    for (const char* account : {"222222222222", "333333333333", "444444444444"}) {
      config += std::string("[profile acct-") + account +
                "]\nsource_profile = login\nrole_arn = arn:aws:iam::" + account + ":role/iamAdmin\n";
    }
    config += "[profile other]\nrole_arn = arn:aws:iam::555555555555:role/x\nsource_profile = nokey\n";
    std::ofstream(root + "/config") << config;
    std::ofstream(root + "/credentials") << "";
    deps.env =
        Environment(std::map<std::string, std::string>{{"HOME", root},
                                                       {"AWS_CONFIG_FILE", root + "/config"},
                                                       {"AWS_SHARED_CREDENTIALS_FILE", root + "/credentials"},
                                                       {"XDG_RUNTIME_DIR", root},
                                                       {"KURA_PROMPT", "terminal"},
                                                       {"PATH", "/usr/bin:/bin"}});
    deps.open_keystore = [this](const KeystoreSettings&,
                                PassphraseSource) -> Result<std::unique_ptr<Keystore>> {
      return std::unique_ptr<Keystore>(std::make_unique<KeystoreRef>(keystore));
    };
    deps.make_transport = [this](const HttpOptions&) {
      return std::make_unique<LockedTransport>(transport, transport_mutex);
    };
    deps.write_out = [this](std::string_view text) {
      std::lock_guard<std::mutex> lock(out_mutex);
      out += text;
    };
    Credentials key;
    key.access_key_id = "AKIALOGINLOGINLOGIN1";
    key.secret_access_key = Secret(std::string("login-secret"));
    ASSERT_TRUE(store_master_key(keystore, "login", key));
  }
  void TearDown() override { std::filesystem::remove_all(root); }

  void reply_session_and_roles(int roles) {
    transport.reply(200, sts_credentials_xml("GetSessionToken", "ASIASESSION", "2026-11-23T06:00:00Z"));
    for (int i = 0; i < roles; ++i) {
      transport.reply(
          200, sts_credentials_xml("AssumeRole", "ASIAROLE" + std::to_string(i), "2026-11-22T13:00:00Z"));
    }
  }
  size_t calls(const std::string& action) const {
    size_t n = 0;
    for (const HttpRequest& request : transport.requests) {
      if (request.body.find("Action=" + action + "&") != std::string::npos) ++n;
    }
    return n;
  }

  // The config: an sso-session "corp" and a profile sso-ACCOUNT with its Admin role per account.
  void write_sso_profiles(std::initializer_list<const char*> accounts) {
    std::string config =
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    for (const char* account : accounts) {
      config += std::string("[profile sso-") + account +
                "]\nsso_session = corp\nsso_account_id = " + account + "\nsso_role_name = Admin\n";
    }
    std::ofstream(root + "/config") << config;
  }
  std::vector<BulkCredentials> sso_credentials(Settings settings) {
    Context context(deps, std::move(settings));
    BulkFlags flags;
    flags.profiles = {"sso-*"};
    auto names = bulk_profiles(context, flags);
    EXPECT_TRUE(names) << names.error().message;
    return names ? credentials_for_all(context, *names, flags, 2) : std::vector<BulkCredentials>();
  }

  std::string root;
  MemoryKeystore keystore;
  ScriptedPrompt prompt;
  FakeClock clock;
  FakeTransport transport;
  std::mutex transport_mutex;
  RecordingRunner runner;
  AppDeps deps{Environment(), clock, prompt, runner, nullptr, nullptr, nullptr};
  std::mutex out_mutex;
  std::string out;
};

TEST_F(BulkTest, ProfilesSharingAnMfaSessionAskForOneCode) {
  reply_session_and_roles(3);
  prompt.answers = {"123456"};
  Settings settings;
  settings.prompt = "terminal";  // the scripted prompt
  Context context(deps, std::move(settings));
  BulkFlags flags;
  flags.profiles = {"acct-*"};
  auto names = bulk_profiles(context, flags);
  ASSERT_TRUE(names) << names.error().message;
  ASSERT_EQ(names->size(), 3u);
  auto all = credentials_for_all(context, *names, flags, 4);
  ASSERT_EQ(all.size(), 3u);
  for (const BulkCredentials& one : all) {
    ASSERT_TRUE(one.credentials) << one.name << ": " << one.error->message;
    EXPECT_EQ(one.credentials->obtained.credentials.access_key_id.rfind("ASIAROLE", 0), 0u);
  }
  EXPECT_EQ(prompt.questions.size(), 1u);
  EXPECT_EQ(calls("GetSessionToken"), 1u);
  EXPECT_EQ(calls("AssumeRole"), 3u);
  // Only the GetSessionToken carries the code; the roles are assumed from its (MFA) session.
  for (const HttpRequest& request : transport.requests) {
    bool session = request.body.find("Action=GetSessionToken&") != std::string::npos;
    EXPECT_EQ(request.body.find("TokenCode=123456") != std::string::npos, session) << request.body;
  }
}

TEST_F(BulkTest, AFailedMfaSessionFailsItsGroupOnceAndTheOthersStayApart) {
  transport.reply(403,
                  "<ErrorResponse><Error><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed "
                  "with invalid MFA one time pass code.</Message></Error></ErrorResponse>");
  prompt.answers = {"000000"};
  Settings settings;
  settings.prompt = "terminal";  // the scripted prompt
  Context context(deps, std::move(settings));
  BulkFlags flags;
  flags.profiles = {"acct-*", "other"};
  auto names = bulk_profiles(context, flags);
  ASSERT_TRUE(names);
  auto all = credentials_for_all(context, *names, flags, 2);
  ASSERT_EQ(all.size(), 4u);
  for (const BulkCredentials& one : all) ASSERT_TRUE(one.error) << one.name;
  EXPECT_EQ(prompt.questions.size(), 1u);  // not once per profile
  EXPECT_EQ(calls("GetSessionToken"), 1u);
  EXPECT_NE(all[1].error->message.find("shares with 'acct-222222222222'"), std::string::npos)
      << all[1].error->message;
  EXPECT_NE(all[3].error->message.find("nokey"), std::string::npos) << all[3].error->message;
}

TEST_F(BulkTest, EachRunsTheCommandPerProfileWithItsCredentials) {
  reply_session_and_roles(3);
  prompt.answers = {"123456"};
  runner.lines = {"hello"};
  ASSERT_EQ(run_cli({"each", "--parallel", "2", "acct-*", "--", "aws", "sts", "get-caller-identity"}, deps),
            0);
  ASSERT_EQ(runner.calls.size(), 3u);
  std::set<std::string> keys;
  for (const RecordingRunner::Call& call : runner.calls) {
    EXPECT_EQ(call.argv, (std::vector<std::string>{"aws", "sts", "get-caller-identity"}));
    for (const std::string& entry : call.environment) {
      if (entry.rfind("AWS_ACCESS_KEY_ID=", 0) == 0) keys.insert(entry);
    }
  }
  EXPECT_EQ(keys.size(), 3u);  // each profile its own role session
  EXPECT_NE(out.find("acct-222222222222 | hello\n"), std::string::npos) << out;
  EXPECT_NE(out.find("acct-444444444444 | hello\n"), std::string::npos) << out;
}

TEST_F(BulkTest, EachFailsWhenAnyCommandFailsOrAProfileHasNoCredentials) {
  reply_session_and_roles(3);
  prompt.answers = {"123456"};
  runner.exit_status = 3;
  EXPECT_EQ(run_cli({"each", "acct-*", "--", "false"}, deps), 1);
  runner.exit_status = 0;
  EXPECT_EQ(run_cli({"each", "acct-*", "other", "--", "true"}, deps), 1);  // other has no key
  EXPECT_EQ(run_cli({"each", "acct-*", "--", "true"}, deps), 0);           // sessions cached: no prompt
  EXPECT_EQ(prompt.questions.size(), 1u);
  EXPECT_EQ(run_cli({"each", "acct-*"}, deps), 1);  // no command
}

TEST_F(BulkTest, EachGroupPrintsEachProfileWhole) {
  reply_session_and_roles(3);
  prompt.answers = {"123456"};
  runner.lines = {"one", "two"};
  ASSERT_EQ(run_cli({"each", "--group", "acct-2*", "--", "x"}, deps), 0);
  EXPECT_EQ(out, "==> acct-222222222222 <==\none\ntwo\n");
}

// Profiles of one sso-session form a group whose leader runs first, so that a sign-in happens once. What
// the group shares is the session's token: a failure of the leader's own role (not assigned, say) is its
// alone, and the others still get theirs.
TEST_F(BulkTest, AnSsoLeadersOwnFailureStaysItsOwn) {
  write_sso_profiles({"111111111111", "222222222222", "333333333333"});
  SsoSessionConfig session{"corp", "https://corp.awsapps.com/start", "eu-west-1", {"sso:account:access"}};
  SsoToken token;
  token.start_url = session.start_url;
  token.region = session.region;
  token.access_token = Secret(std::string("signed-in"));
  token.expires_at = clock.now() + Seconds(8 * 3600);
  ASSERT_TRUE(make_directories(root + "/.aws/sso/cache", 0700));
  ASSERT_TRUE(write_file_atomic(sso_cache_path(deps.env, session), render_sso_token(token).view(), 0600));
  // The leader's role is not assigned; the other two are.
  transport.reply(403, R"({"message":"No access","__type":"ForbiddenException"})");
  for (int i = 0; i < 2; ++i) {
    transport.reply(200, R"({"roleCredentials":{"accessKeyId":"ASIASSO)" + std::to_string(i) +
                             R"(","secretAccessKey":"s","sessionToken":"t","expiration":4102444800000}})");
  }
  auto all = sso_credentials(Settings{});
  ASSERT_EQ(all.size(), 3u);
  ASSERT_TRUE(all[0].error);
  EXPECT_NE(all[0].error->message.find("No access"), std::string::npos) << all[0].error->message;
  for (size_t i = 1; i < 3; ++i) {
    ASSERT_TRUE(all[i].credentials) << all[i].name << ": " << all[i].error->message;
    EXPECT_EQ(all[i].credentials->obtained.credentials.access_key_id.rfind("ASIASSO", 0), 0u);
  }
  EXPECT_EQ(transport.requests.size(), 3u);
}

// A failed sign-in is the whole group's: the others do not each open a browser again.
TEST_F(BulkTest, AFailedSsoSignInFailsItsGroupOnce) {
  write_sso_profiles({"111111111111", "222222222222"});
  Settings settings;
  settings.sso_auto_login = false;  // no terminal, no sign-in: the leader fails for want of a token
  auto all = sso_credentials(std::move(settings));
  ASSERT_EQ(all.size(), 2u);
  for (const BulkCredentials& one : all) ASSERT_TRUE(one.error) << one.name;
  EXPECT_NE(all[0].error->message.find("has expired or is missing"), std::string::npos)
      << all[0].error->message;
  EXPECT_NE(all[1].error->message.find("the IAM Identity Center sign-in it shares with 'sso-111111111111'"),
            std::string::npos)
      << all[1].error->message;
  EXPECT_TRUE(transport.requests.empty());
}

}  // namespace
}  // namespace kura
