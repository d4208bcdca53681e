// Checking long-term keys with AWS (keys.h).
#include "cli/keys.h"

#include <algorithm>

#include "aws/endpoints.h"
#include "cli/credentials.h"
#include "config/ini_file.h"
#include "creds/providers.h"
#include "crypto/sodium.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

// STS's answers that mean "this key is not (yet) valid", as opposed to no answer at all.
bool rejects_the_key(const Error& error) {
  for (const char* code : {"InvalidClientTokenId", "SignatureDoesNotMatch"}) {
    if (error.message.find(code) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

KeyCheck check_key(Context& context, const Profile& profile, const Credentials& key,
                   std::chrono::milliseconds patience) {
  KeyCheck check;
  auto sts = context.sts(profile, resolve_region(std::nullopt, profile, context.env()));
  if (!sts) {
    check.error = sts.error();
    return check;
  }
  Clock& clock = context.deps().clock;
  const TimePoint deadline = clock.now() + patience;
  std::chrono::milliseconds pause(500);
  while (true) {
    auto identity = (*sts)->get_caller_identity(key);
    if (identity) {
      check.outcome = KeyCheck::Outcome::accepted;
      check.identity = std::move(*identity);
      return check;
    }
    check.error = identity.error();
    if (!rejects_the_key(check.error)) return check;  // unreachable: no retry would tell more
    check.outcome = KeyCheck::Outcome::rejected;
    if (clock.now() + pause > deadline) return check;
    log_debug("the key is not accepted yet (" + check.error.message + "); asking again in " +
              format_duration(std::chrono::duration_cast<Seconds>(pause)));
    clock.sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(8));
  }
}

KeyIdentity identity_of(const CallerIdentity& identity) {
  return KeyIdentity{identity.account, identity.arn};
}

bool holds_long_term_key(const IniSection& section) {
  auto has = [&](const char* key) {
    auto it = section.values.find(key);
    return it != section.values.end() && !it->second.empty();
  };
  return has("aws_access_key_id") && has("aws_secret_access_key") && !has("aws_session_token") &&
         !has("aws_security_token");
}

std::string KeyHome::describe() const {
  return kind == Kind::store ? "the stored key of '" + name + "'" : "[" + name + "] in the credentials file";
}

Result<KeyHome> find_key_home(Context& context, const std::string& profile) {
  auto store = context.keystore();
  if (!store) return store.error();
  auto files = context.files();
  if (!files) return files.error();
  auto stored = [&](const std::string& name) -> Result<std::optional<KeyHome>> {
    auto key = load_master_key(**store, name);
    if (!key) return key.error();
    if (!*key) return std::optional<KeyHome>();
    return std::optional<KeyHome>(KeyHome{KeyHome::Kind::store, name, std::move(**key)});
  };
  auto in_file = [&](const std::string& section_name) -> std::optional<KeyHome> {
    const IniSection* section = (*files)->credentials_section(section_name);
    if (!section || !holds_long_term_key(*section)) return std::nullopt;
    Credentials key;
    key.access_key_id = std::string(trim(section->values.at("aws_access_key_id")));
    key.secret_access_key = Secret(std::string(trim(section->values.at("aws_secret_access_key"))));
    return KeyHome{KeyHome::Kind::file, section_name, std::move(key)};
  };
  auto own = stored(profile);
  if (!own) return own.error();
  if (*own) return std::move(**own);
  if (auto home = in_file(profile + "-long-term")) return std::move(*home);
  if (auto home = in_file(profile)) return std::move(*home);
  auto setup = stored(profile + "-long-term");
  if (!setup) return setup.error();
  if (*setup) return std::move(**setup);
  return make_error(
      "profile '" + profile + "' has no long-term key (stored, or in " + (*files)->credentials_path + ")",
      "`kura list` shows which profiles have one");
}

Result<void> put_key(Context& context, const KeyHome& home, const Credentials& key,
                     const std::optional<KeyIdentity>& identity) {
  if (home.kind == KeyHome::Kind::store) {
    auto store = context.keystore();
    if (!store) return store.error();
    if (auto stored = store_master_key(**store, home.name, key, identity); !stored) return stored.error();
    auto back = master_key_reads_back(**store, home.name, key);
    if (!back) return back.error();
    if (!*back) return make_error("the key stored for '" + home.name + "' does not read back");
    return {};
  }
  auto files = context.files();
  if (!files) return files.error();
  const std::string path = (*files)->credentials_path;
  auto edited = edit_aws_file(path, AwsFile::credentials, [&](IniDocument& doc) -> Result<bool> {
    if (auto set = doc.set(home.name, "aws_access_key_id", key.access_key_id); !set) return set.error();
    std::string secret(key.secret_access_key.view());
    auto set = doc.set(home.name, "aws_secret_access_key", secret);
    wipe_string(secret);
    if (!set) return set.error();
    return true;
  });
  if (!edited) return edited.error();
  // Read back from the file as written.
  auto reread = ConfigFiles::load(context.env());
  if (!reread) return reread.error();
  const IniSection* section = reread->credentials_section(home.name);
  if (!section || section->values.count("aws_access_key_id") == 0 ||
      trim(section->values.at("aws_access_key_id")) != key.access_key_id ||
      !constant_time_equals(trim(section->values.at("aws_secret_access_key")),
                            key.secret_access_key.view())) {
    return make_error("[" + home.name + "] in " + path + " does not read back as the key written");
  }
  return {};
}

Result<Credentials> iam_caller(Context& context, const Profile& profile, const KeyHome& home,
                               const IamCallerFlags& flags) {
  if (!profile.mfa_serial || flags.no_session) return home.key.clone();
  CredentialFlags credential_flags;
  credential_flags.profile = profile.name;
  credential_flags.mfa_token = flags.mfa_token;
  auto options = provider_options(context, credential_flags, profile);
  if (!options) return options.error();
  MfaCodes codes(flags.mfa_token, with_terminal_fallback(options->mfa_driver, context.deps().prompt));
  auto code = codes.code_for(*profile.mfa_serial);
  if (!code) return code.error();
  auto sts = context.sts(profile, resolve_region(std::nullopt, profile, context.env()));
  if (!sts) return sts.error();
  GetSessionTokenInput input;
  input.duration = Seconds(900);  // enough for the IAM calls; never cached
  input.mfa = MfaInput{*profile.mfa_serial, *code};
  return (*sts)->get_session_token(home.key, input);
}

Result<std::unique_ptr<IamAccess>> IamAccess::open(Context& context, const Profile& profile) {
  auto files = context.files();
  if (!files) return files.error();
  const std::string region = resolve_region(std::nullopt, profile, context.env());
  auto endpoint = resolve_iam_endpoint(region, profile, *files, context.env());
  if (!endpoint) return endpoint.error();
  return std::unique_ptr<IamAccess>(
      new IamAccess(context.new_transport(profile), context.deps().clock, std::move(*endpoint)));
}

}  // namespace kura
