// execvpe, searching PATH of the child's environment.
#include "process/runner.h"

#include "process/hardening.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kura {

std::vector<char*> exec_array(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

Result<void> ExecRunner::exec(const std::vector<std::string>& argv,
                              const std::vector<std::string>& environment) {
  if (argv.empty()) return make_error("no command to run");
  std::vector<char*> args = exec_array(argv);
  std::vector<char*> env = exec_array(environment);
  for (const std::string& entry : environment) {
    if (entry.rfind("PATH=", 0) == 0)
      ::setenv("PATH", entry.c_str() + 5, 1);  // execvpe searches our own PATH
  }
  restore_limits_for_child();
  ::execvpe(args[0], args.data(), env.data());
  int err = errno;
  return make_error("cannot run '" + argv[0] + "': " + strerror(err),
                    err == ENOENT ? "check the command name and PATH" : "");
}

Result<int> ExecRunner::run(const std::vector<std::string>& argv,
                            const std::vector<std::string>& environment) {
  if (argv.empty()) return make_error("no command to run");
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + strerror(errno));
  // Like system(3): the terminal's Ctrl-C goes to the child; kura waits for it and keeps serving meanwhile.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  pid_t pid = ::fork();
  if (pid < 0) return make_error(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::close(report[0]);
    (void)exec(argv, environment);
    int err = errno;
    (void)!::write(report[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(report[1]);
  int err = 0;
  bool exec_failed = ::read(report[0], &err, sizeof err) == sizeof err;  // EOF when exec succeeded (CLOEXEC)
  ::close(report[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (exec_failed) {
    return make_error("cannot run '" + argv[0] + "': " + strerror(err),
                      err == ENOENT ? "check the command name and PATH" : "");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace kura
