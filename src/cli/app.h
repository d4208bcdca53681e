// The command line: one table of commands, global flags, and the exit code.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace kura {

// Parses `args` (without argv[0]) and runs the command. Returns the process exit code.
int run_cli(const std::vector<std::string>& args, AppDeps& deps);

}  // namespace kura
