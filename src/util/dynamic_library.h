// Binding functions from a shared library opened at run time, for libraries only some runs need (libcurl,
// libsecret, libcrypto): linking them would make every kura run pay for loading them.
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "util/full_build.h"
#include "util/result.h"

namespace kura {

class DynamicLibrary {
 public:
  // The static build cannot load libraries: it hands the run over to the full build first (full_build.h).
  explicit DynamicLibrary(const char* soname) {
    need_full_build(soname);
    m_handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
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
  void* m_handle = nullptr;
  std::string m_failure;
};

// `Functions` (a struct of function pointers) bound from `soname` by `bind`, once per process and safely from
// any thread; later calls give the same result. `name` and `package` word the error: "cannot load NAME: ..."
// with the hint to install PACKAGE.
template <typename Functions>
Result<const Functions*> load_once(const char* soname, void (*bind)(DynamicLibrary&, Functions&),
                                   const char* name, const char* package) {
  static Functions functions;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [&] {
    DynamicLibrary library(soname);
    bind(library, functions);
    failure = library.failure();
  });
  if (!failure.empty()) {
    return make_error(std::string("cannot load ") + name + ": " + failure,
                      std::string("install it: apt-get install ") + package);
  }
  return &functions;
}

}  // namespace kura
