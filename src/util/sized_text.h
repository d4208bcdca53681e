// Building text that holds a secret without leaving copies behind: the text is produced twice by the same
// body, first only counting bytes, then into a string reserved to exactly that size, so it never reallocates
// (a reallocation frees the old buffer, secret and all, unwiped). JSON objects of strings and numbers,
// written this way, for everything kura serialises with a secret inside.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "util/secret.h"

namespace kura {

class TextWriter {
 public:
  explicit TextWriter(std::string* out = nullptr) : m_out(out) {}
  void put(std::string_view text) {
    if (m_out) {
      m_out->append(text);
    } else {
      m_size += text.size();
    }
  }
  void put(char c) { put(std::string_view(&c, 1)); }
  size_t size() const { return m_size; }

 private:
  std::string* m_out;
  size_t m_size = 0;
};

// Runs `body(TextWriter&)` to count, reserves, runs it again to write.
template <typename Body>
Secret sized_text(Body&& body) {
  TextWriter counter;
  body(counter);
  std::string out;
  out.reserve(counter.size());
  TextWriter writer(&out);
  body(writer);
  return Secret(std::move(out));
}

// A JSON string: quotes, backslashes and control characters escaped, everything else as it is.
inline void json_string(TextWriter& w, std::string_view text) {
  w.put('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      w.put('\\');
      w.put(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      w.put(escaped);
    } else {
      w.put(c);
    }
  }
  w.put('"');
}

// {"key":"value","n":1}: members written in the order given.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(TextWriter& w) : m_w(w) { m_w.put('{'); }
  void string(std::string_view key, std::string_view value) {
    name(key);
    json_string(m_w, value);
  }
  void number(std::string_view key, long long value) {
    name(key);
    m_w.put(std::to_string(value));
  }
  void close() { m_w.put('}'); }

 private:
  void name(std::string_view key) {
    if (!m_first) m_w.put(',');
    m_first = false;
    json_string(m_w, key);
    m_w.put(':');
  }
  TextWriter& m_w;
  bool m_first = true;
};

}  // namespace kura
