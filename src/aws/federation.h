// Console sign-in through the AWS federation endpoint: the sign-in token request and the login URL.
#pragma once

#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/http.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

struct ConsoleEndpoints {
  std::string federation_url;  // ".../federation"
  std::string console_url;     // "https://console.aws.amazon.com"
};

// The sign-in and console hosts of a partition; `federation_override` (KURA_FEDERATION_URL, federation_url)
// replaces the federation endpoint for tests and private partitions.
ConsoleEndpoints console_endpoints(const std::string& partition,
                                   const std::optional<std::string>& federation_override);

// GET federation?Action=getSigninToken&SessionDuration=...&Session={"sessionId","sessionKey","sessionToken"}.
// SessionDuration only for credentials that may carry it (role sessions); empty optional omits it.
std::string signin_token_request_url(const std::string& federation_url, const Credentials& credentials,
                                     std::optional<Seconds> session_duration);
Result<std::string> parse_signin_token(std::string_view body);
std::string login_url(const std::string& federation_url, const std::string& issuer,
                      const std::string& destination, const std::string& signin_token);

Result<std::string> fetch_signin_token(HttpTransport& transport, const std::string& federation_url,
                                       const Credentials& credentials,
                                       std::optional<Seconds> session_duration);

}  // namespace kura
