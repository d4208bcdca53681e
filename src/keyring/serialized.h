// A keystore shared by threads: every call to the store behind it made under one lock (the backends are
// written for one thread: a file store's unlock, libsecret's connection, pass's gpg runs).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "keyring/keystore.h"

namespace kura {

class SerializedKeystore final : public Keystore {
 public:
  explicit SerializedKeystore(Keystore& inner) : m_inner(inner) {}
  std::string name() const override { return m_inner.name(); }
  Result<std::optional<Secret>> get(const std::string& item) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.get(item);
  }
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.set(item, value, lifetime);
  }
  Result<bool> contains(const std::string& item) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.contains(item);
  }
  Result<bool> remove(const std::string& item) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.remove(item);
  }
  Result<std::vector<std::string>> list() override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.list();
  }
  Result<std::vector<std::string>> unreadable() override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inner.unreadable();
  }

 private:
  Keystore& m_inner;
  std::mutex m_mutex;
};

}  // namespace kura
