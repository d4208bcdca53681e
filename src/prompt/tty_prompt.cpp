// /dev/tty prompts, with echo off for secrets and the terminal restored whatever happens.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>

#include "prompt/prompt.h"
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

Error no_terminal(std::string_view question) {
  return make_error(
      "cannot ask '" + std::string(trim(question)) + "': no terminal (/dev/tty) available",
      "pass the value another way, e.g. --mfa-token CODE, KURA_FILE_PASSPHRASE, or `kura add --env`");
}

}  // namespace

Result<std::string> TtyPrompt::ask_line(std::string_view question) {
  Tty tty;
  if (!tty.ok()) return no_terminal(question);
  tty.write(question);
  std::string line;
  if (!tty.read_line(line)) return make_error("no answer given");
  return std::string(trim(line));
}

Result<Secret> TtyPrompt::ask_secret(std::string_view question) {
  Tty tty;
  if (!tty.ok()) return no_terminal(question);
  tty.write(question);
  tty.echo_off();
  std::string line;
  bool got = tty.read_line(line);
  tty.write("\n");
  Secret secret(std::string(trim(line)));
  wipe_string(line);
  if (!got) return make_error("no answer given");
  return secret;
}

bool is_mfa_code(std::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace kura
