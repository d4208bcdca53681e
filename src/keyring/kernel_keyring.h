// The Linux kernel keyring: as a KeyCache for the file store's unlocked key, and as a Keystore backend.
// Nothing here survives a reboot, which suits sessions and the unlocked key, not master keys (unless asked).
#pragma once

#include "keyring/keystore.h"

namespace kura {

class KernelKeyCache final : public KeyCache {
 public:
  std::optional<Secret> get(const std::string& description) override;
  void put(const std::string& description, std::string_view key, std::chrono::seconds ttl) override;
  void remove(const std::string& description) override;
};

// Items are "user" keys in a "kura" keyring linked into the user keyring, readable by the same user's other
// sessions. A key holds at most 32 KiB, and the kernel caps each user's total (kernel.keys.maxbytes).
class KernelKeystore final : public Keystore {
 public:
  std::string name() const override { return "kernel"; }
  Result<std::optional<Secret>> get(const std::string& item) override;
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override;
  Result<bool> contains(const std::string& item) override;
  Result<bool> remove(const std::string& item) override;
  Result<std::vector<std::string>> list() override;

  // Whether this process can use the kernel keyring at all, and why not.
  static Result<void> probe();
};

}  // namespace kura
