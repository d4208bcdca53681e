// The picker's state machine.
#include "prompt/picker.h"

#include <algorithm>
#include <cctype>

namespace kura {

namespace {

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [&](char a, char b) { return lower(a) == lower(b); });
  return it != haystack.end();
}

// How many bytes of `bytes` (which starts with ESC) make one escape sequence; 0 when it is not complete yet.
size_t escape_length(std::string_view bytes) {
  if (bytes.size() < 2) return 0;
  if (bytes[1] == 'O') return bytes.size() >= 3 ? 3 : 0;  // SS3: ESC O A
  if (bytes[1] != '[') return 1;                          // Esc, then an ordinary key
  for (size_t i = 2; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x40 && c <= 0x7e) return i + 1;  // CSI: parameters, then a final byte
    if (i > 16) return i + 1;                  // not a sequence any terminal sends: drop it
  }
  return 0;
}

}  // namespace

Picker::Picker(std::vector<std::string> items, std::string_view initial) : m_items(std::move(items)) {
  refilter();
  for (size_t i = 0; i < m_matches.size(); ++i) {
    if (m_items[m_matches[i]] == initial) m_selected = i;
  }
}

std::optional<std::string> Picker::chosen() const {
  if (m_outcome != Outcome::chosen) return std::nullopt;
  return m_items[m_matches[m_selected]];
}

void Picker::refilter() {
  const std::string previous = m_matches.empty() ? std::string() : m_items[m_matches[m_selected]];
  m_matches.clear();
  for (size_t i = 0; i < m_items.size(); ++i) {
    if (contains_ignoring_case(m_items[i], m_filter)) m_matches.push_back(i);
  }
  m_selected = 0;
  for (size_t i = 0; i < m_matches.size(); ++i) {
    if (m_items[m_matches[i]] == previous) m_selected = i;
  }
}

void Picker::move(long delta) {
  if (m_matches.empty()) return;
  const long last = static_cast<long>(m_matches.size()) - 1;
  m_selected = static_cast<size_t>(std::clamp(static_cast<long>(m_selected) + delta, 0L, last));
}

Picker::Outcome Picker::feed(std::string_view bytes) {
  m_pending.append(bytes);
  size_t at = 0;
  while (at < m_pending.size() && m_outcome == Outcome::running) {
    std::string_view rest = std::string_view(m_pending).substr(at);
    size_t length = 1;
    if (rest[0] == '\x1b') {
      length = escape_length(rest);
      if (length == 0) break;  // wait for the rest of it (or idle(): a lone Esc)
    } else if (static_cast<unsigned char>(rest[0]) >= 0xc0) {
      // A UTF-8 lead byte: the character as a whole, once all of it is here.
      const auto lead = static_cast<unsigned char>(rest[0]);
      length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
      if (rest.size() < length) break;
    }
    key(rest.substr(0, length));
    at += length;
  }
  m_pending.erase(0, m_outcome == Outcome::running ? at : m_pending.size());
  return m_outcome;
}

Picker::Outcome Picker::idle() {
  if (m_outcome == Outcome::running && m_pending == "\x1b") m_outcome = Outcome::cancelled;
  m_pending.clear();
  return m_outcome;
}

void Picker::key(std::string_view key) {
  const auto first = static_cast<unsigned char>(key[0]);
  if (key == "\x1b[A" || key == "\x1bOA" || key == "\x10") return move(-1);  // up, Ctrl-P
  if (key == "\x1b[B" || key == "\x1bOB" || key == "\x0e" || key == "\t") return move(1);
  if (key == "\x1b[5~") return move(-10);
  if (key == "\x1b[6~") return move(10);
  if (key == "\x1b[H" || key == "\x1bOH") return move(-static_cast<long>(m_matches.size()));
  if (key == "\x1b[F" || key == "\x1bOF") return move(static_cast<long>(m_matches.size()));
  if (key.size() == 1 && first == 0x1b) {
    m_outcome = Outcome::cancelled;  // Esc followed by another key
    return;
  }
  if (first == 0x1b) return;  // other sequences (function keys, mouse): nothing
  if (key == "\x03" || (key == "\x04" && m_filter.empty())) {
    m_outcome = Outcome::cancelled;
    return;
  }
  if (key == "\r" || key == "\n") {
    if (!m_matches.empty()) m_outcome = Outcome::chosen;
    return;
  }
  if (key == "\x7f" || key == "\x08") {
    // One character, not one byte.
    while (!m_filter.empty() && (static_cast<unsigned char>(m_filter.back()) & 0xc0) == 0x80)
      m_filter.pop_back();
    if (!m_filter.empty()) m_filter.pop_back();
    return refilter();
  }
  if (key == "\x15" || key == "\x17") {  // Ctrl-U, Ctrl-W
    m_filter.clear();
    return refilter();
  }
  if (first < 0x20) return;  // other control keys
  if (m_filter.size() < 256) m_filter.append(key);
  refilter();
}

std::vector<std::string> Picker::screen(std::string_view title, size_t rows) const {
  std::vector<std::string> lines;
  lines.push_back(std::string(title) + " " + m_filter);
  if (m_matches.empty()) {
    lines.emplace_back("  (no match)");
    return lines;
  }
  rows = std::max<size_t>(rows, 1);
  // A window of `rows` items that keeps the selection in view.
  size_t first = m_selected >= rows / 2 ? m_selected - rows / 2 : 0;
  if (first + rows > m_matches.size()) first = m_matches.size() > rows ? m_matches.size() - rows : 0;
  for (size_t i = first; i < m_matches.size() && i < first + rows; ++i) {
    lines.push_back((i == m_selected ? "> " : "  ") + m_items[m_matches[i]]);
  }
  if (m_matches.size() > rows) {
    lines.push_back("  (" + std::to_string(m_matches.size()) + " of " + std::to_string(m_items.size()) + ")");
  }
  return lines;
}

}  // namespace kura
