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

}  // namespace
}  // namespace kura
