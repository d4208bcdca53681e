// Running a helper program (pass, gpg) without a shell: argv as given, stdin fed, stdout/stderr captured.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kura {

struct SpawnResult {
  int exit_code = -1;
  std::string out;  // may hold a secret: callers wipe it
  std::string err;
};

// `env` entries are added to (or replace in) this process's environment for the child.
Result<SpawnResult> spawn(const std::vector<std::string>& argv, std::string_view input,
                          const std::map<std::string, std::string>& env = {});

}  // namespace kura
