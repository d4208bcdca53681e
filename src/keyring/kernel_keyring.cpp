// Kernel keyring via libkeyutils. Keys go in the user keyring with permissions set so that the same user's
// other sessions can read them (aws-vault's backend never set them; its #890).
#include "keyring/kernel_keyring.h"

#include <keyutils.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

namespace kura {

std::optional<Secret> KernelKeyCache::get(const std::string& description) {
  auto id = static_cast<key_serial_t>(keyctl_search(KEY_SPEC_USER_KEYRING, "user", description.c_str(), 0));
  if (id < 0) return std::nullopt;
  void* buffer = nullptr;
  long length = keyctl_read_alloc(id, &buffer);
  if (length < 0) return std::nullopt;
  Secret key(std::string_view(static_cast<char*>(buffer), static_cast<size_t>(length)));
  explicit_bzero(buffer, static_cast<size_t>(length));
  free(buffer);
  return key;
}

void KernelKeyCache::put(const std::string& description, std::string_view key, std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return;
  // Created in the process keyring, which this process always possesses, so that setting permissions works
  // even when the user keyring is not linked into the session keyring (a fresh `keyctl new_session`, ssh,
  // cron). Then linked into the user keyring, where the same user's other processes find it.
  key_serial_t id = add_key("user", description.c_str(), key.data(), key.size(), KEY_SPEC_PROCESS_KEYRING);
  if (id < 0) {
    log_debug("kernel keyring: cannot add key: " + std::string(strerror(errno)));
    return;
  }
  bool ok = keyctl_setperm(id, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE | KEY_USR_SEARCH |
                                   KEY_USR_SETATTR) == 0 &&
            keyctl_set_timeout(id, static_cast<unsigned>(ttl.count())) == 0;
  if (ok) {
    remove(description);  // an older key with the same description would shadow the new one
    ok = keyctl_link(id, KEY_SPEC_USER_KEYRING) == 0;
  }
  if (!ok) log_debug("kernel keyring: cannot keep the key: " + std::string(strerror(errno)));
  keyctl_unlink(id, KEY_SPEC_PROCESS_KEYRING);
  if (!ok) keyctl_invalidate(id);
}

void KernelKeyCache::remove(const std::string& description) {
  auto id = static_cast<key_serial_t>(keyctl_search(KEY_SPEC_USER_KEYRING, "user", description.c_str(), 0));
  if (id >= 0) keyctl_invalidate(id);
}

}  // namespace kura
