// execvpe, searching PATH of the child's environment.
#include "process/runner.h"

#include <string.h>
#include <unistd.h>

namespace kura {

Result<void> ExecRunner::exec(const std::vector<std::string>& argv,
                              const std::vector<std::string>& environment) {
  if (argv.empty()) return make_error("no command to run");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  env.reserve(environment.size() + 1);
  for (const std::string& entry : environment) env.push_back(const_cast<char*>(entry.c_str()));
  env.push_back(nullptr);
  for (const std::string& entry : environment) {
    if (entry.rfind("PATH=", 0) == 0)
      ::setenv("PATH", entry.c_str() + 5, 1);  // execvpe searches our own PATH
  }
  ::execvpe(args[0], args.data(), env.data());
  int err = errno;
  return make_error("cannot run '" + argv[0] + "': " + strerror(err),
                    err == ENOENT ? "check the command name and PATH" : "");
}

}  // namespace kura
