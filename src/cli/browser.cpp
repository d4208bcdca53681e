// Starting the browser (browser.h).
#include "cli/browser.h"

#include <sys/wait.h>
#include <unistd.h>

#include "cli/credentials.h"
#include "process/runner.h"
#include "util/strings.h"

namespace kura {

std::optional<std::vector<std::string>> browser_command(const Environment& env) {
  auto browser = env.get("BROWSER");
  if (!browser) return std::nullopt;
  std::string first = split(*browser, ':')[0];
  std::vector<std::string> argv;
  for (const std::string& word : split(first, ' ')) {
    if (!word.empty()) argv.push_back(word);
  }
  if (argv.empty()) return std::nullopt;
  return argv;
}

std::vector<std::string> default_browser(const Environment& env, const std::string& url) {
  auto chosen = browser_command(env);
  if (!chosen) return {env.has_program("xdg-open") ? "xdg-open" : "open", url};
  bool placed = false;
  for (std::string& word : *chosen) {
    for (size_t at = word.find("%s"); at != std::string::npos; at = word.find("%s", at + url.size())) {
      word.replace(at, 2, url);
      placed = true;
    }
  }
  if (!placed) chosen->push_back(url);
  return *chosen;
}

Result<void> launch(const std::vector<std::string>& argv, const Environment& env) {
  // The browser gets the user's environment without kura's secrets or any AWS credentials.
  std::vector<std::string> environment = child_environment(env);
  pid_t pid = ::fork();
  if (pid < 0) return make_error("cannot start the browser: fork failed");
  if (pid == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);  // detached from kura entirely
    ExecRunner runner;              // restores the core limit kura lowered for itself
    (void)runner.exec(argv, environment);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {};
}

}  // namespace kura
