// IAM Identity Center's two APIs, as the AWS CLI calls them: OIDC (sso-oidc, rest-json, unsigned:
// RegisterClient, StartDeviceAuthorization, CreateToken) and the portal (sso, rest-json, the access token as
// a bearer header: GetRoleCredentials, ListAccounts, ListAccountRoles, Logout). Answers are untrusted bytes:
// tests/fuzz/fuzz_sso_responses.cpp covers their parsers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aws/credentials.h"
#include "aws/http.h"
#include "util/result.h"
#include "util/secret.h"
#include "util/time.h"

namespace kura {

// A registered OIDC client (RegisterClient).
struct SsoClientRegistration {
  std::string client_id;
  Secret client_secret;
  TimePoint expires_at{};  // clientSecretExpiresAt
};

struct RegisterClientInput {
  std::string client_name;                 // "kura-<host>-<unix time>" as botocore names its clients
  std::vector<std::string> scopes;         // sso_registration_scopes
  std::vector<std::string> grant_types;    // empty: the server's default (device code and refresh)
  std::vector<std::string> redirect_uris;  // for authorization_code: http://127.0.0.1/oauth/callback
  std::string issuer_url;                  // the start URL
};

// StartDeviceAuthorization's answer.
struct DeviceAuthorization {
  Secret device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;  // may be empty
  Seconds expires_in{600};
  Seconds interval{5};  // 5 when the answer gives none, as RFC 8628 says
};

// CreateToken's answer.
struct SsoTokenGrant {
  Secret access_token;
  Seconds expires_in{0};
  Secret refresh_token;  // empty when none was issued
};

// The three grants CreateToken takes.
struct CreateTokenInput {
  enum class Grant { device_code, authorization_code, refresh_token };
  Grant grant = Grant::device_code;
  std::string client_id;
  const Secret* client_secret = nullptr;
  const Secret* device_code = nullptr;    // device_code
  const Secret* code = nullptr;           // authorization_code
  std::string redirect_uri;               // authorization_code: the one sent to /authorize
  const Secret* code_verifier = nullptr;  // authorization_code (PKCE)
  const Secret* refresh_token = nullptr;  // refresh_token
};

// What an OIDC error means to a caller that polls or refreshes.
enum class SsoErrorKind {
  other,
  authorization_pending,  // device code not approved yet: poll again after the interval
  slow_down,              // poll again after the interval plus 5 seconds
  expired,                // the device code (or token) expired
  access_denied,          // the user said no
  invalid_grant,          // a refresh token (or code) that is spent, revoked or unknown: sign in again
  invalid_client,         // the registration is unknown or expired: register again
  unauthorized,           // the portal refused the access token (401): sign in again
};

struct SsoError {
  SsoErrorKind kind = SsoErrorKind::other;
  Error error;
};

template <typename T>
using SsoResult = std::variant<T, SsoError>;

struct SsoAccount {
  std::string account_id;
  std::string account_name;
  std::string email;
};

struct SsoAccountRole {
  std::string account_id;
  std::string role_name;
};

class SsoOidcClient {
 public:
  // `endpoint`: https://oidc.REGION.amazonaws.com or a configured one (no trailing slash needed).
  SsoOidcClient(HttpTransport& transport, const Clock& clock, std::string endpoint)
      : m_transport(transport), m_clock(clock), m_endpoint(std::move(endpoint)) {}

  Result<SsoClientRegistration> register_client(const RegisterClientInput& input);
  Result<DeviceAuthorization> start_device_authorization(const std::string& client_id,
                                                         const Secret& client_secret,
                                                         const std::string& start_url);
  // The kind says whether to poll again, register again or sign in again.
  SsoResult<SsoTokenGrant> create_token(const CreateTokenInput& input);
  // The authorize URL a browser opens for the authorization code grant (PKCE S256).
  std::string authorize_url(const std::string& client_id, const std::string& redirect_uri,
                            const std::string& state, const std::string& code_challenge,
                            const std::vector<std::string>& scopes) const;

 private:
  HttpTransport& m_transport;
  const Clock& m_clock;
  std::string m_endpoint;
};

class SsoPortalClient {
 public:
  // `endpoint`: https://portal.sso.REGION.amazonaws.com or a configured one.
  SsoPortalClient(HttpTransport& transport, std::string endpoint)
      : m_transport(transport), m_endpoint(std::move(endpoint)) {}

  // Credentials with their expiration; kind `unauthorized` when the access token is refused.
  SsoResult<Credentials> get_role_credentials(const Secret& access_token, const std::string& account_id,
                                              const std::string& role_name);
  // Every page, in the portal's order.
  SsoResult<std::vector<SsoAccount>> list_accounts(const Secret& access_token);
  SsoResult<std::vector<SsoAccountRole>> list_account_roles(const Secret& access_token,
                                                            const std::string& account_id);
  Result<void> logout(const Secret& access_token);

 private:
  HttpTransport& m_transport;
  std::string m_endpoint;
};

// Parsers, exposed for tests and the fuzz target. `status` is the HTTP status of the answer.
Result<SsoClientRegistration> parse_register_client(std::string_view json);
Result<DeviceAuthorization> parse_device_authorization(std::string_view json);
Result<SsoTokenGrant> parse_create_token(std::string_view json);
Result<Credentials> parse_role_credentials(std::string_view json);
// One page: the entries and the next token (empty on the last page).
Result<std::pair<std::vector<SsoAccount>, std::string>> parse_account_page(std::string_view json);
Result<std::pair<std::vector<SsoAccountRole>, std::string>> parse_role_page(std::string_view json);
// An error answer of either API ({"error": ..., "error_description": ...} or {"message": ...}), as a clear
// message naming `action`; never echoes a token.
SsoError parse_sso_error(long status, std::string_view body, const std::string& action);

}  // namespace kura
