// Fuzz target: items read back from a keystore (long-term keys, cached sessions) and sealed file-store items.
// A stored item is untrusted: another program, an older kura, or an attacker with write access to the store
// may have written it. Nothing may crash or overflow; a session that loads has an expiration and a sane
// duration; bytes that were not sealed with the key never open.
#include <cstdint>
#include <map>
#include <string>

#include "creds/store_items.h"
#include "crypto/sodium.h"
#include "fuzz_input.h"

namespace {

class OneItemKeystore final : public kura::Keystore {
 public:
  std::string name() const override { return "fuzz"; }
  kura::Result<std::optional<kura::Secret>> get(const std::string& item) override {
    auto it = items.find(item);
    if (it == items.end()) return std::optional<kura::Secret>();
    return std::optional<kura::Secret>(kura::Secret(std::string_view(it->second)));
  }
  kura::Result<void> set(const std::string& item, std::string_view value, kura::Lifetime) override {
    items[item] = std::string(value);
    return {};
  }
  kura::Result<bool> remove(const std::string& item) override { return items.erase(item) > 0; }
  kura::Result<std::vector<std::string>> list() override {
    std::vector<std::string> names;
    for (const auto& [name, value] : items) names.push_back(name);
    return names;
  }
  std::map<std::string, std::string> items;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  std::string text(reinterpret_cast<const char*>(data), size);
  OneItemKeystore store;
  store.items["master:p"] = text;
  store.items["session:s"] = text;
  auto key = load_master_key(store, "p");
  if (key && *key) {
    KURA_FUZZ_CHECK(!(*key)->access_key_id.empty());
    KURA_FUZZ_CHECK(!(*key)->secret_access_key.empty());
  }
  auto session = load_session(store, "s");
  if (session && *session) {
    KURA_FUZZ_CHECK((*session)->credentials.expiration.has_value());
    KURA_FUZZ_CHECK((*session)->duration.count() >= 0 && (*session)->duration.count() <= 10'000'000);
    // What was read can be written back and read again to the same thing.
    KURA_FUZZ_CHECK(store_session(store, "t", **session));
    auto again = load_session(store, "t");
    KURA_FUZZ_CHECK(again && *again);
    KURA_FUZZ_CHECK((*again)->credentials.expiration == (*session)->credentials.expiration);
    KURA_FUZZ_CHECK((*again)->duration == (*session)->duration);
  }
  auto listed = list_sessions(store, std::nullopt);
  KURA_FUZZ_CHECK(listed.ok());
  // A sealed file-store item: forged bytes never authenticate.
  static const std::string k_key(k_key_bytes, 'k');
  KURA_FUZZ_CHECK(!open_sealed(k_key, text, "item").has_value());
  return 0;
}
