// IAM Identity Center's OIDC and portal clients and the parsing of their JSON answers (sso_client.h).
#include "aws/sso_client.h"

#include <nlohmann/json.hpp>
#include <set>

#include "util/flat_json.h"
#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

namespace {

// Bounds on what an answer may hold. The transport refuses larger bodies already; these keep the parsers
// safe on their own (the fuzzer feeds them directly).
constexpr size_t k_max_response_bytes = size_t{64} * 1024;
constexpr size_t k_max_text_bytes = 2048;  // identifiers, URIs
constexpr size_t k_max_user_code_bytes = 64;
constexpr size_t k_max_page_token_bytes = 4096;
constexpr size_t k_max_entries_per_page = 1000;  // kura asks for 100
constexpr size_t k_max_shown_bytes = 256;        // a name or an e-mail address shown in a list
constexpr size_t k_max_description_bytes = 300;  // a server's error description in a message
// 2100-01-01T00:00:00Z: no expiry an SSO server means lies later, and a TimePoint (nanoseconds) holds it.
constexpr long long k_max_epoch_seconds = 4102444800LL;
constexpr long long k_max_token_seconds = 366LL * 24 * 3600;  // AWS's longest sessions last 90 days
constexpr long long k_max_device_seconds = 24LL * 3600;       // device codes live minutes
constexpr long long k_max_interval_seconds = 600;
constexpr int k_max_pages = 1000;
constexpr const char* k_page_size = "100";  // the portal's largest max_result
constexpr const char* k_device_grant = "urn:ietf:params:oauth:grant-type:device_code";
constexpr const char* k_bearer_header = "x-amz-sso_bearer_token";

constexpr const char* k_register = "sso-oidc RegisterClient";
constexpr const char* k_device = "sso-oidc StartDeviceAuthorization";
constexpr const char* k_token = "sso-oidc CreateToken";
constexpr const char* k_credentials = "SSO GetRoleCredentials";
constexpr const char* k_accounts = "SSO ListAccounts";
constexpr const char* k_roles = "SSO ListAccountRoles";
constexpr const char* k_logout = "SSO Logout";

// The endpoint without trailing slashes, so paths join with one.
std::string base_of(const std::string& endpoint) {
  std::string base = endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

bool graphic_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool digits(std::string_view text, size_t count) {
  if (text.size() != count) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// IAM's pattern for role names (a permission set's name becomes one): [\w+=,.@-]{1,64}.
bool valid_role_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && std::string_view("+=,.@-").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// "ACTION: the answer" + `what`, which starts with " lacks ...", " is ..." or "'s MEMBER is ...".
Error answer_error(const std::string& action, const std::string& what) {
  return make_error(action + ": the answer" + what);
}

// --- reading answers that carry secrets (the wiping flat reader) ---

Result<FlatJson> read_flat(std::string_view json, const std::string& action, FlatJson::Nesting nesting) {
  if (json.size() > k_max_response_bytes) return answer_error(action, " is too large");
  auto parsed = FlatJson::parse(json, nesting);
  // The reader's messages quote member names, which come from the server: made printable.
  if (!parsed)
    return answer_error(action, " is not the expected JSON (" + printable(parsed.error().message, 200) + ")");
  return parsed;
}

// Absent or null, as an optional member may be.
bool is_absent(const FlatJson& json, std::string_view key) {
  const FlatJsonValue* value = json.member(key);
  return !value || value->kind == FlatJsonValue::Kind::null;
}

// A string member that is not secret: present (unless optional), bounded, and graphic ASCII.
Result<std::string> text_member(const FlatJson& json, const std::string& key, const std::string& action,
                                size_t max_bytes, bool required = true) {
  const Secret* value = json.string(key);
  if (!value) {
    if (!required && is_absent(json, key)) return std::string();
    return answer_error(action, json.has(key) ? "'s " + key + " is not a string" : " lacks " + key);
  }
  if (value->empty() && required) return answer_error(action, "'s " + key + " is empty");
  if (value->size() > max_bytes || !graphic_ascii(value->view())) {
    return answer_error(action, "'s " + key + " is invalid");
  }
  return std::string(value->view());
}

Result<Secret> secret_member(const FlatJson& json, const std::string& key, const std::string& action,
                             bool required = true) {
  const Secret* value = json.string(key);
  if (!value) {
    if (!required && is_absent(json, key)) {
      return Secret();
    }
    return answer_error(action, json.has(key) ? "'s " + key + " is not a string" : " lacks " + key);
  }
  if (value->empty() && required) return answer_error(action, "'s " + key + " is empty");
  return value->clone();
}

// An integer member within [low, high]; `fallback` when it is absent (or null), if given.
Result<long long> integer_member(const FlatJson& json, const std::string& key, const std::string& action,
                                 long long low, long long high, std::optional<long long> fallback = {}) {
  if (fallback && is_absent(json, key)) {
    return *fallback;
  }
  auto value = json.integer(key);
  if (!value) {
    return answer_error(action, json.has(key) ? "'s " + key + " is not an integer" : " lacks " + key);
  }
  if (*value < low || *value > high) {
    return answer_error(action, "'s " + key + " (" + std::to_string(*value) + ") is out of range");
  }
  return *value;
}

// --- reading the list answers (no secrets: nlohmann) ---

Result<nlohmann::json> read_json(std::string_view text, const std::string& action) {
  if (text.size() > k_max_response_bytes) return answer_error(action, " is too large");
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return answer_error(action, " is not a JSON object");
  return json;
}

// A string member of a list entry: absent or null reads as empty.
Result<std::string> entry_string(const nlohmann::json& entry, const char* key, const std::string& action) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return std::string();
  if (!it->is_string()) return answer_error(action, "'s " + std::string(key) + " is not a string");
  return it->get<std::string>();
}

// One page of a portal list: the entries of `list` (objects with an accountId, the rest read by `read`) and
// the next page's token (empty on the last page).
template <typename Entry, typename Read>
Result<std::pair<std::vector<Entry>, std::string>> parse_page(std::string_view text,
                                                              const std::string& action,
                                                              const std::string& list,
                                                              const std::string& noun, Read read) {
  auto json = read_json(text, action);
  if (!json) return json.error();
  std::vector<Entry> entries;
  if (auto items = json->find(list); items != json->end() && !items->is_null()) {
    if (!items->is_array()) return answer_error(action, "'s " + list + " is not a list");
    if (items->size() > k_max_entries_per_page)
      return answer_error(action, " has too many entries in a page");
    for (const nlohmann::json& item : *items) {
      if (!item.is_object()) return answer_error(action, " has " + noun + " that is not an object");
      auto id = entry_string(item, "accountId", action);
      if (!id) return id.error();
      if (!digits(*id, 12)) return answer_error(action, " has an accountId that is not 12 digits");
      auto entry = read(item, std::move(*id));
      if (!entry) return entry.error();
      entries.push_back(std::move(*entry));
    }
  }
  auto token = entry_string(*json, "nextToken", action);
  if (!token) return token.error();
  if (token->size() > k_max_page_token_bytes) return answer_error(action, " has an oversized nextToken");
  return std::make_pair(std::move(entries), std::move(*token));
}

// --- requests ---

HttpRequest json_post(const std::string& url, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  return request;
}

// Sends a request whose body or headers may hold secrets, and wipes them once sent.
Result<HttpResponse> send_wiping(HttpTransport& transport, HttpRequest request) {
  auto response = transport.send(request);
  wipe_string(request.body);
  for (auto& header : request.headers) wipe_string(header.second);
  return response;
}

// Wipes an answer's body (it may hold secrets) when the reading of it is done, on every path.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& text) : m_text(text) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { wipe_string(m_text); }

 private:
  std::string& m_text;
};

// The body of an HTTP 200 answer, or what the failure means.
SsoResult<HttpResponse> exchange(HttpTransport& transport, HttpRequest request, const std::string& action) {
  auto response = send_wiping(transport, std::move(request));
  if (!response) return SsoError{SsoErrorKind::other, std::move(response).error().context(action)};
  if (response->status != 200) {
    SsoError failure = parse_sso_error(response->status, response->body, action);
    wipe_string(response->body);
    return failure;
  }
  return std::move(*response);
}

SsoError plain_failure(Error error) {
  return SsoError{SsoErrorKind::other, std::move(error)};
}

template <typename T>
Result<T> without_kind(SsoResult<T> result) {
  if (auto* failure = std::get_if<SsoError>(&result)) return std::move(failure->error);
  return std::get<T>(std::move(result));
}

HttpRequest portal_request(const std::string& method, const std::string& url, const Secret& access_token) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = {{k_bearer_header, std::string(access_token.view())}};
  return request;
}

// Every page of a portal list: `query` is the request's own parameters ("" or "&account_id=...").
template <typename Entry>
SsoResult<std::vector<Entry>> all_pages(
    HttpTransport& transport, const std::string& url, const std::string& query, const Secret& access_token,
    const std::string& action,
    Result<std::pair<std::vector<Entry>, std::string>> (*parse)(std::string_view)) {
  std::vector<Entry> all;
  std::set<std::string> seen;
  std::string next;
  for (int page = 1; page <= k_max_pages; ++page) {
    std::string page_url = url + "?";
    if (!next.empty()) page_url += "next_token=" + uri_encode(next) + "&";
    page_url += std::string("max_result=") + k_page_size + query;
    auto response = exchange(transport, portal_request("GET", page_url, access_token), action);
    if (auto* failure = std::get_if<SsoError>(&response)) return std::move(*failure);
    auto parsed = parse(std::get<HttpResponse>(response).body);
    if (!parsed) return plain_failure(parsed.error());
    for (Entry& entry : parsed->first) all.push_back(std::move(entry));
    next = std::move(parsed->second);
    if (next.empty()) return all;
    if (!seen.insert(next).second) {
      return plain_failure(make_error(action + ": the portal sent a page token it had sent before (page " +
                                      std::to_string(page) + "); kura stopped rather than loop"));
    }
  }
  return plain_failure(make_error(action + ": the portal sent more than " + std::to_string(k_max_pages) +
                                  " pages; kura stopped rather than loop"));
}

// --- errors ---

struct KindName {
  const char* name;
  SsoErrorKind kind;
};

// OAuth's error codes (RFC 6749, RFC 8628), as the OIDC API writes them, and the exception names.
constexpr KindName k_kind_names[] = {
    {"authorization_pending", SsoErrorKind::authorization_pending},
    {"AuthorizationPendingException", SsoErrorKind::authorization_pending},
    {"slow_down", SsoErrorKind::slow_down},
    {"SlowDownException", SsoErrorKind::slow_down},
    {"expired_token", SsoErrorKind::expired},
    {"ExpiredTokenException", SsoErrorKind::expired},
    {"access_denied", SsoErrorKind::access_denied},
    {"AccessDeniedException", SsoErrorKind::access_denied},
    {"invalid_grant", SsoErrorKind::invalid_grant},
    {"InvalidGrantException", SsoErrorKind::invalid_grant},
    {"invalid_client", SsoErrorKind::invalid_client},
    {"InvalidClientException", SsoErrorKind::invalid_client},
    {"UnauthorizedException", SsoErrorKind::unauthorized},
};

SsoErrorKind kind_of(std::string_view code, long status) {
  for (const KindName& entry : k_kind_names) {
    if (code == entry.name) return entry.kind;
  }
  return status == 401 ? SsoErrorKind::unauthorized : SsoErrorKind::other;
}

// "com.amazon.coral#UnauthorizedException:http://..." (an AWS JSON __type) reads as UnauthorizedException.
std::string_view short_type(std::string_view type) {
  if (size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return type;
}

std::string hint_for(SsoErrorKind kind, long status) {
  switch (kind) {
    case SsoErrorKind::unauthorized:
    case SsoErrorKind::invalid_grant:
      return "the IAM Identity Center sign-in has ended or expired: sign in again";
    case SsoErrorKind::invalid_client:
      return "the client registration is unknown or has expired: register again";
    case SsoErrorKind::expired:
      return "the sign-in was not approved in time: start it again";
    case SsoErrorKind::access_denied:
      return "the sign-in was refused in the browser";
    default:
      break;
  }
  if (status == 403) {
    return "check sso_account_id and sso_role_name: the signed-in user must be assigned that role in that "
           "account";
  }
  return {};
}

}  // namespace

SsoError parse_sso_error(long status, std::string_view body, const std::string& action) {
  std::string code;
  std::string description;
  bool json = false;
  if (body.size() <= k_max_response_bytes) {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) {
      json = true;
      auto text = [&](const char* key) -> std::string {
        auto it = parsed.find(key);
        return it != parsed.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      code = text("error");
      if (code.empty()) code = std::string(short_type(text("__type")));
      for (const char* key : {"error_description", "message", "Message"}) {
        if (description.empty()) description = text(key);
      }
    }
  }
  const SsoErrorKind kind = kind_of(code, status);
  // Server text goes to the terminal: control characters (escape sequences) are dropped, lengths bounded.
  std::string shown_code = code.size() <= 64 && graphic_ascii(code) ? code : std::string();
  if (shown_code.empty()) shown_code = "HTTP " + std::to_string(status);
  std::string detail = printable(description, k_max_description_bytes);
  if (detail.empty() && !json) detail = printable(body.substr(0, 400), 200);
  if (detail.empty()) detail = "no error details in the answer";
  return SsoError{kind, make_error(action + ": " + shown_code + ": " + detail, hint_for(kind, status))};
}

Result<SsoClientRegistration> parse_register_client(std::string_view json) {
  auto parsed = read_flat(json, k_register, FlatJson::Nesting::none);
  if (!parsed) return parsed.error();
  SsoClientRegistration registration;
  auto id = text_member(*parsed, "clientId", k_register, k_max_text_bytes);
  if (!id) return id.error();
  auto secret = secret_member(*parsed, "clientSecret", k_register);
  if (!secret) return secret.error();
  auto expires = integer_member(*parsed, "clientSecretExpiresAt", k_register, 1, k_max_epoch_seconds);
  if (!expires) return expires.error();
  registration.client_id = std::move(*id);
  registration.client_secret = std::move(*secret);
  registration.expires_at = TimePoint(Seconds(*expires));
  return registration;
}

Result<DeviceAuthorization> parse_device_authorization(std::string_view json) {
  auto parsed = read_flat(json, k_device, FlatJson::Nesting::none);
  if (!parsed) return parsed.error();
  DeviceAuthorization device;
  auto code = secret_member(*parsed, "deviceCode", k_device);
  if (!code) return code.error();
  auto user_code = text_member(*parsed, "userCode", k_device, k_max_user_code_bytes);
  if (!user_code) return user_code.error();
  auto uri = text_member(*parsed, "verificationUri", k_device, k_max_text_bytes);
  if (!uri) return uri.error();
  auto complete = text_member(*parsed, "verificationUriComplete", k_device, k_max_text_bytes, false);
  if (!complete) return complete.error();
  // Both are shown to the user and opened in a browser: web addresses only.
  for (const std::string* address : {&*uri, &*complete}) {
    if (!address->empty() && !address->starts_with("https://") && !address->starts_with("http://")) {
      return answer_error(k_device, " has a verification URI that is not a web address");
    }
  }
  auto expires = integer_member(*parsed, "expiresIn", k_device, 1, k_max_device_seconds, 600);
  if (!expires) return expires.error();
  auto interval = integer_member(*parsed, "interval", k_device, 1, k_max_interval_seconds, 5);
  if (!interval) return interval.error();
  device.device_code = std::move(*code);
  device.user_code = std::move(*user_code);
  device.verification_uri = std::move(*uri);
  device.verification_uri_complete = std::move(*complete);
  device.expires_in = Seconds(*expires);
  device.interval = Seconds(*interval);
  return device;
}

Result<SsoTokenGrant> parse_create_token(std::string_view json) {
  auto parsed = read_flat(json, k_token, FlatJson::Nesting::none);
  if (!parsed) return parsed.error();
  SsoTokenGrant grant;
  auto access = secret_member(*parsed, "accessToken", k_token);
  if (!access) return access.error();
  auto expires = integer_member(*parsed, "expiresIn", k_token, 1, k_max_token_seconds);
  if (!expires) return expires.error();
  auto refresh = secret_member(*parsed, "refreshToken", k_token, false);
  if (!refresh) return refresh.error();
  grant.access_token = std::move(*access);
  grant.expires_in = Seconds(*expires);
  grant.refresh_token = std::move(*refresh);
  return grant;
}

Result<Credentials> parse_role_credentials(std::string_view json) {
  auto parsed = read_flat(json, k_credentials, FlatJson::Nesting::one_level);
  if (!parsed) return parsed.error();
  const FlatJson* role = parsed->object("roleCredentials");
  if (!role) {
    return answer_error(k_credentials, parsed->has("roleCredentials") ? "'s roleCredentials is not an object"
                                                                      : " lacks roleCredentials");
  }
  Credentials credentials;
  auto key_id = text_member(*role, "accessKeyId", k_credentials, 128);
  if (!key_id) return key_id.error();
  auto secret = secret_member(*role, "secretAccessKey", k_credentials);
  if (!secret) return secret.error();
  auto token = secret_member(*role, "sessionToken", k_credentials);
  if (!token) return token.error();
  // Milliseconds since the epoch, unlike the OIDC API's seconds.
  auto expiration = integer_member(*role, "expiration", k_credentials, 1, k_max_epoch_seconds * 1000);
  if (!expiration) return expiration.error();
  credentials.access_key_id = std::move(*key_id);
  credentials.secret_access_key = std::move(*secret);
  credentials.session_token = std::move(*token);
  credentials.expiration = TimePoint(std::chrono::milliseconds(*expiration));
  return credentials;
}

Result<std::pair<std::vector<SsoAccount>, std::string>> parse_account_page(std::string_view json) {
  return parse_page<SsoAccount>(json, k_accounts, "accountList", "an account",
                                [](const nlohmann::json& entry, std::string id) -> Result<SsoAccount> {
                                  auto name = entry_string(entry, "accountName", k_accounts);
                                  if (!name) return name.error();
                                  auto email = entry_string(entry, "emailAddress", k_accounts);
                                  if (!email) return email.error();
                                  // Shown in lists and pickers: made safe for a terminal.
                                  return SsoAccount{std::move(id), printable(*name, k_max_shown_bytes),
                                                    printable(*email, k_max_shown_bytes)};
                                });
}

Result<std::pair<std::vector<SsoAccountRole>, std::string>> parse_role_page(std::string_view json) {
  return parse_page<SsoAccountRole>(
      json, k_roles, "roleList", "a role",
      [](const nlohmann::json& entry, std::string id) -> Result<SsoAccountRole> {
        auto name = entry_string(entry, "roleName", k_roles);
        if (!name) return name.error();
        if (!valid_role_name(*name)) {
          return answer_error(k_roles, " has an invalid roleName");
        }
        return SsoAccountRole{std::move(id), std::move(*name)};
      });
}

// --- OIDC ---

Result<SsoClientRegistration> SsoOidcClient::register_client(const RegisterClientInput& input) {
  // Nothing secret goes out: built by the JSON library.
  nlohmann::json body = {{"clientName", input.client_name}, {"clientType", "public"}};
  if (!input.scopes.empty()) body["scopes"] = input.scopes;
  if (!input.grant_types.empty()) body["grantTypes"] = input.grant_types;
  if (!input.redirect_uris.empty()) body["redirectUris"] = input.redirect_uris;
  if (!input.issuer_url.empty()) body["issuerUrl"] = input.issuer_url;
  auto response =
      without_kind(exchange(m_transport,
                            json_post(base_of(m_endpoint) + "/client/register",
                                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
                            k_register));
  if (!response) return response.error();
  WipeOnExit wipe(response->body);
  auto registration = parse_register_client(response->body);
  if (!registration) return registration;
  const TimePoint now = m_clock.now();
  if (registration->expires_at <= now) {
    return make_error(std::string(k_register) +
                          ": the registration had expired when it arrived (expiration " +
                          format_iso8601(registration->expires_at) + ", this machine's clock says " +
                          format_iso8601(now) + ")",
                      "this machine's clock is probably wrong: sync it (e.g. `timedatectl set-ntp true`)");
  }
  return registration;
}

Result<DeviceAuthorization> SsoOidcClient::start_device_authorization(const std::string& client_id,
                                                                      const Secret& client_secret,
                                                                      const std::string& start_url) {
  Secret body = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("clientId", client_id);
    json.string("clientSecret", client_secret.view());
    json.string("startUrl", start_url);
    json.close();
  });
  auto response = without_kind(
      exchange(m_transport,
               json_post(base_of(m_endpoint) + "/device_authorization", std::string(body.view())), k_device));
  if (!response) return response.error();
  WipeOnExit wipe(response->body);
  return parse_device_authorization(response->body);
}

SsoResult<SsoTokenGrant> SsoOidcClient::create_token(const CreateTokenInput& input) {
  using Grant = CreateTokenInput::Grant;
  const Secret* needed = input.grant == Grant::device_code          ? input.device_code
                         : input.grant == Grant::authorization_code ? input.code
                                                                    : input.refresh_token;
  if (!input.client_secret || !needed || (input.grant == Grant::authorization_code && !input.code_verifier)) {
    return plain_failure(
        make_error(std::string(k_token) + ": the request lacks the client secret or the grant"));
  }
  Secret body = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("clientId", input.client_id);
    json.string("clientSecret", input.client_secret->view());
    switch (input.grant) {
      case Grant::device_code:
        json.string("grantType", k_device_grant);
        json.string("deviceCode", input.device_code->view());
        break;
      case Grant::authorization_code:
        json.string("grantType", "authorization_code");
        json.string("code", input.code->view());
        json.string("redirectUri", input.redirect_uri);
        json.string("codeVerifier", input.code_verifier->view());
        break;
      case Grant::refresh_token:
        json.string("grantType", "refresh_token");
        json.string("refreshToken", input.refresh_token->view());
        break;
    }
    json.close();
  });
  auto response =
      exchange(m_transport, json_post(base_of(m_endpoint) + "/token", std::string(body.view())), k_token);
  if (auto* failure = std::get_if<SsoError>(&response)) return std::move(*failure);
  std::string& answer = std::get<HttpResponse>(response).body;
  WipeOnExit wipe(answer);
  auto grant = parse_create_token(answer);
  if (!grant) return plain_failure(grant.error());
  return std::move(*grant);
}

std::string SsoOidcClient::authorize_url(const std::string& client_id, const std::string& redirect_uri,
                                         const std::string& state, const std::string& code_challenge,
                                         const std::vector<std::string>& scopes) const {
  // The AWS CLI's order of parameters.
  return base_of(m_endpoint) + "/authorize?response_type=code&client_id=" + uri_encode(client_id) +
         "&redirect_uri=" + uri_encode(redirect_uri) + "&state=" + uri_encode(state) +
         "&code_challenge_method=S256&scopes=" + uri_encode(join(scopes, " ")) +
         "&code_challenge=" + uri_encode(code_challenge);
}

// --- the portal ---

SsoResult<Credentials> SsoPortalClient::get_role_credentials(const Secret& access_token,
                                                             const std::string& account_id,
                                                             const std::string& role_name) {
  // botocore's order: role_name, then account_id.
  const std::string url = base_of(m_endpoint) + "/federation/credentials?role_name=" + uri_encode(role_name) +
                          "&account_id=" + uri_encode(account_id);
  auto response = exchange(m_transport, portal_request("GET", url, access_token), k_credentials);
  if (auto* failure = std::get_if<SsoError>(&response)) return std::move(*failure);
  std::string& answer = std::get<HttpResponse>(response).body;
  WipeOnExit wipe(answer);
  auto credentials = parse_role_credentials(answer);
  if (!credentials) return plain_failure(credentials.error());
  return std::move(*credentials);
}

SsoResult<std::vector<SsoAccount>> SsoPortalClient::list_accounts(const Secret& access_token) {
  return all_pages<SsoAccount>(m_transport, base_of(m_endpoint) + "/assignment/accounts", "", access_token,
                               k_accounts, parse_account_page);
}

SsoResult<std::vector<SsoAccountRole>> SsoPortalClient::list_account_roles(const Secret& access_token,
                                                                           const std::string& account_id) {
  return all_pages<SsoAccountRole>(m_transport, base_of(m_endpoint) + "/assignment/roles",
                                   "&account_id=" + uri_encode(account_id), access_token, k_roles,
                                   parse_role_page);
}

Result<void> SsoPortalClient::logout(const Secret& access_token) {
  auto response =
      exchange(m_transport, portal_request("POST", base_of(m_endpoint) + "/logout", access_token), k_logout);
  if (auto* failure = std::get_if<SsoError>(&response)) {
    // A token the portal no longer knows (expired, or signed out elsewhere) has nothing left to end.
    if (failure->kind == SsoErrorKind::unauthorized) return {};
    return std::move(failure->error);
  }
  return {};
}

}  // namespace kura
