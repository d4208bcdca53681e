// Terminal messages: "kura: error: ..." and friends on stderr, lowercase; debug lines only with --debug.
#pragma once

#include <string_view>

#include "util/result.h"

namespace kura {

void set_debug(bool enabled);
bool debug_enabled();
void log_debug(std::string_view message);
void log_note(std::string_view message);
void log_warning(std::string_view message);
void log_error(const Error& error);

}  // namespace kura
