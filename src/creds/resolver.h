// The resolver: a profile becomes a chain of providers — its long-term key, then GetSessionToken and/or
// AssumeRole steps (plan.h decides which, as a pure function), each wrapped in the caching decorator. Running
// the chain gives the credentials; docs/SESSIONS.md shows the chains.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "creds/cached_provider.h"
#include "creds/external_providers.h"
#include "creds/plan.h"
#include "creds/providers.h"
#include "creds/sso_token.h"
#include "prompt/prompt.h"

namespace kura {

struct ProviderDeps {
  Keystore& keystore;
  Prompt& prompt;  // the terminal, when no other MFA code source is given
  const Clock& clock;
  const ConfigFiles& files;
  StsAccess sts;
  SessionLocks* locks = nullptr;  // none: no cross-process locking (unit tests)
  // The token source of an SSO session, for the profile that names it (its services section may set the
  // endpoints); called only when role credentials are not cached.
  std::function<Result<std::shared_ptr<SsoTokenSource>>(const SsoProfileConfig&, const std::string& profile)>
      sso_tokens = {};
  CommandOutput run_command = {};  // credential_process, web_identity_token_process
  // The locks of a chain that starts with SSO, whose waiters may wait for another process's browser sign-in
  // (longer than for an MFA prompt); none: `locks`.
  SessionLocks* sign_in_locks = nullptr;
};

struct ProviderOptions {
  PlanOptions plan;
  std::optional<std::string> mfa_token;  // --mfa-token: the first code
  MfaDriver mfa_driver;         // the configured driver; no source: ask on the terminal (deps.prompt)
  Seconds refresh_window{300};  // KURA_SESSION_REFRESH
};

// A resolved chain; owns what its providers refer to.
struct CredentialChain {
  std::unique_ptr<MfaCodes> mfa;
  std::unique_ptr<CredentialProvider> head;
  std::string base_profile;
};

// The plan resolve_chain runs for a profile, with the cache ids it uses (bulk commands group profiles by the
// MFA session they share). `store`: where a key kept for a profile with a credential_process is looked for
// (it comes first); none: the credential_process is used.
Result<Plan> plan_for(const Profile& profile, const ConfigFiles& files, const PlanOptions& options,
                      Keystore* store = nullptr);

Result<CredentialChain> resolve_chain(const Profile& profile, ProviderDeps& deps,
                                      const ProviderOptions& options);

// resolve_chain, then retrieve.
Result<ObtainedCredentials> obtain_credentials(const Profile& profile, ProviderDeps& deps,
                                               const ProviderOptions& options);

}  // namespace kura
