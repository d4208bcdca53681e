// kura clear: forget cached sessions — of one profile, or all of them together with whatever the store can no
// longer read.
#include "cli/commands.h"
#include "creds/store_items.h"
#include "util/log.h"

namespace kura {

namespace {

// Every session item by name, readable or not.
Result<int> remove_all_sessions(Keystore& store) {
  auto items = store.list();
  if (!items) return items.error();
  int removed = 0;
  for (const auto& item : *items) {
    if (!is_session_item(item)) continue;
    auto gone = store.remove(item);
    if (!gone) return gone.error();
    removed += *gone ? 1 : 0;
  }
  return removed;
}

// The items the store cannot read (a corrupt or tampered file): they are no one's key or session any more,
// and only `kura clear` of everything can name them.
Result<int> remove_unreadable(Keystore& store) {
  auto items = store.unreadable();
  if (!items) return items.error();
  int removed = 0;
  for (const auto& item : *items) {
    auto gone = store.remove(item);
    if (!gone) return gone.error();
    removed += *gone ? 1 : 0;
  }
  return removed;
}

}  // namespace

void bind_clear(FlagSet& flags, ClearInput& input) {
  flags.optional_positional("PROFILE", &input.profile, "only this profile's sessions");
}

Result<void> run_clear(Context& context, const ClearInput& input) {
  auto store = context.keystore();
  if (!store) return store.error();
  if (input.profile) {
    auto removed = remove_sessions_where(
        **store, [&](const CachedSession& session) { return session.profile == *input.profile; });
    if (!removed) return removed.error();
    log_note("cleared " + std::to_string(*removed) + " session(s) for profile '" + *input.profile + "'");
    if (auto unreadable = (*store)->unreadable(); unreadable && !unreadable->empty()) {
      log_note(std::to_string(unreadable->size()) +
               " item(s) of the store cannot be read; `kura clear` (without a profile) removes them");
    }
    return {};
  }
  auto removed = remove_all_sessions(**store);
  if (!removed) return removed.error();
  log_note("cleared " + std::to_string(*removed) + " session(s)");
  auto unreadable = remove_unreadable(**store);
  if (!unreadable) return unreadable.error();
  if (*unreadable > 0)
    log_note("removed " + std::to_string(*unreadable) + " unreadable item(s) from the store");
  return {};
}

}  // namespace kura
