// Editing ~/.aws/credentials and ~/.aws/config: lossless, atomic, locked, and never writing what can't be
// parsed.
#pragma once

#include <functional>
#include <string>

#include "config/ini.h"
#include "util/result.h"

namespace kura {

enum class AwsFile { credentials, config };

// Reads `path` (following a symlink to the real file), parses it, lets `edit` change the document, and, if it
// says it changed something, writes the result atomically: a temporary file in the same directory, fsync,
// rename over the target, fsync of the directory. An advisory lock on the directory serialises kura's
// writers, so concurrent edits never lose each other's changes. Nothing is written (and the error says why)
// when the file does not parse (the error names the line), when the result would read as anything but the
// file with the document's edits() applied, or when the file is read-only or another user's. New files are
// 0600; an existing credentials file readable by others becomes 0600.
Result<void> edit_aws_file(const std::string& path, AwsFile kind,
                           const std::function<Result<bool>(IniDocument&)>& edit);

// Whether edit_aws_file could write `path` (a read-only file or another user's is refused), asked before
// anything is spent on the edit — an MFA code is accepted only once. A file that does not exist yet passes.
Result<void> check_aws_file_writable(const std::string& path);

}  // namespace kura
