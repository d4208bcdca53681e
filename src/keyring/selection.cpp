// Keystore selection.
#include "keyring/selection.h"

#include "keyring/kernel_keyring.h"
#include "keyring/split.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

std::optional<std::string> recorded_backend(const KeystoreSettings& settings) {
  auto text = read_file(settings.record_path);
  if (!text || !*text) return std::nullopt;
  std::string name(trim(**text));
  if (name.empty()) return std::nullopt;
  return name;
}

// Remembers an automatic choice on the first write.
class RecordingKeystore final : public Keystore {
 public:
  RecordingKeystore(std::unique_ptr<Keystore> inner, KeystoreSettings settings)
      : m_inner(std::move(inner)), m_settings(std::move(settings)) {}
  std::string name() const override { return m_inner->name(); }
  Result<std::optional<Secret>> get(const std::string& item) override { return m_inner->get(item); }
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override {
    auto stored = m_inner->set(item, value, lifetime);
    if (stored && !m_recorded) {
      m_recorded = true;
      if (record_backend(m_settings, name())) {
        log_note("using the " + name() + " backend for keys (recorded in " + m_settings.record_path +
                 "; change with --backend or KURA_BACKEND)");
      }
    }
    return stored;
  }
  Result<bool> contains(const std::string& item) override { return m_inner->contains(item); }
  Result<bool> remove(const std::string& item) override { return m_inner->remove(item); }
  Result<std::vector<std::string>> list() override { return m_inner->list(); }
  Result<std::vector<std::string>> unreadable() override { return m_inner->unreadable(); }

 private:
  std::unique_ptr<Keystore> m_inner;
  KeystoreSettings m_settings;
  bool m_recorded = false;
};

}  // namespace

namespace {

// The choice when nothing is named: `recorded`, else probed.
std::string choose(const KeystoreSettings& settings, const std::optional<std::string>& recorded) {
  if (!settings.backend.empty()) return settings.backend;
  if (recorded) return *recorded;
  if (file_exists(settings.file_dir + "/store.json")) return "file";  // a store from before the record
  if (probe_secret_service()) return "secret-service";
  if (probe_pass(settings.backends)) return "pass";
  return "file";
}

}  // namespace

std::string chosen_backend(const KeystoreSettings& settings) {
  return choose(settings, settings.backend.empty() ? recorded_backend(settings) : std::nullopt);
}

Result<void> record_backend(const KeystoreSettings& settings, const std::string& backend) {
  if (auto made = make_directories(parent_directory(settings.record_path), 0700); !made) return made;
  return write_file_atomic(settings.record_path, backend + "\n", 0600);
}

Result<std::unique_ptr<Keystore>> open_named_keystore(const std::string& name,
                                                      const KeystoreSettings& settings,
                                                      PassphraseSource passphrase) {
  if (name == "file") {
    FileStoreOptions options;
    options.directory = settings.file_dir;
    options.passphrase = std::move(passphrase);
    static KernelKeyCache kernel_cache;
    options.key_cache = &kernel_cache;
    options.key_cache_ttl = settings.file_key_ttl;
    if (settings.fast_kdf_for_tests) options.kdf = KdfParams{1, 8192};
    return std::unique_ptr<Keystore>(std::make_unique<FileStore>(std::move(options)));
  }
  auto opened = open_backend(name, settings.backends);
  if (!opened) {
    Error error = opened.error();
    if (error.hint.empty()) error.hint = "see `kura backends` for what works here";
    return error.context("backend '" + name + "'");
  }
  return opened;
}

Result<std::unique_ptr<Keystore>> open_keystore(const KeystoreSettings& settings,
                                                const PassphraseSource& passphrase) {
  const std::optional<std::string> recorded =
      settings.backend.empty() ? recorded_backend(settings) : std::nullopt;  // read once
  const bool automatic = settings.backend.empty() && !recorded;
  const std::string name = choose(settings, recorded);
  auto keys = open_named_keystore(name, settings, passphrase);
  if (!keys) return keys;
  std::unique_ptr<Keystore> store = std::move(*keys);
  if (automatic) store = std::make_unique<RecordingKeystore>(std::move(store), settings);
  if (!settings.session_backend.empty() && settings.session_backend != name) {
    auto sessions = open_named_keystore(settings.session_backend, settings, passphrase);
    if (!sessions) return sessions.error().context("--session-backend");
    store = std::make_unique<SplitKeystore>(std::move(store), std::move(*sessions));
  }
  return store;
}

}  // namespace kura
