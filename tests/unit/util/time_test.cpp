// Durations and timestamps.
#include "util/time.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(Duration, AcceptsSecondsAndUnits) {
  EXPECT_EQ(parse_duration("3600")->count(), 3600);
  EXPECT_EQ(parse_duration("900s")->count(), 900);
  EXPECT_EQ(parse_duration("15m")->count(), 900);
  EXPECT_EQ(parse_duration("1h30m")->count(), 5400);
  EXPECT_EQ(parse_duration("12h")->count(), 43200);
}

TEST(Duration, RejectsGarbageWithAHint) {
  for (const char* bad : {"", "1d", "h", "1h30", "-5", "1.5h"}) {
    auto parsed = parse_duration(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().hint, "");
  }
}

TEST(Iso8601, RoundTripsAndAcceptsFractionsAndOffsets) {
  auto t = parse_iso8601("2026-11-22T17:31:45Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso8601(*t), "2026-11-22T17:31:45Z");
  EXPECT_EQ(parse_iso8601("2026-11-22T17:31:45.123Z"), t);
  EXPECT_EQ(parse_iso8601("2026-11-22T17:31:45+00:00"), t);
  EXPECT_FALSE(parse_iso8601("2026-11-22 17:31:45"));
  EXPECT_FALSE(parse_iso8601("2026-13-22T17:31:45Z"));
  EXPECT_EQ(format_utc_space(*t), "2026-11-22 17:31:45");
  EXPECT_EQ(format_amz_date(*t), "20261122T173145Z");
}

TEST(Duration, FormatsForHumans) {
  EXPECT_EQ(format_duration(Seconds(3725)), "1h02m");
  EXPECT_EQ(format_duration(Seconds(845)), "14m05s");
  EXPECT_EQ(format_duration(Seconds(42)), "42s");
  EXPECT_EQ(format_duration(Seconds(-5)), "0s");
}

}  // namespace
}  // namespace kura
