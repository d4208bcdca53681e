// Environment snapshot.
#include "util/env.h"

#include <pwd.h>
#include <unistd.h>

extern char** environ;

namespace kura {

Environment Environment::from_process() {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string::npos) continue;
    vars.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return Environment(std::move(vars));
}

std::optional<std::string> Environment::get(const std::string& name) const {
  auto it = m_vars.find(name);
  if (it == m_vars.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string Environment::home() const {
  if (auto home = get("HOME")) return *home;
  if (const passwd* pw = getpwuid(getuid())) return pw->pw_dir;
  return "/";
}

std::string Environment::data_home() const {
  if (auto xdg = get("XDG_DATA_HOME")) return *xdg;
  return home() + "/.local/share";
}

}  // namespace kura
