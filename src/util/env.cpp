// Environment snapshot.
#include "util/env.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
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

Environment::Environment(const std::map<std::string, std::string>& vars) : m_vars(vars.begin(), vars.end()) {}

Environment Environment::from_process() {
  // The entries are sorted as views, so that each value (secrets among them) is copied once, into its place;
  // by name, then by place, so that of a name given twice the first comes first.
  struct Entry {
    std::string_view name;
    std::string_view value;
    std::size_t place;
  };
  std::size_t count = 0;
  for (char** entry = environ; entry && *entry; ++entry) ++count;
  std::vector<Entry> entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view text(environ[i]);
    const std::size_t equals = text.find('=');
    if (equals != std::string_view::npos)
      entries.push_back({text.substr(0, equals), text.substr(equals + 1), i});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    const int order = a.name.compare(b.name);
    return order != 0 ? order < 0 : a.place < b.place;
  });
  Environment env;
  env.m_vars.reserve(entries.size());
  for (const Entry& entry : entries) {
    if (!env.m_vars.empty() && env.m_vars.back().first == entry.name)
      continue;  // the first, as getenv finds it
    env.m_vars.emplace_back(std::piecewise_construct, std::forward_as_tuple(entry.name),
                            std::forward_as_tuple(entry.value));
  }
  return env;
}

namespace {

void wipe_secrets(Environment::Variables& vars) {
  for (auto& [name, value] : vars) {
    if (is_secret_variable(name)) wipe_string(value);
  }
}

bool by_name(const std::pair<std::string, std::string>& variable, std::string_view name) {
  return variable.first < name;
}

}  // namespace

Environment::~Environment() {
  wipe_secrets(m_vars);
}

Environment::Variables::const_iterator Environment::find(std::string_view name) const {
  auto it = std::lower_bound(m_vars.begin(), m_vars.end(), name, by_name);
  return it != m_vars.end() && it->first == name ? it : m_vars.end();
}

// set and unset (tests' tools) copy into a new list rather than shifting entries in place: a moved-from
// string keeps a short value in its own buffer, and a secret must not be left behind that way.
void Environment::set(std::string_view name, std::string value) {
  auto at = std::lower_bound(m_vars.begin(), m_vars.end(), name, by_name);
  Variables vars;
  vars.reserve(m_vars.size() + 1);
  vars.insert(vars.end(), m_vars.begin(), at);
  vars.emplace_back(std::string(name), std::move(value));
  vars.insert(vars.end(), at != m_vars.end() && at->first == name ? at + 1 : at, m_vars.end());
  wipe_secrets(m_vars);
  m_vars = std::move(vars);
}

void Environment::unset(std::string_view name) {
  auto it = find(name);
  if (it == m_vars.end()) return;
  Variables vars;
  vars.reserve(m_vars.size() - 1);
  vars.insert(vars.end(), m_vars.cbegin(), it);
  vars.insert(vars.end(), it + 1, m_vars.cend());
  wipe_secrets(m_vars);
  m_vars = std::move(vars);
}

std::optional<Secret> Environment::secret(std::string_view name) const {
  auto it = find(name);
  if (it == m_vars.end() || it->second.empty()) return std::nullopt;
  return Secret(std::string_view(it->second));
}

std::optional<std::string> Environment::get(std::string_view name) const {
  auto it = find(name);
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
