// Backend names, opening, and probing.
#include "keyring/backends.h"

#include "keyring/kernel_keyring.h"

namespace kura {

Result<std::unique_ptr<Keystore>> open_backend(const std::string& name, const BackendOptions& options) {
  if (name == "kernel") {
    if (auto usable = KernelKeystore::probe(); !usable) return usable.error();
    return std::unique_ptr<Keystore>(std::make_unique<KernelKeystore>());
  }
  if (name == "secret-service") return open_secret_service(options);
  if (name == "pass") return open_pass(options);
  return make_error("unknown backend '" + name + "'", "available: secret-service, pass, kernel, file");
}

std::vector<BackendStatus> probe_backends(const BackendOptions& options) {
  std::vector<BackendStatus> statuses;
  auto add = [&](const std::string& name, const Result<void>& usable, const std::string& where) {
    statuses.push_back({name, usable.ok(), usable ? where : usable.error().message});
  };
  add("secret-service", probe_secret_service(), "the session bus's Secret Service");
  add("pass", probe_pass(options), "pass, under '" + options.pass_prefix + "/'");
  add("kernel", KernelKeystore::probe(), "the user keyring (lost at reboot: for sessions, not master keys)");
  return statuses;
}

}  // namespace kura
