// kura backends: what can hold keys here, and why not.
#include "cli/commands.h"
#include "util/fs.h"

namespace kura {

void bind_backends(FlagSet&, BackendsInput&) {}

Result<void> run_backends(Context& context, const BackendsInput&) {
  const KeystoreSettings& settings = context.settings().keystore;
  std::vector<BackendStatus> statuses = probe_backends(settings.backends);
  statuses.push_back({"file", true,
                      settings.file_dir +
                          (file_exists(settings.file_dir + "/store.json") ? "" : " (created on first use)")});
  context.out("BACKEND         USABLE  DETAIL\n");
  for (const auto& status : statuses) {
    std::string name = status.name;
    name.resize(16, ' ');
    context.out(name + (status.usable ? "yes     " : "no      ") + status.detail + "\n");
  }
  const std::string chosen = chosen_backend(settings);
  context.out("\nkeys: " + chosen +
              "; sessions: " + (settings.session_backend.empty() ? chosen : settings.session_backend) + "\n");
  return {};
}

}  // namespace kura
