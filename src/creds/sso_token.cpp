// The SSO access token: cache, refresh, sign-in, single flight (sso_token.h).
#include "creds/sso_token.h"

#include "crypto/hash.h"
#include "crypto/sodium.h"
#include "util/flat_json.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr const char* k_redirect_uri = "http://127.0.0.1/oauth/callback";  // any port matches (RFC 8252)
constexpr Seconds k_last_minute{60};  // a token this close to expiry is not used even when refreshing fails

std::string flow_name(SsoSignInFlow flow) {
  return flow == SsoSignInFlow::authorization_code ? "authorization_code" : "device_code";
}

}  // namespace

Secret make_code_verifier() {
  Secret bytes(random_bytes(32));
  return Secret(base64url(bytes.view()));
}

std::string code_challenge(const Secret& verifier) {
  return base64url(sha256(verifier.view()));
}

std::string base64url(std::string_view bytes) {
  std::string text = base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

SsoTokenSource::SsoTokenSource(SsoSessionConfig session, SsoEndpoints endpoints, TransportFactory transports,
                               Clock& clock, const Environment& env, SessionLocks* locks, SsoSignInUi* ui,
                               SsoTokenOptions options)
    : m_session(std::move(session)),
      m_endpoints(std::move(endpoints)),
      m_transports(std::move(transports)),
      m_clock(clock),
      m_locks(locks),
      m_ui(ui),
      m_options(options),
      m_cache_path(sso_cache_path(env, m_session)) {}

Result<std::optional<SsoToken>> SsoTokenSource::read_cache() const {
  auto contents = read_file(m_cache_path);
  if (!contents) return contents.error();
  if (!*contents) return std::optional<SsoToken>();
  Secret text(std::move(**contents));
  auto token = parse_sso_token(text.view(), m_cache_path);
  if (!token) {
    // Another program's file, unreadable to us: a sign-in replaces it, as the AWS CLI's would.
    log_debug(token.error().message);
    return std::optional<SsoToken>();
  }
  // A file for another start URL under the same name (a session renamed in the config) is not ours.
  if (token->start_url != m_session.start_url) return std::optional<SsoToken>();
  return std::optional<SsoToken>(std::move(*token));
}

Result<void> SsoTokenSource::write_cache(const SsoToken& token) const {
  if (auto made = make_directories(parent_directory(m_cache_path), 0700); !made) return made.error();
  Secret text = render_sso_token(token);
  return write_file_atomic(m_cache_path, text.view(), 0600);
}

bool SsoTokenSource::refused(const SsoToken& token) const {
  return !m_refused_digest.empty() && sha256_hex(token.access_token.view()) == m_refused_digest;
}

bool SsoTokenSource::fresh(const SsoToken& token) const {
  return !refused(token) && token.expires_at - m_options.refresh_window > m_clock.now();
}

bool SsoTokenSource::usable(const SsoToken& token) const {
  return !refused(token) && token.expires_at - k_last_minute > m_clock.now();
}

bool SsoTokenSource::holds_token() {
  std::lock_guard<std::mutex> hold(m_mutex);
  auto cached = read_cache();
  return cached && *cached && usable(**cached);
}

void SsoTokenSource::rejected(const Secret& access_token) {
  std::lock_guard<std::mutex> hold(m_mutex);
  m_refused_digest = sha256_hex(access_token.view());
}

Result<std::optional<FileLock>> SsoTokenSource::lock_session() const {
  if (!m_locks) return std::optional<FileLock>();
  auto locked = m_locks->lock("sso-" + sha1_hex(m_session.cache_key()));
  if (!locked) return locked.error();
  return std::optional<FileLock>(std::move(*locked));
}

Result<Secret> SsoTokenSource::access_token() {
  std::lock_guard<std::mutex> hold(m_mutex);
  return access_token_locked();
}

Result<Secret> SsoTokenSource::access_token_locked() {
  auto cached = read_cache();
  if (!cached) return cached.error();
  if (*cached && fresh(**cached)) return (*cached)->access_token.clone();

  auto lock = lock_session();
  if (!lock) return lock.error();
  if (*lock) {
    cached = read_cache();  // another process may have refreshed or signed in meanwhile
    if (!cached) return cached.error();
    if (*cached && fresh(**cached)) return (*cached)->access_token.clone();
  }
  if (*cached) {
    auto transport = m_transports();
    auto refreshed = refresh(*transport, **cached);
    if (refreshed && *refreshed) return (*refreshed)->access_token.clone();
    if (!refreshed) {
      // The OIDC endpoint did not answer: the token still works for a while, so use it.
      if (usable(**cached)) {
        log_warning("cannot refresh the SSO token for " + m_session.start_url + " (" +
                    refreshed.error().message + "); using the current one");
        return (*cached)->access_token.clone();
      }
      log_debug("cannot refresh the SSO token: " + refreshed.error().message);
    }
  }
  if (!m_options.may_sign_in || !m_ui) {
    const std::string which =
        m_session.name.empty() ? m_session.start_url : "sso-session '" + m_session.name + "'";
    return make_error("the SSO sign-in for " + which + " has expired or is missing",
                      m_session.name.empty() ? "run `kura sso login PROFILE`"
                                             : "run `kura sso login --sso-session " + m_session.name + "`");
  }
  auto token = sign_in_locked();
  if (!token) return token.error();
  return std::move(token->access_token);
}

Result<std::optional<SsoToken>> SsoTokenSource::refresh(HttpTransport& transport, const SsoToken& token) {
  const TimePoint now = m_clock.now();
  if (token.refresh_token.empty() || token.client_id.empty() || token.client_secret.empty()) {
    return std::optional<SsoToken>();
  }
  if (token.registration_expires_at && *token.registration_expires_at <= now)
    return std::optional<SsoToken>();
  SsoOidcClient oidc(transport, m_clock, m_endpoints.oidc);
  CreateTokenInput input;
  input.grant = CreateTokenInput::Grant::refresh_token;
  input.client_id = token.client_id;
  input.client_secret = &token.client_secret;
  input.refresh_token = &token.refresh_token;
  auto answer = oidc.create_token(input);
  if (auto* failed = std::get_if<SsoError>(&answer)) {
    if (failed->kind == SsoErrorKind::other) return failed->error;
    log_debug("the SSO refresh token was refused (" + failed->error.message + "); signing in again");
    return std::optional<SsoToken>();
  }
  auto& grant = std::get<SsoTokenGrant>(answer);
  SsoToken fresh_token;
  fresh_token.start_url = token.start_url;
  fresh_token.region = token.region;
  fresh_token.access_token = std::move(grant.access_token);
  fresh_token.expires_at = m_clock.now() + grant.expires_in;
  fresh_token.client_id = token.client_id;
  fresh_token.client_secret = token.client_secret.clone();
  fresh_token.registration_expires_at = token.registration_expires_at;
  fresh_token.refresh_token =
      grant.refresh_token.empty() ? token.refresh_token.clone() : std::move(grant.refresh_token);
  if (auto written = write_cache(fresh_token); !written) return written.error();
  log_debug("refreshed the SSO token for " + m_session.start_url);
  return std::optional<SsoToken>(std::move(fresh_token));
}

Result<SsoToken> SsoTokenSource::sign_in() {
  std::lock_guard<std::mutex> hold(m_mutex);
  auto lock = lock_session();
  if (!lock) return lock.error();
  return sign_in_locked();
}

Result<SsoToken> SsoTokenSource::sign_in_locked() {
  if (!m_ui) return make_error("signing in to IAM Identity Center needs a browser or a terminal");
  auto transport = m_transports();
  SsoOidcClient oidc(*transport, m_clock, m_endpoints.oidc);
  const bool redirect = m_options.flow == SsoSignInFlow::authorization_code;
  auto client = registration(oidc, redirect);
  if (!client) return client.error();
  auto grant = redirect ? authorization_code(oidc, *client) : device_code(oidc, *client);
  if (!grant) return grant.error();
  SsoToken token;
  token.start_url = m_session.start_url;
  token.region = m_session.region;
  token.access_token = std::move(grant->access_token);
  token.expires_at = m_clock.now() + grant->expires_in;
  token.client_id = client->client_id;
  token.client_secret = client->client_secret.clone();
  token.registration_expires_at = client->expires_at;
  token.refresh_token = std::move(grant->refresh_token);
  if (auto written = write_cache(token); !written) return written.error();
  log_note("signed in to " + m_session.start_url);
  return token;
}

// The client registration, kept beside the AWS CLI's cache (kura-client-<sha1>.json, 0600) and reused until
// it expires: one per start URL, region, scopes and flow (a device-code client has no redirect URI).
Result<SsoClientRegistration> SsoTokenSource::registration(SsoOidcClient& oidc, bool for_redirect) {
  const std::string key = m_session.start_url + "\x1f" + m_session.region + "\x1f" +
                          join(m_session.scopes, " ") + "\x1f" + flow_name(m_options.flow);
  const std::string path = parent_directory(m_cache_path) + "/kura-client-" + sha1_hex(key) + ".json";
  const TimePoint now = m_clock.now();
  if (auto contents = read_file(path); contents && *contents) {
    Secret text(std::move(**contents));
    if (auto json = FlatJson::parse(text.view())) {
      const Secret* id = json->string("clientId");
      const Secret* secret = json->string("clientSecret");
      auto expires = json->integer("expiresAt");
      if (id && secret && expires && !id->empty() && !secret->empty()) {
        SsoClientRegistration cached{std::string(id->view()), secret->clone(), TimePoint(Seconds(*expires))};
        // A day's margin: a registration must outlive the refresh token it issues.
        if (cached.expires_at - Seconds(24 * 3600) > now) return cached;
      }
    }
  }
  RegisterClientInput input;
  input.client_name = "kura-" + (m_session.name.empty() ? std::string("legacy") : m_session.name);
  input.scopes = m_session.scopes;
  input.issuer_url = m_session.start_url;
  if (for_redirect) {
    input.grant_types = {"authorization_code", "refresh_token"};
    input.redirect_uris = {k_redirect_uri};
  }
  auto client = oidc.register_client(input);
  if (!client) return client.error();
  Secret record = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("clientId", client->client_id);
    json.string("clientSecret", client->client_secret.view());
    json.number("expiresAt",
                std::chrono::duration_cast<Seconds>(client->expires_at.time_since_epoch()).count());
    json.close();
  });
  if (auto made = make_directories(parent_directory(path), 0700); !made) return made.error();
  if (auto written = write_file_atomic(path, record.view(), 0600); !written) {
    log_warning("cannot keep the SSO client registration: " + written.error().message);
  }
  return client;
}

Result<SsoTokenGrant> SsoTokenSource::authorization_code(SsoOidcClient& oidc,
                                                         const SsoClientRegistration& client) {
  Secret state(base64url(random_bytes(24)));
  Secret verifier = make_code_verifier();
  auto listener = m_ui->listen(state);
  if (!listener) return listener.error();
  const std::string redirect_uri = (*listener)->redirect_uri();
  const std::string url = oidc.authorize_url(client.client_id, redirect_uri, std::string(state.view()),
                                             code_challenge(verifier), m_session.scopes);
  if (auto shown = m_ui->show(url, std::nullopt); !shown) return shown.error();
  auto code = (*listener)->wait(m_options.sign_in_timeout);
  if (!code) return code.error();
  CreateTokenInput input;
  input.grant = CreateTokenInput::Grant::authorization_code;
  input.client_id = client.client_id;
  input.client_secret = &client.client_secret;
  input.code = &*code;
  input.redirect_uri = redirect_uri;
  input.code_verifier = &verifier;
  auto answer = oidc.create_token(input);
  if (auto* failed = std::get_if<SsoError>(&answer)) return failed->error;
  return std::move(std::get<SsoTokenGrant>(answer));
}

Result<SsoTokenGrant> SsoTokenSource::device_code(SsoOidcClient& oidc, const SsoClientRegistration& client) {
  auto device = oidc.start_device_authorization(client.client_id, client.client_secret, m_session.start_url);
  if (!device) return device.error();
  const std::string& url = device->verification_uri_complete.empty() ? device->verification_uri
                                                                     : device->verification_uri_complete;
  if (auto shown = m_ui->show(url, device->user_code); !shown) return shown.error();
  const auto limit = std::min<std::chrono::milliseconds>(device->expires_in, m_options.sign_in_timeout);
  const TimePoint deadline = m_clock.now() + limit;
  std::chrono::milliseconds interval = device->interval;
  CreateTokenInput input;
  input.grant = CreateTokenInput::Grant::device_code;
  input.client_id = client.client_id;
  input.client_secret = &client.client_secret;
  input.device_code = &device->device_code;
  while (true) {
    auto answer = oidc.create_token(input);
    if (auto* grant = std::get_if<SsoTokenGrant>(&answer)) return std::move(*grant);
    auto& failed = std::get<SsoError>(answer);
    if (failed.kind == SsoErrorKind::slow_down) {
      interval += Seconds(5);
    } else if (failed.kind != SsoErrorKind::authorization_pending) {
      return failed.error;
    }
    if (m_clock.now() + interval >= deadline) {
      return make_error("the device code " + device->user_code + " was not approved within " +
                            format_duration(std::chrono::duration_cast<Seconds>(limit)),
                        "run `kura sso login` again and approve the code in the browser");
    }
    m_clock.sleep_for(interval);
  }
}

Result<bool> SsoTokenSource::sign_out() {
  std::lock_guard<std::mutex> hold(m_mutex);
  auto cached = read_cache();
  if (!cached) return cached.error();
  if (!*cached) return false;
  auto transport = m_transports();
  SsoPortalClient portal(*transport, m_endpoints.portal);
  if (auto out = portal.logout((*cached)->access_token); !out) {
    log_warning("the portal did not confirm the sign-out (" + out.error().message +
                "); the cached token is removed anyway");
  }
  auto removed = remove_file(m_cache_path);
  if (!removed) return removed.error();
  return true;
}

Result<ObtainedCredentials> SsoRoleProvider::retrieve() {
  auto tokens = m_tokens();
  if (!tokens) return tokens.error().context("profile '" + m_profile + "'");
  SsoTokenSource& source = **tokens;
  auto transport = source.new_transport();
  SsoPortalClient portal(*transport, source.endpoints().portal);
  for (int attempt = 0;; ++attempt) {
    auto token = source.access_token();
    if (!token) return token.error();
    auto answer = portal.get_role_credentials(*token, m_account_id, m_role_name);
    if (auto* credentials = std::get_if<Credentials>(&answer)) {
      return ObtainedCredentials{std::move(*credentials), Origin::sts};
    }
    auto& failed = std::get<SsoError>(answer);
    if (failed.kind == SsoErrorKind::unauthorized && attempt == 0) {
      log_debug("the portal refused the SSO token; getting a new one");
      source.rejected(*token);
      continue;
    }
    return failed.error.context("profile '" + m_profile + "'");
  }
}

}  // namespace kura
