// Time helpers.
#include "util/time.h"

#include <algorithm>
#include <thread>

namespace kura {

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
long long days_from_civil(long long year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const long long era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<long long>(day_of_era) - 719468;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// `count` ASCII digits at text[pos], or -1.
int digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  // Exactly YYYY-MM-DDTHH:MM:SS, then optional fractional seconds, then Z or +00:00 (or nothing: UTC).
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "z" && !rest.empty()) return std::nullopt;
  // The clock counts nanoseconds in 64 bits (years 1678 to 2262): anything outside a sane window is refused
  // rather than wrapped. Credentials and sessions are never dated before 1970 or after 2200.
  static constexpr int k_days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  if (day > k_days_in_month[month - 1] + (month == 2 && is_leap(year) ? 1 : 0)) return std::nullopt;
  const long long seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600LL + minute * 60LL + second;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(seconds)));
}

namespace {

struct Civil {
  long long year;
  unsigned month, day, hour, minute, second;
};

// The UTC calendar fields of a time (Howard Hinnant's civil_from_days). Not strftime: glibc's strftime calls
// tzset, which reads /etc/localtime on every run for a time zone kura never uses.
Civil civil(TimePoint time) {
  long long seconds = std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  long long days = seconds / 86400;
  long long rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const long long year = static_cast<long long>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return Civil{year,
               month,
               day,
               static_cast<unsigned>(rest / 3600),
               static_cast<unsigned>(rest / 60 % 60),
               static_cast<unsigned>(rest % 60)};
}

// `value` in decimal, zero-padded to `width` characters with the sign counted, as printf's %0*lld: a hit
// formats an expiry, and printf's machinery (its code, its locale tables) would be pages it touches for that.
// Not inlined: a copy in each of the six places is code a hit reads from memory once.
[[gnu::noinline]] void append_padded(std::string& out, long long value, int width) {
  char digits[24];
  int count = 0;
  unsigned long long magnitude = value < 0 ? 0 - static_cast<unsigned long long>(value) : value;
  do {
    digits[count++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) out.push_back('-');
  for (int length = count + (value < 0 ? 1 : 0); length < width; ++length) out.push_back('0');
  while (count > 0) out.push_back(digits[--count]);
}

// Three fields, `separator` between them: the first `width` digits wide, the other two 2.
void append_fields(std::string& out, long long first, int width, unsigned second, unsigned third,
                   std::string_view separator) {
  append_padded(out, first, width);
  out.append(separator);
  append_padded(out, second, 2);
  out.append(separator);
  append_padded(out, third, 2);
}

// The civil time: the date with `date` between its fields, then `middle`, the time with `clock` between its
// fields, then `end`.
std::string format_civil(TimePoint time, std::string_view date, std::string_view middle,
                         std::string_view clock, std::string_view end) {
  const Civil c = civil(time);
  std::string out;
  out.reserve(24);
  append_fields(out, c.year, 4, c.month, c.day, date);
  out.append(middle);
  append_fields(out, c.hour, 2, c.minute, c.second, clock);
  out.append(end);
  return out;
}

}  // namespace

std::string format_iso8601(TimePoint time) {
  return format_civil(time, "-", "T", ":", "Z");
}
std::string format_amz_date(TimePoint time) {
  return format_civil(time, "", "T", "", "Z");
}
std::string format_utc_space(TimePoint time) {
  return format_civil(time, "-", " ", ":", "");
}

Result<Seconds> parse_duration(std::string_view text) {
  constexpr long long k_max_duration = 10'000'000;  // ~115 days: more than any AWS session, far from overflow
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
      if (total > k_max_duration) return bad();
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
  if (total > k_max_duration) return bad();
  return Seconds(total);
}

std::string format_duration(Seconds duration) {
  const long long s = std::max<long long>(duration.count(), 0);
  std::string out;
  // "1h02m", "14m05s": the larger unit as it comes, the smaller in two digits.
  auto two_units = [&out](long long larger, char larger_unit, long long smaller, char smaller_unit) {
    append_padded(out, larger, 1);
    out.push_back(larger_unit);
    append_padded(out, smaller, 2);
    out.push_back(smaller_unit);
  };
  if (s >= 3600) {
    two_units(s / 3600, 'h', s % 3600 / 60, 'm');
  } else if (s >= 60) {
    two_units(s / 60, 'm', s % 60, 's');
  } else {
    append_padded(out, s, 1);
    out.push_back('s');
  }
  return out;
}

}  // namespace kura
