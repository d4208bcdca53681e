// Fuzz target: what IAM Identity Center's OIDC and portal endpoints answer — registrations, device codes,
// tokens, role credentials, account and role pages, errors. Nothing may crash; a parsed answer is complete
// and within its bounds; every message is safe for a terminal; paging over the same answer ends. The first
// byte picks the HTTP status (and the client call); the rest is the body.
#include <cstdint>
#include <string>

#include "aws/sso_client.h"
#include "fuzz_endpoint.h"

namespace {

using namespace kura;
using fuzz::check_error;
using fuzz::visible_ascii;

template <typename T>
void check_failure(const SsoResult<T>& result) {
  if (const auto* failure = std::get_if<SsoError>(&result)) check_error(failure->error);
}

void check_parsers(std::string_view body, long status) {
  if (auto registration = parse_register_client(body)) {
    KURA_FUZZ_CHECK(visible_ascii(registration->client_id));
    KURA_FUZZ_CHECK(!registration->client_secret.empty());
    KURA_FUZZ_CHECK(registration->expires_at > TimePoint());
  } else {
    check_error(registration.error());
  }
  if (auto device = parse_device_authorization(body)) {
    KURA_FUZZ_CHECK(!device->device_code.empty());
    KURA_FUZZ_CHECK(visible_ascii(device->user_code) && visible_ascii(device->verification_uri));
    KURA_FUZZ_CHECK(device->verification_uri.starts_with("http"));
    KURA_FUZZ_CHECK(device->interval.count() >= 1 && device->interval.count() <= 600);
    KURA_FUZZ_CHECK(device->expires_in.count() >= 1 && device->expires_in.count() <= 86400);
  } else {
    check_error(device.error());
  }
  if (auto grant = parse_create_token(body)) {
    KURA_FUZZ_CHECK(!grant->access_token.empty());
    KURA_FUZZ_CHECK(grant->expires_in.count() >= 1);
  } else {
    check_error(grant.error());
  }
  if (auto credentials = parse_role_credentials(body)) {
    KURA_FUZZ_CHECK(visible_ascii(credentials->access_key_id));
    KURA_FUZZ_CHECK(!credentials->secret_access_key.empty() && !credentials->session_token.empty());
    KURA_FUZZ_CHECK(credentials->expiration && *credentials->expiration > TimePoint());
  } else {
    check_error(credentials.error());
  }
  if (auto accounts = parse_account_page(body)) {
    KURA_FUZZ_CHECK(accounts->first.size() <= 1000 && accounts->second.size() <= 4096);
    for (const SsoAccount& account : accounts->first) {
      KURA_FUZZ_CHECK(account.account_id.size() == 12);
      KURA_FUZZ_CHECK(fuzz::terminal_safe(account.account_name) && fuzz::terminal_safe(account.email));
    }
  } else {
    check_error(accounts.error());
  }
  if (auto roles = parse_role_page(body)) {
    KURA_FUZZ_CHECK(roles->first.size() <= 1000 && roles->second.size() <= 4096);
    for (const SsoAccountRole& role : roles->first) {
      KURA_FUZZ_CHECK(role.account_id.size() == 12 && visible_ascii(role.role_name));
    }
  } else {
    check_error(roles.error());
  }
  for (const char* action : {"sso-oidc CreateToken", "SSO GetRoleCredentials"}) {
    SsoError error = parse_sso_error(status, body, action);
    check_error(error.error);
    KURA_FUZZ_CHECK(error.error.message.starts_with(action));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const long status = (data[0] & 1) ? 200 : 400 + (data[0] >> 1) % 200;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  check_parsers(body, status);

  // The clients over the same answer: errors are safe, paging ends (a token sent twice stops it on page 2).
  fuzz::EchoTransport transport;
  transport.status = status;
  transport.body = std::string(body);
  fuzz::FixedClock clock;
  Secret secret(std::string("fuzz-secret"));
  switch ((data[0] >> 1) % 5) {
    case 0: {
      SsoOidcClient oidc(transport, clock, "http://127.0.0.1:1/");
      auto registration =
          oidc.register_client(RegisterClientInput{"kura-fuzz", {"sso:account:access"}, {}, {}, {}});
      if (!registration) check_error(registration.error());
      auto device = oidc.start_device_authorization("cid", secret, "https://start");
      if (!device) check_error(device.error());
      CreateTokenInput input;
      input.client_id = "cid";
      input.client_secret = &secret;
      input.device_code = &secret;
      check_failure(oidc.create_token(input));
      break;
    }
    case 1:
      check_failure(SsoPortalClient(transport, "http://127.0.0.1:1").get_role_credentials(secret, "1", "R"));
      break;
    case 2:
      check_failure(SsoPortalClient(transport, "http://127.0.0.1:1").list_accounts(secret));
      KURA_FUZZ_CHECK(transport.sent <= 2);
      break;
    case 3:
      check_failure(
          SsoPortalClient(transport, "http://127.0.0.1:1").list_account_roles(secret, "111111111111"));
      KURA_FUZZ_CHECK(transport.sent <= 2);
      break;
    default: {
      auto ended = SsoPortalClient(transport, "http://127.0.0.1:1").logout(secret);
      if (!ended) check_error(ended.error());
      break;
    }
  }
  return 0;
}
