// Fuzz target: SigV4 canonicalisation of arbitrary requests (method, path, query, headers, body). Nothing may
// crash; signing is deterministic; the path normalisation is idempotent; percent-encoding round-trips.
#include <cstdint>
#include <string>

#include "aws/sigv4.h"
#include "fuzz_input.h"
#include "util/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  auto parts = fuzz::fields(data, size);
  auto part = [&](size_t i) { return i < parts.size() ? std::string(parts[i]) : std::string(); };
  SignableRequest request;
  request.method = part(0);
  request.path = part(1).empty() ? "/" : part(1);
  request.body = part(2);
  for (size_t i = 3; i + 1 < parts.size() && i < 40; i += 2) {
    if (i % 4 == 3) {
      request.query.emplace_back(part(i), part(i + 1));
    } else {
      request.headers.emplace_back(part(i), part(i + 1));
    }
  }
  request.headers.emplace_back("Host", "sts.us-east-1.amazonaws.com");
  SigningParams params;
  params.access_key_id = "AKIDEXAMPLE";
  params.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  params.session_token = size % 2 ? "token" : "";
  params.region = "us-east-1";
  params.service = "sts";
  params.time = TimePoint(std::chrono::seconds(1'700'000'000));
  params.normalize_path = size % 3 != 0;
  SignableRequest copy = request;
  Signature first = sign_request(request, params);
  Signature second = sign_request(copy, params);
  KURA_FUZZ_CHECK(first.signature == second.signature);
  KURA_FUZZ_CHECK(first.signature.size() == 64);
  KURA_FUZZ_CHECK(first.canonical_request == second.canonical_request);

  std::string normalized = normalize_path(request.path);
  KURA_FUZZ_CHECK(!normalized.empty() && normalized[0] == '/');
  KURA_FUZZ_CHECK(normalize_path(normalized) == normalized);
  std::string raw(reinterpret_cast<const char*>(data), size);
  KURA_FUZZ_CHECK(uri_decode(uri_encode(raw)) == raw);
  KURA_FUZZ_CHECK(uri_decode(uri_encode(raw, true)) == raw);
  return 0;
}
