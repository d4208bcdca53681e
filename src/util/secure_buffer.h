// SecureBuffer: a fixed-size buffer for secrets that live long (what a credential endpoint serves): its own
// pages, excluded from core dumps (MADV_DONTDUMP), locked in memory where the limit allows, wiped when
// replaced or destroyed. Never reallocates, so no stray copy is left behind.
#pragma once

#include <cstddef>
#include <string_view>

namespace kura {

class SecureBuffer {
 public:
  SecureBuffer() = default;
  explicit SecureBuffer(size_t capacity);
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  ~SecureBuffer();

  // Replaces the contents; false (and empty) when `text` does not fit.
  bool assign(std::string_view text);
  // Appends; false (and unchanged) when it does not fit.
  bool append(std::string_view text);
  void wipe();
  std::string_view view() const { return {m_data, m_size}; }
  size_t size() const { return m_size; }
  size_t capacity() const { return m_capacity; }

 private:
  void release();
  char* m_data = nullptr;
  size_t m_size = 0;
  size_t m_capacity = 0;
  size_t m_mapped = 0;
};

}  // namespace kura
