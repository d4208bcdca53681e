// Time: the clock seam, ISO 8601 timestamps, and human durations ("1h30m", "900s", "3600").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace kura {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

// The clock seam: the real one reads the system clock and sleeps; tests use a fake.
struct Clock {
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

struct SystemClock final : Clock {
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  void sleep_for(std::chrono::milliseconds duration) override;
};

// "2015-08-30T12:36:00Z" (fractional seconds and "+00:00" accepted on input).
std::optional<TimePoint> parse_iso8601(std::string_view text);
std::string format_iso8601(TimePoint time);
// "20150830T123600Z" and "20150830" for SigV4.
std::string format_amz_date(TimePoint time);
// "2015-08-30 12:36:00" (UTC), as aws-mfa writes `expiration`.
std::string format_utc_space(TimePoint time);

// Accepts "3600", "3600s", "15m", "1h", "1h30m", "2h0m5s".
Result<Seconds> parse_duration(std::string_view text);
// "1h02m" / "14m05s" / "42s".
std::string format_duration(Seconds duration);

}  // namespace kura
