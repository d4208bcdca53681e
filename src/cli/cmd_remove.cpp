// kura remove: forget a stored key and the sessions made from it.
#include "cli/commands.h"
#include "creds/store_items.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

void bind_remove(FlagSet& flags, RemoveInput& input) {
  flags.positional("PROFILE", &input.profile, "profile name");
  flags.flag("--force,-f", &input.force, "do not ask for confirmation");
  flags.flag("--sessions-only,-s", &input.sessions_only,
             "only the profile's cached sessions, as `kura clear PROFILE` (aws-vault's spelling)");
}

Result<void> run_remove(Context& context, const RemoveInput& input) {
  if (input.sessions_only) return run_clear(context, ClearInput{input.profile});
  auto store = context.keystore();
  if (!store) return store.error();
  // Whether it exists, not what it holds: an unreadable key can still be removed.
  auto existing = (*store)->contains(master_item(input.profile));
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

}  // namespace kura
