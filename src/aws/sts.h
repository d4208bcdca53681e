// STS client: GetSessionToken, AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity, GetFederationToken
// over the query protocol.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/http.h"
#include "config/profiles.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

struct MfaInput {
  std::string serial;
  std::string code;
};

struct GetSessionTokenInput {
  std::optional<Seconds> duration;
  std::optional<MfaInput> mfa;
};

struct AssumeRoleInput {
  std::string role_arn;
  std::string session_name;
  std::optional<std::string> external_id;
  std::optional<Seconds> duration;
  std::optional<MfaInput> mfa;
  std::vector<SessionTag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> source_identity;
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
};

// The token is the only credential of this call: it is sent unsigned.
struct AssumeRoleWithWebIdentityInput {
  std::string role_arn;
  std::string session_name;
  Secret web_identity_token;
  std::optional<Seconds> duration;
};

struct GetFederationTokenInput {
  std::string name;
  std::optional<Seconds> duration;
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

class StsClient {
 public:
  StsClient(HttpTransport& transport, const Clock& clock, StsEndpoint endpoint)
      : m_transport(transport), m_clock(clock), m_endpoint(std::move(endpoint)) {}

  Result<Credentials> get_session_token(const Credentials& caller, const GetSessionTokenInput& input);
  Result<Credentials> assume_role(const Credentials& caller, const AssumeRoleInput& input);
  // Unsigned, as botocore sends it: the token authenticates the call, no AWS key is involved.
  Result<Credentials> assume_role_with_web_identity(const AssumeRoleWithWebIdentityInput& input);
  Result<Credentials> get_federation_token(const Credentials& caller, const GetFederationTokenInput& input);
  Result<CallerIdentity> get_caller_identity(const Credentials& caller);

  const StsEndpoint& endpoint() const { return m_endpoint; }

 private:
  using Params = std::vector<std::pair<std::string, std::string>>;
  Result<std::string> call(const Credentials& caller, const std::string& action, const Params& params);
  // Sends a built request; the answer's body, or the error the endpoint gave.
  Result<std::string> exchange(const HttpRequest& request, const std::string& action);
  // The credentials in an answer's body (wiped after parsing), checked by fresh_or_error.
  Result<Credentials> credentials_answer(Result<std::string> body, const std::string& action) const;
  // Credentials that expired before they arrived (a wrong clock) are an error, never a silent success.
  Result<Credentials> fresh_or_error(Result<Credentials> credentials, const std::string& action) const;

  HttpTransport& m_transport;
  const Clock& m_clock;
  StsEndpoint m_endpoint;
};

// A signed query-protocol POST (STS, IAM) of `body` to `url`, signed for `service` in `signing_region`.
HttpRequest build_signed_query_request(const std::string& url, const std::string& signing_region,
                                       const std::string& service, const Credentials& caller,
                                       std::string body, TimePoint time);

// A signed STS query-protocol POST of `body` to the endpoint.
HttpRequest build_signed_request(const StsEndpoint& endpoint, const Credentials& caller, std::string body,
                                 TimePoint time);

// Parsing, exposed for tests.
Result<Credentials> parse_credentials_result(std::string_view xml, const std::string& action);
Result<CallerIdentity> parse_caller_identity(std::string_view xml);
// Turns an STS error body into a clear message with a hint for the common mistakes.
Error parse_sts_error(long status, std::string_view body, const std::string& action);

}  // namespace kura
