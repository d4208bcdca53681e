// Handing a run from kura's static build over to kura-full.
#include "process/full_build.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/single_threaded.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "process/hardening.h"
#include "process/runner.h"
#include "util/log.h"
#include "util/secret.h"

// Where an installation puts kura-full, relative to kura's directory (CMakeLists.txt computes it from the
// install directories; this is the default layout's).
#ifndef KURA_FULL_FROM_BIN
#define KURA_FULL_FROM_BIN "../libexec/kura/kura-full"
#endif

namespace kura {

void exec_full_build(char* const* argv, const Environment& env, std::string_view why) {
  if (!__libc_single_threaded) {
    log_error(
        make_error("internal error: " + std::string(why) + " needs kura-full after threads were started"));
    _exit(70);
  }
  log_debug("handing the run over to kura-full: " + std::string(why));
  // This executable's path: /proc/self/exe (links resolved), else, where /proc is not mounted, the path it
  // was executed by, as the kernel recorded it.
  char self[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string directory;
  if (length > 0) {
    directory.assign(self, static_cast<size_t>(length));
  } else {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): getauxval gives the kernel's pointer as an integer
    const auto* executed = reinterpret_cast<const char*>(::getauxval(AT_EXECFN));
    // Links resolved (realpath needs no /proc), as /proc/self/exe has them: `aws-vault` may be a link to
    // kura.
    char resolved[PATH_MAX];
    if (executed && ::realpath(executed, resolved)) directory = resolved;
  }
  directory = directory.substr(0, directory.rfind('/') + 1);
  std::vector<std::string> variables = environment_entries(env.entries());
  const std::vector<char*> envp = exec_array(variables);
  const std::string candidates[] = {directory + "kura-full", directory + KURA_FULL_FROM_BIN};
  restore_limits_for_child();  // kura-full hardens itself, remembering the caller's limits, not this
                               // process's
  int failure = ENOENT;
  if (!directory.empty()) {
    for (const std::string& path : candidates) {
      ::execve(path.c_str(), argv, envp.data());
      if (errno != ENOENT) failure = errno;  // found but not runnable: that is the reason worth giving
    }
  }
  for (std::string& variable : variables) wipe_string(variable);
  const std::string looked = directory.empty() ? std::string("(this executable's path is unknown)")
                                               : candidates[0] + " and " + candidates[1];
  log_error(make_error("cannot run kura-full, needed for " + std::string(why) + ": " + strerror(failure) +
                           "; looked for " + looked,
                       "kura-full is installed with kura: reinstall kura"));
  _exit(1);
}

}  // namespace kura
