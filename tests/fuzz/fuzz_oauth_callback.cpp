// Fuzz target: the request a browser (or any local program) sends to the OAuth loopback callback. Input: the
// method, the target, and optionally the state we wait for, split by 0x1f ("fuzz-state" when there is no
// third field). Invariants: only a GET of /oauth/callback with exactly our (non-empty) state can end the
// wait, so the same request checked against any other state is ignored; a code is 1*VSCHAR; the provider's
// words are safe for a terminal and bounded; a request that is not the callback or not ours carries nothing
// out.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.h"
#include "server/oauth_callback.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  using Kind = OAuthCallbackResult::Kind;
  const auto parts = fuzz::fields(data, size, '\x1f', 3);
  const std::string_view method = parts[0];
  const std::string_view target = parts.size() > 1 ? parts[1] : std::string_view();
  const Secret state(parts.size() > 2 ? parts[2] : std::string_view("fuzz-state"));

  const OAuthCallbackResult result = read_oauth_callback(method, target, state);
  const bool is_callback = method == "GET" && target.substr(0, target.find('?')) == "/oauth/callback";
  KURA_FUZZ_CHECK((result.kind == Kind::not_callback) == !is_callback);
  if (result.kind != Kind::code) KURA_FUZZ_CHECK(result.code.empty());
  if (result.kind != Kind::error) KURA_FUZZ_CHECK(result.error.empty() && result.error_description.empty());

  if (result.kind == Kind::code || result.kind == Kind::error || result.kind == Kind::malformed) {
    KURA_FUZZ_CHECK(!state.empty());
    // The state decides: one byte more, or none at all, and the same request is ignored.
    std::string other(state.view());
    other += 'x';
    KURA_FUZZ_CHECK(read_oauth_callback(method, target, Secret(other)).kind == Kind::wrong_state);
    KURA_FUZZ_CHECK(read_oauth_callback(method, target, Secret()).kind == Kind::wrong_state);
  }
  if (result.kind == Kind::code) {
    KURA_FUZZ_CHECK(!result.code.empty());
    for (char c : result.code.view()) KURA_FUZZ_CHECK(c >= '\x20' && c <= '\x7e');
  }
  if (result.kind == Kind::error) {
    KURA_FUZZ_CHECK(result.error.size() <= 64 + 3 && result.error_description.size() <= 300 + 3);
    KURA_FUZZ_CHECK(fuzz::terminal_safe(result.error) && fuzz::terminal_safe(result.error_description));
    KURA_FUZZ_CHECK(result.error.find('\n') == std::string::npos);
    KURA_FUZZ_CHECK(result.error_description.find('\n') == std::string::npos);
  }
  // The same request means the same thing every time.
  const OAuthCallbackResult again = read_oauth_callback(method, target, state);
  KURA_FUZZ_CHECK(again.kind == result.kind && again.code.view() == result.code.view());
  KURA_FUZZ_CHECK(again.error == result.error && again.error_description == result.error_description);
  return 0;
}
