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

}  // namespace
}  // namespace kura
