// STS client and its XML parsing (pugixml).
#include "aws/sts.h"

#include <pugixml.hpp>

#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr const char* k_version = "2011-06-15";
constexpr const char* k_form_type = "application/x-www-form-urlencoded; charset=utf-8";

std::string host_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string path_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t slash = url.find('/', start);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

void add_mfa(std::vector<std::pair<std::string, std::string>>& params, const std::optional<MfaInput>& mfa) {
  if (!mfa) return;
  params.emplace_back("SerialNumber", mfa->serial);
  params.emplace_back("TokenCode", mfa->code);
}

void add_duration(std::vector<std::pair<std::string, std::string>>& params,
                  const std::optional<Seconds>& duration) {
  if (duration) params.emplace_back("DurationSeconds", std::to_string(duration->count()));
}

void add_policy_arns(std::vector<std::pair<std::string, std::string>>& params,
                     const std::vector<std::string>& arns) {
  for (size_t i = 0; i < arns.size(); ++i) {
    params.emplace_back("PolicyArns.member." + std::to_string(i + 1) + ".arn", arns[i]);
  }
}

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// The query-protocol form body: Action, Version, then the parameters, percent-encoded.
std::string query_body(const std::string& action,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  std::string body = "Action=" + action + "&Version=" + k_version;
  for (const auto& [name, value] : params) body += "&" + uri_encode(name) + "=" + uri_encode(value);
  return body;
}

// The URL a request goes to: an endpoint given without a path gets "/".
std::string request_url(const std::string& url) {
  return path_of(url) == "/" && url.back() != '/' ? url + '/' : url;
}

}  // namespace

HttpRequest build_signed_query_request(const std::string& url, const std::string& signing_region,
                                       const std::string& service, const Credentials& caller,
                                       std::string body, TimePoint time) {
  SignableRequest signable;
  signable.method = "POST";
  signable.path = path_of(url);
  signable.headers = {{"Content-Type", k_form_type}, {"Host", host_of(url)}};
  signable.body = std::move(body);
  SigningParams signing;
  signing.access_key_id = caller.access_key_id;
  signing.secret_access_key = caller.secret_access_key.view();
  signing.session_token = caller.session_token.view();
  signing.region = signing_region;
  signing.service = service;
  signing.time = time;
  sign_request(signable, signing);

  HttpRequest request;
  request.method = "POST";
  request.url = request_url(url);
  request.headers = std::move(signable.headers);
  request.body = std::move(signable.body);
  return request;
}

HttpRequest build_signed_request(const StsEndpoint& endpoint, const Credentials& caller, std::string body,
                                 TimePoint time) {
  return build_signed_query_request(endpoint.url, endpoint.signing_region, "sts", caller, std::move(body),
                                    time);
}

Result<std::string> StsClient::call(const Credentials& caller, const std::string& action,
                                    const Params& params) {
  HttpRequest request = build_signed_request(m_endpoint, caller, query_body(action, params), m_clock.now());
  log_debug("sts: " + action + " as " + mask_key_id(caller.access_key_id) + " at " + m_endpoint.url +
            " (region " + m_endpoint.signing_region + ")");
  return exchange(request, action);
}

Result<std::string> StsClient::exchange(const HttpRequest& request, const std::string& action) {
  auto response = m_transport.send(request);
  if (!response) return std::move(response).error().context(action);
  if (response->status != 200) return parse_sts_error(response->status, response->body, action);
  return std::move(response->body);
}

Result<Credentials> StsClient::get_session_token(const Credentials& caller,
                                                 const GetSessionTokenInput& input) {
  Params params;
  add_duration(params, input.duration);
  add_mfa(params, input.mfa);
  return credentials_answer(call(caller, "GetSessionToken", params), "GetSessionToken");
}

Result<Credentials> StsClient::assume_role(const Credentials& caller, const AssumeRoleInput& input) {
  Params params{{"RoleArn", input.role_arn}, {"RoleSessionName", input.session_name}};
  add_duration(params, input.duration);
  if (input.external_id) params.emplace_back("ExternalId", *input.external_id);
  add_mfa(params, input.mfa);
  for (size_t i = 0; i < input.tags.size(); ++i) {
    std::string prefix = "Tags.member." + std::to_string(i + 1);
    params.emplace_back(prefix + ".Key", input.tags[i].key);
    params.emplace_back(prefix + ".Value", input.tags[i].value);
  }
  for (size_t i = 0; i < input.transitive_tag_keys.size(); ++i) {
    params.emplace_back("TransitiveTagKeys.member." + std::to_string(i + 1), input.transitive_tag_keys[i]);
  }
  if (input.source_identity) params.emplace_back("SourceIdentity", *input.source_identity);
  if (input.policy) params.emplace_back("Policy", *input.policy);
  add_policy_arns(params, input.policy_arns);
  return credentials_answer(call(caller, "AssumeRole", params), "AssumeRole");
}

Result<Credentials> StsClient::get_federation_token(const Credentials& caller,
                                                    const GetFederationTokenInput& input) {
  Params params{{"Name", input.name}};
  add_duration(params, input.duration);
  if (input.policy) params.emplace_back("Policy", *input.policy);
  add_policy_arns(params, input.policy_arns);
  return credentials_answer(call(caller, "GetFederationToken", params), "GetFederationToken");
}

Result<Credentials> StsClient::assume_role_with_web_identity(const AssumeRoleWithWebIdentityInput& input) {
  const std::string action = "AssumeRoleWithWebIdentity";
  Params params{{"RoleArn", input.role_arn}, {"RoleSessionName", input.session_name}};
  add_duration(params, input.duration);
  const std::string head = query_body(action, params) + "&WebIdentityToken=";
  // The token's encoded form and the body each allocated once, at their final size, and wiped.
  const Secret token(uri_encode(input.web_identity_token.view()));
  HttpRequest request;
  request.url = request_url(m_endpoint.url);
  request.headers = {{"Content-Type", k_form_type}};
  request.body.reserve(head.size() + token.size());
  request.body.append(head).append(token.view());
  log_debug("sts: " + action + " (unsigned) for " + input.role_arn + " at " + m_endpoint.url);
  auto body = exchange(request, action);
  wipe_string(request.body);
  return credentials_answer(std::move(body), action);
}

Result<Credentials> StsClient::credentials_answer(Result<std::string> body, const std::string& action) const {
  if (!body) return std::move(body).error();
  auto credentials = parse_credentials_result(*body, action);
  wipe_string(*body);  // it held the secret key and token
  return fresh_or_error(std::move(credentials), action);
}

Result<Credentials> StsClient::fresh_or_error(Result<Credentials> credentials,
                                              const std::string& action) const {
  if (!credentials) return credentials;
  const TimePoint now = m_clock.now();
  if (*credentials->expiration <= now) {
    return make_error(action + ": the credentials had expired when they arrived (expiration " +
                          format_iso8601(*credentials->expiration) + ", this machine's clock says " +
                          format_iso8601(now) + ")",
                      "this machine's clock is probably wrong: sync it (e.g. `timedatectl set-ntp true`)");
  }
  return credentials;
}

Result<CallerIdentity> StsClient::get_caller_identity(const Credentials& caller) {
  auto body = call(caller, "GetCallerIdentity", {});
  if (!body) return body.error();
  return parse_caller_identity(*body);
}

Result<Credentials> parse_credentials_result(std::string_view xml, const std::string& action) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return make_error(action + ": response is not XML");
  pugi::xml_node node =
      doc.child((action + "Response").c_str()).child((action + "Result").c_str()).child("Credentials");
  Credentials credentials;
  credentials.access_key_id = node.child_value("AccessKeyId");
  credentials.secret_access_key = Secret(std::string(node.child_value("SecretAccessKey")));
  credentials.session_token = Secret(std::string(node.child_value("SessionToken")));
  credentials.expiration = parse_iso8601(node.child_value("Expiration"));
  // Wipe the parsed tree's copy of the secret before it is freed.
  for (const char* name : {"SecretAccessKey", "SessionToken"}) {
    pugi::xml_node text = node.child(name).first_child();
    std::string value = text.value();
    if (!value.empty()) text.set_value(std::string(value.size(), 'x').c_str());
    wipe_string(value);
  }
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
      credentials.session_token.empty() || !credentials.expiration) {
    return make_error(action + ": response lacks credentials or a valid expiration");
  }
  return credentials;
}

Result<CallerIdentity> parse_caller_identity(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return make_error("GetCallerIdentity: response is not XML");
  pugi::xml_node node = doc.child("GetCallerIdentityResponse").child("GetCallerIdentityResult");
  CallerIdentity identity{node.child_value("Account"), node.child_value("Arn"), node.child_value("UserId")};
  if (identity.arn.empty()) return make_error("GetCallerIdentity: response lacks an Arn");
  return identity;
}

Error parse_sts_error(long status, std::string_view body, const std::string& action) {
  pugi::xml_document doc;
  std::string code, message;
  if (doc.load_buffer(body.data(), body.size())) {
    pugi::xml_node error = doc.child("ErrorResponse").child("Error");
    if (!error) error = doc.child("ErrorResponse").child("Errors").child("Error");  // moto's layout
    if (!error) error = doc.child("Response").child("Errors").child("Error");
    // Server text goes to the terminal: control characters (escape sequences) are dropped, lengths bounded.
    code = printable(error.child_value("Code"), 64);
    message = printable(error.child_value("Message"), 512);
  }
  if (code.empty()) {
    code = "HTTP " + std::to_string(status);
    std::string snippet = printable(body.substr(0, 400), 200);
    message = snippet.empty() ? "no error details in the response" : snippet;
  }
  std::string hint;
  std::string summary = action + ": " + code + ": " + message;
  const bool web_identity = action == "AssumeRoleWithWebIdentity";
  if (web_identity && (code == "InvalidIdentityToken" || code == "IDPRejectedClaim")) {
    summary = action + ": the web identity token was refused (" + code + ": " + message + ")";
    hint =
        "check that the token's issuer and audience are what the role's trust policy expects, and that "
        "web_identity_token_file (or web_identity_token_process) gives the current token";
  } else if (web_identity && (code == "ExpiredTokenException" || code == "ExpiredToken")) {
    summary = action + ": the web identity token has expired (" + code + ": " + message + ")";
    hint =
        "its issuer renews it (a Kubernetes projected token is rewritten in place): check that the token "
        "file is still being refreshed, then try again";
  } else if (web_identity && code == "IDPCommunicationError") {
    hint = "AWS could not reach the token's identity provider to check it: try again later";
  } else if (web_identity && code == "AccessDenied") {
    hint =
        "check the role's trust policy: it must allow sts:AssumeRoleWithWebIdentity to the token's identity "
        "provider (a Federated principal), with conditions the token's claims meet";
  } else if (contains(message, "invalid MFA one time pass code")) {
    summary = action + ": the MFA code was not accepted (" + code + ")";
    hint =
        "codes change every 30 seconds and each is accepted once: wait for the next code and check the "
        "device's clock";
  } else if (contains(message, "unable to validate MFA code") || contains(message, "MFA serial")) {
    summary = action + ": the MFA device is not associated with this user (" + code + ": " + message + ")";
    hint =
        "check mfa_serial: it must be the ARN of a device assigned to the user whose key is stored, e.g. "
        "arn:aws:iam::123456789012:mfa/alice";
  } else if (code == "ExpiredToken" ||
             contains(message, "security token included in the request is expired")) {
    hint = "the source session has expired; run `kura clear` for the profile and try again";
  } else if (contains(message, "1 hour session limit") || contains(message, "role chaining")) {
    hint =
        "a role assumed with temporary credentials (role chaining) is limited to 1h: use --duration 1h or "
        "less";
  } else if (contains(message, "MaxSessionDuration") || contains(message, "DurationSeconds")) {
    hint = "ask for a shorter --duration, or raise the role's MaxSessionDuration";
  } else if (code == "RequestExpired" || contains(message, "Signature expired") ||
             contains(message, "not yet current")) {
    hint = "this machine's clock is off: sync it (e.g. `timedatectl set-ntp true`) and retry";
  } else if (code == "InvalidClientTokenId") {
    hint =
        "the access key is unknown to AWS (deleted, deactivated or mistyped): store a current one with `kura "
        "add`";
  } else if (code == "SignatureDoesNotMatch") {
    hint = "the secret access key does not match the key id: store it again with `kura add`";
  } else if (code == "AccessDenied" && action == "AssumeRole") {
    hint =
        "check the role's trust policy, role_arn, external_id, and whether the role requires MFA "
        "(mfa_serial)";
  }
  return make_error(summary, hint);
}

}  // namespace kura
