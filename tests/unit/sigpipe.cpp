// The unit-test binary ignores SIGPIPE: a test whose peer (a forked child, a spawned program, a socket) went
// away must fail on the EPIPE it gets, with a message, instead of killing every test after it with no word
// (CI once saw the binary end with status 141 and nothing said). kura itself guards its writes: MSG_NOSIGNAL
// on sockets, SIGPIPE ignored around spawn()'s writes.
#include <csignal>

namespace {

[[maybe_unused]] const bool k_sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

}  // namespace
