// libsodium wrappers: Argon2id key derivation, XChaCha20-Poly1305 sealing, keyed hashing, constant-time
// compare.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

constexpr size_t k_key_bytes = 32;
constexpr size_t k_salt_bytes = 16;

struct KdfParams {
  uint64_t ops = 3;
  uint64_t mem_bytes = 64ull << 20;  // 64 MiB: slow for guessing, once per unlock for the user
};

// libsodium's full initialisation: it picks the vector code for this CPU with CPUID, which a hypervisor traps
// (~25 µs on this project's VMs, a tenth of what a cache hit costs above a bare process;
// docs/PERFORMANCE.md). Every wrapper below is correct without it, as libsodium runs its portable code until
// then, so a cache hit (one thread, a decryption and a keyed hash) never calls it. derive_key calls it itself
// (Argon2's vector code is several times faster), and so must code that starts threads which may use these
// wrappers, before it starts them: initialisation writes the dispatch pointers those threads read.
Result<void> sodium_ready();
std::string random_bytes(size_t count);

// Argon2id(passphrase, salt) -> 32-byte key.
Result<Secret> derive_key(std::string_view passphrase, std::string_view salt, const KdfParams& params);

// nonce (24 bytes) || ciphertext+tag; `associated` is authenticated but not stored.
std::string seal(std::string_view key, std::string_view plaintext, std::string_view associated);
// Empty optional when the key is wrong or the data was changed.
std::optional<Secret> open_sealed(std::string_view key, std::string_view sealed, std::string_view associated);

// BLAKE2b keyed hash, hex; used to name files without revealing what they hold.
std::string keyed_hash_hex(std::string_view key, std::string_view data, size_t bytes = 16);

bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace kura
