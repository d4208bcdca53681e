// String helpers with no AWS knowledge: trimming, case, splitting, percent- and shell-quoting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kura {

std::string_view trim(std::string_view text);
std::string to_lower(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string join(const std::vector<std::string_view>& parts, std::string_view separator);
// Where the first of two characters is, at or after `from` (npos: neither): find_first_of for two, without
// its generic set search, for the loops that read a config line by line.
inline size_t find_either(std::string_view text, char a, char b, size_t from = 0) {
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == a || text[i] == b) return i;
  }
  return std::string_view::npos;
}

// RFC 3986 percent-encoding of everything but unreserved characters (SigV4 and form bodies).
std::string uri_encode(std::string_view text, bool keep_slash = false);
std::string uri_decode(std::string_view text);

// Quotes a value for POSIX sh, fish, or PowerShell single-quoted strings.
std::string sh_quote(std::string_view text);
std::string fish_quote(std::string_view text);
std::string powershell_quote(std::string_view text);

std::string hex_encode(std::string_view bytes);

// Text from a server or another program, made safe for a terminal: control characters (C0, DEL, C1 — escape
// sequences could rewrite the screen or the title) and invalid UTF-8 are dropped, runs of whitespace
// (newlines too) become one space, and the result is cut at `max_bytes` (on a character boundary, marked with
// "...").
std::string printable(std::string_view text, size_t max_bytes = 512);

}  // namespace kura
