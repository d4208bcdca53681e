// kura add: store a long-term access key, encrypted, for a profile.
#include "cli/commands.h"
#include "cli/keys.h"
#include "config/ini_file.h"
#include "creds/store_items.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

bool looks_like_key_id(std::string_view id) {
  if (id.size() < 16 || id.size() > 128) return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

void bind_add(FlagSet& flags, AddInput& input) {
  flags.positional("PROFILE", &input.profile, "profile name");
  flags.flag("--env", &input.from_env,
             "read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment");
  flags.flag("--verify", &input.verify,
             "ask AWS (GetCallerIdentity) whether the key works before storing it (default; --no-verify)");
  flags.flag("--add-config", &input.add_config,
             "add [profile NAME] to ~/.aws/config if it has none (default as aws-vault; --no-add-config)");
}

namespace {

// [profile NAME] (or [default]) in the config file, with mfa_serial when one is given, unless it is there.
Result<void> add_config_section(Context& context, const std::string& profile,
                                const std::optional<std::string>& mfa_serial) {
  auto files = context.files();
  if (!files) return files.error();
  const std::string section = profile == "default" ? "default" : "profile " + profile;
  return edit_aws_file((*files)->config_path, AwsFile::config, [&](IniDocument& doc) -> Result<bool> {
    if (doc.find(section)) return false;
    if (mfa_serial) {
      if (auto set = doc.set(section, "mfa_serial", *mfa_serial); !set) return set.error();
      return true;
    }
    // An empty section: the document's editor makes sections by setting a key, so one is set and taken out
    // again (both edits verified), leaving the header.
    if (auto set = doc.set(section, "region", "us-east-1"); !set) return set.error();
    if (auto removed = doc.remove_key(section, "region"); !removed) return removed.error();
    return true;
  });
}

}  // namespace

Result<void> run_add(Context& context, const AddInput& input) {
  if (input.profile.empty()) return make_error("add: a profile name is required");
  Credentials key;
  if (input.from_env) {
    auto id = context.env().get("AWS_ACCESS_KEY_ID");
    auto secret = context.env().secret("AWS_SECRET_ACCESS_KEY");
    if (!id || !secret) {
      return make_error("add --env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set");
    }
    key.access_key_id = *id;
    key.secret_access_key = std::move(*secret);
    if (auto token = context.env().secret("AWS_SESSION_TOKEN")) {
      log_warning(
          "AWS_SESSION_TOKEN is set: storing temporary credentials, which stop working when they expire");
      key.session_token = std::move(*token);
    }
  } else {
    auto id = context.deps().prompt.ask_line("Enter Access Key ID: ");
    if (!id) return id.error();
    key.access_key_id = *id;
    auto secret = context.deps().prompt.ask_secret("Enter Secret Access Key: ");
    if (!secret) return secret.error();
    key.secret_access_key = std::move(*secret);
  }
  const bool add_config = input.add_config.value_or(context.settings().persona == Persona::aws_vault);
  std::optional<std::string> mfa_serial;
  if (add_config && !input.from_env && context.settings().persona == Persona::aws_vault) {
    auto files = context.files();
    if (!files) return files.error();
    if (!(*files)->config_section(input.profile)) {
      auto serial =
          context.deps().prompt.ask_line("Enter MFA Device ARN (If MFA is not enabled, leave this blank): ");
      if (!serial) return serial.error();
      if (!trim(*serial).empty()) mfa_serial = std::string(trim(*serial));
    }
  }
  key.access_key_id = std::string(trim(key.access_key_id));
  if (!looks_like_key_id(key.access_key_id)) {
    return make_error("add: '" + key.access_key_id + "' does not look like an access key id",
                      "it is 16 or more capital letters and digits, like AKIAIOSFODNN7EXAMPLE");
  }
  if (key.secret_access_key.empty()) return make_error("add: the secret access key is empty");

  // A mistyped or deleted key is found now, not at the first MFA prompt.
  std::optional<KeyIdentity> identity;
  if (input.verify) {
    auto profile = context.profile(input.profile);
    if (!profile) return profile.error();
    KeyCheck check = check_key(context, *profile, key);
    if (check.outcome == KeyCheck::Outcome::rejected) {
      return make_error("add: AWS rejected the key " + mask_key_id(key.access_key_id) + " (" +
                            check.error.message + "); nothing was stored",
                        "check that it was copied whole and is still active in IAM");
    }
    if (check.outcome == KeyCheck::Outcome::unreachable) {
      return make_error(
          "add: cannot check the key with AWS (" + check.error.message + "); nothing was stored",
          "--no-verify stores it without asking AWS");
    }
    identity = identity_of(check.identity);
  }

  auto store = context.keystore();
  if (!store) return store.error();
  if (auto stored = store_master_key(**store, input.profile, key, identity); !stored) return stored.error();
  // Sessions made from an older key of this profile are no longer wanted.
  if (auto dropped = remove_sessions_of(**store, input.profile); !dropped) return dropped.error();
  log_note("added credentials " + mask_key_id(key.access_key_id) + " to profile '" + input.profile +
           "' in the " + (*store)->name() + " store" + (identity ? " (" + identity->arn + ")" : ""));
  if (add_config) {
    if (auto added = add_config_section(context, input.profile, mfa_serial); !added) return added.error();
  }
  return {};
}

}  // namespace kura
