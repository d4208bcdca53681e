// Federation endpoint requests. The Session parameter holds secrets: it is built with the JSON library, sent
// only to the federation endpoint, and wiped after use.
#include "aws/federation.h"

#include <nlohmann/json.hpp>

#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

ConsoleEndpoints console_endpoints(const std::string& partition,
                                   const std::optional<std::string>& federation_override) {
  ConsoleEndpoints endpoints;
  if (partition == "aws-cn") {
    endpoints = {"https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn"};
  } else if (partition == "aws-us-gov") {
    endpoints = {"https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com"};
  } else {
    endpoints = {"https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com"};
  }
  if (federation_override) endpoints.federation_url = *federation_override;
  return endpoints;
}

std::string signin_token_request_url(const std::string& federation_url, const Credentials& credentials,
                                     std::optional<Seconds> session_duration) {
  Secret session = sized_text([&](TextWriter& w) {
    JsonObjectWriter json(w);
    json.string("sessionId", credentials.access_key_id);
    json.string("sessionKey", credentials.secret_access_key.view());
    json.string("sessionToken", credentials.session_token.view());
    json.close();
  });
  std::string encoded = uri_encode(session.view());  // reserved whole: no reallocation
  std::string url = federation_url + "?Action=getSigninToken";
  if (session_duration) url += "&SessionDuration=" + std::to_string(session_duration->count());
  url.reserve(url.size() + 9 + encoded.size());
  url.append("&Session=").append(encoded);
  wipe_string(encoded);
  return url;
}

Result<std::string> parse_signin_token(std::string_view body) {
  try {
    auto json = nlohmann::json::parse(body);
    std::string token = json.at("SigninToken").get<std::string>();
    if (token.empty()) throw std::runtime_error("empty");
    return token;
  } catch (const std::exception&) {
    return make_error("the federation endpoint's answer has no SigninToken");
  }
}

std::string login_url(const std::string& federation_url, const std::string& issuer,
                      const std::string& destination, const std::string& signin_token) {
  return federation_url + "?Action=login&Issuer=" + uri_encode(issuer) +
         "&Destination=" + uri_encode(destination) + "&SigninToken=" + uri_encode(signin_token);
}

Result<std::string> fetch_signin_token(HttpTransport& transport, const std::string& federation_url,
                                       const Credentials& credentials,
                                       std::optional<Seconds> session_duration) {
  HttpRequest request;
  request.method = "GET";
  request.url = signin_token_request_url(federation_url, credentials, session_duration);
  auto response = transport.send(request);
  wipe_string(request.url);
  if (!response) return response.error().context("federation endpoint");
  if (response->status != 200) {
    std::string detail = printable(response->body, 300);  // server text: no escape sequences to the terminal
    return make_error("federation endpoint: HTTP " + std::to_string(response->status) + ": " + detail,
                      session_duration ? ""
                                       : "session-token credentials cannot be federated; kura uses "
                                         "GetFederationToken for IAM users");
  }
  return parse_signin_token(response->body);
}

}  // namespace kura
