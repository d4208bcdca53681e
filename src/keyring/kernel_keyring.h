// The Linux kernel keyring (user keyring) as a KeyCache: survives between runs, never touches disk, expires.
#pragma once

#include "keyring/keystore.h"

namespace kura {

class KernelKeyCache final : public KeyCache {
 public:
  std::optional<Secret> get(const std::string& description) override;
  void put(const std::string& description, std::string_view key, std::chrono::seconds ttl) override;
  void remove(const std::string& description) override;
};

}  // namespace kura
