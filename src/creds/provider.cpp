// Runs a plan from the newest usable cached session forward.
#include "creds/provider.h"

#include "creds/store_items.h"
#include "util/log.h"

namespace kura {

const IniSection* plaintext_key_section(const ConfigFiles& files, const std::string& profile) {
  for (const IniSection* section : {files.credentials_section(profile), files.config_section(profile)}) {
    if (!section) continue;
    auto id = section->values.find("aws_access_key_id");
    if (id != section->values.end() && !id->second.empty() &&
        section->values.count("aws_secret_access_key")) {
      return section;
    }
  }
  return nullptr;
}

Result<std::optional<Credentials>> find_long_term_key(Keystore& keystore, const ConfigFiles& files,
                                                      const std::string& profile) {
  auto stored = load_master_key(keystore, profile);
  if (!stored || *stored) return stored;
  if (const IniSection* section = plaintext_key_section(files, profile)) {
    auto id = section->values.find("aws_access_key_id");
    auto secret = section->values.find("aws_secret_access_key");
    Credentials key;
    key.access_key_id = id->second;
    key.secret_access_key = Secret(std::string_view(secret->second));
    if (auto token = section->values.find("aws_session_token"); token != section->values.end()) {
      key.session_token = Secret(std::string_view(token->second));
    }
    log_debug("profile '" + profile + "': using the plaintext key " + mask_key_id(key.access_key_id) +
              " from the credentials file");
    return std::optional<Credentials>(std::move(key));
  }
  return std::optional<Credentials>();
}

bool session_usable(const CachedSession& session, const Step& step, TimePoint now, Seconds refresh_window) {
  if (!session.credentials.expiration) return false;
  if (*session.credentials.expiration - refresh_window <= now) return false;
  if (step.duration_requested && session.duration < step.duration) return false;
  return true;
}

namespace {

Result<Credentials> run_step(const Step& step, const Credentials& caller, StsClient& sts, Prompt& prompt,
                             std::optional<std::string>& mfa_token, const ProviderOptions& options,
                             const Clock& clock) {
  std::optional<MfaInput> mfa;
  if (step.mfa_serial) {
    std::string code;
    if (mfa_token) {
      code = *mfa_token;
      mfa_token.reset();  // a code is accepted once; a second device must be asked for
      if (!is_mfa_code(code)) return make_error("--mfa-token: an MFA code is six digits");
    } else {
      auto asked =
          options.mfa_code ? options.mfa_code(*step.mfa_serial) : ask_mfa_code(prompt, *step.mfa_serial);
      if (!asked) return asked.error();
      code = *asked;
    }
    mfa = MfaInput{*step.mfa_serial, code};
  }
  if (step.kind == StepKind::get_session_token) {
    return sts.get_session_token(caller, GetSessionTokenInput{step.duration, mfa});
  }
  AssumeRoleInput input;
  input.role_arn = step.role_arn;
  input.session_name = step.session_name.value_or(
      "kura-" + std::to_string(std::chrono::duration_cast<Seconds>(clock.now().time_since_epoch()).count()));
  input.external_id = step.external_id;
  input.duration = step.duration;
  input.mfa = mfa;
  input.tags = step.tags;
  input.transitive_tag_keys = step.transitive_tag_keys;
  input.source_identity = step.source_identity;
  return sts.assume_role(caller, input);
}

}  // namespace

namespace {

// The part of a cache id that names the base key, known without touching the keystore: a plaintext key's id
// (editing the file renews), else "stored" (`kura add`/`remove` drop sessions made from a stored key).
std::string key_identity(const ConfigFiles& files, const std::string& profile) {
  const IniSection* section = plaintext_key_section(files, profile);
  return section ? section->values.at("aws_access_key_id") : "stored";
}

}  // namespace

// A cache hit reads only the session store: whether the long-term key exists, and the key itself, are looked
// up on a miss. With pass or a Secret Service holding keys, that saves a gpg decryption or a D-Bus round trip
// on every credential_process call.
Result<ObtainedCredentials> obtain_credentials(const Profile& profile, ProviderDeps& deps,
                                               const ProviderOptions& options) {
  auto identity = [&](const std::string& name) { return key_identity(deps.files, name); };
  auto plan = make_plan(
      profile, options.plan, [](const std::string&) { return true; }, identity);
  if (!plan) return plan.error();

  auto load_base_key = [&]() -> Result<Credentials> {
    auto key = find_long_term_key(deps.keystore, deps.files, plan->base_profile);
    if (!key) return key.error();
    if (*key) return std::move(**key);
    // No key: let the resolver say so, naming the profile and how to add one.
    auto explained = make_plan(
        profile, options.plan, [&](const std::string& name) { return name != plan->base_profile; }, identity);
    if (!explained) return explained.error();
    return make_error("no credentials for profile '" + plan->base_profile + "'");
  };
  if (plan->steps.empty()) {
    auto key = load_base_key();
    if (!key) return key.error();
    return ObtainedCredentials{std::move(*key), Origin::long_term_key};
  }

  // Find the newest step whose session is cached and usable; start after it.
  const TimePoint now = deps.clock.now();
  size_t start = 0;
  std::optional<Credentials> current;
  for (size_t i = plan->steps.size(); i-- > 0;) {
    auto cached = load_session(deps.keystore, plan->steps[i].cache_id);
    if (!cached) return cached.error();
    if (*cached && session_usable(**cached, plan->steps[i], now, options.refresh_window)) {
      log_debug(
          "cache: reusing " + plan->steps[i].describe() + " for '" + (*cached)->profile + "', " +
          format_duration(std::chrono::duration_cast<Seconds>(*(*cached)->credentials.expiration - now)) +
          " left");
      current = std::move((*cached)->credentials);
      start = i + 1;
      break;
    }
  }
  if (start == plan->steps.size()) return ObtainedCredentials{std::move(*current), Origin::cache};
  if (!current) {
    auto key = load_base_key();
    if (!key) return key.error();
    current = std::move(*key);
  }

  auto sts = deps.sts();
  if (!sts) return sts.error();
  std::optional<std::string> mfa_token = options.mfa_token;
  // One refresh per session across processes: each step is refreshed under its own lock, one lock held at a
  // time (so chains sharing a step cannot deadlock), and re-read after the wait in case another process made
  // it.
  for (size_t i = start; i < plan->steps.size(); ++i) {
    const Step& step = plan->steps[i];
    std::optional<FileLock> lock;
    if (deps.lock_session) {
      auto locked = deps.lock_session(step.cache_id);
      if (!locked) return locked.error();
      lock = std::move(*locked);
      auto cached = load_session(deps.keystore, step.cache_id);
      if (!cached) return cached.error();
      if (*cached && session_usable(**cached, step, deps.clock.now(), options.refresh_window)) {
        log_debug("cache: " + step.describe() + " was refreshed by another kura process");
        current = std::move((*cached)->credentials);
        continue;
      }
    }
    auto next = run_step(step, *current, **sts, deps.prompt, mfa_token, options, deps.clock);
    if (!next) return std::move(next).error().context("profile '" + step.profile + "'");
    CachedSession session{step.profile,  plan->base_profile, step.describe(),
                          next->clone(), step.duration,      deps.clock.now()};
    if (auto stored = store_session(deps.keystore, step.cache_id, session); !stored) {
      log_warning("cannot cache the session: " + stored.error().message);
    }
    current = std::move(*next);
  }
  return ObtainedCredentials{std::move(*current), Origin::sts};
}

}  // namespace kura
