// File store. Layout: store.json (KDF parameters, salt, a sealed check value) and <keyed-hash>.item files,
// each sealed with the item's file id as associated data so files cannot be swapped or renamed unnoticed.
#include "keyring/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "util/flat_json.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sized_text.h"

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

// store.json, read with the flat reader (one level of nesting, for "kdf"): a cache hit reads it on every run.
Result<std::optional<StoreMeta>> read_meta(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  if (!*text) return std::optional<StoreMeta>();
  auto json = FlatJson::parse(**text, FlatJson::Nesting::one_level);
  if (!json) return json.error().context(path + ": corrupt store metadata");
  const Secret* format = json->string("format");
  if (!format || format->view() != "kura-file-store" || json->integer("version") != 1) {
    return make_error(path + ": unknown store format");
  }
  const FlatJson* kdf = json->object("kdf");
  const Secret* salt_text = kdf ? kdf->string("salt") : nullptr;
  const Secret* check_text = json->string("check");
  const long long ops = kdf ? kdf->integer("ops").value_or(0) : 0;  // missing: 0, refused below
  const long long mem = kdf ? kdf->integer("mem").value_or(0) : 0;
  if (!salt_text || !check_text || ops <= 0 || mem <= 0) {
    return make_error(path + ": corrupt store metadata: kdf.ops, kdf.mem, kdf.salt or check missing or bad");
  }
  auto salt = base64_decode(salt_text->view());
  auto check = base64_decode(check_text->view());
  if (!salt || !check) return make_error(path + ": corrupt store metadata (bad base64)");
  StoreMeta meta;
  meta.kdf.ops = static_cast<uint64_t>(ops);
  meta.kdf.mem_bytes = static_cast<uint64_t>(mem);
  meta.salt = *salt;
  meta.check = *check;
  return std::optional<StoreMeta>(std::move(meta));
}

constexpr const char* k_temporary_marker = ".kura-tmp-";
constexpr const char* k_unreadable_prefix = "unreadable:";

// Serialises writers of the store (creation, set, remove) across kura processes. Every writer holds it while
// its temporary file exists, so a temporary file seen by the lock's holder belongs to a writer that died
// (SIGKILL, power loss) between writing and renaming: a sealed copy of an item that may since have been
// removed. The holder deletes them.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& directory) {
    m_fd = ::open((directory + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd >= 0) ::flock(m_fd, LOCK_EX);
    if (m_fd < 0) return;
    DIR* dir = ::opendir(directory.c_str());
    if (!dir) return;
    while (dirent* entry = ::readdir(dir)) {
      if (std::string_view(entry->d_name).find(k_temporary_marker) != std::string_view::npos) {
        ::unlinkat(::dirfd(dir), entry->d_name, 0);
      }
    }
    ::closedir(dir);
  }
  ~DirectoryLock() {
    if (m_fd >= 0) ::close(m_fd);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int m_fd = -1;
};

// {"item": name, "value": secret}.
Result<std::pair<std::string, Secret>> parse_item(const Secret& plain, const std::string& path) {
  auto json = FlatJson::parse(plain.view());
  if (!json) return json.error().context(path + ": corrupt item");
  const Secret* item = json->string("item");
  const Secret* value = json->string("value");
  if (!item || !value) return make_error(path + ": corrupt item: no item or value");
  return std::pair<std::string, Secret>(std::string(item->view()), value->clone());
}

}  // namespace

Result<bool> FileStore::unlock(Create create) {
  if (m_key) return true;
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
  DirectoryLock lock(m_options.directory);
  std::string path = item_path(item);
  std::string file_id = path.substr(path.rfind('/') + 1);
  Secret plain = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("item", item);
    json.string("value", value);
    json.close();
  });
  std::string sealed = seal(m_key->view(), plain.view(), file_id);
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
  DirectoryLock lock(m_options.directory);
  if (item.rfind(k_unreadable_prefix, 0) == 0) {
    // A name from unreadable(): the item file itself, which must be one of ours (no path, our suffix).
    std::string file = item.substr(std::string(k_unreadable_prefix).size());
    if (!is_item_file(file)) return make_error("not an item of the file store: '" + file + "'");
    return remove_file(m_options.directory + "/" + file);
  }
  return remove_file(item_path(item));
}

Result<std::vector<std::string>> FileStore::list() {
  auto scanned = scan();
  if (!scanned) return scanned.error();
  return std::move(scanned->readable);
}

Result<std::vector<std::string>> FileStore::unreadable() {
  auto scanned = scan();
  if (!scanned) return scanned.error();
  std::vector<std::string> names;
  for (const std::string& file : scanned->unreadable) names.push_back(k_unreadable_prefix + file);
  return names;
}

// Every item file, opened: one that fails authentication or does not parse is set aside, never a reason to
// fail the listing (which `list`, `clear`, `remove` and `add` of every profile depend on).
Result<FileStore::Scan> FileStore::scan() {
  auto key = unlock(Create::no);
  if (!key) return key.error();
  Scan scan;
  if (!*key) return scan;
  DIR* dir = ::opendir(m_options.directory.c_str());
  if (!dir) return make_error("cannot list " + m_options.directory);
  while (dirent* entry = ::readdir(dir)) {
    std::string file = entry->d_name;
    if (!is_item_file(file)) continue;
    const std::string path = m_options.directory + "/" + file;
    auto sealed = read_item(path, file);
    if (sealed && !*sealed) continue;  // removed meanwhile
    auto parsed =
        sealed ? parse_item(**sealed, path) : Result<std::pair<std::string, Secret>>(sealed.error());
    if (!parsed) {
      log_debug("file store: " + parsed.error().message);
      scan.unreadable.push_back(file);
      continue;
    }
    scan.readable.push_back(parsed->first);
  }
  ::closedir(dir);
  return scan;
}

bool FileStore::is_item_file(const std::string& file) {
  constexpr size_t k_suffix = 5;  // ".item"
  if (file.size() <= k_suffix || file.compare(file.size() - k_suffix, k_suffix, k_item_suffix) != 0)
    return false;
  for (size_t i = 0; i + k_suffix < file.size(); ++i) {
    char c = file[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace kura
