// The encrypted file store: Argon2id-derived key, one XChaCha20-Poly1305 file per item, names hidden.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/sodium.h"
#include "keyring/keystore.h"

namespace kura {

// Asks for the passphrase; `confirm` is true when a new store is being created.
using PassphraseSource = std::function<Result<Secret>(bool confirm)>;

struct FileStoreOptions {
  std::string directory;  // e.g. ~/.local/share/kura/file-store (0700)
  PassphraseSource passphrase;
  KeyCache* key_cache = nullptr;            // may be null: then every run derives the key
  std::chrono::seconds key_cache_ttl{900};  // 15 minutes
  KdfParams kdf;                            // used when creating a store
};

class FileStore final : public Keystore {
 public:
  explicit FileStore(FileStoreOptions options) : m_options(std::move(options)) {}
  std::string name() const override { return "file"; }
  Result<std::optional<Secret>> get(const std::string& item) override;
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override;
  Result<bool> contains(const std::string& item) override;
  Result<bool> remove(const std::string& item) override;
  Result<std::vector<std::string>> list() override;
  Result<std::vector<std::string>> unreadable() override;

 private:
  struct Scan {
    std::vector<std::string> readable;    // item names
    std::vector<std::string> unreadable;  // file names
  };
  Result<Scan> scan();
  static bool is_item_file(const std::string& file);
  enum class Create { no, yes };
  // False: the store does not exist yet (and was not created).
  Result<bool> unlock(Create create);
  std::string item_path(const std::string& item) const;
  std::string cache_description(const std::string& salt) const;
  std::string meta_path() const { return m_options.directory + "/store.json"; }
  Result<std::optional<Secret>> read_item(const std::string& path, const std::string& file_id);

  FileStoreOptions m_options;
  std::optional<Secret> m_key;  // the derived key once unlocked in this process
  std::string m_cache_description;
};

}  // namespace kura
