// kura rotate (and aws-vault rotate): a new access key in place of the old, without ever leaving the profile
// without a working key. ListAccessKeys (two already: stop, nothing created) → CreateAccessKey → the new key
// stored where the old one was and read back → GetCallerIdentity with it, again while IAM catches up →
// DeleteAccessKey of the old one → the sessions made from the old key dropped. If the new key cannot be
// stored or is not accepted, the old one is put back and the new one deleted (or the user told to).
#include "aws/endpoints.h"
#include "aws/iam.h"
#include "cli/commands.h"
#include "cli/credentials.h"
#include "cli/keys.h"
#include "creds/store_items.h"
#include "util/log.h"

namespace kura {

namespace {

// After the new key failed: the old one back where it was, the new one deleted. What happened, for the error.
std::string undo(Context& context, IamClient& iam, const Credentials& caller, const KeyHome& home,
                 const std::string& new_key_id) {
  std::string said;
  if (auto restored = put_key(context, home, home.key, std::nullopt); !restored) {
    said += "; putting the old key " + mask_key_id(home.key.access_key_id) + " back failed too (" +
            restored.error().message + ")";
  } else {
    said += "; the old key " + mask_key_id(home.key.access_key_id) + " is in place again";
  }
  if (auto deleted = iam.delete_access_key(caller, new_key_id, std::nullopt); !deleted) {
    said += "; the new key " + mask_key_id(new_key_id) + " could not be deleted (" + deleted.error().message +
            "): delete it by hand (aws iam delete-access-key --access-key-id " + new_key_id + ")";
  } else {
    said += " and the new key " + mask_key_id(new_key_id) + " was deleted";
  }
  return said;
}

}  // namespace

void bind_rotate(FlagSet& flags, RotateInput& input) {
  flags.optional_positional("PROFILE", &input.profile, "the profile whose long-term key is replaced");
  flags.option("--mfa-token,-t", "CODE", &input.mfa_token, "the MFA code, instead of asking");
  flags.flag("--no-session,-n", &input.no_session,
             "call IAM with the long-term key itself, without an MFA session");
}

Result<void> run_rotate(Context& context, const RotateInput& input) {
  auto name = profile_name(context, input.profile.value_or(""));
  if (!name) return name.error();
  auto profile = context.profile(*name);
  if (!profile) return profile.error();
  if (profile->source) {
    const Profile* base = profile->source.get();
    while (base->source) base = base->source.get();
    return make_error("profile '" + *name + "' is a role; its key is the one of '" + base->name + "'",
                      "run `kura rotate " + base->name + "`");
  }
  auto home = find_key_home(context, *name);
  if (!home) return home.error();
  if (!home->key.session_token.empty()) {
    return make_error(home->describe() + " holds temporary credentials, which cannot be rotated");
  }
  auto files = context.files();
  if (!files) return files.error();
  const std::string old_id = home->key.access_key_id;

  auto caller = iam_caller(context, *profile, *home, IamCallerFlags{input.mfa_token, input.no_session});
  if (!caller) return caller.error();
  auto access = IamAccess::open(context, *profile);
  if (!access) return access.error();
  IamClient& iam = (*access)->client();

  // IAM allows two keys per user: with two, creating a third fails, so nothing is created.
  auto keys = iam.list_access_keys(*caller, std::nullopt);
  if (!keys) return keys.error();
  bool found = false;
  std::vector<std::string> others;
  for (const AccessKeyMetadata& key : *keys) {
    if (key.access_key_id == old_id) {
      found = true;
    } else {
      others.push_back(key.access_key_id);
    }
  }
  if (!found) {
    return make_error(
        "IAM does not list " + mask_key_id(old_id) + " among the user's keys; nothing was changed",
        "is the key another user's? `aws iam list-access-keys` shows this user's");
  }
  if (!others.empty()) {
    return make_error("the user already has two access keys (" + mask_key_id(old_id) + " and " +
                          mask_key_id(others.front()) + "); IAM allows two, so nothing was created",
                      "if " + mask_key_id(others.front()) +
                          " is unused, delete it (aws iam delete-access-key --access-key-id " +
                          others.front() + ") and run `kura rotate " + *name + "` again");
  }

  auto created = iam.create_access_key(*caller, std::nullopt);
  if (!created) return created.error();
  const Credentials& fresh = created->key;
  log_note("created " + mask_key_id(fresh.access_key_id) + "; storing it in place of " + mask_key_id(old_id));
  if (auto stored = put_key(context, *home, fresh, std::nullopt); !stored) {
    return make_error("the new key could not be stored (" + stored.error().message + ")" +
                      undo(context, iam, *caller, *home, fresh.access_key_id));
  }
  KeyCheck check = check_key(context, *profile, fresh, context.settings().rotate_wait);
  if (check.outcome != KeyCheck::Outcome::accepted) {
    return make_error("the new key " + mask_key_id(fresh.access_key_id) + " was not accepted by STS (" +
                      check.error.message + ")" + undo(context, iam, *caller, *home, fresh.access_key_id));
  }
  if (home->kind == KeyHome::Kind::store) {
    (void)put_key(context, *home, fresh, identity_of(check.identity));  // the identity, for `kura list`
  }

  std::string outcome = "; the old key " + mask_key_id(old_id) + " is deleted";
  if (auto deleted = iam.delete_access_key(*caller, old_id, std::nullopt); !deleted) {
    outcome = "; but the old key " + mask_key_id(old_id) + " could not be deleted (" +
              deleted.error().message + "): delete it by hand (aws iam delete-access-key --access-key-id " +
              old_id + ")";
  }
  auto store = context.keystore();
  if (!store) return store.error();
  for (const std::string& owner : {*name, home->name}) {
    if (auto dropped = remove_sessions_of(**store, owner); !dropped) return dropped.error();
  }
  log_note("rotated " + home->describe() + ": " + mask_key_id(fresh.access_key_id) + " works (" +
           check.identity.arn + ")" + outcome);
  return {};
}

}  // namespace kura
