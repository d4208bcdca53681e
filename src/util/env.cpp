// Environment snapshot.
#include "util/env.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "util/full_build.h"

extern char** environ;

namespace kura {

namespace {

constexpr std::array<std::string_view, 6> k_secret_variables = {
    "KURA_FILE_PASSPHRASE", "AWS_VAULT_FILE_PASSPHRASE", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",    "AWS_SECURITY_TOKEN",        "AWS_CONTAINER_AUTHORIZATION_TOKEN"};
static_assert(std::all_of(k_secret_variables.begin(), k_secret_variables.end(), is_credential_variable_name),
              "is_secret_variable looks only at AWS_ and KURA_ names");

}  // namespace

bool is_secret_variable(std::string_view name) {
  if (!is_credential_variable_name(name)) return false;  // most of an environment: one look
  for (std::string_view secret : k_secret_variables) {
    if (name == secret) return true;
  }
  return false;
}

void scrub_secret_variables() {
  std::vector<std::string> names;
  for (char** entry = environ; entry && *entry; ++entry) {
    // An entry starts as its name does ("AWS_=" has the name "AWS_"; "AWS=" neither): its first five bytes
    // tell a name no secret variable can have, without looking for the '='.
    if (!is_credential_variable_name(std::string_view(*entry, strnlen(*entry, 5)))) continue;
    char* eq = strchr(*entry, '=');
    if (!eq || !is_secret_variable(std::string_view(*entry, static_cast<size_t>(eq - *entry)))) continue;
    // The strings of the initial environment live in the process's stack block, which /proc/PID/environ
    // shows: wipe the value in place before dropping the pointer.
    explicit_bzero(eq + 1, strlen(eq + 1));
    names.emplace_back(*entry, static_cast<size_t>(eq - *entry));
  }
  for (const std::string& name : names) ::unsetenv(name.c_str());
}

namespace {

uint32_t hash_name(std::string_view name) {  // FNV-1a
  uint32_t hash = 2166136261u;
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return hash;
}

}  // namespace

template <typename Pairs>
void Environment::assign(const Pairs& pairs) {
  const std::size_t count = pairs.size();
  std::size_t capacity = 16;
  while (capacity < 2 * count) capacity *= 2;
  const std::size_t mask = capacity - 1;
  std::vector<uint32_t> slots(capacity, 0);
  // Which pairs to keep: the first of each name, as getenv finds it.
  std::vector<std::pair<std::string_view, std::string_view>> kept;
  kept.reserve(count);
  std::size_t bytes = 0;
  for (const auto& [name, value] : pairs) {
    std::size_t slot = hash_name(name) & mask;
    bool seen = false;
    for (; slots[slot] != 0; slot = (slot + 1) & mask) {
      if (kept[slots[slot] - 1].first == name) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    kept.emplace_back(name, value);
    slots[slot] = static_cast<uint32_t>(kept.size());
    bytes += kept.back().first.size() + kept.back().second.size();
  }
  // Then copied into one buffer, and the views moved onto it.
  std::vector<char> text(bytes);
  char* at = text.data();
  auto place = [&at](std::string_view piece) {  // an empty piece too points into the buffer, for rebasing
    const std::string_view placed(at, piece.size());
    if (!piece.empty()) std::memcpy(at, piece.data(), piece.size());
    at += piece.size();
    return placed;
  };
  for (auto& [name, value] : kept) {
    name = place(name);
    value = place(value);
  }
  wipe();
  m_text = std::move(text);
  m_vars = std::move(kept);
  m_slots = std::move(slots);
}

Environment::Environment(const std::map<std::string, std::string>& vars) {
  assign(vars);
}

Environment::Environment(const Environment& other) : m_text(other.m_text), m_slots(other.m_slots) {
  m_vars.reserve(other.m_vars.size());
  auto rebase = [&](std::string_view piece) {
    return std::string_view(m_text.data() + (piece.data() - other.m_text.data()), piece.size());
  };
  for (const auto& [name, value] : other.m_vars) m_vars.emplace_back(rebase(name), rebase(value));
}

Environment& Environment::operator=(const Environment& other) {
  if (this != &other) *this = Environment(other);
  return *this;
}

Environment& Environment::operator=(Environment&& other) noexcept {
  if (this == &other) return *this;
  wipe();
  m_text = std::move(other.m_text);
  m_vars = std::move(other.m_vars);
  m_slots = std::move(other.m_slots);
  other.m_text.clear();
  other.m_vars.clear();
  other.m_slots.clear();
  return *this;
}

Environment::~Environment() {
  wipe();
}

void Environment::wipe() {
  if (!m_text.empty()) explicit_bzero(m_text.data(), m_text.size());
}

Environment Environment::from_process() {
  std::size_t count = 0;
  for (char** entry = environ; entry && *entry; ++entry) ++count;
  std::vector<std::pair<std::string_view, std::string_view>> entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const char* text = environ[i];
    if (const char* equals = std::strchr(text, '=')) {
      entries.emplace_back(std::string_view(text, static_cast<std::size_t>(equals - text)), equals + 1);
    }
  }
  Environment env;
  env.assign(entries);
  return env;
}

Environment::Variables Environment::all() const {
  Variables sorted = m_vars;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

// set and unset (tests' tools) build a new snapshot; the old buffer is wiped.
void Environment::set(std::string_view name, std::string value) {
  Variables vars;
  vars.reserve(m_vars.size() + 1);
  vars.emplace_back(name, value);  // first: it wins over the one it replaces
  vars.insert(vars.end(), m_vars.begin(), m_vars.end());
  assign(vars);
  wipe_string(value);
}

void Environment::unset(std::string_view name) {
  if (!view_any(name)) return;
  Variables vars;
  vars.reserve(m_vars.size());
  for (const auto& variable : m_vars) {
    if (variable.first != name) vars.push_back(variable);
  }
  assign(vars);
}

const std::pair<std::string_view, std::string_view>* Environment::view_any(std::string_view name) const {
  if (m_slots.empty()) return nullptr;
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t slot = hash_name(name) & mask; m_slots[slot] != 0; slot = (slot + 1) & mask) {
    const auto& variable = m_vars[m_slots[slot] - 1];
    if (variable.first == name) return &variable;
  }
  return nullptr;
}

std::optional<std::string_view> Environment::view(std::string_view name) const {
  const auto* variable = view_any(name);
  if (!variable || variable->second.empty()) return std::nullopt;
  return variable->second;
}

std::optional<Secret> Environment::secret(std::string_view name) const {
  if (auto value = view(name)) return Secret(*value);
  return std::nullopt;
}

std::optional<std::string> Environment::get(std::string_view name) const {
  if (auto value = view(name)) return std::string(*value);
  return std::nullopt;
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
