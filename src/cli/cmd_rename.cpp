// kura rename OLD NEW: a stored key moves to another profile name, with what `kura add` recorded about it;
// the sessions made from it under the old name go (their cache ids name the old profile).
#include "cli/commands.h"
#include "creds/store_items.h"
#include "crypto/sodium.h"
#include "util/log.h"

namespace kura {

void bind_rename(FlagSet& flags, RenameInput& input) {
  flags.positional("OLD", &input.from, "the profile whose stored key moves");
  flags.positional("NEW", &input.to, "its new name (must have no stored key)");
}

Result<void> run_rename(Context& context, const RenameInput& input) {
  if (input.from == input.to) return make_error("rename: OLD and NEW are the same profile");
  auto store = context.keystore();
  if (!store) return store.error();
  auto item = (*store)->get(master_item(input.from));
  if (!item) return item.error();
  if (!*item) {
    return make_error("rename: profile '" + input.from + "' has no stored key",
                      "`kura list --credentials` shows the stored ones; a plaintext key moves with "
                      "`kura import SECTION --as PROFILE`");
  }
  auto taken = (*store)->get(master_item(input.to));
  if (!taken) return taken.error();
  if (*taken) {
    return make_error("rename: profile '" + input.to + "' already has a stored key",
                      "`kura remove " + input.to + "` first if it is to go");
  }
  // The item's bytes as they are (key and recorded identity), read back before the old one goes.
  if (auto stored = (*store)->set(master_item(input.to), (*item)->view(), {}); !stored) return stored.error();
  auto back = (*store)->get(master_item(input.to));
  if (!back) return back.error();
  if (!*back || !constant_time_equals((*back)->view(), (*item)->view())) {
    return make_error("rename: the key stored as '" + input.to + "' does not read back; the one of '" +
                      input.from + "' stays");
  }
  auto removed = (*store)->remove(master_item(input.from));
  if (!removed) return removed.error();
  auto dropped = remove_sessions_of(**store, input.from);
  if (!dropped) return dropped.error();
  log_note("renamed the stored key of '" + input.from + "' to '" + input.to + "'" +
           (*dropped ? "; " + std::to_string(*dropped) + " cached session(s) of '" + input.from + "' dropped"
                     : ""));
  auto files = context.files();
  if (files && (*files)->config_section(input.from) && !(*files)->config_section(input.to)) {
    log_note("~/.aws/config still has [profile " + input.from +
             "]: rename that section to match if it "
             "describes this key (mfa_serial, region)");
  }
  return {};
}

}  // namespace kura
