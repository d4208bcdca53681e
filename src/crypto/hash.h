// Hashes, HMAC, base64 and randomness on OpenSSL: the only OpenSSL user besides TLS inside libcurl.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kura {

std::string sha256(std::string_view data);      // 32 raw bytes
std::string sha256_hex(std::string_view data);  // 64 lowercase hex characters
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace kura
