// File store. Layout: store.json (KDF parameters, salt, a sealed check value) and <keyed-hash>.item files,
// each sealed with the item's file id as associated data so files cannot be swapped or renamed unnoticed.
#include "keyring/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "util/fs.h"
#include "util/log.h"

namespace kura {

namespace {

constexpr const char* k_check_plaintext = "kura-file-store-v1";
constexpr const char* k_check_associated = "check";
constexpr const char* k_item_suffix = ".item";

struct StoreMeta {
  KdfParams kdf;
  std::string salt;
  std::string check;  // sealed k_check_plaintext
};

Result<std::optional<StoreMeta>> read_meta(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  if (!*text) return std::optional<StoreMeta>();
  try {
    auto json = nlohmann::json::parse(**text);
    StoreMeta meta;
    if (json.at("format").get<std::string>() != "kura-file-store" || json.at("version").get<int>() != 1) {
      return make_error(path + ": unknown store format");
    }
    meta.kdf.ops = json.at("kdf").at("ops").get<uint64_t>();
    meta.kdf.mem_bytes = json.at("kdf").at("mem").get<uint64_t>();
    auto salt = base64_decode(json.at("kdf").at("salt").get<std::string>());
    auto check = base64_decode(json.at("check").get<std::string>());
    if (!salt || !check) return make_error(path + ": corrupt store metadata (bad base64)");
    meta.salt = *salt;
    meta.check = *check;
    return std::optional<StoreMeta>(std::move(meta));
  } catch (const nlohmann::json::exception& e) {
    return make_error(path + ": corrupt store metadata: " + e.what());
  }
}

// Serialises concurrent creation of the store by two kura processes.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& directory) {
    m_fd = ::open((directory + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd >= 0) ::flock(m_fd, LOCK_EX);
  }
  ~DirectoryLock() {
    if (m_fd >= 0) ::close(m_fd);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int m_fd = -1;
};

// {"item": name, "value": secret}; the parsed tree's copy of the value is wiped before it is freed.
Result<std::pair<std::string, Secret>> parse_item(const Secret& plain, const std::string& path) {
  try {
    auto json = nlohmann::json::parse(plain.view());
    auto& value = json.at("value").get_ref<std::string&>();
    std::pair<std::string, Secret> out{json.at("item").get<std::string>(), Secret(std::string_view(value))};
    wipe_string(value);
    return out;
  } catch (const nlohmann::json::exception& e) {
    return make_error(path + ": corrupt item: " + e.what());
  }
}

}  // namespace

Result<bool> FileStore::unlock(Create create) {
  if (m_key) return true;
  if (auto ready = sodium_ready(); !ready) return ready.error();
  auto meta = read_meta(meta_path());
  if (!meta) return meta.error();

  if (!*meta) {
    if (create == Create::no) return false;
    if (auto made = make_directories(m_options.directory, 0700); !made) return made.error();
    DirectoryLock lock(m_options.directory);
    meta = read_meta(meta_path());  // another process may have created it while we waited
    if (!meta) return meta.error();
    if (!*meta) {
      auto passphrase = m_options.passphrase(true);
      if (!passphrase) return passphrase.error();
      StoreMeta fresh;
      fresh.kdf = m_options.kdf;
      fresh.salt = random_bytes(k_salt_bytes);
      auto key = derive_key(passphrase->view(), fresh.salt, fresh.kdf);
      if (!key) return key.error();
      fresh.check = seal(key->view(), k_check_plaintext, k_check_associated);
      nlohmann::json json = {{"format", "kura-file-store"},
                             {"version", 1},
                             {"kdf",
                              {{"alg", "argon2id13"},
                               {"ops", fresh.kdf.ops},
                               {"mem", fresh.kdf.mem_bytes},
                               {"salt", base64_encode(fresh.salt)}}},
                             {"check", base64_encode(fresh.check)}};
      if (auto written = write_file_atomic(meta_path(), json.dump(2) + "\n", 0600); !written)
        return written.error();
      log_note("created an encrypted file store in " + m_options.directory);
      m_cache_description = cache_description(fresh.salt);
      if (m_options.key_cache)
        m_options.key_cache->put(m_cache_description, key->view(), m_options.key_cache_ttl);
      m_key = std::move(*key);
      return true;
    }
  }

  const StoreMeta& store = **meta;
  m_cache_description = cache_description(store.salt);
  if (m_options.key_cache) {
    if (auto cached = m_options.key_cache->get(m_cache_description)) {
      if (open_sealed(cached->view(), store.check, k_check_associated)) {
        m_key = std::move(*cached);
        return true;
      }
      m_options.key_cache->remove(m_cache_description);  // stale: the store was recreated
    }
  }
  auto passphrase = m_options.passphrase(false);
  if (!passphrase) return passphrase.error();
  auto key = derive_key(passphrase->view(), store.salt, store.kdf);
  if (!key) return key.error();
  if (!open_sealed(key->view(), store.check, k_check_associated)) {
    return make_error("wrong passphrase for the file store in " + m_options.directory,
                      "check KURA_FILE_PASSPHRASE, or type it again; the store was not changed");
  }
  if (m_options.key_cache)
    m_options.key_cache->put(m_cache_description, key->view(), m_options.key_cache_ttl);
  m_key = std::move(*key);
  return true;
}

// Names the unlocked key in the kernel keyring: per store directory and salt, so a recreated store never
// picks up an old key.
std::string FileStore::cache_description(const std::string& salt) const {
  return "kura:file-store:" + sha256_hex(m_options.directory + "\n" + salt).substr(0, 24);
}

std::string FileStore::item_path(const std::string& item) const {
  return m_options.directory + "/" + keyed_hash_hex(m_key->view(), "item:" + item) + k_item_suffix;
}

Result<std::optional<Secret>> FileStore::read_item(const std::string& path, const std::string& file_id) {
  auto data = read_file(path);
  if (!data) return data.error();
  if (!*data) return std::optional<Secret>();
  auto plain = open_sealed(m_key->view(), **data, file_id);
  if (!plain) {
    return make_error(path + ": failed authentication: the file was changed or corrupted",
                      "remove it (kura remove/clear) and store the item again");
  }
  return std::optional<Secret>(std::move(*plain));
}

Result<std::optional<Secret>> FileStore::get(const std::string& item) {
  auto key = unlock(Create::no);
  if (!key) return key.error();
  if (!*key) return std::optional<Secret>();
  std::string path = item_path(item);
  std::string file_id = path.substr(path.rfind('/') + 1);
  auto sealed = read_item(path, file_id);
  if (!sealed || !*sealed) return sealed;
  auto parsed = parse_item(**sealed, path);
  if (!parsed) return parsed.error();
  if (parsed->first != item) return make_error(path + ": holds a different item");
  return std::optional<Secret>(std::move(parsed->second));
}

Result<void> FileStore::set(const std::string& item, std::string_view value, Lifetime /*lifetime*/) {
  auto key = unlock(Create::yes);
  if (!key) return key.error();
  std::string path = item_path(item);
  std::string file_id = path.substr(path.rfind('/') + 1);
  nlohmann::json json = {{"item", item}, {"value", std::string(value)}};
  std::string plain = json.dump();
  wipe_string(json.at("value").get_ref<std::string&>());
  std::string sealed = seal(m_key->view(), plain, file_id);
  wipe_string(plain);
  return write_file_atomic(path, sealed, 0600);
}

Result<bool> FileStore::contains(const std::string& item) {
  auto key = unlock(Create::no);
  if (!key) return key.error();
  if (!*key) return false;
  return file_exists(item_path(item));
}

Result<bool> FileStore::remove(const std::string& item) {
  auto key = unlock(Create::no);
  if (!key) return key.error();
  if (!*key) return false;
  return remove_file(item_path(item));
}

Result<std::vector<std::string>> FileStore::list() {
  auto key = unlock(Create::no);
  if (!key) return key.error();
  std::vector<std::string> items;
  if (!*key) return items;
  DIR* dir = ::opendir(m_options.directory.c_str());
  if (!dir) return make_error("cannot list " + m_options.directory);
  while (dirent* entry = ::readdir(dir)) {
    std::string file = entry->d_name;
    if (file.size() <= 5 || file.compare(file.size() - 5, 5, k_item_suffix) != 0) continue;
    auto sealed = read_item(m_options.directory + "/" + file, file);
    if (!sealed) {
      ::closedir(dir);
      return sealed.error();
    }
    if (!*sealed) continue;  // removed meanwhile
    auto parsed = parse_item(**sealed, m_options.directory + "/" + file);
    if (!parsed) {
      ::closedir(dir);
      return parsed.error();
    }
    items.push_back(parsed->first);
  }
  ::closedir(dir);
  return items;
}

}  // namespace kura
