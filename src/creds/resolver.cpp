// Composing the chain from the plan.
#include "creds/resolver.h"

#include "aws/sso.h"
#include "creds/store_items.h"

namespace kura {

namespace {

// The part of a cache id that names the base key, known without touching the keystore: a plaintext key's id
// (editing the file renews), else "stored" (`kura add`/`remove` drop the sessions made from a stored key).
std::string key_identity(const ConfigFiles& files, const std::string& profile) {
  const IniSection* section = plaintext_key_section(files, profile);
  return section ? section->values.at("aws_access_key_id") : "stored";
}

AssumeRoleInput role_input(const Step& step) {
  AssumeRoleInput input;
  input.role_arn = step.role_arn;
  input.session_name = step.session_name.value_or("");  // empty: kura-<unix time> when called
  input.external_id = step.external_id;
  input.duration = step.duration;
  input.tags = step.tags;
  input.transitive_tag_keys = step.transitive_tag_keys;
  input.source_identity = step.source_identity;
  return input;
}

}  // namespace

Result<Plan> plan_for(const Profile& profile, const ConfigFiles& files, const PlanOptions& options,
                      Keystore* store) {
  std::function<bool(const std::string&)> stored_key;
  if (store) {
    stored_key = [store](const std::string& name) {
      auto key = load_master_key(*store, name);
      return key && *key;  // a keystore that cannot be read: the credential_process
    };
  }
  return make_plan(
      profile, options, [](const std::string&) { return true; },
      [&](const std::string& name) { return key_identity(files, name); },
      [&](const Profile& base) { return sso_config_of(base, files); }, stored_key);
}

Result<CredentialChain> resolve_chain(const Profile& profile, ProviderDeps& deps,
                                      const ProviderOptions& options) {
  auto plan = plan_for(profile, deps.files, options.plan, &deps.keystore);
  if (!plan) return plan.error();
  // A window as long as the session would make every cached session due at once: each use would call STS (and
  // ask for an MFA code) again. Refused before anything is spent.
  for (const Step& step : plan->steps) {
    // An SSO role's or a credential_process's lifetime is not kura's to ask for.
    if (step.kind == StepKind::sso_role || step.kind == StepKind::credential_process) continue;
    if (options.refresh_window >= step.duration) {
      return make_error("KURA_SESSION_REFRESH (" + format_duration(options.refresh_window) +
                            ") must be shorter than the session it renews (" + step.describe() + " for '" +
                            step.profile + "', " + format_duration(step.duration) + ")",
                        "unset it (default 5m) or set it to a few minutes");
    }
  }

  CredentialChain chain;
  chain.base_profile = plan->base_profile;
  chain.mfa =
      std::make_unique<MfaCodes>(options.mfa_token, with_terminal_fallback(options.mfa_driver, deps.prompt));
  std::unique_ptr<CredentialProvider> provider;
  if (plan->long_term_key) {
    provider =
        std::make_unique<LongTermKeyProvider>(deps.keystore, deps.files, plan->base_profile, profile.name);
  }
  const bool signs_in = !plan->steps.empty() && plan->steps.front().kind == StepKind::sso_role;
  SessionLocks* locks = signs_in && deps.sign_in_locks ? deps.sign_in_locks : deps.locks;
  for (const Step& step : plan->steps) {
    switch (step.kind) {
      case StepKind::get_session_token:
        provider = std::make_unique<SessionTokenProvider>(std::move(provider), deps.sts, *chain.mfa,
                                                          step.profile, step.mfa_serial, step.duration);
        break;
      case StepKind::assume_role:
        provider =
            std::make_unique<AssumeRoleProvider>(std::move(provider), deps.sts, *chain.mfa, step.profile,
                                                 role_input(step), step.mfa_serial, deps.clock);
        break;
      case StepKind::sso_role: {
        if (!deps.sso_tokens)
          return make_error("profile '" + step.profile + "' uses SSO, which is not set up here");
        auto factory = deps.sso_tokens;
        SsoProfileConfig sso = *step.sso;
        std::string name = step.profile;
        provider = std::make_unique<SsoRoleProvider>([factory, sso, name] { return factory(sso, name); },
                                                     step.profile, step.sso->account_id, step.sso->role_name);
        break;
      }
      case StepKind::web_identity:
        provider = std::make_unique<WebIdentityProvider>(
            deps.sts, step.profile,
            WebIdentitySource{step.web_identity_token_file, step.web_identity_token_process},
            role_input(step), deps.run_command, deps.clock);
        break;
      case StepKind::credential_process:
        provider = std::make_unique<ProcessCredentialsProvider>(step.profile, step.credential_process,
                                                                deps.run_command, deps.clock);
        break;
    }
    SessionKey key{step.cache_id,   step.profile,  plan->base_profile,
                   step.describe(), step.duration, step.duration_requested};
    provider = std::make_unique<CachedProvider>(std::move(provider), deps.keystore, std::move(key),
                                                options.refresh_window, deps.clock, locks);
  }
  chain.head = std::move(provider);
  return chain;
}

Result<ObtainedCredentials> obtain_credentials(const Profile& profile, ProviderDeps& deps,
                                               const ProviderOptions& options) {
  auto chain = resolve_chain(profile, deps, options);
  if (!chain) return chain.error();
  return chain->head->retrieve();
}

}  // namespace kura
