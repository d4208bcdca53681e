// Helpers for the fuzz targets that drive a client over fuzzed answers: an endpoint that answers every
// request with the same bytes, a fixed clock, and the checks every error message must pass.
#pragma once

#include <chrono>
#include <string>

#include "aws/http.h"
#include "fuzz_input.h"
#include "util/result.h"
#include "util/time.h"

namespace kura::fuzz {

// Answers every request with the fuzzer's body, as an endpoint would.
struct EchoTransport final : HttpTransport {
  long status = 200;
  std::string body;
  int sent = 0;
  Result<HttpResponse> send(const HttpRequest& /*request*/) override {
    ++sent;
    return HttpResponse{status, body};
  }
};

struct FixedClock final : Clock {
  TimePoint now() const override { return TimePoint(std::chrono::seconds(1795867200)); }
  void sleep_for(std::chrono::milliseconds /*duration*/) override {}
};

// Non-empty, and only characters from '!' to '~'.
inline bool visible_ascii(const std::string& text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return !text.empty();
}

// An error is said, safe for a terminal, and bounded.
inline void check_error(const Error& error) {
  KURA_FUZZ_CHECK(!error.message.empty());
  KURA_FUZZ_CHECK(terminal_safe(error.message));
  KURA_FUZZ_CHECK(terminal_safe(error.hint));
  KURA_FUZZ_CHECK(error.message.size() < 2048);
}

}  // namespace kura::fuzz
