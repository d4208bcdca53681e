// IAM client over the query protocol: roles (GetRole, ListRoles, UpdateAssumeRolePolicy), the caller's access
// keys and virtual MFA devices, GetUser; its endpoint and role ARNs.
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

// IAM's StatusType. Expired is IAM's own verdict on an access key past its policy's age; kura only sets the
// other two.
enum class AccessKeyStatus { active, inactive, expired };
const char* to_string(AccessKeyStatus status);  // "Active", "Inactive", "Expired"

struct AccessKeyMetadata {
  std::string access_key_id;
  AccessKeyStatus status = AccessKeyStatus::active;
  std::optional<TimePoint> create_date;
  std::string user_name;  // empty when IAM names none (the root user's keys)
};

// CreateAccessKey's answer: the key as Credentials (no session token, no expiration), the secret in its
// Secret and nowhere else.
struct NewAccessKey {
  Credentials key;
  AccessKeyStatus status = AccessKeyStatus::active;
  std::optional<TimePoint> create_date;
  std::string user_name;
};

struct IamUser {
  std::string name;  // empty for the account's root user (whose Arn ends in ":root")
  std::string arn;
  std::string user_id;
};

// CreateVirtualMFADevice's answer. The seed is a long-term secret: shown once to the user, never stored or
// logged by kura.
struct VirtualMfaDevice {
  std::string serial_number;  // arn:aws:iam::123456789012:mfa/NAME
  Secret base32_seed;         // the TOTP seed as base32 text, as authenticator apps take it
};

struct MfaDeviceInfo {
  std::string user_name;
  std::string serial_number;  // a virtual device's ARN, a hardware token's serial, or a security key's ARN
  TimePoint enable_date;
};

// What a call is about, named in its error messages: {"role", "deployer"}, {"user", "alice"},
// {"access key", "****WXYZ"}, {"MFA device", "arn:..."}; both empty for the caller itself.
struct IamSubject {
  std::string kind;
  std::string name;
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

  // Access keys of `user_name`, or of the calling user without one; every page.
  Result<std::vector<AccessKeyMetadata>> list_access_keys(const Credentials& caller,
                                                          const std::optional<std::string>& user_name);
  // A new key. IAM allows two per user: LimitExceeded says the user already has two.
  Result<NewAccessKey> create_access_key(const Credentials& caller,
                                         const std::optional<std::string>& user_name);
  Result<void> delete_access_key(const Credentials& caller, const std::string& access_key_id,
                                 const std::optional<std::string>& user_name);
  // Sets a key Active or Inactive (Expired is refused: IAM alone sets it).
  Result<void> update_access_key(const Credentials& caller, const std::string& access_key_id,
                                 AccessKeyStatus status, const std::optional<std::string>& user_name);
  // The calling user (GetUser with no name).
  Result<IamUser> get_user(const Credentials& caller);

  // A virtual MFA device named `device_name` (not yet assigned to anyone) and its seed.
  Result<VirtualMfaDevice> create_virtual_mfa_device(const Credentials& caller,
                                                     const std::string& device_name);
  // Assigns the device to `user_name` once two consecutive codes from it check out.
  Result<void> enable_mfa_device(const Credentials& caller, const std::string& user_name,
                                 const std::string& serial_number, const std::string& code1,
                                 const std::string& code2);
  // MFA devices of `user_name`, or of the calling user without one; every page.
  Result<std::vector<MfaDeviceInfo>> list_mfa_devices(const Credentials& caller,
                                                      const std::optional<std::string>& user_name);
  // Deletes a virtual device that is not assigned (e.g. after a failed enrolment).
  Result<void> delete_virtual_mfa_device(const Credentials& caller, const std::string& serial_number);

  const IamEndpoint& endpoint() const { return m_endpoint; }

 private:
  using Params = std::vector<std::pair<std::string, std::string>>;
  Result<std::string> call(const Credentials& caller, const std::string& action, const Params& params,
                           const IamSubject& subject);
  // Every page of a listing: `params` plus Marker, each page parsed by `parse`, its `items` gathered.
  template <typename Item, typename Page>
  Result<std::vector<Item>> all_pages(const Credentials& caller, const std::string& action,
                                      const Params& params, Result<Page> (*parse)(std::string_view),
                                      std::vector<Item> Page::*items, const IamSubject& subject,
                                      const std::string& too_many_hint);

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
// An answer that carries nothing but its name (DeleteAccessKey, UpdateAccessKey, EnableMFADevice, ...).
Result<void> parse_acknowledgement(std::string_view xml, const std::string& action);

struct AccessKeyPage {
  std::vector<AccessKeyMetadata> keys;
  std::optional<std::string> marker;
};
struct MfaDevicePage {
  std::vector<MfaDeviceInfo> devices;
  std::optional<std::string> marker;
};
Result<AccessKeyPage> parse_list_access_keys(std::string_view xml);
Result<MfaDevicePage> parse_list_mfa_devices(std::string_view xml);
Result<IamUser> parse_get_user(std::string_view xml);
// The two answers with secrets are parsed in place from a private copy of `xml` that is wiped afterwards
// (pugixml's text included): the secret's only copy is in the result. The caller wipes `xml`.
Result<NewAccessKey> parse_create_access_key(std::string_view xml);
// Base32StringSeed arrives as base64 of the base32 text; it is decoded into the Secret. QRCodePNG (the same
// seed as an image) is ignored.
Result<VirtualMfaDevice> parse_create_virtual_mfa_device(std::string_view xml);

// Turns an IAM error body into a message with context and a hint; `subject` names what the call was about.
Error parse_iam_error(long status, std::string_view body, const std::string& action,
                      const IamSubject& subject);

// Percent-decoding as botocore applies it to IAM's policy documents (urllib's unquote: '+' stays '+').
std::string decode_policy_document(std::string_view encoded);

}  // namespace kura
