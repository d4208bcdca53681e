// The resolver's table (docs/SESSIONS.md): which STS calls each profile shape makes.
#include "creds/plan.h"

#include <gtest/gtest.h>

#include <set>

namespace kura {
namespace {

struct Table {
  ConfigFiles files;
  std::set<std::string> keys;

  Result<Plan> plan(const std::string& name, PlanOptions options = {}) {
    auto profile = resolve_profile(files, name);
    if (!profile) return profile.error();
    return make_plan(
        *profile, options, [&](const std::string& p) { return keys.count(p) > 0; },
        [](const std::string& p) { return "AKIA" + p; });
  }
};

Table table() {
  auto files = ConfigFiles::from_text(
      "[profile user]\n"
      "[profile mfa-user]\nmfa_serial = arn:aws:iam::1:mfa/u\n"
      "[profile role]\nsource_profile = user\nrole_arn = arn:aws:iam::2:role/r\n"
      "[profile mfa-role]\nsource_profile = mfa-user\nrole_arn = arn:aws:iam::2:role/r\nmfa_serial = "
      "arn:aws:iam::1:mfa/u\n"
      "[profile mfa-role-src]\nsource_profile = mfa-user\nrole_arn = arn:aws:iam::2:role/r\n"
      "[profile long-role]\nsource_profile = mfa-user\nrole_arn = arn:aws:iam::2:role/r\n"
      "mfa_serial = arn:aws:iam::1:mfa/u\nduration_seconds = 14400\n"
      "[profile chained]\nsource_profile = mfa-role\nrole_arn = arn:aws:iam::3:role/c\n"
      "mfa_serial = arn:aws:iam::1:mfa/u\n"
      "[profile other-device]\nsource_profile = mfa-role\nrole_arn = arn:aws:iam::3:role/c\n"
      "mfa_serial = arn:aws:iam::1:mfa/other\n"
      "[profile self]\nsource_profile = self\nrole_arn = arn:aws:iam::2:role/s\nmfa_serial = "
      "arn:aws:iam::1:mfa/s\n",
      "");
  return Table{std::move(*files), {"user", "mfa-user", "self"}};
}

std::string calls(const Plan& plan) {
  std::string out;
  for (const Step& step : plan.steps) {
    if (!out.empty()) out += " -> ";
    out += step.kind == StepKind::get_session_token ? "GST" : "AR(" + step.profile + ")";
    if (step.mfa_serial) out += "+mfa";
    out += "/" + std::to_string(step.duration.count());
  }
  return out.empty() ? "key" : out;
}

TEST(Plan, ProfileShapesToCalls) {
  auto t = table();
  struct Row {
    const char* profile;
    PlanOptions options;
    const char* expected;
  } rows[] = {
      {"user", {}, "GST/3600"},
      {"user", {std::nullopt, true, std::nullopt, {}, {}, {}}, "key"},
      {"user", {Seconds(7200), false, std::nullopt, {}, {}, {}}, "GST/7200"},
      {"mfa-user", {}, "GST+mfa/3600"},
      {"role", {}, "AR(role)/3600"},  // no MFA anywhere: straight AssumeRole, cached
      {"mfa-role", {}, "GST+mfa/28800 -> AR(mfa-role)/3600"},
      {"mfa-role-src", {}, "GST+mfa/28800 -> AR(mfa-role-src)/3600"},  // the source's device counts
      {"mfa-role", {std::nullopt, true, std::nullopt, {}, {}, {}}, "AR(mfa-role)+mfa/3600"},
      {"mfa-role",
       {Seconds(7200), false, std::nullopt, {}, {}, {}},
       "AR(mfa-role)+mfa/7200"},  // over the chaining limit
      {"long-role", {}, "AR(long-role)+mfa/14400"},
      {"chained", {}, "GST+mfa/28800 -> AR(mfa-role)/3600 -> AR(chained)/3600"},  // one code per device
      {"other-device", {}, "GST+mfa/28800 -> AR(mfa-role)/3600 -> AR(other-device)+mfa/3600"},
      {"self", {}, "GST+mfa/28800 -> AR(self)/3600"},
  };
  for (const Row& row : rows) {
    auto plan = t.plan(row.profile, row.options);
    ASSERT_TRUE(plan) << row.profile << ": " << plan.error().message;
    EXPECT_EQ(calls(*plan), row.expected) << row.profile;
  }
}

TEST(Plan, MissingKeysAreErrorsWithHints) {
  auto t = table();
  t.keys.erase("user");
  auto plan = t.plan("role");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message, "no credentials for profile 'user' (the source of 'role')");
  EXPECT_EQ(plan.error().hint, "store its access key with `kura add user`");
  auto ghost = t.plan("ghost");
  ASSERT_FALSE(ghost);
  EXPECT_NE(ghost.error().message.find("not in the AWS config files"), std::string::npos);
}

TEST(Plan, CacheIdsCoverTheChainAndTheKey) {
  auto t = table();
  auto a = *t.plan("mfa-role");
  auto b = *t.plan("mfa-role-src");
  EXPECT_EQ(a.steps[0].cache_id, b.steps[0].cache_id);  // one MFA session serves both roles
  EXPECT_NE(a.steps[1].cache_id, b.steps[1].cache_id);
  auto rotated = make_plan(
      *resolve_profile(t.files, "mfa-role"), {}, [](const std::string&) { return true; },
      [](const std::string&) { return std::string("AKIANEWKEY"); });
  EXPECT_NE(rotated->steps[0].cache_id, a.steps[0].cache_id);  // a new key never reuses old sessions
}

TEST(Plan, RequestedDurationMarksTheLastStep) {
  auto t = table();
  auto plan = *t.plan("long-role");
  EXPECT_TRUE(plan.steps.back().duration_requested);
  auto plain = *t.plan("mfa-role");
  EXPECT_FALSE(plain.steps.back().duration_requested);
  EXPECT_FALSE(plain.steps.front().duration_requested);
}

// aws-vault's duration variables beside --duration and duration_seconds, in seconds: AWS_SESSION_TOKEN_TTL
// (session_token_ttl), AWS_CHAINED_SESSION_TOKEN_TTL (chained_session_token_ttl) and AWS_ASSUME_ROLE_TTL
// (assume_role_ttl).
struct Durations {
  std::optional<long> duration;  // --duration
  std::optional<long> session;
  std::optional<long> chained;
  std::optional<long> role;
  bool no_session = false;

  PlanOptions options() const {
    auto seconds = [](std::optional<long> s) { return s ? std::optional<Seconds>(*s) : std::nullopt; };
    PlanOptions options;
    options.duration = seconds(duration);
    options.no_session = no_session;
    options.session_token_ttl = seconds(session);
    options.chained_session_token_ttl = seconds(chained);
    options.assume_role_ttl = seconds(role);
    return options;
  }
};

TEST(Plan, DurationVariablesToCalls) {
  auto t = table();
  const std::nullopt_t none = std::nullopt;
  struct Row {
    const char* profile;
    Durations durations;  // --duration, session, chained, role, --no-session
    const char* expected;
  } rows[] = {
      // AWS_ASSUME_ROLE_TTL: every role, over duration_seconds; --duration wins for the last role only.
      {"role", {none, none, none, 1200, false}, "AR(role)/1200"},
      {"mfa-role", {none, none, none, 1200, false}, "GST+mfa/28800 -> AR(mfa-role)/1200"},
      {"long-role", {none, none, none, 1200, false}, "GST+mfa/28800 -> AR(long-role)/1200"},
      {"mfa-role", {2700, none, none, 1200, false}, "GST+mfa/28800 -> AR(mfa-role)/2700"},
      {"chained", {none, none, none, 1200, false}, "GST+mfa/28800 -> AR(mfa-role)/1200 -> AR(chained)/1200"},
      {"chained", {900, none, none, 1200, false}, "GST+mfa/28800 -> AR(mfa-role)/1200 -> AR(chained)/900"},
      // Over 1h: the first role is assumed with MFA directly (no GetSessionToken), chained ones are capped.
      {"role", {none, none, none, 7200, false}, "AR(role)/7200"},
      {"mfa-role", {none, none, none, 7200, false}, "AR(mfa-role)+mfa/7200"},
      {"chained", {none, none, none, 7200, false}, "AR(mfa-role)+mfa/7200 -> AR(chained)/3600"},
      {"other-device", {none, none, none, 7200, false}, "AR(mfa-role)+mfa/7200 -> AR(other-device)+mfa/3600"},
      {"chained", {1800, none, none, 7200, false}, "AR(mfa-role)+mfa/7200 -> AR(chained)/1800"},
      // Exactly 1h still goes through the cached MFA session.
      {"mfa-role", {none, none, none, 3600, false}, "GST+mfa/28800 -> AR(mfa-role)/3600"},
      // AWS_CHAINED_SESSION_TOKEN_TTL: the GetSessionToken that feeds roles, and nothing else.
      {"mfa-role", {none, none, 43200, none, false}, "GST+mfa/43200 -> AR(mfa-role)/3600"},
      {"chained", {none, none, 900, none, false}, "GST+mfa/900 -> AR(mfa-role)/3600 -> AR(chained)/3600"},
      {"mfa-user", {none, none, 43200, none, false}, "GST+mfa/3600"},
      {"user", {none, none, 43200, none, false}, "GST/3600"},
      {"role", {none, none, 43200, none, false}, "AR(role)/3600"},  // no MFA: no session
      {"mfa-role", {none, none, 43200, none, true}, "AR(mfa-role)+mfa/3600"},
      // AWS_SESSION_TOKEN_TTL: a user profile's GetSessionToken, unless --duration; roles do not see it.
      {"user", {none, 7200, none, none, false}, "GST/7200"},
      {"mfa-user", {none, 7200, none, none, false}, "GST+mfa/7200"},
      {"user", {1800, 7200, none, none, false}, "GST/1800"},
      {"user", {none, 7200, none, none, true}, "key"},
      {"mfa-role", {none, 7200, none, none, false}, "GST+mfa/28800 -> AR(mfa-role)/3600"},
      {"role", {none, 7200, none, none, false}, "AR(role)/3600"},
      // All three at once: each where it belongs.
      {"chained", {none, 7200, 43200, 1800, false}, "GST+mfa/43200 -> AR(mfa-role)/1800 -> AR(chained)/1800"},
  };
  for (const Row& row : rows) {
    auto plan = t.plan(row.profile, row.durations.options());
    ASSERT_TRUE(plan) << row.profile << ": " << plan.error().message;
    EXPECT_EQ(calls(*plan), row.expected) << row.profile;
  }
}

TEST(Plan, SessionTokenTtlBeatsAUsersDurationSeconds) {
  auto files = ConfigFiles::from_text("[profile long-user]\nduration_seconds = 5400\n", "");
  Table t{std::move(*files), {"long-user"}};
  EXPECT_EQ(calls(*t.plan("long-user")), "GST/5400");
  EXPECT_EQ(
      calls(*t.plan("long-user", Durations{std::nullopt, 7200, std::nullopt, std::nullopt, false}.options())),
      "GST/7200");
  EXPECT_EQ(calls(*t.plan("long-user", Durations{900, 7200, std::nullopt, std::nullopt, false}.options())),
            "GST/900");
}

TEST(Plan, DurationVariablesMarkTheirStepsRequested) {
  auto t = table();
  const std::nullopt_t none = std::nullopt;
  // A variable asks for its duration as a flag does: the steps it sets are marked.
  auto chained = *t.plan("mfa-role", Durations{none, none, 43200, none, false}.options());
  EXPECT_TRUE(chained.steps.front().duration_requested);
  EXPECT_FALSE(chained.steps.back().duration_requested);
  auto role = *t.plan("mfa-role", Durations{none, none, none, 1200, false}.options());
  EXPECT_FALSE(role.steps.front().duration_requested);
  EXPECT_TRUE(role.steps.back().duration_requested);
  auto user = *t.plan("user", Durations{none, 7200, none, none, false}.options());
  EXPECT_TRUE(user.steps.front().duration_requested);
}

TEST(Plan, ChainingLimitStillRefusesDurationButNotTheVariable) {
  auto t = table();
  // --duration over 1h for a chained role is refused before any prompt, even with the variable set...
  auto flag = t.plan("chained", Durations{7200, std::nullopt, std::nullopt, 7200, false}.options());
  ASSERT_FALSE(flag);
  EXPECT_NE(flag.error().message.find("--duration asks for 2h00m"), std::string::npos)
      << flag.error().message;
  EXPECT_EQ(flag.error().hint, "use --duration 1h or less");
  // ...while the variable alone is capped (above), as aws-vault does.
  EXPECT_TRUE(
      t.plan("chained", Durations{std::nullopt, std::nullopt, std::nullopt, 129600, false}.options()));
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

// Chains that start without a long-term key: SSO, a web identity, a credential_process.
struct ExternalTable {
  ConfigFiles files;
  std::set<std::string> stored;  // profiles with a key in kura's keystore
  Result<Plan> plan(const std::string& name, PlanOptions options = {}) {
    auto profile = resolve_profile(files, name);
    if (!profile) return profile.error();
    return make_plan(
        *profile, options, [](const std::string&) { return true; },
        [](const std::string& p) { return "AKIA" + p; },
        [this](const Profile& base) { return sso_config_of(base, files); },
        [this](const std::string& p) { return stored.count(p) > 0; });
  }
};

ExternalTable external_table() {
  auto files = ConfigFiles::from_text(
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
      "[profile sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
      "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n"
      "sso_account_id = 1\nsso_role_name = R\n"
      "[profile on-sso]\nsource_profile = sso\nrole_arn = arn:aws:iam::2:role/deploy\n"
      "mfa_serial = arn:aws:iam::1:mfa/u\n"
      "[profile long-on-sso]\nsource_profile = sso\nrole_arn = arn:aws:iam::2:role/deploy\n"
      "duration_seconds = 7200\n"
      "[profile wi]\nrole_arn = arn:aws:iam::3:role/ci\nweb_identity_token_file = /var/run/token\n"
      "duration_seconds = 1800\n"
      "[profile wi-process]\nrole_arn = arn:aws:iam::3:role/ci\nweb_identity_token_process = get-token\n"
      "[profile on-wi]\nsource_profile = wi\nrole_arn = arn:aws:iam::4:role/x\n"
      "[profile process]\ncredential_process = /usr/bin/creds --json\n"
      "[profile on-process]\nsource_profile = process\nrole_arn = arn:aws:iam::5:role/p\n"
      "[profile broken-sso]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
      "[process]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = s\n");
  return ExternalTable{std::move(*files), {}};
}

std::string external_calls(const Plan& plan) {
  static const char* const k_names[] = {"GST", "AR", "SSO", "WI", "CP"};
  std::string out = plan.long_term_key ? "key" : "";
  for (const Step& step : plan.steps) {
    if (!out.empty()) out += " -> ";
    out += std::string(k_names[static_cast<int>(step.kind)]) + "(" + step.profile + ")";
    if (step.mfa_serial) out += "+mfa";
  }
  return out;
}

TEST(Plan, ChainsThatStartWithoutALongTermKey) {
  auto t = external_table();
  const std::pair<const char*, const char*> rows[] = {
      {"sso", "SSO(sso)"},
      {"legacy", "SSO(legacy)"},
      {"on-sso", "SSO(sso) -> AR(on-sso)+mfa"},  // no GetSessionToken: SSO credentials are a role's
      {"wi", "WI(wi)"},
      {"wi-process", "WI(wi-process)"},
      {"on-wi", "WI(wi) -> AR(on-wi)"},
      // A plaintext key wins over credential_process in the same profile, as in botocore.
      {"process", "key -> GST(process)"},
  };
  for (const auto& [name, expected] : rows) {
    auto plan = t.plan(name);
    ASSERT_TRUE(plan) << name << ": " << plan.error().message;
    EXPECT_EQ(external_calls(*plan), expected) << name;
  }
  auto sso = *t.plan("sso");
  EXPECT_EQ(sso.steps[0].sso->session.start_url, "https://corp.awsapps.com/start");
  EXPECT_EQ(sso.steps[0].sso->account_id, "111111111111");
  auto wi = *t.plan("wi");
  EXPECT_EQ(wi.steps[0].role_arn, "arn:aws:iam::3:role/ci");
  EXPECT_EQ(wi.steps[0].web_identity_token_file, "/var/run/token");
  EXPECT_EQ(wi.steps[0].duration, Seconds(1800));
}

TEST(Plan, CredentialProcessStartsAChainWhenThereIsNoKey) {
  auto files = ConfigFiles::from_text(
      "[profile process]\ncredential_process = /usr/bin/creds --json\n"
      "[profile on-process]\nsource_profile = process\nrole_arn = arn:aws:iam::5:role/p\n",
      "");
  ExternalTable t{std::move(*files), {}};
  auto plan = t.plan("on-process");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(external_calls(*plan), "CP(process) -> AR(on-process)");
  EXPECT_EQ(plan->steps[0].credential_process, "/usr/bin/creds --json");
}

// aws-vault's documented `[profile home] credential_process = aws-vault export --format=json home`: the key
// kura stores for the profile comes before its credential_process, which would run kura again for the same
// profile.
TEST(Plan, AStoredKeyComesBeforeTheProfilesOwnCredentialProcess) {
  auto files = ConfigFiles::from_text(
      "[profile home]\ncredential_process = kura export --format json home\n"
      "[profile on-home]\nsource_profile = home\nrole_arn = arn:aws:iam::5:role/p\n",
      "");
  ExternalTable t{std::move(*files), {"home"}};
  for (const auto& [name, expected] :
       {std::pair<const char*, const char*>{"home", "key -> GST(home)"}, {"on-home", "key -> AR(on-home)"}}) {
    auto plan = t.plan(name);
    ASSERT_TRUE(plan) << name << ": " << plan.error().message;
    EXPECT_EQ(external_calls(*plan), expected) << name;
  }
  t.stored.clear();
  EXPECT_EQ(external_calls(*t.plan("home")), "CP(home)");
}

TEST(Plan, RolesOnSsoCredentialsAreRoleChainingAndSsoErrorsSurface) {
  auto t = external_table();
  auto long_role = t.plan("long-on-sso");
  ASSERT_FALSE(long_role);
  EXPECT_NE(long_role.error().message.find("role chaining"), std::string::npos) << long_role.error().message;
  auto broken = t.plan("broken-sso");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("[sso-session nope]"), std::string::npos) << broken.error().message;
}

TEST(Plan, SsoCacheIdsDifferPerAccountAndRole) {
  auto files = ConfigFiles::from_text(
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
      "[profile a]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\n"
      "[profile b]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = ReadOnly\n"
      "[profile c]\nsso_session = corp\nsso_account_id = 2\nsso_role_name = Admin\n",
      "");
  ExternalTable t{std::move(*files), {}};
  std::set<std::string> ids;
  for (const char* name : {"a", "b", "c"}) ids.insert(t.plan(name)->steps[0].cache_id);
  EXPECT_EQ(ids.size(), 3u);
}

}  // namespace
}  // namespace kura
