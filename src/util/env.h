// Environment: a snapshot of the process environment that code reads instead of getenv, so tests can set it.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace kura {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string> vars) : m_vars(std::move(vars)) {}
  static Environment from_process();

  // Unset and empty are the same, as the AWS CLI treats them.
  std::optional<std::string> get(const std::string& name) const;
  void set(const std::string& name, std::string value) { m_vars[name] = std::move(value); }
  void unset(const std::string& name) { m_vars.erase(name); }
  const std::map<std::string, std::string>& all() const { return m_vars; }

  std::string home() const;
  // Whether an executable `program` is in one of $PATH's directories.
  bool has_program(const std::string& program) const;
  // $XDG_DATA_HOME or ~/.local/share.
  std::string data_home() const;

 private:
  std::map<std::string, std::string> m_vars;
};

}  // namespace kura
