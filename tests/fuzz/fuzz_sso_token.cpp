// Fuzz target: the AWS CLI's SSO token cache file (~/.aws/sso/cache/<sha1>.json), which another program
// writes. Nothing may crash; a token that parses renders and parses back to the same fields.
#include <cstdint>
#include <string>

#include "aws/sso.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto token = parse_sso_token(text, "cache.json");
  if (!token) {
    KURA_FUZZ_CHECK(!token.error().message.empty());
    return 0;
  }
  KURA_FUZZ_CHECK(!token->access_token.empty());
  Secret rendered = render_sso_token(*token);
  auto again = parse_sso_token(rendered.view(), "rendered");
  KURA_FUZZ_CHECK(static_cast<bool>(again));
  KURA_FUZZ_CHECK(again->start_url == token->start_url && again->region == token->region);
  KURA_FUZZ_CHECK(again->access_token.view() == token->access_token.view());
  KURA_FUZZ_CHECK(again->refresh_token.view() == token->refresh_token.view());
  KURA_FUZZ_CHECK(std::chrono::duration_cast<Seconds>(again->expires_at - token->expires_at).count() == 0);
  return 0;
}
