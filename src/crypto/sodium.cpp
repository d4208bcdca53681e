// libsodium wrappers.
#include "crypto/sodium.h"

#include <sodium.h>

#include "util/strings.h"

namespace kura {

Result<void> sodium_ready() {
  if (sodium_init() < 0) return make_error("libsodium failed to initialise");
  return {};
}

std::string random_bytes(size_t count) {
  std::string out(count, '\0');
  randombytes_buf(out.data(), count);
  return out;
}

Result<Secret> derive_key(std::string_view passphrase, std::string_view salt, const KdfParams& params) {
  if (salt.size() != crypto_pwhash_SALTBYTES) return make_error("bad salt length in store metadata");
  if (auto ready = sodium_ready(); !ready) return ready.error();
  std::string key(k_key_bytes, '\0');
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(key.data()), key.size(), passphrase.data(),
                    passphrase.size(), reinterpret_cast<const unsigned char*>(salt.data()), params.ops,
                    params.mem_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error("argon2id key derivation failed (out of memory?)");
  }
  return Secret(std::move(key));
}

std::string seal(std::string_view key, std::string_view plaintext, std::string_view associated) {
  constexpr size_t nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(nonce_bytes + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(bytes, nonce_bytes);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + nonce_bytes, &length, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nullptr,
      bytes, reinterpret_cast<const unsigned char*>(key.data()));
  out.resize(nonce_bytes + length);
  return out;
}

std::optional<Secret> open_sealed(std::string_view key, std::string_view sealed,
                                  std::string_view associated) {
  constexpr size_t nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (key.size() != k_key_bytes || sealed.size() < nonce_bytes + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return std::nullopt;
  }
  std::string plain(sealed.size() - nonce_bytes, '\0');
  unsigned long long length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &length, nullptr, bytes + nonce_bytes,
          sealed.size() - nonce_bytes, reinterpret_cast<const unsigned char*>(associated.data()),
          associated.size(), bytes, reinterpret_cast<const unsigned char*>(key.data())) != 0) {
    return std::nullopt;
  }
  plain.resize(length);
  return Secret(std::move(plain));
}

std::string keyed_hash_hex(std::string_view key, std::string_view data, size_t bytes) {
  std::string out(bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), bytes,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return hex_encode(out);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kura
