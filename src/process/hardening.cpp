// Process hardening.
#include "process/hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace kura {

namespace {

rlimit g_core_limit{};
bool g_core_limit_saved = false;

}  // namespace

void harden_process() {
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // A soft limit that is already 0 (most systems' default) is left alone, and so has nothing to give back.
  if (::getrlimit(RLIMIT_CORE, &g_core_limit) == 0 && g_core_limit.rlim_cur != 0) {
    g_core_limit_saved = true;
    // Only the soft limit: lowering the hard one could not be undone for the children.
    rlimit none{0, g_core_limit.rlim_max};
    ::setrlimit(RLIMIT_CORE, &none);
  }
}

void restore_limits_for_child() {
  if (g_core_limit_saved) ::setrlimit(RLIMIT_CORE, &g_core_limit);
}

}  // namespace kura
