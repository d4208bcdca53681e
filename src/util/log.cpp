// Terminal messages. Callers never pass secrets here: values go through mask_key_id first.
#include "util/log.h"

#include <cstdio>
#include <string>

namespace kura {

static bool g_debug = false;

void set_debug(bool enabled) {
  g_debug = enabled;
}
bool debug_enabled() {
  return g_debug;
}

static void emit(std::string_view prefix, std::string_view message) {
  std::string line = "kura: ";
  line += prefix;
  // Messages can quote what a server or a file said: no control character reaches the terminal (an escape
  // sequence could rewrite what the user sees); line breaks are kept, indented under the message.
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    auto byte = static_cast<unsigned char>(c);
    if (byte == 0xC2 && i + 1 < message.size() &&
        (static_cast<unsigned char>(message[i + 1]) & 0xE0) == 0x80) {
      ++i;  // a C1 control character in UTF-8 (U+0080..U+009F; U+009B is a CSI)
    } else if (c == '\n') {
      line += "\n  ";
    } else if (byte >= 0x20 && byte != 0x7F) {
      line += c;
    } else if (c == '\t') {
      line += ' ';
    }
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void log_debug(std::string_view message) {
  if (g_debug) emit("debug: ", message);
}
void log_note(std::string_view message) {
  emit("", message);
}
void log_warning(std::string_view message) {
  emit("warning: ", message);
}
void log_error(const Error& error) {
  emit("error: ", error.message);
  if (!error.hint.empty()) emit("hint: ", error.hint);
}

}  // namespace kura
