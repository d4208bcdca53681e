// Binding functions from a shared library opened at run time, for libraries only some runs need (libcurl,
// libsecret, libcrypto): linking them would make every kura run pay for loading them.
#pragma once

#include <dlfcn.h>

#include <string>

namespace kura {

class DynamicLibrary {
 public:
  explicit DynamicLibrary(const char* soname) : m_handle(dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
    if (!m_handle) m_failure = dlerror();
  }
  // Resolves `name` into `fn`; the first failure is remembered. The handle stays open for the process.
  template <typename Fn>
  void bind(Fn& fn, const char* name) {
    if (!m_handle) return;
    fn = reinterpret_cast<Fn>(dlsym(m_handle, name));
    if (!fn && m_failure.empty()) m_failure = std::string("missing symbol ") + name;
  }
  const std::string& failure() const { return m_failure; }

 private:
  void* m_handle;
  std::string m_failure;
};

}  // namespace kura
