// Which keystore kura uses. The named backend (--backend, KURA_BACKEND) wins; else the one recorded when kura
// first stored a key; else the first that works here: the Secret Service, pass, the encrypted file store. An
// automatic choice is recorded (and said) on the first write, so a later run never silently uses another
// store. Sessions may live in another backend (--session-backend kernel keeps cache hits fast whatever holds
// the keys). The file store's passphrase comes from a source the caller gives (a variable, the terminal).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "keyring/backends.h"
#include "keyring/file_store.h"
#include "keyring/keystore.h"

namespace kura {

struct KeystoreSettings {
  std::string backend;          // empty: the recorded one, else chosen
  std::string session_backend;  // empty: the same as for keys
  BackendOptions backends;      // pass's directory and prefix, the Secret Service collection
  std::string file_dir;         // the file store's directory
  std::chrono::seconds file_key_ttl{900};
  bool fast_kdf_for_tests = false;  // KURA_FILE_KDF=insecure-fast-for-tests: cheap derivation, weak store
  std::string record_path;          // $XDG_CONFIG_HOME/kura/backend
};

Result<std::unique_ptr<Keystore>> open_keystore(const KeystoreSettings& settings,
                                                const PassphraseSource& passphrase);
// One backend by name (secret-service, pass, kernel, file), nothing recorded, no split.
Result<std::unique_ptr<Keystore>> open_named_keystore(const std::string& name,
                                                      const KeystoreSettings& settings,
                                                      PassphraseSource passphrase);
// The backend open_keystore would use for keys, probing when nothing is named or recorded.
std::string chosen_backend(const KeystoreSettings& settings);
// Records `backend` as the user's choice.
Result<void> record_backend(const KeystoreSettings& settings, const std::string& backend);

}  // namespace kura
