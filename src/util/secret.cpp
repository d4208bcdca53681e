// Secret: wiping on move and destruction.
#include "util/secret.h"

#include <string.h>

namespace kura {

void wipe_string(std::string& value) {
  value.resize(value.capacity());
  explicit_bzero(value.data(), value.size());
  value.clear();
}

// Copies, then wipes the source: a moved std::string can leave the secret in its small-string buffer.
// NOLINTNEXTLINE(performance-move-constructor-init)
Secret::Secret(Secret&& other) noexcept : m_value(other.m_value) {
  other.wipe();
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    m_value = other.m_value;
    other.wipe();
  }
  return *this;
}

void Secret::wipe() {
  wipe_string(m_value);
}

std::string mask_key_id(std::string_view access_key_id) {
  if (access_key_id.size() <= 8) return "****";
  return "****" + std::string(access_key_id.substr(access_key_id.size() - 4));
}

}  // namespace kura
