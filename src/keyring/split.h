// A keystore that keeps sessions in one backend and everything else in another (e.g. sessions in the kernel
// keyring, master keys in the Secret Service).
#pragma once

#include <memory>

#include "keyring/keystore.h"

namespace kura {

class SplitKeystore final : public Keystore {
 public:
  SplitKeystore(std::unique_ptr<Keystore> keys, std::unique_ptr<Keystore> sessions)
      : m_keys(std::move(keys)), m_sessions(std::move(sessions)) {}
  std::string name() const override { return m_keys->name() + " (sessions: " + m_sessions->name() + ")"; }
  Result<std::optional<Secret>> get(const std::string& item) override { return pick(item).get(item); }
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override {
    return pick(item).set(item, value, lifetime);
  }
  Result<bool> contains(const std::string& item) override { return pick(item).contains(item); }
  Result<bool> remove(const std::string& item) override { return pick(item).remove(inner_name(item)); }
  Result<std::vector<std::string>> list() override {
    auto keys = m_keys->list();
    if (!keys) return keys;
    auto sessions = m_sessions->list();
    if (!sessions) return sessions;
    std::vector<std::string> all;
    for (auto& item : *keys) {
      if (!is_session(item)) all.push_back(item);
    }
    for (auto& item : *sessions) {
      if (is_session(item)) all.push_back(item);
    }
    return all;
  }
  Result<std::vector<std::string>> unreadable() override {
    auto keys = m_keys->unreadable();
    if (!keys) return keys;
    auto sessions = m_sessions->unreadable();
    if (!sessions) return sessions;
    for (auto& item : *sessions) keys->push_back(k_sessions_prefix + item);
    return keys;
  }

 private:
  // Unreadable items of the session backend are told apart by this prefix, so remove() reaches the right one.
  static constexpr const char* k_sessions_prefix = "sessions-backend:";
  static bool is_session(const std::string& item) {
    return item.rfind("session:", 0) == 0 || item.rfind(k_sessions_prefix, 0) == 0;
  }
  Keystore& pick(const std::string& item) { return is_session(item) ? *m_sessions : *m_keys; }
  static std::string inner_name(const std::string& item) {
    return item.rfind(k_sessions_prefix, 0) == 0 ? item.substr(std::string(k_sessions_prefix).size()) : item;
  }
  std::unique_ptr<Keystore> m_keys;
  std::unique_ptr<Keystore> m_sessions;
};

}  // namespace kura
