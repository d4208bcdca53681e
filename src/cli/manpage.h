// kura(1) as roff, from the command and settings tables.
#pragma once

#include <string>

namespace kura {

std::string man_page();

}  // namespace kura
