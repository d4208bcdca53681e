// kura remove and kura clear: forget a stored key (with its sessions), or cached sessions only.
#include "cli/commands.h"
#include "creds/store_items.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

// Removes the sessions of one profile, or all sessions (including unreadable ones) when none is named.
Result<int> remove_sessions(Keystore& store, const std::optional<std::string>& profile) {
  if (profile) {
    return remove_sessions_where(store,
                                 [&](const CachedSession& session) { return session.profile == *profile; });
  }
  int removed = 0;
  auto items = store.list();
  if (!items) return items.error();
  for (const auto& item : *items) {
    if (!is_session_item(item)) continue;
    auto gone = store.remove(item);
    if (!gone) return gone.error();
    removed += *gone ? 1 : 0;
  }
  return removed;
}

}  // namespace

Result<void> run_remove(Context& context, const RemoveInput& input) {
  auto store = context.keystore();
  if (!store) return store.error();
  auto existing = (*store)->get(master_item(input.profile));
  if (!existing) return existing.error();
  if (!*existing) {
    return make_error("no stored credentials for profile '" + input.profile + "'",
                      "see `kura list --credentials`");
  }
  if (!input.force) {
    auto answer =
        context.deps().prompt.ask_line("Delete credentials for profile '" + input.profile + "'? (y/N) ");
    if (!answer) return answer.error();
    if (to_lower(*answer) != "y" && to_lower(*answer) != "yes") return make_error("not removed");
  }
  auto removed = (*store)->remove(master_item(input.profile));
  if (!removed) return removed.error();
  auto sessions = remove_sessions_of(**store, input.profile);
  if (!sessions) return sessions.error();
  log_note("removed credentials for profile '" + input.profile + "' and " + std::to_string(*sessions) +
           " session(s)");
  return {};
}

Result<void> run_clear(Context& context, const ClearInput& input) {
  auto store = context.keystore();
  if (!store) return store.error();
  auto removed = remove_sessions(**store, input.profile);
  if (!removed) return removed.error();
  log_note("cleared " + std::to_string(*removed) + " session(s)" +
           (input.profile ? " for profile '" + *input.profile + "'" : ""));
  return {};
}

}  // namespace kura
