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
  line += message;
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
