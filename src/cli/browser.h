// Opening a URL in the user's browser (the console for `kura login`, the IAM Identity Center sign-in page):
// $BROWSER, else xdg-open (open on macOS), started detached with the user's environment minus any
// credentials.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/env.h"
#include "util/result.h"

namespace kura {

// $BROWSER's first entry (a colon-separated list), split on spaces; nothing when unset or empty.
std::optional<std::vector<std::string>> browser_command(const Environment& env);

// The command that opens `url`: $BROWSER ("%s" in it stands for the URL, else the URL goes last), else
// xdg-open, else open.
std::vector<std::string> default_browser(const Environment& env, const std::string& url);

// Starts the program without waiting for it (the browser outlives kura).
Result<void> launch(const std::vector<std::string>& argv, const Environment& env);

}  // namespace kura
