// SecureBuffer on anonymous mappings.
#include "util/secure_buffer.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace kura {

SecureBuffer::SecureBuffer(size_t capacity) : m_capacity(capacity) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  m_mapped = (capacity + page - 1) / page * page;
  if (m_mapped == 0) m_mapped = page;
  void* data = ::mmap(nullptr, m_mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::bad_alloc();
  ::madvise(data, m_mapped, MADV_DONTDUMP);
  ::mlock(data, m_mapped);  // best effort: RLIMIT_MEMLOCK may refuse, and then the pages may be swapped
  m_data = static_cast<char*>(data);
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : m_data(other.m_data), m_size(other.m_size), m_capacity(other.m_capacity), m_mapped(other.m_mapped) {
  other.m_data = nullptr;
  other.m_size = other.m_capacity = other.m_mapped = 0;
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    release();
    m_data = other.m_data;
    m_size = other.m_size;
    m_capacity = other.m_capacity;
    m_mapped = other.m_mapped;
    other.m_data = nullptr;
    other.m_size = other.m_capacity = other.m_mapped = 0;
  }
  return *this;
}

SecureBuffer::~SecureBuffer() {
  release();
}

void SecureBuffer::release() {
  if (!m_data) return;
  explicit_bzero(m_data, m_mapped);
  ::munlock(m_data, m_mapped);
  ::munmap(m_data, m_mapped);
  m_data = nullptr;
  m_size = m_capacity = m_mapped = 0;
}

bool SecureBuffer::assign(std::string_view text) {
  wipe();
  return append(text);
}

bool SecureBuffer::append(std::string_view text) {
  if (!m_data || text.size() > m_capacity - m_size) return false;
  memcpy(m_data + m_size, text.data(), text.size());
  m_size += text.size();
  return true;
}

void SecureBuffer::wipe() {
  if (m_data) explicit_bzero(m_data, m_size);
  m_size = 0;
}

}  // namespace kura
