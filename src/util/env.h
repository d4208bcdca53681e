// Environment: a snapshot of the process environment that code reads instead of getenv, so tests can set it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/secret.h"

namespace kura {

// Variables that carry a secret into kura and must never leave it: kura reads them once, removes them from
// its own process environment (so no helper it starts — pass, gpg, a browser, a dialog — inherits them) and
// never copies them into a child's environment. The AWS key variables are here because `kura add --env` reads
// a long-term key from them; `kura exec` gives its child fresh credentials explicitly instead.
bool is_secret_variable(std::string_view name);
// Wipes the values of the secret variables in this process's environment block and removes them.
void scrub_secret_variables();

class Environment {
 public:
  // Sorted by name, each name once (the first, as getenv finds it).
  using Variables = std::vector<std::pair<std::string, std::string>>;

  Environment() = default;
  explicit Environment(const std::map<std::string, std::string>& vars);
  Environment(const Environment&) = default;
  Environment(Environment&&) = default;
  Environment& operator=(const Environment&) = default;
  Environment& operator=(Environment&&) = default;
  ~Environment();  // wipes the values of the secret variables
  static Environment from_process();

  // Unset and empty are the same, as the AWS CLI treats them.
  std::optional<std::string> get(std::string_view name) const;
  // A secret variable's value straight into a Secret, with no other copy made.
  std::optional<Secret> secret(std::string_view name) const;
  void set(std::string_view name, std::string value);
  void unset(std::string_view name);
  const Variables& all() const { return m_vars; }

  std::string home() const;
  // Whether an executable `program` is in one of $PATH's directories.
  bool has_program(const std::string& program) const;
  // $XDG_DATA_HOME or ~/.local/share.
  std::string data_home() const;

 private:
  Variables::const_iterator find(std::string_view name) const;

  Variables m_vars;
};

}  // namespace kura
