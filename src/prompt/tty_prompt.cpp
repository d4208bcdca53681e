// /dev/tty prompts, with echo off for secrets and the terminal restored whatever happens.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>

#include "prompt/picker.h"
#include "prompt/prompt.h"
#include "util/full_build.h"
#include "util/strings.h"

namespace kura {

namespace {

class Tty {
 public:
  Tty() { m_fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY); }
  ~Tty() {
    if (m_echo_off) ::tcsetattr(m_fd, TCSAFLUSH, &m_saved);
    if (m_fd >= 0) ::close(m_fd);
  }
  Tty(const Tty&) = delete;
  Tty& operator=(const Tty&) = delete;

  bool ok() const { return m_fd >= 0; }
  void write(std::string_view text) const {
    while (!text.empty()) {
      ssize_t n = ::write(m_fd, text.data(), text.size());
      if (n <= 0) return;
      text.remove_prefix(static_cast<size_t>(n));
    }
  }
  void echo_off() {
    if (::tcgetattr(m_fd, &m_saved) != 0) return;
    termios quiet = m_saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    if (::tcsetattr(m_fd, TCSAFLUSH, &quiet) == 0) m_echo_off = true;
  }
  // Keys as they are typed, unechoed, Ctrl-C included (the picker cancels on it).
  bool raw() {
    if (::tcgetattr(m_fd, &m_saved) != 0) return false;
    termios raw = m_saved;
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    // TCSANOW, not TCSAFLUSH: keys typed ahead (before the picker was drawn) are kept, not thrown away.
    if (::tcsetattr(m_fd, TCSANOW, &raw) != 0) return false;
    m_echo_off = true;
    return true;
  }
  // What is there to read within `timeout_ms`: empty on a timeout, nullopt at the end of input.
  std::optional<std::string> read_some(int timeout_ms) const {
    pollfd pfd{m_fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready == 0) return std::string();
    if (ready < 0) return errno == EINTR ? std::optional<std::string>(std::string()) : std::nullopt;
    char buffer[64];
    ssize_t n = ::read(m_fd, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
  }
  size_t rows() const {
    winsize size{};
    if (::ioctl(m_fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0) return 24;
    return size.ws_row;
  }
  size_t columns() const {
    winsize size{};
    if (::ioctl(m_fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 80;
    return size.ws_col;
  }
  // Reads one line, without its newline; false on end of input.
  bool read_line(std::string& line) const {
    char c = 0;
    while (true) {
      ssize_t n = ::read(m_fd, &c, 1);
      if (n <= 0) return !line.empty();
      if (c == '\n' || c == '\r') return true;
      if (line.size() > 4096) continue;  // bounded: a pasted novel is not a key
      line += c;
    }
  }

 private:
  int m_fd = -1;
  bool m_echo_off = false;
  termios m_saved{};
};

// How long a lone Esc waits for the rest of an escape sequence before it counts as Esc.
constexpr int picker_escape_wait_ms = 50;

Error no_terminal(std::string_view question) {
  return make_error(
      "cannot ask '" + std::string(trim(question)) + "': no terminal (/dev/tty) available",
      "pass the value another way, e.g. --mfa-token CODE, KURA_FILE_PASSPHRASE, or `kura add --env`");
}

}  // namespace

Result<std::string> TtyPrompt::ask_line(std::string_view question) {
  need_full_build("a prompt");  // what is typed is read once: the static build hands over first
  Tty tty;
  if (!tty.ok()) return no_terminal(question);
  tty.write(question);
  std::string line;
  if (!tty.read_line(line)) return make_error("no answer given");
  return std::string(trim(line));
}

Result<Secret> TtyPrompt::ask_secret(std::string_view question) {
  need_full_build("a prompt");
  Tty tty;
  if (!tty.ok()) return no_terminal(question);
  // Echo off first, then the question: what is typed after the question appears is never flushed away.
  tty.echo_off();
  tty.write(question);
  std::string line;
  bool got = tty.read_line(line);
  tty.write("\n");
  Secret secret(std::string(trim(line)));
  wipe_string(line);
  if (!got) return make_error("no answer given");
  return secret;
}

Result<void> TtyPrompt::show(std::string_view text) {
  need_full_build("a prompt");
  Tty tty;
  if (!tty.ok()) return make_error("there is no terminal to show it on", "run it in a terminal");
  tty.write(text);
  return {};
}

Result<void> Prompt::show(std::string_view) {
  return make_error("there is no terminal to show it on", "run it in a terminal");
}

Result<std::optional<std::string>> Prompt::choose(std::string_view title, const std::vector<std::string>&,
                                                  std::string_view) {
  return no_terminal(title);
}

bool TtyPrompt::interactive() const {
  if (!::isatty(STDIN_FILENO) || !::isatty(STDERR_FILENO)) return false;
  return Tty().ok();
}

Result<std::optional<std::string>> TtyPrompt::choose(std::string_view title,
                                                     const std::vector<std::string>& items,
                                                     std::string_view initial) {
  need_full_build("a prompt");
  Tty tty;
  if (!tty.ok() || !tty.raw()) return no_terminal(title);
  Picker picker(items, initial);
  const size_t visible = std::min<size_t>(10, tty.rows() > 4 ? tty.rows() - 3 : 1);
  const size_t width = tty.columns();
  size_t drawn = 0;  // lines below the prompt line drawn last time
  auto draw = [&] {
    std::string out = "\r";
    if (drawn > 0) out += "\x1b[" + std::to_string(drawn) + "A";
    out += "\x1b[J";
    const auto lines = picker.screen(title, visible);
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string line = printable(lines[i]);  // names come from a file: no escape codes reach the terminal
      if (line.size() >= width) line.resize(width - 1);
      if (i > 0) out += "\r\n";
      out += i == 0 ? line : (line.rfind("> ", 0) == 0 ? "\x1b[7m" + line + "\x1b[0m" : line);
    }
    drawn = lines.size() - 1;
    // The cursor back at the end of the prompt line, where typing goes.
    if (drawn > 0) out += "\x1b[" + std::to_string(drawn) + "A";
    out += "\r\x1b[" + std::to_string(std::min(lines[0].size(), width - 1)) + "C";
    tty.write(out);
  };
  draw();
  while (picker.outcome() == Picker::Outcome::running) {
    auto bytes = tty.read_some(picker.waiting() ? picker_escape_wait_ms : -1);
    if (!bytes) break;  // the terminal went away
    if (bytes->empty()) {
      if (!picker.waiting()) continue;  // a signal
      picker.idle();
    } else {
      picker.feed(*bytes);
    }
    if (picker.outcome() == Picker::Outcome::running) draw();
  }
  tty.write("\r\x1b[J");  // the picker's lines erased: the cursor is on the first of them
  if (picker.outcome() == Picker::Outcome::chosen) return picker.chosen();
  return std::optional<std::string>();
}

bool is_mfa_code(std::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace kura
