// Profile resolution: chains, cycles, include_profile, and [default] staying in its lane.
#include "config/profiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

namespace kura {
namespace {

ConfigFiles files(std::string_view config, std::string_view credentials = "") {
  auto loaded = ConfigFiles::from_text(config, credentials);
  EXPECT_TRUE(loaded) << loaded.error().message;
  return std::move(*loaded);
}

TEST(Profiles, FollowsSourceProfileChains) {
  auto f = files(
      "[profile user]\nmfa_serial = arn:aws:iam::1:mfa/u\n"
      "[profile hub]\nsource_profile = user\nrole_arn = arn:aws:iam::2:role/hub\n"
      "[profile spoke]\nsource_profile = hub\nrole_arn = arn:aws:iam::3:role/spoke\nexternal_id = ext\n"
      "duration_seconds = 900\nregion = ap-southeast-2\n");
  auto spoke = resolve_profile(f, "spoke");
  ASSERT_TRUE(spoke) << spoke.error().message;
  EXPECT_EQ(spoke->role_arn, "arn:aws:iam::3:role/spoke");
  EXPECT_EQ(spoke->external_id, "ext");
  EXPECT_EQ(spoke->duration, Seconds(900));
  ASSERT_TRUE(spoke->source);
  EXPECT_EQ(spoke->source->name, "hub");
  ASSERT_TRUE(spoke->source->source);
  EXPECT_EQ(spoke->source->source->mfa_serial, "arn:aws:iam::1:mfa/u");
}

TEST(Profiles, ACycleIsAnErrorThatNamesIt) {
  auto f = files(
      "[profile a]\nsource_profile = b\nrole_arn = arn:aws:iam::1:role/a\n"
      "[profile b]\nsource_profile = c\nrole_arn = arn:aws:iam::1:role/b\n"
      "[profile c]\nsource_profile = a\nrole_arn = arn:aws:iam::1:role/c\n");
  auto a = resolve_profile(f, "a");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "source_profile cycle: a -> b -> c -> a");
}

TEST(Profiles, SelfSourcedRoleIsNotACycle) {
  auto f = files("[profile r]\nsource_profile = r\nrole_arn = arn:aws:iam::1:role/r\n",
                 "[r]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = s\n");
  auto r = resolve_profile(f, "r");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->sources_itself);
  EXPECT_FALSE(r->source);
  EXPECT_EQ(r->static_access_key_id, "AKIAEXAMPLEEXAMPLE01");
}

TEST(Profiles, DefaultDoesNotLeakIntoOtherProfiles) {
  auto f = files("[default]\nregion = eu-central-1\nmfa_serial = arn:aws:iam::1:mfa/d\n[profile other]\n");
  auto other = resolve_profile(f, "other");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->region);
  EXPECT_FALSE(other->mfa_serial);
  auto def = resolve_profile(f, "default");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->region, "eu-central-1");
}

TEST(Profiles, IncludeProfileFillsGapsAndOwnValuesWin) {
  auto f = files(
      "[profile base]\nregion = us-west-2\nmfa_serial = arn:aws:iam::1:mfa/b\n"
      "[profile child]\ninclude_profile = base\nregion = eu-west-3\n");
  auto child = resolve_profile(f, "child");
  ASSERT_TRUE(child);
  EXPECT_EQ(child->region, "eu-west-3");
  EXPECT_EQ(child->mfa_serial, "arn:aws:iam::1:mfa/b");
  auto loop = files("[profile x]\ninclude_profile = y\n[profile y]\ninclude_profile = x\n");
  auto bad = resolve_profile(loop, "x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("include_profile cycle"), std::string::npos);
}

TEST(Profiles, SessionTagsAndServicesEndpoint) {
  auto f = files(
      "[profile t]\nrole_arn = arn:aws:iam::1:role/t\nsource_profile = t\nsession_tags = team=sre, env = "
      "prod\n"
      "transitive_session_tags = team\nsource_identity = alice\nservices = local\n"
      "endpoint_url = http://global:1\n"
      "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9\n");
  auto t = resolve_profile(f, "t");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->session_tags.size(), 2u);
  EXPECT_EQ(t->session_tags[1].key, "env");
  EXPECT_EQ(t->session_tags[1].value, "prod");
  EXPECT_EQ(t->transitive_tag_keys, std::vector<std::string>{"team"});
  EXPECT_EQ(t->source_identity, "alice");
  EXPECT_EQ(t->sts_endpoint_url, "http://127.0.0.1:9");  // the services block beats endpoint_url
}

TEST(Profiles, ProfileDefaultSectionAndCredentialsFileMerge) {
  auto f = files("[profile default]\nregion = sa-east-1\n",
                 "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE02\naws_secret_access_key = s\n");
  auto d = resolve_profile(f, "default");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->region, "sa-east-1");
  EXPECT_EQ(d->static_access_key_id, "AKIAEXAMPLEEXAMPLE02");
  EXPECT_EQ(f.profile_names(), std::vector<std::string>{"default"});
}

// profile_names() sorts by merging the runs the names come in (and sorts outright when there are many): every
// shape of input gives the sorted names, each once, whichever way it is taken.
TEST(Profiles, ProfileNamesAreSortedAndUniqueWhateverOrderTheFilesHold) {
  auto name = [](int i) {
    std::string n = std::to_string(i);
    return "p" + std::string(5 - n.size(), '0') + n;
  };
  std::mt19937 random(20261124);
  std::vector<std::vector<int>> shapes;
  std::vector<int> sorted(300);
  std::iota(sorted.begin(), sorted.end(), 0);
  shapes.push_back(sorted);  // one run
  std::vector<int> block = sorted;
  std::rotate(block.begin() + 100, block.begin() + 280, block.end());  // a block moved into the middle
  shapes.push_back(block);
  shapes.push_back(std::vector<int>(sorted.rbegin(), sorted.rend()));  // 300 runs: sorted outright
  for (int runs : {2, 3, 63, 64, 65, 66, 150}) {  // around where the merging gives way to a sort
    std::vector<int> shape;
    for (int r = 0; r < runs; ++r) {
      for (int i = r; i < 300; i += runs) shape.push_back(i);  // run r: r, r + runs, ...
    }
    shapes.push_back(shape);
  }
  std::vector<int> shuffled = sorted;
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  shapes.push_back(shuffled);
  for (size_t s = 0; s < shapes.size(); ++s) {
    std::string config;
    std::string credentials;
    std::set<std::string> want;
    for (size_t i = 0; i < shapes[s].size(); ++i) {
      const std::string n = name(shapes[s][i]);
      want.insert(n);
      config += "[profile " + n + "]\n";
      if (i % 7 == 0) credentials += "[" + n + "]\n";                           // some in both files
      if (i % 11 == 0) credentials += "[" + name(1000 + shapes[s][i]) + "]\n";  // some only there
      if (i % 11 == 0) want.insert(name(1000 + shapes[s][i]));
    }
    auto f = files(config, credentials);
    EXPECT_EQ(f.profile_names(), std::vector<std::string>(want.begin(), want.end())) << "shape " << s;
  }
}

TEST(Profiles, TheResolvedProfileHoldsNoSecret) {
  auto f = files("[profile dev]\nregion = eu-west-1\n",
                 "[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = SECRETVALUE\n"
                 "aws_session_token = TOKENVALUE\naws_security_token = TOKENVALUE\n");
  auto dev = resolve_profile(f, "dev");
  ASSERT_TRUE(dev) << dev.error().message;
  EXPECT_EQ(dev->static_access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(dev->raw.at("region"), "eu-west-1");
  for (const auto& [key, value] : dev->raw) {
    EXPECT_EQ(value.find("SECRETVALUE"), std::string::npos) << key;
    EXPECT_EQ(value.find("TOKENVALUE"), std::string::npos) << key;
  }
}

TEST(Profiles, BadSettingsAreErrorsNamingTheProfile) {
  auto dur = resolve_profile(files("[profile d]\nduration_seconds = forever\n"), "d");
  ASSERT_FALSE(dur);
  EXPECT_NE(dur.error().message.find("profile 'd': duration_seconds"), std::string::npos);
  auto src = resolve_profile(files("[profile s]\nsource_profile = x\n[profile x]\n"), "s");
  ASSERT_FALSE(src);
  EXPECT_NE(src.error().message.find("role_arn is not"), std::string::npos);
  auto missing =
      resolve_profile(files("[profile s]\nsource_profile = ghost\nrole_arn = arn:aws:iam::1:role/s\n"), "s");
  ASSERT_TRUE(missing);  // a source may exist only as a stored key
  EXPECT_FALSE(missing->source->in_files);
}

TEST(Profiles, EnvironmentPicksTheDefaultProfile) {
  EXPECT_EQ(default_profile_name(Environment(std::map<std::string, std::string>{{"AWS_PROFILE", "prod"}})),
            "prod");
  EXPECT_EQ(default_profile_name(Environment()), "default");
}

// Found by fuzz_profiles: duration_seconds = 0 went to STS as DurationSeconds=0.
TEST(Profiles, DurationOutOfStsRangeIsAConfigError) {
  for (const char* bad : {"0", "0h", "899", "37h"}) {
    auto files = ConfigFiles::from_text(std::string("[profile p]\nduration_seconds = ") + bad + "\n", "");
    ASSERT_TRUE(files);
    auto profile = resolve_profile(*files, "p");
    ASSERT_FALSE(profile) << bad;
    EXPECT_NE(profile.error().message.find("duration_seconds"), std::string::npos);
  }
  auto files = ConfigFiles::from_text("[profile p]\nduration_seconds = 900\n", "");
  EXPECT_TRUE(resolve_profile(*files, "p"));
}

}  // namespace
}  // namespace kura
