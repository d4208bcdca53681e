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

bool Environment::has_program(const std::string& program) const {
  std::string path = get("PATH").value_or("/usr/bin:/bin");
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

std::string Environment::data_home() const {
  if (auto xdg = get("XDG_DATA_HOME")) return *xdg;
  return home() + "/.local/share";
}

}  // namespace kura
