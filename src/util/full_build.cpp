// The hand-over point between kura's static and full builds (full_build.h).
#include "util/full_build.h"

namespace kura {

namespace {
FullBuildHandler g_handler = nullptr;
}  // namespace

void set_full_build_handler(FullBuildHandler handler) {
  g_handler = handler;
}

void need_full_build(std::string_view why) {
  if (g_handler) g_handler(why);
}

}  // namespace kura
