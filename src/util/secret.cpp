// Secret: wiping on move and destruction.
#include "util/secret.h"

#include <string.h>

namespace kura {

void wipe_string(std::string& value) {
  value.resize(value.capacity());
  explicit_bzero(value.data(), value.size());
  value.clear();
}

// Moves, then wipes the source: a long value's buffer changes hands (nothing to copy, nothing freed), and a
// short one is copied out of the source's small-string buffer, which the wipe then clears.
Secret::Secret(Secret&& other) noexcept : m_value(std::move(other.m_value)) {
  other.wipe();
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();  // this value's buffer is freed or overwritten below: wiped first
    m_value = std::move(other.m_value);
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
