// The command line: one table of commands, global flags, and the exit code.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/settings.h"

namespace kura {

// Parses `args` (without argv[0]) and runs the command. Returns the process exit code.
// `persona`: the name kura was run as (aws-vault and aws-mfa are links to it).
int run_cli(const std::vector<std::string>& args, AppDeps& deps, Persona persona = Persona::kura);

}  // namespace kura
