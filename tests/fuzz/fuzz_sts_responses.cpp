// Fuzz target: what an STS (or federation) endpoint answers — credentials, caller identity, errors, sign-in
// tokens. Nothing may crash; a parsed answer is complete; an error message is safe for a terminal.
#include <cstdint>
#include <string>

#include "aws/federation.h"
#include "aws/sts.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  if (size < 1) return 0;
  static const char* const k_actions[] = {"GetSessionToken", "AssumeRole", "GetFederationToken",
                                          "AssumeRoleWithWebIdentity"};
  const std::string action = k_actions[data[0] % 4];
  const long status = 200 + (data[0] >> 2) * 5;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto credentials = parse_credentials_result(body, action);
  if (credentials) {
    KURA_FUZZ_CHECK(!credentials->access_key_id.empty());
    KURA_FUZZ_CHECK(!credentials->secret_access_key.empty());
    KURA_FUZZ_CHECK(!credentials->session_token.empty());
    KURA_FUZZ_CHECK(credentials->expiration.has_value());
  }
  auto identity = parse_caller_identity(body);
  if (identity) KURA_FUZZ_CHECK(!identity->arn.empty());
  Error error = parse_sts_error(status, body, action);
  KURA_FUZZ_CHECK(!error.message.empty());
  KURA_FUZZ_CHECK(fuzz::terminal_safe(error.message));
  KURA_FUZZ_CHECK(error.message.size() < 2048);
  auto token = parse_signin_token(body);
  if (token) KURA_FUZZ_CHECK(!token->empty());
  return 0;
}
