// Hashes, HMAC and base64 (on libsodium; see hash.cpp for why not OpenSSL).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/secret.h"

namespace kura {

std::string sha256(std::string_view data);                             // 32 raw bytes
std::string sha256_hex(std::string_view data);                         // 64 lowercase hex characters
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
// SHA-1, for names only (the AWS CLI names its SSO token cache files by the SHA-1 of the session name or
// start URL); never for integrity. libsodium has none, so it is here, checked against FIPS 180 vectors.
std::string sha1_hex(std::string_view data);  // 40 lowercase hex characters

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);
// As base64_decode, for secrets: the decoded bytes only ever live in the Secret (wiped on failure too).
std::optional<Secret> base64_decode_secret(std::string_view text);

}  // namespace kura
