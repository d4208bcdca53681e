// Environment: a snapshot of the process environment that code reads instead of getenv, so tests can set it.
#pragma once

#include <cstdint>
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
// Whether a name is in AWS_'s or KURA_'s space: every secret variable is, and every credential source a child
// must not inherit (cli/credentials.cpp).
constexpr bool is_credential_variable_name(std::string_view name) {
  if (name.empty() || (name[0] != 'A' && name[0] != 'K')) return false;  // most names: one look
  return name.starts_with("AWS_") || name.starts_with("KURA_");
}
// Wipes the values of the secret variables in this process's environment block and removes them.
void scrub_secret_variables();

class Environment {
 public:
  // Name and value, each name once (the first, as getenv finds it). The views point into the snapshot's one
  // buffer, which lives as long as the Environment and is wiped when it dies (it holds the secret variables).
  using Variables = std::vector<std::pair<std::string_view, std::string_view>>;

  Environment() = default;
  explicit Environment(const std::map<std::string, std::string>& vars);
  Environment(const Environment& other);
  Environment(Environment&&) noexcept = default;  // a vector's buffer changes hands: the views stay valid
  Environment& operator=(const Environment& other);
  Environment& operator=(Environment&& other) noexcept;
  ~Environment();
  static Environment from_process();

  // Unset and empty are the same, as the AWS CLI treats them.
  std::optional<std::string> get(std::string_view name) const;
  // The same, without a copy: valid as long as this Environment is, and not changed.
  std::optional<std::string_view> view(std::string_view name) const;
  // A secret variable's value straight into a Secret, with no other copy made.
  std::optional<Secret> secret(std::string_view name) const;
  void set(std::string_view name, std::string value);
  void unset(std::string_view name);
  // In the order of the process environment (a set one first), as a child's is written.
  const Variables& entries() const { return m_vars; }
  // Sorted by name.
  Variables all() const;

  std::string home() const;
  // Whether an executable `program` is in one of $PATH's directories.
  bool has_program(const std::string& program) const;
  // $XDG_DATA_HOME or ~/.local/share.
  std::string data_home() const;

 private:
  // From name/value pairs, keeping the first of a name.
  template <typename Pairs>
  void assign(const Pairs& pairs);
  void wipe();
  // The variable, empty or not.
  const std::pair<std::string_view, std::string_view>* view_any(std::string_view name) const;

  std::vector<char> m_text;  // every name and value, one after another
  Variables m_vars;
  // Open addressing over m_vars by the name's hash (index + 1; 0 is empty): settings look up some 40 names
  // on every run.
  std::vector<uint32_t> m_slots;
};

}  // namespace kura
