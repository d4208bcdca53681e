// IAM Identity Center sign-in: the access token shared with the AWS CLI and SDKs through
// ~/.aws/sso/cache/<sha1>.json, kept valid by refreshing it without a browser, and a new sign-in
// (authorization code with PKCE, or the device code) only when refreshing cannot work. One process at a time
// does either for a session (a lock per session, the file read again once held), so N callers cause one
// browser tab and one token call; the others wait and read what it wrote.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/sso.h"
#include "aws/sso_client.h"
#include "creds/cached_provider.h"
#include "creds/providers.h"
#include "util/env.h"

namespace kura {

// The redirect of an authorization code sign-in, as the browser delivers it (a loopback listener).
class AuthorizationCallback {
 public:
  virtual ~AuthorizationCallback() = default;
  virtual std::string redirect_uri() const = 0;  // http://127.0.0.1:PORT/oauth/callback
  virtual Result<Secret> wait(std::chrono::milliseconds timeout) = 0;
};

// What a sign-in needs from outside creds/: a browser (or the URL printed) and the listener.
class SsoSignInUi {
 public:
  virtual ~SsoSignInUi() = default;
  // Opens the URL in the browser, or prints it (--no-browser); with `user_code` for the device flow, which
  // is shown either way so the user can compare it with the page.
  virtual Result<void> show(const std::string& url, const std::optional<std::string>& user_code) = 0;
  virtual Result<std::unique_ptr<AuthorizationCallback>> listen(const Secret& state) = 0;
};

enum class SsoSignInFlow { authorization_code, device_code };

struct SsoTokenOptions {
  SsoSignInFlow flow = SsoSignInFlow::authorization_code;
  // Whether a missing or unrefreshable token starts a sign-in; false: an error saying to run `kura sso
  // login`.
  bool may_sign_in = true;
  std::chrono::milliseconds sign_in_timeout{std::chrono::minutes(5)};
  // A token with less than this left is refreshed first (botocore: 15 minutes).
  Seconds refresh_window{15 * 60};
};

// A transport of its own for each call site, so threads (bulk commands) never share one.
using TransportFactory = std::function<std::unique_ptr<HttpTransport>()>;

// Safe to share between threads: one sign-in or refresh at a time.
class SsoTokenSource {
 public:
  // `ui` may be null when no sign-in can happen (may_sign_in false).
  SsoTokenSource(SsoSessionConfig session, SsoEndpoints endpoints, TransportFactory transports, Clock& clock,
                 const Environment& env, SessionLocks* locks, SsoSignInUi* ui, SsoTokenOptions options);

  // A valid access token: the cached one, else refreshed, else (when allowed) a new sign-in.
  Result<Secret> access_token();
  // The cached token is refused by the portal (signed out elsewhere): forget it, so the next access_token()
  // refreshes or signs in again.
  void rejected(const Secret& access_token);
  // Whether the cache holds a token that still works (not expired, not refused by the portal): callers get
  // one without a sign-in.
  bool holds_token();
  // A new sign-in whatever the cache holds (`kura sso login`); the token written to the cache.
  Result<SsoToken> sign_in();
  // Logout at the portal (when there is a token) and the cache file removed; true if there was one.
  Result<bool> sign_out();

  const std::string& cache_path() const { return m_cache_path; }
  const SsoEndpoints& endpoints() const { return m_endpoints; }
  std::unique_ptr<HttpTransport> new_transport() const { return m_transports(); }

 private:
  // The session's lock across processes (sso-<sha1> beside the session locks); nothing without locks.
  Result<std::optional<FileLock>> lock_session() const;
  Result<Secret> access_token_locked();
  Result<std::optional<SsoToken>> read_cache() const;
  Result<void> write_cache(const SsoToken& token) const;
  bool refused(const SsoToken& token) const;
  bool fresh(const SsoToken& token) const;   // outside the refresh window
  bool usable(const SsoToken& token) const;  // not yet expired (by a minute's margin)
  Result<std::optional<SsoToken>> refresh(HttpTransport& transport, const SsoToken& token);
  Result<SsoToken> sign_in_locked();
  Result<SsoClientRegistration> registration(SsoOidcClient& oidc, bool for_redirect);
  Result<SsoTokenGrant> authorization_code(SsoOidcClient& oidc, const SsoClientRegistration& client);
  Result<SsoTokenGrant> device_code(SsoOidcClient& oidc, const SsoClientRegistration& client);

  SsoSessionConfig m_session;
  SsoEndpoints m_endpoints;
  TransportFactory m_transports;
  Clock& m_clock;
  SessionLocks* m_locks;
  SsoSignInUi* m_ui;
  SsoTokenOptions m_options;
  std::string m_cache_path;
  std::mutex m_mutex;
  std::string m_refused_digest;  // sha256 of the token the portal refused: not used again
};

// The token source of a session, made on first use: a cache hit of the role credentials needs none.
using SsoTokenAccess = std::function<Result<std::shared_ptr<SsoTokenSource>>()>;

// GetRoleCredentials with the session's access token; a token the portal refuses is dropped and fetched
// once more (refresh or sign-in).
class SsoRoleProvider final : public CredentialProvider {
 public:
  SsoRoleProvider(SsoTokenAccess tokens, std::string profile, std::string account_id, std::string role_name)
      : m_tokens(std::move(tokens)),
        m_profile(std::move(profile)),
        m_account_id(std::move(account_id)),
        m_role_name(std::move(role_name)) {}
  Result<ObtainedCredentials> retrieve() override;
  std::string describe() const override { return "SSO " + m_role_name + " in " + m_account_id; }

 private:
  SsoTokenAccess m_tokens;
  std::string m_profile;
  std::string m_account_id;
  std::string m_role_name;
};

// The OAuth 2.0 PKCE pieces (RFC 7636): a 43-character verifier from 32 random bytes, its S256 challenge,
// both base64url without padding.
Secret make_code_verifier();
std::string code_challenge(const Secret& verifier);
std::string base64url(std::string_view bytes);

}  // namespace kura
