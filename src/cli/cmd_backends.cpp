// kura backends: what can hold keys here and why not; kura migrate: copy (verify, then maybe delete) items
// from one backend to another.
#include "cli/commands.h"
#include "creds/store_items.h"
#include "crypto/sodium.h"
#include "util/fs.h"
#include "util/log.h"

namespace kura {

Result<void> run_backends(Context& context) {
  const Environment& env = context.env();
  std::vector<BackendStatus> statuses = probe_backends(backend_options(env));
  std::string store = file_store_directory(env);
  statuses.push_back(
      {"file", true, store + (file_exists(store + "/store.json") ? "" : " (created on first use)")});
  context.out("BACKEND         USABLE  DETAIL\n");
  for (const auto& status : statuses) {
    std::string name = status.name;
    name.resize(16, ' ');
    context.out(name + (status.usable ? "yes     " : "no      ") + status.detail + "\n");
  }
  auto chosen = choose_backend(env.get("KURA_BACKEND").value_or(""), env);
  if (chosen) {
    context.out("\nkeys: " + *chosen + "; sessions: " + env.get("KURA_SESSION_BACKEND").value_or(*chosen) +
                "\n");
  }
  return {};
}

Result<void> run_migrate(Context& context, const MigrateInput& input) {
  if (input.from == input.to) return make_error("migrate: --from and --to name the same backend");
  auto from = open_named_backend(input.from, context.env(), context.deps().prompt);
  if (!from) return from.error().context("--from");
  auto to = open_named_backend(input.to, context.env(), context.deps().prompt);
  if (!to) return to.error().context("--to");

  std::vector<std::string> items;
  if (input.profile) {
    if (auto key = (*from)->get(master_item(*input.profile)); key && *key)
      items.push_back(master_item(*input.profile));
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
  if (input.delete_source && choose_backend("", context.env()) &&
      *choose_backend("", context.env()) == input.from) {
    std::string record =
        context.env().get("XDG_CONFIG_HOME").value_or(context.env().home() + "/.config") + "/kura/backend";
    if (make_directories(parent_directory(record), 0700) &&
        write_file_atomic(record, input.to + "\n", 0600)) {
      log_note("kura now uses " + input.to + " for keys (" + record + ")");
    }
  }
  return {};
}

}  // namespace kura
