// JWE (RFC 7516) with PBES2-HS256+A128KW key management (RFC 7518 4.8) and A256GCM content encryption.
// OpenSSL is loaded with dlopen here, only for this rare import path: AES key wrap is not in libsodium, and
// linking libcrypto would cost every kura run ~2 ms (docs/PERFORMANCE.md).
#include "crypto/jwe.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>
#include <vector>
#include "util/dynamic_library.h"

namespace kura {

namespace {

// Every function used, listed once: declared as members and bound by name from the same list.
#define KURA_LIBCRYPTO_SYMBOLS(X) \
  X(PKCS5_PBKDF2_HMAC)            \
  X(EVP_sha256)                   \
  X(EVP_aes_128_wrap)             \
  X(EVP_aes_256_gcm)              \
  X(EVP_CIPHER_CTX_new)           \
  X(EVP_CIPHER_CTX_free)          \
  X(EVP_CIPHER_CTX_set_flags)     \
  X(EVP_CIPHER_CTX_ctrl)          \
  X(EVP_DecryptInit_ex)           \
  X(EVP_DecryptUpdate)            \
  X(EVP_DecryptFinal_ex)

struct Crypto {
#define KURA_FN(name) decltype(&::name) name = nullptr;  // NOLINT(bugprone-macro-parentheses): a declaration
  KURA_LIBCRYPTO_SYMBOLS(KURA_FN)
#undef KURA_FN

  static Result<const Crypto*> load() {
    static Crypto lib;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
      DynamicLibrary library("libcrypto.so.3");
#define KURA_BIND(name) library.bind(lib.name, #name);
      KURA_LIBCRYPTO_SYMBOLS(KURA_BIND)
#undef KURA_BIND
      failure = library.failure();
    });
    if (!failure.empty())
      return make_error("cannot load OpenSSL's libcrypto: " + failure, "apt-get install libssl3");
    return &lib;
  }
};

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)>;

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

Result<Secret> jwe_decrypt_pbes2(std::string_view token, std::string_view passphrase) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dot = token.find('.', start);
    parts.push_back(
        token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 5)
    return make_error("not a JWE compact token (" + std::to_string(parts.size()) + " parts)");
  auto header_text = base64url_decode(parts[0]);
  auto wrapped = base64url_decode(parts[1]);
  auto iv = base64url_decode(parts[2]);
  auto ciphertext = base64url_decode(parts[3]);
  auto tag = base64url_decode(parts[4]);
  if (!header_text || !wrapped || !iv || !ciphertext || !tag) return make_error("JWE: bad base64url");
  std::string alg, enc, salt_b64;
  long long rounds = 0;
  try {
    auto header = nlohmann::json::parse(*header_text);
    alg = header.at("alg").get<std::string>();
    enc = header.at("enc").get<std::string>();
    salt_b64 = header.at("p2s").get<std::string>();
    rounds = header.at("p2c").get<long long>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("JWE: bad header: ") + e.what());
  }
  if (alg != "PBES2-HS256+A128KW" || enc != "A256GCM") {
    return make_error("JWE: unsupported algorithms " + alg + " / " + enc);
  }
  if (rounds < 1 || rounds > 10'000'000) return make_error("JWE: implausible p2c " + std::to_string(rounds));
  auto salt = base64url_decode(salt_b64);
  if (!salt || iv->size() != 12 || tag->size() != 16 || wrapped->size() != 40) {
    return make_error("JWE: malformed key material");
  }
  auto lib = Crypto::load();
  if (!lib) return lib.error();
  const Crypto& c = **lib;

  // RFC 7518 4.8.1.1: salt input = alg || 0x00 || p2s.
  std::string salt_input = alg + std::string(1, '\0') + *salt;
  unsigned char kek[16];
  if (c.PKCS5_PBKDF2_HMAC(passphrase.data(), static_cast<int>(passphrase.size()),
                          reinterpret_cast<const unsigned char*>(salt_input.data()),
                          static_cast<int>(salt_input.size()), static_cast<int>(rounds), c.EVP_sha256(),
                          sizeof kek, kek) != 1) {
    return make_error("JWE: key derivation failed");
  }
  unsigned char cek[40];
  int cek_length = 0, tail = 0;
  CipherContext unwrap(c.EVP_CIPHER_CTX_new(), c.EVP_CIPHER_CTX_free);
  c.EVP_CIPHER_CTX_set_flags(unwrap.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  bool unwrapped = c.EVP_DecryptInit_ex(unwrap.get(), c.EVP_aes_128_wrap(), nullptr, kek, nullptr) == 1 &&
                   c.EVP_DecryptUpdate(unwrap.get(), cek, &cek_length,
                                       reinterpret_cast<const unsigned char*>(wrapped->data()),
                                       static_cast<int>(wrapped->size())) == 1 &&
                   c.EVP_DecryptFinal_ex(unwrap.get(), cek + cek_length, &tail) == 1;
  sodium_memzero(kek, sizeof kek);
  if (!unwrapped || cek_length + tail != 32) {
    sodium_memzero(cek, sizeof cek);
    return make_error("JWE: the passphrase is wrong (the content key does not unwrap)");
  }

  std::string plain(ciphertext->size() + 16, '\0');
  int length = 0, final_length = 0;
  CipherContext gcm(c.EVP_CIPHER_CTX_new(), c.EVP_CIPHER_CTX_free);
  const std::string aad(parts[0]);  // the protected header as transmitted
  bool ok =
      c.EVP_DecryptInit_ex(gcm.get(), c.EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      c.EVP_CIPHER_CTX_ctrl(gcm.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
      c.EVP_DecryptInit_ex(gcm.get(), nullptr, nullptr, cek,
                           reinterpret_cast<const unsigned char*>(iv->data())) == 1 &&
      c.EVP_DecryptUpdate(gcm.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
      c.EVP_DecryptUpdate(gcm.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                          reinterpret_cast<const unsigned char*>(ciphertext->data()),
                          static_cast<int>(ciphertext->size())) == 1 &&
      c.EVP_CIPHER_CTX_ctrl(gcm.get(), EVP_CTRL_GCM_SET_TAG, 16, tag->data()) == 1 &&
      c.EVP_DecryptFinal_ex(gcm.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                            &final_length) == 1;
  sodium_memzero(cek, sizeof cek);
  if (!ok) {
    wipe_string(plain);
    return make_error("JWE: the content failed authentication (damaged file)");
  }
  plain.resize(static_cast<size_t>(length) + static_cast<size_t>(final_length));
  return Secret(std::move(plain));
}

}  // namespace kura
