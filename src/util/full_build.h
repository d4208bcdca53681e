// kura's two builds of one program (docs/PERFORMANCE.md): `kura`, linked statically, so that a cache hit
// costs little more than starting a process; and `kura-full`, linked dynamically, which can load libcurl,
// libsecret, libcrypto and libqrencode and look users up. The static build installs a handler here; code that
// is about to need what only the full build has — a library, a request to AWS, a prompt, a session to
// refresh, a thread — calls need_full_build() first, before it has read input or written anything, and the
// handler hands the whole run over (the same arguments and environment) to kura-full. In the full build, in
// tests and in tools there is no handler and the call returns.
#pragma once

#include <string_view>

namespace kura {

// A handler does not return (it replaces the process) unless it is a test's.
using FullBuildHandler = void (*)(std::string_view why);

void set_full_build_handler(FullBuildHandler handler);
// `why` words what needs the full build, for --debug ("a session to refresh").
void need_full_build(std::string_view why);

}  // namespace kura
