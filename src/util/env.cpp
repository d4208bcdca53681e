// Environment snapshot.
#include "util/env.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <array>
#include <tuple>
#include <utility>
#include <vector>

#include "util/full_build.h"

extern char** environ;

namespace kura {

namespace {

constexpr std::array<std::string_view, 6> k_secret_variables = {
    "KURA_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",    "AWS_SECURITY_TOKEN",        "AWS_CONTAINER_AUTHORIZATION_TOKEN"};

}  // namespace

bool is_secret_variable(std::string_view name) {
  for (std::string_view secret : k_secret_variables) {
    if (name == secret) return true;
  }
  return false;
}

void scrub_secret_variables() {
  std::vector<std::string> names;
  for (char** entry = environ; entry && *entry; ++entry) {
    char* eq = strchr(*entry, '=');
    if (!eq || !is_secret_variable(std::string_view(*entry, static_cast<size_t>(eq - *entry)))) continue;
    // The strings of the initial environment live in the process's stack block, which /proc/PID/environ
    // shows: wipe the value in place before dropping the pointer.
    explicit_bzero(eq + 1, strlen(eq + 1));
    names.emplace_back(*entry, static_cast<size_t>(eq - *entry));
  }
  for (const std::string& name : names) ::unsetenv(name.c_str());
}

Environment Environment::from_process() {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace(std::piecewise_construct, std::forward_as_tuple(text.substr(0, eq)),
                 std::forward_as_tuple(text.substr(eq + 1)));
  }
  return Environment(std::move(vars));
}

Environment::~Environment() {
  for (auto& [name, value] : m_vars) {
    if (is_secret_variable(name)) wipe_string(value);
  }
}

void Environment::unset(const std::string& name) {
  auto it = m_vars.find(name);
  if (it == m_vars.end()) return;
  wipe_string(it->second);
  m_vars.erase(it);
}

std::optional<Secret> Environment::secret(const std::string& name) const {
  auto it = m_vars.find(name);
  if (it == m_vars.end() || it->second.empty()) return std::nullopt;
  return Secret(std::string_view(it->second));
}

std::optional<std::string> Environment::get(const std::string& name) const {
  auto it = m_vars.find(name);
  if (it == m_vars.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string Environment::home() const {
  if (auto home = get("HOME")) return *home;
  need_full_build("the user database");  // NSS may load modules, which the static build cannot
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
