// kura migrate: copy stored keys and sessions from one backend to another; every copy is read back and
// compared before anything is deleted from the source.
#include "cli/commands.h"
#include "creds/store_items.h"
#include "crypto/sodium.h"
#include "util/log.h"

namespace kura {

void bind_migrate(FlagSet& flags, MigrateInput& input) {
  flags.option("--from", "BACKEND", &input.from, "source backend");
  flags.option("--to", "BACKEND", &input.to, "destination backend");
  flags.option("--profile", "PROFILE", &input.profile, "only this profile's key and sessions");
  flags.flag("--dry-run", &input.dry_run, "only say what would be copied");
  flags.flag("--delete-source", &input.delete_source, "delete from the source once all copies verify");
}

Result<void> run_migrate(Context& context, const MigrateInput& input) {
  if (input.from.empty() || input.to.empty()) return make_error("migrate: --from and --to are required");
  if (input.from == input.to) return make_error("migrate: --from and --to name the same backend");
  auto from = context.open_backend(input.from);
  if (!from) return from.error().context("--from");
  auto to = context.open_backend(input.to);
  if (!to) return to.error().context("--to");

  std::vector<std::string> items;
  if (input.profile) {
    if (auto key = (*from)->contains(master_item(*input.profile)); key && *key) {
      items.push_back(master_item(*input.profile));
    }
    auto sessions = list_sessions(**from, input.profile);
    if (!sessions) return sessions.error();
    for (const auto& [id, session] : *sessions) items.push_back(session_item(id));
    if (items.empty())
      return make_error("migrate: nothing stored for profile '" + *input.profile + "' in " + input.from);
  } else {
    auto listed = (*from)->list();
    if (!listed) return listed.error().context("--from " + input.from);
    for (const auto& item : *listed) {
      if (profile_of_master_item(item) || is_session_item(item)) items.push_back(item);
    }
  }
  if (input.dry_run) {
    for (const auto& item : items) context.out("would copy " + item + "\n");
    return {};
  }
  // Copy and verify everything first; delete only when every copy reads back identical.
  for (const auto& item : items) {
    auto value = (*from)->get(item);
    if (!value) return value.error().context("migrate: read " + item);
    if (!*value) continue;  // expired or removed meanwhile
    if (auto stored = (*to)->set(item, (*value)->view(), {}); !stored)
      return stored.error().context("migrate: " + item);
    auto back = (*to)->get(item);
    if (!back || !*back || !constant_time_equals((*back)->view(), (*value)->view())) {
      return make_error("migrate: " + item + " did not read back from " + input.to + "; nothing was deleted");
    }
  }
  if (input.delete_source) {
    for (const auto& item : items) {
      if (auto removed = (*from)->remove(item); !removed)
        return removed.error().context("migrate: delete " + item);
    }
  }
  log_note("copied " + std::to_string(items.size()) + " item(s) from " + input.from + " to " + input.to +
           " (each read back and compared)" +
           (input.delete_source ? ", then deleted them from " + input.from : ""));
  const KeystoreSettings& settings = context.settings().keystore;
  KeystoreSettings unnamed = settings;
  unnamed.backend.clear();
  if (input.delete_source && chosen_backend(unnamed) == input.from) {
    if (record_backend(settings, input.to)) {
      log_note("kura now uses " + input.to + " for keys (" + settings.record_path + ")");
    }
  }
  return {};
}

}  // namespace kura
