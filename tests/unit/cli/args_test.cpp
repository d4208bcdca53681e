// The command line: flags bound per command, "did you mean", and the command to run passed on untouched.
#include "cli/args.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(ClosestMatch, TyposAndAbbreviationsButNotStrangers) {
  const std::vector<std::string> commands = {"exec", "export", "login", "list", "remove", "clear"};
  EXPECT_EQ(closest_match("exce", commands), "exec");
  EXPECT_EQ(closest_match("exprot", commands), "export");
  EXPECT_EQ(closest_match("lsit", commands), "list");
  EXPECT_EQ(closest_match("frobnicate", commands), std::nullopt);
  EXPECT_EQ(closest_match("--durration", {"--duration", "--region"}), "--duration");
  EXPECT_EQ(closest_match("--dur", {"--duration", "--region"}), "--duration");
}

struct Bound {
  std::string profile;
  std::optional<std::string> duration;
  bool no_session = false;
  std::vector<std::string> command;
  FlagSet flags;
  Bound() {
    flags.positional("PROFILE", &profile, "");
    flags.option("--duration,-d", "D", &duration, "");
    flags.flag("--no-session,-n", &no_session, "");
    flags.rest("COMMAND", &command, "");
  }
};

TEST(FlagSet, SpellingsPositionalsAndTheCommandToRun) {
  Bound b;
  ASSERT_TRUE(b.flags.parse({"-d", "1h", "prod", "-n", "--", "aws", "--region", "x"}));
  EXPECT_EQ(b.profile, "prod");
  EXPECT_EQ(b.duration, "1h");
  EXPECT_TRUE(b.no_session);
  EXPECT_EQ(b.command, (std::vector<std::string>{"aws", "--region", "x"}));

  Bound equals;
  ASSERT_TRUE(equals.flags.parse({"--duration=45m", "prod"}));
  EXPECT_EQ(equals.duration, "45m");

  // Without `--`, the first word after the positionals starts the command: its flags are its own.
  Bound bare;
  ASSERT_TRUE(bare.flags.parse({"prod", "aws", "s3", "ls", "--duration", "x", "-n"}));
  EXPECT_EQ(bare.command, (std::vector<std::string>{"aws", "s3", "ls", "--duration", "x", "-n"}));
  EXPECT_FALSE(bare.duration);
  EXPECT_FALSE(bare.no_session);
}

TEST(FlagSet, ErrorsNameTheFlagNeverTheCommandsArguments) {
  Bound unknown;
  auto bad = unknown.flags.parse({"prod", "--durration", "1h", "--", "curl", "-H", "Authorization: s3cr3t"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "unknown flag '--durration'; did you mean '--duration'?");
  EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos);

  Bound missing_value;
  auto no_value = missing_value.flags.parse({"prod", "--duration"});
  ASSERT_FALSE(no_value);
  EXPECT_EQ(no_value.error().message, "--duration needs a value (D)");

  Bound missing;
  auto no_profile = missing.flags.parse({"-n"});
  ASSERT_FALSE(no_profile);
  EXPECT_EQ(no_profile.error().message, "missing PROFILE");

  Bound switch_value;
  EXPECT_FALSE(switch_value.flags.parse({"prod", "--no-session=yes"}));
}

TEST(FlagSet, ChoicesAndHelp) {
  std::string level;
  FlagSet flags;
  flags.option("--log-level", "LEVEL", &level, "how much to say");
  flags.choices("--log-level", {"DEBUG", "INFO"});
  auto bad = flags.parse({"--log-level", "LOUD"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--log-level: 'LOUD' is not one of DEBUG, INFO");
  ASSERT_TRUE(flags.parse({"--help"}));
  EXPECT_TRUE(flags.help_requested());
  EXPECT_NE(flags.help("kura x").find("--log-level LEVEL"), std::string::npos);
}

// aws-vault's switches: `--no-NAME` turns one off; an optional<bool> switch tells off apart from absent.
struct Switches {
  bool verbose = false;
  std::optional<bool> add_config;
  std::optional<std::string> region;
  std::string profile = "kept";
  FlagSet flags;
  Switches() {
    flags.flag("--verbose,-v", &verbose, "");
    flags.flag("--add-config", &add_config, "");
    flags.option("--region", "R", &region, "");
    flags.suggest("--region", {"eu-west-1", "us-east-1"});
    flags.optional_positional("PROFILE", &profile, "");
  }
};

TEST(FlagSet, NoNameTurnsASwitchOff) {
  Switches on_off;
  ASSERT_TRUE(on_off.flags.parse({"--verbose", "--no-verbose"}));
  EXPECT_FALSE(on_off.verbose);
  Switches off_on;
  ASSERT_TRUE(off_on.flags.parse({"--no-verbose", "-v"}));
  EXPECT_TRUE(off_on.verbose);  // the last one wins

  Switches absent;
  ASSERT_TRUE(absent.flags.parse({}));
  EXPECT_EQ(absent.add_config, std::nullopt);
  Switches on;
  ASSERT_TRUE(on.flags.parse({"--add-config"}));
  EXPECT_EQ(on.add_config, true);
  Switches off;
  ASSERT_TRUE(off.flags.parse({"--no-add-config"}));
  EXPECT_EQ(off.add_config, false);  // recorded, not left absent
}

TEST(FlagSet, NoNameIsOnlyForSwitches) {
  Switches option;
  auto no_region = option.flags.parse({"--no-region"});
  ASSERT_FALSE(no_region);
  EXPECT_EQ(no_region.error().message.rfind("unknown flag '--no-region'", 0), 0u)
      << no_region.error().message;
  Switches valued;
  EXPECT_FALSE(valued.flags.parse({"--no-verbose=1"}));
  Switches unknown;
  EXPECT_FALSE(unknown.flags.parse({"--no-color"}));
  Switches short_name;
  EXPECT_FALSE(short_name.flags.parse({"--no-v"}));
}

TEST(FlagSet, OptionalTextPositionalAndSuggestedValues) {
  Switches none;
  ASSERT_TRUE(none.flags.parse({"--region", "mars-north-1"}));  // suggestions are not checked
  EXPECT_EQ(none.region, "mars-north-1");
  EXPECT_EQ(none.profile, "kept");  // left as it was, and no "missing PROFILE"
  Switches given;
  ASSERT_TRUE(given.flags.parse({"prod"}));
  EXPECT_EQ(given.profile, "prod");
  EXPECT_NE(none.flags.usage_line().find(" [PROFILE]"), std::string::npos) << none.flags.usage_line();
}

}  // namespace
}  // namespace kura
