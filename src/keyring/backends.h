// Opening keystore backends by name, and probing which ones can work on this machine.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keyring/keystore.h"

namespace kura {

struct BackendOptions {
  std::string pass_prefix = "kura";     // entries live under this folder of the password store
  std::optional<std::string> pass_dir;  // --pass-dir, else PASSWORD_STORE_DIR, else ~/.password-store
  std::string collection = "kura";      // Secret Service collection (the default one if it can't be made)
  std::string pass_command = "pass";    // the pass executable (aws-vault's --pass-cmd)
};

// "kernel", "secret-service" or "pass" (the file store is made by the caller, which owns its passphrase
// prompt).
Result<std::unique_ptr<Keystore>> open_backend(const std::string& name, const BackendOptions& options);

struct BackendStatus {
  std::string name;
  bool usable = false;
  std::string detail;  // why not, or where
};

// Secret Service, pass, kernel keyring (the file store is always usable and is added by the caller).
std::vector<BackendStatus> probe_backends(const BackendOptions& options);

Result<std::unique_ptr<Keystore>> open_secret_service(const BackendOptions& options);
Result<void> probe_secret_service();
Result<std::unique_ptr<Keystore>> open_pass(const BackendOptions& options);
// Every item of a collection (by label or object-path name) as (label, secret text): for reading what other
// programs stored, such as aws-vault's `awsvault` collection.
Result<std::vector<std::pair<std::string, Secret>>> read_secret_service_collection(const std::string& name);
Result<void> probe_pass(const BackendOptions& options);

}  // namespace kura
