// IAM client: GetRole, ListRoles, UpdateAssumeRolePolicy over the query protocol, its endpoint and role ARNs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/http.h"
#include "config/profiles.h"
#include "util/env.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

// IAM is global: one endpoint per partition, always signed for the partition's home region.
struct IamEndpoint {
  std::string url;             // "https://iam.amazonaws.com"
  std::string signing_region;  // "us-east-1"
  std::string partition;       // "aws", "aws-cn", "aws-us-gov"
};

// The partition's own endpoint, with no configured URL.
IamEndpoint default_iam_endpoint(const std::string& partition);

// As resolve_sts_endpoint orders them: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, the `iam` block of the
// profile's services section, the profile's endpoint_url (all skipped when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, or else the profile's ignore_configured_endpoint_urls, is true), else
// the partition's endpoint. The signing region is the partition's (from `region`) either way. `files` may be
// null: the services section is then not read. An error when the profile names a services section that cannot
// be read.
Result<IamEndpoint> resolve_iam_endpoint(const std::string& region, const Profile& profile,
                                         const ConfigFiles* files, const Environment& env);

// "arn:aws:iam::123456789012:role/path/name" -> {"aws", "123456789012", "name", "/path/"}.
struct RoleArn {
  std::string partition;
  std::string account;
  std::string role_name;  // the last segment
  std::string path;       // "/" or "/a/b/", as IAM writes it
};
Result<RoleArn> parse_role_arn(std::string_view arn);

struct Role {
  std::string name;
  std::string arn;
  std::string role_id;
  std::string path;
  std::string create_date;                  // ISO 8601, as IAM sent it
  std::string assume_role_policy_document;  // the trust policy JSON, percent-decoded
  std::optional<Seconds> max_session_duration;
};

class IamClient {
 public:
  // Retries (throttling, 5xx) belong to the transport: pass a RetryingTransport, as for StsClient.
  IamClient(HttpTransport& transport, const Clock& clock, IamEndpoint endpoint)
      : m_transport(transport), m_clock(clock), m_endpoint(std::move(endpoint)) {}

  Result<Role> get_role(const Credentials& caller, const std::string& role_name);
  // Every role (under `path_prefix`, e.g. "/service/"), following the pages to the end.
  Result<std::vector<Role>> list_roles(const Credentials& caller,
                                       const std::optional<std::string>& path_prefix = std::nullopt);
  Result<void> update_assume_role_policy(const Credentials& caller, const std::string& role_name,
                                         const std::string& policy_document);

  const IamEndpoint& endpoint() const { return m_endpoint; }

 private:
  using Params = std::vector<std::pair<std::string, std::string>>;
  Result<std::string> call(const Credentials& caller, const std::string& action, const Params& params,
                           const std::string& role_name);

  HttpTransport& m_transport;
  const Clock& m_clock;
  IamEndpoint m_endpoint;
};

// A signed IAM query-protocol POST of `body` to the endpoint.
HttpRequest build_signed_iam_request(const IamEndpoint& endpoint, const Credentials& caller, std::string body,
                                     TimePoint time);

// Parsing, exposed for tests and the fuzzer. Answers are untrusted: bounded, checked for completeness and
// consistency (the ARN names the role), and free of control characters but in the policy document.
struct RolePage {
  std::vector<Role> roles;
  std::optional<std::string> marker;  // set when IsTruncated: the next page starts there
};
Result<Role> parse_get_role(std::string_view xml);
Result<RolePage> parse_list_roles(std::string_view xml);
Result<void> parse_update_assume_role_policy(std::string_view xml);
// Turns an IAM error body into a message with context and a hint; `role_name` (may be empty) names the role
// the call was about.
Error parse_iam_error(long status, std::string_view body, const std::string& action,
                      const std::string& role_name);

// Percent-decoding as botocore applies it to IAM's policy documents (urllib's unquote: '+' stays '+').
std::string decode_policy_document(std::string_view encoded);

}  // namespace kura
