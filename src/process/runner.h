// ProcessRunner: the seam for replacing kura with the user's command (execve), so commands are testable.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kura {

enum class OutputStream { out, err };
// One line of a child's output, without its newline (a last line without one is given too).
using LineSink = std::function<void(OutputStream stream, std::string_view line)>;

// A child's output as it arrives: each chunk read from its stdout or stderr, then an empty chunk when that
// stream ends. Returning false stops the child (SIGKILL) and the reading.
using ChunkSink = std::function<bool(OutputStream stream, std::string_view chunk)>;

// Runs the program (searched in the PATH of `environment`) as a child, stdin from /dev/null, its output
// handed to `sink` (the read buffer is wiped after each chunk: the output may be a secret); its exit status
// (128 + signal). Safe to call from several threads at once. ProcessRunner::run_lines and
// run_command_output (capture.h) are built on it.
Result<int> run_chunks(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                       const ChunkSink& sink);

// `strings` as execve's argv or envp: pointers into them, then a null pointer. Valid while `strings` lives
// unchanged.
std::vector<char*> exec_array(const std::vector<std::string>& strings);

// "NAME=value", as execve takes a variable: one allocation, two copies.
inline std::string environment_entry(std::string_view name, std::string_view value) {
  std::string entry(name.size() + 1 + value.size(), '=');
  name.copy(entry.data(), name.size());
  value.copy(entry.data() + name.size() + 1, value.size());
  return entry;
}

// An environment for execve: "NAME=value" for each pair of `variables` (a map, or a list of pairs), in order.
template <typename Pairs>
std::vector<std::string> environment_entries(const Pairs& variables) {
  std::vector<std::string> entries;
  entries.reserve(variables.size());
  for (const auto& [name, value] : variables) entries.push_back(environment_entry(name, value));
  return entries;
}

struct ProcessRunner {
  virtual ~ProcessRunner() = default;
  // Replaces the process on success (never returns); returns an error when the program cannot be run.
  virtual Result<void> exec(const std::vector<std::string>& argv,
                            const std::vector<std::string>& environment) = 0;
  // Runs the program as a child and waits; its exit status (128 + signal when killed).
  virtual Result<int> run(const std::vector<std::string>& argv,
                          const std::vector<std::string>& environment) = 0;
  // Runs the program as a child, stdin from /dev/null, its stdout and stderr read line by line into `sink`;
  // its exit status (128 + signal). Safe to call from several threads at once (`kura each`).
  virtual Result<int> run_lines(const std::vector<std::string>& argv,
                                const std::vector<std::string>& environment, const LineSink& sink) = 0;
};

class ExecRunner final : public ProcessRunner {
 public:
  Result<void> exec(const std::vector<std::string>& argv,
                    const std::vector<std::string>& environment) override;
  Result<int> run(const std::vector<std::string>& argv, const std::vector<std::string>& environment) override;
  Result<int> run_lines(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                        const LineSink& sink) override;
};

}  // namespace kura
