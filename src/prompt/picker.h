// Picker: choosing one item from a list on the terminal — type to filter, arrows (or Ctrl-N/Ctrl-P) to move,
// Enter to choose, Esc or Ctrl-C to cancel. The state machine is pure (keys in, a screen out) so it is tested
// without a terminal; TtyPrompt drives it on /dev/tty.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kura {

class Picker {
 public:
  enum class Outcome { running, chosen, cancelled };

  // `initial`: the item selected at first, when it is in the list.
  explicit Picker(std::vector<std::string> items, std::string_view initial = {});

  // Consumes the bytes read from the terminal (several keys, or part of one: an escape sequence split across
  // reads is completed by the next call). Stops at Enter or a cancel, ignoring what follows.
  Outcome feed(std::string_view bytes);
  // A lone Esc is only known once no more bytes follow it: the driver calls this when a read times out.
  Outcome idle();

  Outcome outcome() const { return m_outcome; }
  // True while the bytes fed end inside an escape sequence (or are a lone Esc).
  bool waiting() const { return !m_pending.empty(); }
  std::optional<std::string> chosen() const;
  const std::string& filter() const { return m_filter; }
  // The items that match the filter, in list order (indexes into the list).
  const std::vector<size_t>& matches() const { return m_matches; }

  // The screen: a prompt line with the filter, then at most `rows` matching items around the selection, the
  // selected one marked. Plain text, one line per entry; the driver adds the escape codes.
  std::vector<std::string> screen(std::string_view title, size_t rows) const;

 private:
  void key(std::string_view key);
  void refilter();
  void move(long delta);

  std::vector<std::string> m_items;
  std::vector<size_t> m_matches;
  size_t m_selected = 0;  // among m_matches
  std::string m_filter;
  std::string m_pending;  // an escape sequence not complete yet
  Outcome m_outcome = Outcome::running;
};

}  // namespace kura
