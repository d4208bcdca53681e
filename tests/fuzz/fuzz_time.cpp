// Fuzz target: timestamps and durations from files, flags, variables and servers. Nothing may overflow; a
// parsed timestamp formats and parses back to itself; a parsed duration is within its bound.
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "util/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto time = parse_iso8601(text)) {
    std::string formatted = format_iso8601(*time);
    auto again = parse_iso8601(formatted);
    KURA_FUZZ_CHECK(again.has_value());
    KURA_FUZZ_CHECK(std::chrono::duration_cast<Seconds>(again->time_since_epoch()) ==
                    std::chrono::duration_cast<Seconds>(time->time_since_epoch()));
    KURA_FUZZ_CHECK(formatted.size() == 20);
    KURA_FUZZ_CHECK(format_amz_date(*time).size() == 16);
  }
  auto duration = parse_duration(text);
  if (duration) {
    KURA_FUZZ_CHECK(duration->count() >= 0 && duration->count() <= 10'000'000);
    KURA_FUZZ_CHECK(!format_duration(*duration).empty());
  } else {
    KURA_FUZZ_CHECK(!duration.error().message.empty());
  }
  return 0;
}
