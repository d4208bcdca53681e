// Fuzz target: what a credential_process prints, another program's output. Nothing may crash; credentials
// that parse are complete and current; an error message is safe for a terminal.
#include <cstdint>
#include <string>

#include "creds/external_providers.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  static const TimePoint k_now = *parse_iso8601("2026-11-22T12:00:00Z");
  std::string_view output(reinterpret_cast<const char*>(data), size);
  auto credentials = parse_process_credentials(output, "the credential_process of 'fuzz'", k_now);
  if (!credentials) {
    KURA_FUZZ_CHECK(credentials.error().message.rfind("the credential_process of 'fuzz': ", 0) == 0);
    KURA_FUZZ_CHECK(fuzz::terminal_safe(credentials.error().message));
    KURA_FUZZ_CHECK(credentials.error().message.size() < 1024);
    return 0;
  }
  KURA_FUZZ_CHECK(!credentials->access_key_id.empty());
  KURA_FUZZ_CHECK(!credentials->secret_access_key.empty());
  KURA_FUZZ_CHECK(!credentials->expiration || *credentials->expiration > k_now);
  return 0;
}
