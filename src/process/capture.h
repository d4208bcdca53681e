// Running a configured command line (credential_process, web_identity_token_process) for its standard output,
// which is a secret: captured into a Secret, bounded in size.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

// The argv a command line runs as. Without shell syntax it is split into words as the AWS CLI splits
// credential_process (whitespace separates; single quotes keep everything, double quotes keep all but $, `
// and \, which go to the shell), so no shell runs; with shell syntax outside single quotes (| & ; < > ( ) $ `
// \ * ? [ ] # ~ { } !, a newline, or an assignment as the first word) it is /bin/sh -c LINE. An error for an
// empty line or an unterminated quote.
Result<std::vector<std::string>> command_argv(const std::string& command_line);

// Runs the command line with `environment` (the child's whole environment, "NAME=value"; PATH in it is
// searched), stdin from /dev/null, its stderr passed through to kura's. Its stdout, once it exits with status
// 0; an error naming the program when it cannot be run, writes more than `max_bytes` (it is then stopped) or
// exits non-zero (with the last line of its stderr, printable).
Result<Secret> run_command_output(const std::string& command_line,
                                  const std::vector<std::string>& environment, size_t max_bytes);

}  // namespace kura
