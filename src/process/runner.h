// ProcessRunner: the seam for replacing kura with the user's command (execve), so commands are testable.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace kura {

struct ProcessRunner {
  virtual ~ProcessRunner() = default;
  // Replaces the process on success (never returns); returns an error when the program cannot be run.
  virtual Result<void> exec(const std::vector<std::string>& argv,
                            const std::vector<std::string>& environment) = 0;
  // Runs the program as a child and waits; its exit status (128 + signal when killed).
  virtual Result<int> run(const std::vector<std::string>& argv,
                          const std::vector<std::string>& environment) = 0;
};

class ExecRunner final : public ProcessRunner {
 public:
  Result<void> exec(const std::vector<std::string>& argv,
                    const std::vector<std::string>& environment) override;
  Result<int> run(const std::vector<std::string>& argv, const std::vector<std::string>& environment) override;
};

}  // namespace kura
