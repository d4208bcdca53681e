// Kernel keyring via libkeyutils. Keys are created in the process keyring, which this process always
// possesses, then linked where they belong: setting permissions needs possession, and the user keyring is not
// possessed when it is not linked into the session keyring (a fresh `keyctl new_session`, ssh, cron).
// aws-vault's backend never set permissions at all (its #890).
#include "keyring/kernel_keyring.h"

#include <errno.h>
#include <keyutils.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

namespace kura {

namespace {

constexpr key_perm_t k_user_permissions = KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE |
                                          KEY_USR_SEARCH | KEY_USR_LINK | KEY_USR_SETATTR;
constexpr const char* k_item_prefix = "kura:item:";

key_serial_t find(key_serial_t ring, const char* type, const std::string& description) {
  return static_cast<key_serial_t>(keyctl_search(ring, type, description.c_str(), 0));
}

// Adds a key (or keyring, with empty data) possessed, sets permissions and lifetime, links it into `into`.
Result<key_serial_t> add_linked(const char* type, const std::string& description, std::string_view data,
                                key_serial_t into, std::optional<std::chrono::seconds> lifetime) {
  key_serial_t id = add_key(type, description.c_str(), data.empty() ? nullptr : data.data(), data.size(),
                            KEY_SPEC_PROCESS_KEYRING);
  if (id < 0) {
    int err = errno;
    std::string hint = err == EDQUOT ? "the kernel's per-user key quota is full (kernel.keys.maxbytes)" : "";
    if (err == EINVAL && data.size() > 32767) hint = "the kernel keyring holds at most 32 KiB per item";
    return make_error("kernel keyring: cannot add '" + description + "': " + strerror(err), hint);
  }
  bool ok = keyctl_setperm(id, k_user_permissions) == 0;
  if (ok && lifetime) ok = keyctl_set_timeout(id, static_cast<unsigned>(lifetime->count())) == 0;
  if (ok) ok = keyctl_link(id, into) == 0;
  int err = errno;
  keyctl_unlink(id, KEY_SPEC_PROCESS_KEYRING);
  if (!ok) {
    keyctl_invalidate(id);
    return make_error("kernel keyring: cannot keep '" + description + "': " + strerror(err));
  }
  return id;
}

Result<key_serial_t> kura_keyring(bool create) {
  key_serial_t ring = find(KEY_SPEC_USER_KEYRING, "keyring", "kura");
  if (ring >= 0 || !create) return ring;
  return add_linked("keyring", "kura", {}, KEY_SPEC_USER_KEYRING, std::nullopt);
}

Result<Secret> read_key(key_serial_t id, const std::string& what) {
  // Most keys (a file store's, 32 bytes) fit a small buffer: one read, where keyctl_read_alloc asks the size
  // first. The length returned is the key's, whatever the buffer's.
  char small[128];
  long fitted = keyctl_read(id, small, sizeof small);
  if (fitted >= 0 && static_cast<size_t>(fitted) <= sizeof small) {
    Secret value(std::string_view(small, static_cast<size_t>(fitted)));
    explicit_bzero(small, sizeof small);
    return value;
  }
  explicit_bzero(small, sizeof small);
  void* buffer = nullptr;
  long length = keyctl_read_alloc(id, &buffer);
  if (length < 0) return make_error("kernel keyring: cannot read " + what + ": " + strerror(errno));
  Secret value(std::string_view(static_cast<char*>(buffer), static_cast<size_t>(length)));
  explicit_bzero(buffer, static_cast<size_t>(length));
  free(buffer);
  return value;
}

}  // namespace

std::optional<Secret> KernelKeyCache::get(const std::string& description) {
  key_serial_t id = find(KEY_SPEC_USER_KEYRING, "user", description);
  if (id < 0) return std::nullopt;
  auto key = read_key(id, description);
  if (!key) return std::nullopt;
  return std::move(*key);
}

void KernelKeyCache::put(const std::string& description, std::string_view key, std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return;
  remove(description);  // an older key with the same description would shadow the new one
  auto added = add_linked("user", description, key, KEY_SPEC_USER_KEYRING, ttl);
  if (!added) log_debug(added.error().message);
}

void KernelKeyCache::remove(const std::string& description) {
  key_serial_t id = find(KEY_SPEC_USER_KEYRING, "user", description);
  if (id >= 0) keyctl_invalidate(id);
}

Result<void> KernelKeystore::probe() {
  key_serial_t id = static_cast<key_serial_t>(keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1));
  if (id < 0) return make_error(std::string("no user keyring: ") + strerror(errno));
  return {};
}

Result<std::optional<Secret>> KernelKeystore::get(const std::string& item) {
  auto ring = kura_keyring(false);
  if (!ring) return ring.error();
  if (*ring < 0) return std::optional<Secret>();
  key_serial_t id = find(*ring, "user", k_item_prefix + item);
  if (id < 0) {
    if (errno == ENOKEY || errno == EKEYEXPIRED || errno == EKEYREVOKED) return std::optional<Secret>();
    return make_error("kernel keyring: cannot search for '" + item + "': " + strerror(errno));
  }
  auto value = read_key(id, "'" + item + "'");
  if (!value) return value.error();
  return std::optional<Secret>(std::move(*value));
}

Result<void> KernelKeystore::set(const std::string& item, std::string_view value, Lifetime lifetime) {
  auto ring = kura_keyring(true);
  if (!ring) return ring.error();
  // add_key with an existing description updates the key in place; a fresh key keeps the permissions right.
  if (auto removed = remove(item); !removed) return removed.error();
  auto added = add_linked("user", k_item_prefix + item, value, *ring, lifetime.seconds);
  if (!added) return added.error();
  return {};
}

Result<bool> KernelKeystore::contains(const std::string& item) {
  auto ring = kura_keyring(false);
  if (!ring) return ring.error();
  return *ring >= 0 && find(*ring, "user", k_item_prefix + item) >= 0;
}

Result<bool> KernelKeystore::remove(const std::string& item) {
  auto ring = kura_keyring(false);
  if (!ring) return ring.error();
  if (*ring < 0) return false;
  key_serial_t id = find(*ring, "user", k_item_prefix + item);
  if (id < 0) return false;
  keyctl_unlink(id, *ring);
  keyctl_invalidate(id);
  return true;
}

Result<std::vector<std::string>> KernelKeystore::list() {
  std::vector<std::string> items;
  auto ring = kura_keyring(false);
  if (!ring) return ring.error();
  if (*ring < 0) return items;
  void* buffer = nullptr;
  long length = keyctl_read_alloc(*ring, &buffer);
  if (length < 0) return make_error(std::string("kernel keyring: cannot list: ") + strerror(errno));
  const auto* ids = static_cast<const key_serial_t*>(buffer);
  const std::string prefix = k_item_prefix;
  for (long i = 0; i < length / static_cast<long>(sizeof(key_serial_t)); ++i) {
    char* description = nullptr;
    if (keyctl_describe_alloc(ids[i], &description) < 0) continue;  // expired meanwhile
    // "type;uid;gid;perm;description"
    std::string text(description);
    free(description);
    size_t at = 0;
    for (int field = 0; field < 4 && at != std::string::npos; ++field) at = text.find(';', at + 1);
    if (at == std::string::npos) continue;
    std::string name = text.substr(at + 1);
    if (text.rfind("user;", 0) == 0 && name.rfind(prefix, 0) == 0)
      items.push_back(name.substr(prefix.size()));
  }
  free(buffer);
  return items;
}

}  // namespace kura
