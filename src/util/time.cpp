// Time helpers.
#include "util/time.h"

#include <cstdio>
#include <ctime>
#include <thread>

namespace kura {

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string copy(text);
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "z" && !rest.empty()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds);
}

static std::string format_time(TimePoint time, const char* format) {
  time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, n);
}

std::string format_iso8601(TimePoint time) {
  return format_time(time, "%Y-%m-%dT%H:%M:%SZ");
}
std::string format_amz_date(TimePoint time) {
  return format_time(time, "%Y%m%dT%H%M%SZ");
}
std::string format_utc_space(TimePoint time) {
  return format_time(time, "%Y-%m-%d %H:%M:%S");
}

Result<Seconds> parse_duration(std::string_view text) {
  auto bad = [&] {
    return make_error("invalid duration '" + std::string(text) + "'",
                      "use seconds (3600) or units like 1h, 15m, 1h30m");
  };
  if (text.empty()) return bad();
  long long total = 0;
  long long number = 0;
  bool have_digits = false;
  bool have_unit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      number = number * 10 + (c - '0');
      if (number > 10'000'000) return bad();
      have_digits = true;
    } else if (c == 'h' || c == 'm' || c == 's') {
      if (!have_digits) return bad();
      total += number * (c == 'h' ? 3600 : c == 'm' ? 60 : 1);
      number = 0;
      have_digits = false;
      have_unit = true;
    } else {
      return bad();
    }
  }
  if (have_digits) {
    if (have_unit) return bad();  // "1h30" is ambiguous
    total += number;
  }
  return Seconds(total);
}

std::string format_duration(Seconds duration) {
  long long s = duration.count();
  if (s < 0) s = 0;
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", s);
  }
  return buffer;
}

}  // namespace kura
