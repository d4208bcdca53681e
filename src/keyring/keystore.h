// Keystore: one interface for every place secrets can live; `get` keeps "absent" apart from "failed".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

// How long an item is worth keeping; backends that can expire items (the kernel keyring) use it.
struct Lifetime {
  std::optional<std::chrono::seconds> seconds;  // empty: until removed
};

// Item names kura uses: "master:<profile>" for long-term keys, "session:<id>" for cached sessions.
struct Keystore {
  virtual ~Keystore() = default;
  virtual std::string name() const = 0;
  // Empty optional: no such item. Error: the store could not be read (locked, wrong passphrase, corrupt).
  virtual Result<std::optional<Secret>> get(const std::string& item) = 0;
  virtual Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) = 0;
  // Whether an item exists, without reading its secret where the backend can tell (a file, a key id).
  virtual Result<bool> contains(const std::string& item) {
    auto value = get(item);
    if (!value) return value.error();
    return value->has_value();
  }
  // True if the item existed.
  virtual Result<bool> remove(const std::string& item) = 0;
  virtual Result<std::vector<std::string>> list() = 0;
  // Items that exist but cannot be read (corrupt, tampered, from an incompatible version), under names that
  // remove() accepts, so `kura clear` can delete them. A backend whose list() never reads an item has none.
  virtual Result<std::vector<std::string>> unreadable() { return std::vector<std::string>(); }
};

// Where an unlocked store key may be held between runs (the kernel keyring), with a lifetime.
struct KeyCache {
  virtual ~KeyCache() = default;
  virtual std::optional<Secret> get(const std::string& description) = 0;
  virtual void put(const std::string& description, std::string_view key, std::chrono::seconds ttl) = 0;
  virtual void remove(const std::string& description) = 0;
};

}  // namespace kura
