// Helpers for the libFuzzer targets: the input as fields separated by a byte, and a check that traps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kura::fuzz {

// Splits the input at every `separator` byte (fields may be empty); at most `max_fields` fields, the last
// keeping the rest.
inline std::vector<std::string_view> fields(const uint8_t* data, size_t size, char separator = '\x1f',
                                            size_t max_fields = 64) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_fields) {
    size_t at = text.find(separator);
    if (at == std::string_view::npos) break;
    out.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  out.push_back(text);
  return out;
}

// An invariant that must hold for every input: a crash the fuzzer reports, with the input that broke it.
#define KURA_FUZZ_CHECK(condition)      \
  do {                                  \
    if (!(condition)) __builtin_trap(); \
  } while (0)

// True when `text` holds no byte a terminal would act on (C0 except tab and newline, DEL, or a C1 control).
inline bool terminal_safe(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80)
      return false;
  }
  return true;
}

}  // namespace kura::fuzz
