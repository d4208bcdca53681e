// run_chunks, and ExecRunner::run_lines over it: a child whose output is read as it comes (chunk by chunk, or
// line by line), started safely from any thread.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "process/hardening.h"
#include "process/runner.h"

namespace kura {

namespace {

// The program's path, searched in the child's PATH (the parent's own PATH is not the child's). Done before
// fork: a child forked from a threaded process may only make async-signal-safe calls, so no allocation there.
Result<std::string> find_program(const std::string& name, const std::vector<std::string>& environment) {
  if (name.empty()) return make_error("no command to run");
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& entry : environment) {
    if (entry.rfind("PATH=", 0) == 0) path = entry.substr(5);
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    // An empty entry is the current directory, as execvp reads it.
    std::string candidate = end > start ? path.substr(start, end - start) + '/' : std::string("./");
    candidate += name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return make_error("cannot run '" + name + "': not found in PATH", "check the command name and PATH");
}

// Splits what a pipe gives into lines.
struct LineSplitter {
  OutputStream stream;
  std::string pending;
  void feed(std::string_view bytes, const LineSink& sink) {
    pending.append(bytes);
    size_t start = 0;
    for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      sink(stream, std::string_view(pending).substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  void finish(const LineSink& sink) {
    if (!pending.empty()) sink(stream, pending);
    pending.clear();
  }
};

}  // namespace

Result<int> run_chunks(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                       const ChunkSink& sink) {
  if (argv.empty()) return make_error("no command to run");
  auto program = find_program(argv[0], environment);
  if (!program) return program.error();
  std::vector<char*> args = exec_array(argv);
  std::vector<char*> env = exec_array(environment);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto close_all = [&] {
    for (int fd : {out[0], out[1], err[0], err[1], report[0], report[1], null_fd}) {
      if (fd >= 0) ::close(fd);
    }
  };
  if (null_fd < 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(report, O_CLOEXEC) != 0) {
    int e = errno;
    close_all();
    return make_error(std::string("cannot start '") + argv[0] + "': " + strerror(e));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    close_all();
    return make_error(std::string("fork: ") + strerror(e));
  }
  if (pid == 0) {
    // Async-signal-safe calls only from here on.
    ::dup2(null_fd, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    restore_limits_for_child();
    ::execve(program->c_str(), args.data(), env.data());
    int e = errno;
    (void)!::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  ::close(report[1]);
  ::close(null_fd);
  out[1] = err[1] = report[1] = null_fd = -1;

  constexpr std::array<OutputStream, 2> k_streams{OutputStream::out, OutputStream::err};
  std::array<pollfd, 2> fds{pollfd{out[0], POLLIN, 0}, pollfd{err[0], POLLIN, 0}};
  char buffer[8192];
  int open_pipes = 2;
  bool stopped = false;
  while (open_pipes > 0 && !stopped) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < fds.size() && !stopped; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        stopped = !sink(k_streams[i], {});
        fds[i].fd = -1;  // poll ignores it now; closed below
        --open_pipes;
        continue;
      }
      stopped = !sink(k_streams[i], std::string_view(buffer, static_cast<size_t>(n)));
      explicit_bzero(buffer, static_cast<size_t>(n));
    }
  }
  if (stopped) ::kill(pid, SIGKILL);
  int exec_errno = 0;
  bool exec_failed = ::read(report[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  close_all();
  if (exec_failed) {
    return make_error("cannot run '" + argv[0] + "': " + strerror(exec_errno),
                      exec_errno == ENOENT ? "check the command name and PATH" : "");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Result<int> ExecRunner::run_lines(const std::vector<std::string>& argv,
                                  const std::vector<std::string>& environment, const LineSink& sink) {
  std::array<LineSplitter, 2> splitters{LineSplitter{OutputStream::out, {}},
                                        LineSplitter{OutputStream::err, {}}};
  return run_chunks(argv, environment, [&](OutputStream stream, std::string_view chunk) {
    LineSplitter& splitter = splitters[stream == OutputStream::out ? 0 : 1];
    if (chunk.empty()) {
      splitter.finish(sink);
    } else {
      splitter.feed(chunk, sink);
    }
    return true;
  });
}

}  // namespace kura
