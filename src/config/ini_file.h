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
// writers, so concurrent edits never lose each other's changes. A file that does not parse is not written
// (the error names the line). New files are 0600; an existing credentials file readable by others becomes
// 0600.
Result<void> edit_aws_file(const std::string& path, AwsFile kind,
                           const std::function<Result<bool>(IniDocument&)>& edit);

}  // namespace kura
