// Hashing on libsodium (SHA-256, HMAC-SHA-256, base64). Not OpenSSL: loading libcrypto costs ~2 ms per
// process, most of the cache-hit budget (docs/PERFORMANCE.md); libsodium is already loaded for the store.
#include "crypto/hash.h"

#include <cstdint>

#include <sodium.h>

#include "util/strings.h"

namespace kura {

std::string sha256(std::string_view data) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return digest;
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256(data));
}

namespace {

uint32_t rotl(uint32_t value, int bits) {
  return (value << bits) | (value >> (32 - bits));
}

// One 64-byte block into the state (FIPS 180-4, 6.1.2).
void sha1_block(uint32_t state[5], const unsigned char* block) {
  uint32_t w[80];
  for (size_t i = 0; i < 16; ++i) {
    const unsigned char* word = block + 4 * i;
    w[i] =
        (uint32_t{word[0]} << 24) | (uint32_t{word[1]} << 16) | (uint32_t{word[2]} << 8) | uint32_t{word[3]};
  }
  for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f = 0, k = 0;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const uint32_t next = rotl(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = next;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}

}  // namespace

std::string sha1_hex(std::string_view data) {
  uint32_t state[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  // The message, a 1 bit, zeros to 56 bytes mod 64, and its length in bits (big-endian).
  std::string padded(data);
  padded += static_cast<char>(0x80);
  while (padded.size() % 64 != 56) padded += '\0';
  const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int shift = 56; shift >= 0; shift -= 8) padded += static_cast<char>((bits >> shift) & 0xff);
  for (size_t at = 0; at < padded.size(); at += 64) {
    sha1_block(state, reinterpret_cast<const unsigned char*>(padded.data() + at));
  }
  std::string digest;
  for (uint32_t word : state) {
    for (int shift = 24; shift >= 0; shift -= 8) digest += static_cast<char>((word >> shift) & 0xff);
  }
  return hex_encode(digest);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

std::string base64_encode(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

namespace {

// Decodes into `out` (sized for the worst case, then shrunk in place: no reallocation); false when `text` is
// not base64.
bool base64_decode_into(std::string_view text, std::string& out) {
  out.assign(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  out.resize(length);
  return true;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  if (!base64_decode_into(text, out)) return std::nullopt;
  return out;
}

std::optional<Secret> base64_decode_secret(std::string_view text) {
  std::string out;
  if (!base64_decode_into(text, out)) {
    wipe_string(out);  // what was decoded before the bad character
    return std::nullopt;
  }
  return Secret(std::move(out));
}

}  // namespace kura
