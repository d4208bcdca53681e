// The static build's hand-over (util/full_build.h): this process replaced by kura-full.
#pragma once

#include <string_view>

#include "util/env.h"

namespace kura {

// Executes kura-full with `argv` (argv[0] kept, so the persona is kept) and the environment kura started with
// (`env`, secret variables included: kura-full reads and removes them as kura did). kura-full is looked for
// beside this executable (a build tree), then where the installation puts it (../libexec/kura/ by default),
// never through $PATH.
// Returns only by exiting 1, with an error naming where it looked, when there is no kura-full to run; exits
// 70 (an internal error) when called after threads were started, which would lose them.
[[noreturn]] void exec_full_build(char* const* argv, const Environment& env, std::string_view why);

}  // namespace kura
