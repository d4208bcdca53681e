// Durations and timestamps.
#include "util/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

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

// The formatters write their digits themselves (printf's code and locale tables are pages a hit would touch):
// the same text as printf's, over the clock's whole range and every duration up to a day and a half.
TEST(Formatting, MatchesPrintf) {
  const long long first =
      std::chrono::duration_cast<Seconds>(TimePoint::min().time_since_epoch()).count() + 1;
  const long long last = std::chrono::duration_cast<Seconds>(TimePoint::max().time_since_epoch()).count() - 1;
  const long long step = (last - first) / 20011;
  for (long long at = first; at <= last; at += step) {
    const TimePoint time{std::chrono::duration_cast<TimePoint::duration>(Seconds(at))};
    const std::string iso = format_iso8601(time);
    long long year = 0;
    unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
    ASSERT_EQ(std::sscanf(iso.c_str(), "%lld-%u-%uT%u:%u:%uZ", &year, &month, &day, &hour, &minute, &second),
              6)
        << iso;
    char expected[64];
    std::snprintf(expected, sizeof expected, "%04lld-%02u-%02uT%02u:%02u:%02uZ", year, month, day, hour,
                  minute, second);
    EXPECT_EQ(iso, expected);
    std::snprintf(expected, sizeof expected, "%04lld%02u%02uT%02u%02u%02uZ", year, month, day, hour, minute,
                  second);
    EXPECT_EQ(format_amz_date(time), expected);
    std::snprintf(expected, sizeof expected, "%04lld-%02u-%02u %02u:%02u:%02u", year, month, day, hour,
                  minute, second);
    EXPECT_EQ(format_utc_space(time), expected);
  }
  EXPECT_EQ(format_iso8601(TimePoint{}), "1970-01-01T00:00:00Z");
  for (long long s = 0; s <= 36 * 3600; s += 7) {
    char expected[32];
    if (s >= 3600) {
      std::snprintf(expected, sizeof expected, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    } else if (s >= 60) {
      std::snprintf(expected, sizeof expected, "%lldm%02llds", s / 60, s % 60);
    } else {
      std::snprintf(expected, sizeof expected, "%llds", s);
    }
    ASSERT_EQ(format_duration(Seconds(s)), expected);
  }
  EXPECT_EQ(format_duration(Seconds(1'000'000'000)), "277777h46m");
}

// The clock counts nanoseconds in 64 bits: dates outside ~1678..2262 used to wrap (2300-01-01 came back as
// 1715). Out-of-range and impossible dates are refused instead.
TEST(Iso8601, RefusesDatesOutsideTheSaneRangeAndImpossibleDays) {
  for (const char* bad :
       {"2300-01-01T00:00:00Z", "2263-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
        "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T17:31:45X", "2026-11-22T17:31:45.Z",
        "+026-11-22T17:31:45Z", "2026-1-22T17:31:45Z", "2026-11-22"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_iso8601("2200-12-31T23:59:59Z"));
  EXPECT_EQ(format_iso8601(*parse_iso8601("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(*parse_iso8601("2199-03-01T00:00:01Z")), "2199-03-01T00:00:01Z");
}

TEST(Duration, LargeValuesAreRefusedNotWrapped) {
  EXPECT_FALSE(parse_duration("9999999h9999999h9999999h9999999h"));
  EXPECT_FALSE(parse_duration("10000001"));
  EXPECT_EQ(parse_duration("2777h")->count(), 2777 * 3600);
}

}  // namespace
}  // namespace kura
