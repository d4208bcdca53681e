// fork/exec with three pipes, polled so that neither side blocks on a full pipe.
#include "process/spawn.h"

#include "process/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process/hardening.h"
#include "util/env.h"

extern char** environ;

namespace kura {

Result<SpawnResult> spawn(const std::vector<std::string>& argv, std::string_view input,
                          const std::map<std::string, std::string>& env) {
  if (argv.empty()) return make_error("spawn: no program");
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return make_error(std::string("spawn: pipe: ") + strerror(errno));
  }
  // Built before fork: the child may only call async-signal-safe functions. Secret variables never pass
  // (main() has removed them from environ already; this keeps the promise for every caller).
  std::vector<std::string> environment;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    std::string name = text.substr(0, text.find('='));
    if (!env.count(name) && !is_secret_variable(name)) environment.push_back(text);
  }
  for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
  std::vector<char*> envp = exec_array(environment);
  std::vector<char*> args = exec_array(argv);

  pid_t pid = fork();
  if (pid < 0) return make_error(std::string("spawn: fork: ") + strerror(errno));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    restore_limits_for_child();
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  SpawnResult result;
  // Output may be a secret (`pass show`): growing a string by reallocation would leave unwiped copies behind.
  result.out.reserve(size_t{64} * 1024);
  size_t written = 0;
  if (input.empty()) {
    close(in[1]);
    in[1] = -1;
  }
  auto previous_sigpipe = signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill us
  bool out_open = true, err_open = true;
  while (out_open || err_open || in[1] >= 0) {
    pollfd fds[3] = {
        {out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}, {in[1], POLLOUT, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buffer[4096];
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      } else {
        (i == 0 ? out_open : err_open) = false;
      }
    }
    explicit_bzero(buffer, sizeof buffer);  // it may have held a secret from `pass show`
    if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n =
          (fds[2].revents & POLLOUT) ? write(in[1], input.data() + written, input.size() - written) : -1;
      if (n > 0) written += static_cast<size_t>(n);
      if (n <= 0 || written == input.size()) {
        close(in[1]);
        in[1] = -1;
      }
    }
  }
  signal(SIGPIPE, previous_sigpipe);
  close(out[0]);
  close(err[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (result.exit_code == 127 && result.err.empty()) result.err = "cannot run " + argv[0];
  return result;
}

}  // namespace kura
