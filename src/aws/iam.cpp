// IAM client, its endpoint rules, role ARNs and its XML parsing (pugixml).
#include "aws/iam.h"

#include <pugixml.hpp>

#include "aws/endpoints.h"
#include "aws/sts.h"
#include "crypto/hash.h"
#include "crypto/otpauth.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

// Who signed a failed call: IAM answers session credentials obtained without MFA as unknown tokens.
enum class CallerKind { long_term_key, session };
Error map_iam_error(long status, std::string_view body, const std::string& action, const IamSubject& subject,
                    CallerKind caller);

constexpr const char* k_version = "2010-05-08";
// Bounds on what an answer may hold. The transport refuses larger bodies already; these keep the parser safe
// on its own (the fuzzer feeds it directly).
constexpr size_t k_max_response_bytes = size_t{1} << 20;
constexpr size_t k_max_field_bytes = 2048;  // an ARN is at most 2048 characters
constexpr size_t k_max_policy_bytes = size_t{128} * 1024;
constexpr size_t k_max_marker_bytes = 4096;
constexpr size_t k_max_items_per_page = 1000;  // MaxItems cannot exceed 1000
constexpr int k_max_pages = 1000;
// Roles per ListRoles page. IAM's default (100) with their trust policies can outgrow the 64 KiB the
// transport buffers; 20 roles of typical size stay well under it, and 1000 pages still cover IAM's quota.
constexpr const char* k_page_size = "20";
constexpr size_t k_max_role_name = 64;
constexpr size_t k_max_user_name = 128;  // existingUserNameType (new names are at most 64)
constexpr size_t k_max_mfa_device_name = 226;
constexpr size_t k_max_path = 512;
constexpr size_t k_max_secret_bytes = 256;  // a secret access key is 40 characters
constexpr size_t k_max_seed_bytes = 1024;  // base64 of the base32 text: 88 characters for AWS's 40-byte seeds

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

bool graphic_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool word_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// `name` is `min` to `max` word characters or characters from `others`.
bool matches(std::string_view name, size_t min, size_t max, std::string_view others) {
  if (name.size() < min || name.size() > max) return false;
  for (char c : name) {
    if (!word_character(c) && others.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// IAM's pattern for role, user and MFA device names: [\w+=,.@-]{1,max}.
bool valid_iam_name(std::string_view name, size_t max) {
  return matches(name, 1, max, "+=,.@-");
}

bool valid_role_name(std::string_view name) {
  return valid_iam_name(name, k_max_role_name);
}

// serialNumberType: [\w+=/:,.@-]{9,256}.
bool valid_serial_number(std::string_view serial) {
  return matches(serial, 9, 256, "+=/:,.@-");
}

// authenticationCodeType: six digits.
bool valid_mfa_code(std::string_view code) {
  return code.size() == 6 && code.find_first_not_of("0123456789") == std::string_view::npos;
}

// accessKeyIdType: [\w]{16,128}.
bool valid_access_key_id(std::string_view id) {
  return matches(id, 16, 128, "");
}

// "/" or "/a/b/": slashes around non-empty segments of visible ASCII, at most 512 characters.
bool valid_path(std::string_view path) {
  if (path.empty() || path.size() > k_max_path || path.front() != '/' || path.back() != '/') return false;
  return graphic_ascii(path) && !contains(path, "//");
}

std::string quoted(std::string_view text) {
  return "'" + printable(text, 200) + "'";
}

Result<void> check_role_name(const std::string& role_name) {
  if (valid_role_name(role_name)) return {};
  return make_error("role name " + quoted(role_name) + " is not a valid IAM role name",
                    "a role name is 1 to 64 letters, digits and +=,.@_- (the last part of the role's ARN)");
}

Result<void> check_user_name(const std::optional<std::string>& user_name, const std::string& action) {
  if (!user_name || valid_iam_name(*user_name, k_max_user_name)) return {};
  return make_error(action + ": user name " + quoted(*user_name) + " is not a valid IAM user name",
                    "a user name is 1 to 64 letters, digits and +=,.@_- (the last part of the user's ARN)");
}

Result<void> check_serial_number(const std::string& serial, const std::string& action) {
  if (valid_serial_number(serial)) return {};
  return make_error(action + ": " + quoted(serial) + " is not an MFA device serial number",
                    "a virtual device's serial number is its ARN, e.g. arn:aws:iam::123456789012:mfa/alice");
}

Result<void> check_access_key_id(const std::string& id, const std::string& action) {
  if (valid_access_key_id(id)) return {};
  return make_error(action + ": " + quoted(mask_key_id(id)) + " is not an access key id",
                    "an access key id is 16 or more letters and digits, e.g. AKIAIOSFODNN7EXAMPLE");
}

// The subject a call about a user's access keys names: the user, or the caller (nothing) when none is given.
IamSubject user_subject(const std::optional<std::string>& user_name) {
  return user_name ? IamSubject{"user", *user_name} : IamSubject{};
}

// The parameters of a call about `user_name`'s keys or devices (none: the caller's), after `first`.
Result<std::vector<std::pair<std::string, std::string>>> user_params(
    const std::optional<std::string>& user_name, const std::string& action,
    std::vector<std::pair<std::string, std::string>> first = {}) {
  if (auto valid = check_user_name(user_name, action); !valid) return std::move(valid).error();
  if (user_name) first.emplace_back("UserName", *user_name);
  return first;
}

std::optional<AccessKeyStatus> parse_status(std::string_view text) {
  for (AccessKeyStatus status :
       {AccessKeyStatus::active, AccessKeyStatus::inactive, AccessKeyStatus::expired}) {
    if (text == to_string(status)) return status;
  }
  return std::nullopt;
}

// A text field of an answer: present, bounded and visible ASCII (it may reach a terminal).
Result<std::string> text_field(pugi::xml_node node, const char* name, const std::string& what) {
  std::string_view value = node.child_value(name);
  if (value.empty()) return make_error(what + ": response lacks " + name);
  if (value.size() > k_max_field_bytes || !graphic_ascii(value)) {
    return make_error(what + ": response has an invalid " + name);
  }
  return std::string(value);
}

Result<Role> parse_role(pugi::xml_node node, const std::string& what) {
  Role role;
  struct Field {
    const char* name;
    std::string* into;
  };
  for (const Field& field :
       {Field{"RoleName", &role.name}, Field{"Arn", &role.arn}, Field{"RoleId", &role.role_id},
        Field{"Path", &role.path}, Field{"CreateDate", &role.create_date}}) {
    auto value = text_field(node, field.name, what);
    if (!value) return value.error();
    *field.into = std::move(*value);
  }
  if (!valid_role_name(role.name)) return make_error(what + ": response has an invalid RoleName");
  if (!valid_path(role.path)) return make_error(what + ": response has an invalid Path");
  if (!parse_iso8601(role.create_date)) return make_error(what + ": response has an invalid CreateDate");
  auto arn = parse_role_arn(role.arn);
  if (!arn || arn->role_name != role.name || arn->path != role.path) {
    return make_error(what + ": response's Arn does not name role " + quoted(role.name) + " at path " +
                      quoted(role.path));
  }

  std::string_view encoded = node.child_value("AssumeRolePolicyDocument");
  if (encoded.size() > k_max_policy_bytes) {
    return make_error(what + ": response has an oversized AssumeRolePolicyDocument");
  }
  role.assume_role_policy_document = decode_policy_document(encoded);

  if (pugi::xml_node duration = node.child("MaxSessionDuration")) {
    std::string_view text = duration.child_value();
    long long seconds = 0;
    bool digits = !text.empty() && text.size() <= 6;
    for (char c : text) {
      if (c < '0' || c > '9') digits = false;
      if (digits) seconds = seconds * 10 + (c - '0');
    }
    // IAM allows 1 to 12 hours.
    if (!digits || seconds < 3600 || seconds > 43200) {
      return make_error(what + ": response has an invalid MaxSessionDuration");
    }
    role.max_session_duration = Seconds(seconds);
  }
  return role;
}

Result<pugi::xml_node> answer_root(const pugi::xml_document& doc, bool loaded, const std::string& action) {
  if (!loaded) return make_error(action + ": response is not XML");
  pugi::xml_node root = doc.child((action + "Response").c_str());
  if (!root) return make_error(action + ": response is not a " + action + " answer");
  return root;
}

Result<pugi::xml_node> load_answer(pugi::xml_document& doc, std::string_view xml, const std::string& action) {
  if (xml.size() > k_max_response_bytes) return make_error(action + ": response is too large");
  return answer_root(doc, static_cast<bool>(doc.load_buffer(xml.data(), xml.size())), action);
}

// An answer with a secret in it, parsed in place from a private copy that is wiped when this dies. pugixml's
// text nodes point into that copy (entities are decoded there too), so wiping it leaves no copy of the secret
// but the ones the caller takes into Secrets.
class SecretAnswer {
 public:
  SecretAnswer() = default;
  SecretAnswer(const SecretAnswer&) = delete;
  SecretAnswer& operator=(const SecretAnswer&) = delete;
  ~SecretAnswer() { wipe_string(m_text); }

  Result<pugi::xml_node> load(std::string_view xml, const std::string& action) {
    if (xml.size() > k_max_response_bytes) return make_error(action + ": response is too large");
    m_text.assign(xml.data(), xml.size());
    // UTF-8 is forced: for another encoding pugixml would convert into a buffer of its own, freed unwiped.
    auto loaded =
        m_doc.load_buffer_inplace(m_text.data(), m_text.size(), pugi::parse_default, pugi::encoding_utf8);
    return answer_root(m_doc, static_cast<bool>(loaded), action);
  }

 private:
  std::string m_text;  // destroyed after m_doc, which points into it
  pugi::xml_document m_doc;
};

// <ACTIONResult><NAME> of a loaded answer, or why there is none.
Result<pugi::xml_node> result_node(const Result<pugi::xml_node>& root, const std::string& action,
                                   const char* name) {
  if (!root) return root.error();
  pugi::xml_node node = root->child((action + "Result").c_str()).child(name);
  if (!node) return make_error(action + ": response lacks " + name);
  return node;
}

// IsTruncated and Marker of a listing page: the next page's marker, or none on the last page.
Result<std::optional<std::string>> next_marker(pugi::xml_node result, const std::string& action) {
  std::string_view truncated = result.child_value("IsTruncated");
  if (truncated == "true") {
    std::string_view marker = result.child_value("Marker");
    if (marker.empty()) return make_error(action + ": response is truncated but has no Marker");
    if (marker.size() > k_max_marker_bytes) return make_error(action + ": response has an oversized Marker");
    return std::optional<std::string>(marker);
  }
  if (!truncated.empty() && truncated != "false")
    return make_error(action + ": response has an invalid IsTruncated");
  return std::optional<std::string>();
}

// A user name in an answer: absent (empty) or valid.
Result<std::string> optional_user_name(pugi::xml_node node, const std::string& what) {
  std::string_view name = node.child_value("UserName");
  if (!name.empty() && !valid_iam_name(name, k_max_user_name)) {
    return make_error(what + ": response has an invalid UserName");
  }
  return std::string(name);
}

// A CreateDate or EnableDate: absent, or ISO 8601.
Result<std::optional<TimePoint>> optional_date(pugi::xml_node node, const char* name,
                                               const std::string& what) {
  std::string_view text = node.child_value(name);
  if (text.empty()) return std::optional<TimePoint>();
  auto time = text.size() <= 64 ? parse_iso8601(text) : std::nullopt;
  if (!time) return make_error(what + ": response has an invalid " + name);
  return time;
}

// The fields an access key has in both ListAccessKeys and CreateAccessKey answers.
struct KeyFields {
  std::string access_key_id;
  AccessKeyStatus status = AccessKeyStatus::active;
  std::optional<TimePoint> create_date;
  std::string user_name;
};

Result<KeyFields> parse_key_fields(pugi::xml_node node, const std::string& what) {
  KeyFields fields;
  auto id = text_field(node, "AccessKeyId", what);
  if (!id) return id.error();
  if (!valid_access_key_id(*id)) return make_error(what + ": response has an invalid AccessKeyId");
  fields.access_key_id = std::move(*id);
  auto status = parse_status(node.child_value("Status"));
  if (!status) return make_error(what + ": response has no valid Status (Active, Inactive or Expired)");
  fields.status = *status;
  auto date = optional_date(node, "CreateDate", what);
  if (!date) return date.error();
  fields.create_date = *date;
  auto user = optional_user_name(node, what);
  if (!user) return user.error();
  fields.user_name = std::move(*user);
  return fields;
}

// The IAM permission an AccessDenied message names ("... not authorized to perform: iam:GetRole on ..."),
// else the one the action needs.
std::string denied_permission(std::string_view message, const std::string& action) {
  constexpr std::string_view k_marker = "perform: ";
  size_t at = message.find(k_marker);
  if (at != std::string_view::npos) {
    std::string_view rest = message.substr(at + k_marker.size());
    size_t end = 0;
    while (end < rest.size() && end < 128 &&
           ((rest[end] >= 'a' && rest[end] <= 'z') || (rest[end] >= 'A' && rest[end] <= 'Z') ||
            (rest[end] >= '0' && rest[end] <= '9') || rest[end] == ':' || rest[end] == '-')) {
      ++end;
    }
    std::string_view permission = rest.substr(0, end);
    if (permission.find(':') != std::string_view::npos && permission.back() != ':') {
      return std::string(permission);
    }
  }
  return "iam:" + action;
}

// One page of a listing: each <member> of <ACTIONResult><list> read by `parse_member` (at most 1000), and
// the marker of the next page.
template <typename Page, typename Item>
Result<Page> parse_page(std::string_view xml, const std::string& action, const char* list,
                        std::vector<Item> Page::*items,
                        Result<Item> (*parse_member)(pugi::xml_node, const std::string&)) {
  pugi::xml_document doc;
  auto root = load_answer(doc, xml, action);
  if (!root) return root.error();
  const std::string result_name = action + "Result";
  pugi::xml_node result = root->child(result_name.c_str());
  if (!result) return make_error(action + ": response lacks a " + result_name);
  Page page;
  for (pugi::xml_node member : result.child(list).children("member")) {
    if ((page.*items).size() >= k_max_items_per_page) {
      return make_error(action + ": too many " + list + " in one page");
    }
    auto item = parse_member(member, action);
    if (!item) return item.error();
    (page.*items).push_back(std::move(*item));
  }
  auto marker = next_marker(result, action);
  if (!marker) return marker.error();
  page.marker = std::move(*marker);
  return page;
}

Result<AccessKeyMetadata> parse_access_key_member(pugi::xml_node node, const std::string& what) {
  auto fields = parse_key_fields(node, what);
  if (!fields) return fields.error();
  return AccessKeyMetadata{std::move(fields->access_key_id), fields->status, fields->create_date,
                           std::move(fields->user_name)};
}

Result<MfaDeviceInfo> parse_mfa_device_member(pugi::xml_node node, const std::string& what) {
  MfaDeviceInfo device;
  auto serial = text_field(node, "SerialNumber", what);
  if (!serial) return serial.error();
  if (!valid_serial_number(*serial)) return make_error(what + ": response has an invalid SerialNumber");
  device.serial_number = std::move(*serial);
  auto user = optional_user_name(node, what);
  if (!user) return user.error();
  if (user->empty()) return make_error(what + ": response lacks UserName");
  device.user_name = std::move(*user);
  auto date = optional_date(node, "EnableDate", what);
  if (!date) return date.error();
  if (!*date) return make_error(what + ": response lacks EnableDate");
  device.enable_date = **date;
  return device;
}

}  // namespace

IamEndpoint default_iam_endpoint(const std::string& partition) {
  if (partition == "aws-cn") return {"https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "aws-cn"};
  if (partition == "aws-us-gov") return {"https://iam.us-gov.amazonaws.com", "us-gov-west-1", "aws-us-gov"};
  return {"https://iam.amazonaws.com", "us-east-1", "aws"};
}

Result<IamEndpoint> resolve_iam_endpoint(const std::string& region, const Profile& profile,
                                         const ConfigFiles* files, const Environment& env) {
  IamEndpoint endpoint = default_iam_endpoint(partition_of_region(region));
  auto configured = configured_endpoint_url("IAM", "iam", profile, files, env);
  if (!configured) return configured.error();
  // Still signed for the partition's region: that is what IAM (and a local stand-in) expects.
  if (*configured) endpoint.url = **configured;
  return endpoint;
}

Result<RoleArn> parse_role_arn(std::string_view arn) {
  const std::string shown = quoted(arn);
  const std::string k_shape =
      "expected arn:PARTITION:iam::ACCOUNT:role/NAME, e.g. arn:aws:iam::123456789012:role/admin";
  if (arn.size() > k_max_field_bytes) return make_error("role ARN is too long", k_shape);
  std::vector<std::string_view> parts;
  std::string_view rest = arn;
  while (parts.size() < 5) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) break;
    parts.push_back(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() < 5 || parts[0] != "arn") {
    return make_error("role ARN " + shown + " is not an ARN", k_shape);
  }
  RoleArn out;
  std::string_view partition = parts[1];
  std::string_view service = parts[2];
  std::string_view region = parts[3];
  std::string_view account = parts[4];
  bool partition_ok = partition == "aws" || (partition.size() > 4 && partition.substr(0, 4) == "aws-");
  for (char c : partition) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) partition_ok = false;
  }
  if (!partition_ok) return make_error("role ARN " + shown + ": unknown partition", k_shape);
  if (service == "sts" && rest.substr(0, 13) == "assumed-role/") {
    std::string_view role = rest.substr(13, rest.find('/', 13) - 13);
    return make_error("role ARN " + shown + " is a session's ARN, not a role's",
                      "the role is arn:" + std::string(partition) + ":iam::" + printable(account, 32) +
                          ":role/" + printable(role, 64) + " (with its path, if it has one)");
  }
  if (service != "iam") return make_error("role ARN " + shown + " is not an IAM ARN", k_shape);
  if (!region.empty()) return make_error("role ARN " + shown + ": IAM ARNs have no region", k_shape);
  bool account_ok = account.size() == 12;
  for (char c : account) {
    if (c < '0' || c > '9') account_ok = false;
  }
  if (!account_ok) {
    return make_error("role ARN " + shown + ": the account must be 12 digits", k_shape);
  }
  if (rest.substr(0, 5) != "role/") return make_error("role ARN " + shown + " does not name a role", k_shape);
  std::string_view resource = rest.substr(5);
  size_t last = resource.rfind('/');
  std::string_view name = last == std::string_view::npos ? resource : resource.substr(last + 1);
  std::string path = last == std::string_view::npos ? "/" : "/" + std::string(resource.substr(0, last + 1));
  if (!valid_role_name(name)) {
    return make_error("role ARN " + shown + ": " + quoted(name) + " is not a valid role name",
                      "a role name is 1 to 64 letters, digits and +=,.@_-");
  }
  if (!valid_path(path)) return make_error("role ARN " + shown + ": invalid path " + quoted(path), k_shape);
  out.partition = partition;
  out.account = account;
  out.role_name = name;
  out.path = std::move(path);
  return out;
}

std::string decode_policy_document(std::string_view encoded) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      int hi = hex(encoded[i + 1]);
      int lo = hex(encoded[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += encoded[i];
  }
  return out;
}

HttpRequest build_signed_iam_request(const IamEndpoint& endpoint, const Credentials& caller, std::string body,
                                     TimePoint time) {
  return build_signed_query_request(endpoint.url, endpoint.signing_region, "iam", caller, std::move(body),
                                    time);
}

const char* to_string(AccessKeyStatus status) {
  static constexpr const char* k_names[] = {"Active", "Inactive", "Expired"};  // in the enum's order
  return k_names[static_cast<size_t>(status)];
}

Result<std::string> IamClient::call(const Credentials& caller, const std::string& action,
                                    const Params& params, const IamSubject& subject) {
  std::string body = "Action=" + action + "&Version=" + k_version;
  for (const auto& [name, value] : params) body += "&" + uri_encode(name) + "=" + uri_encode(value);
  HttpRequest request = build_signed_iam_request(m_endpoint, caller, std::move(body), m_clock.now());
  log_debug("iam: " + action + " as " + mask_key_id(caller.access_key_id) + " at " + m_endpoint.url +
            " (region " + m_endpoint.signing_region + ")");
  auto response = m_transport.send(request);
  if (!response) return std::move(response).error().context(action);
  if (response->status != 200) {
    return map_iam_error(response->status, response->body, action, subject,
                         caller.session_token.empty() ? CallerKind::long_term_key : CallerKind::session);
  }
  return std::move(response->body);
}

template <typename Item, typename Page>
Result<std::vector<Item>> IamClient::all_pages(const Credentials& caller, const std::string& action,
                                               const Params& params, Result<Page> (*parse)(std::string_view),
                                               std::vector<Item> Page::*items, const IamSubject& subject,
                                               const std::string& too_many_hint) {
  std::vector<Item> all;
  std::optional<std::string> marker;
  for (int page = 1;; ++page) {
    if (page > k_max_pages) {
      return make_error(action + ": more than " + std::to_string(k_max_pages) + " pages; kura stopped",
                        too_many_hint);
    }
    Params page_params = params;
    if (marker) page_params.emplace_back("Marker", *marker);
    auto body = call(caller, action, page_params, subject);
    if (!body) return body.error();
    auto parsed = parse(*body);
    if (!parsed) return std::move(parsed).error().context("page " + std::to_string(page));
    for (Item& item : (*parsed).*items) all.push_back(std::move(item));
    if (!parsed->marker) return all;
    if (marker == parsed->marker) {
      return make_error(action + ": page " + std::to_string(page) +
                        " gave the same Marker as the one before");
    }
    marker = std::move(parsed->marker);
  }
}

Result<Role> IamClient::get_role(const Credentials& caller, const std::string& role_name) {
  if (auto valid = check_role_name(role_name); !valid) return std::move(valid).error().context("GetRole");
  auto body = call(caller, "GetRole", {{"RoleName", role_name}}, {"role", role_name});
  if (!body) return body.error();
  return parse_get_role(*body);
}

Result<std::vector<Role>> IamClient::list_roles(const Credentials& caller,
                                                const std::optional<std::string>& path_prefix) {
  if (path_prefix && (path_prefix->empty() || path_prefix->size() > k_max_path ||
                      path_prefix->front() != '/' || !graphic_ascii(*path_prefix))) {
    return make_error("ListRoles: path prefix " + quoted(*path_prefix) + " is not an IAM path",
                      "a path prefix starts with '/', e.g. / or /service-role/");
  }
  Params params{{"MaxItems", k_page_size}};
  if (path_prefix) params.emplace_back("PathPrefix", *path_prefix);
  return all_pages(caller, "ListRoles", params, &parse_list_roles, &RolePage::roles, {},
                   "narrow the listing with a path prefix");
}

Result<void> IamClient::update_assume_role_policy(const Credentials& caller, const std::string& role_name,
                                                  const std::string& policy_document) {
  const std::string action = "UpdateAssumeRolePolicy";
  if (auto valid = check_role_name(role_name); !valid) return std::move(valid).error().context(action);
  if (policy_document.empty()) return make_error(action + ": the trust policy document is empty");
  auto body = call(caller, action, {{"RoleName", role_name}, {"PolicyDocument", policy_document}},
                   {"role", role_name});
  if (!body) return body.error();
  return parse_update_assume_role_policy(*body);
}

Result<std::vector<AccessKeyMetadata>> IamClient::list_access_keys(
    const Credentials& caller, const std::optional<std::string>& user_name) {
  const std::string action = "ListAccessKeys";
  auto params = user_params(user_name, action);
  if (!params) return params.error();
  return all_pages(caller, action, *params, &parse_list_access_keys, &AccessKeyPage::keys,
                   user_subject(user_name), {});
}

Result<NewAccessKey> IamClient::create_access_key(const Credentials& caller,
                                                  const std::optional<std::string>& user_name) {
  const std::string action = "CreateAccessKey";
  auto params = user_params(user_name, action);
  if (!params) return params.error();
  auto body = call(caller, action, *params, user_subject(user_name));
  if (!body) return body.error();
  auto key = parse_create_access_key(*body);
  wipe_string(*body);  // it held the secret access key
  return key;
}

Result<void> IamClient::delete_access_key(const Credentials& caller, const std::string& access_key_id,
                                          const std::optional<std::string>& user_name) {
  const std::string action = "DeleteAccessKey";
  if (auto valid = check_access_key_id(access_key_id, action); !valid) return std::move(valid).error();
  auto params = user_params(user_name, action, {{"AccessKeyId", access_key_id}});
  if (!params) return params.error();
  auto body = call(caller, action, *params, {"access key", mask_key_id(access_key_id)});
  if (!body) return body.error();
  return parse_acknowledgement(*body, action);
}

Result<void> IamClient::update_access_key(const Credentials& caller, const std::string& access_key_id,
                                          AccessKeyStatus status,
                                          const std::optional<std::string>& user_name) {
  const std::string action = "UpdateAccessKey";
  if (auto valid = check_access_key_id(access_key_id, action); !valid) return std::move(valid).error();
  if (status == AccessKeyStatus::expired) {
    return make_error(action + ": a key can be made Active or Inactive; IAM alone marks it Expired");
  }
  auto params =
      user_params(user_name, action, {{"AccessKeyId", access_key_id}, {"Status", to_string(status)}});
  if (!params) return params.error();
  auto body = call(caller, action, *params, {"access key", mask_key_id(access_key_id)});
  if (!body) return body.error();
  return parse_acknowledgement(*body, action);
}

Result<IamUser> IamClient::get_user(const Credentials& caller) {
  auto body = call(caller, "GetUser", {}, {});
  if (!body) return body.error();
  return parse_get_user(*body);
}

Result<VirtualMfaDevice> IamClient::create_virtual_mfa_device(const Credentials& caller,
                                                              const std::string& device_name) {
  const std::string action = "CreateVirtualMFADevice";
  if (!valid_iam_name(device_name, k_max_mfa_device_name)) {
    return make_error(action + ": " + quoted(device_name) + " is not a valid MFA device name",
                      "a device name is 1 to 226 letters, digits and +=,.@_-, e.g. the user's name");
  }
  auto body = call(caller, action, {{"VirtualMFADeviceName", device_name}}, {"MFA device", device_name});
  if (!body) return body.error();
  auto device = parse_create_virtual_mfa_device(*body);
  wipe_string(*body);  // it held the seed, as text and in the QR code image
  return device;
}

Result<void> IamClient::enable_mfa_device(const Credentials& caller, const std::string& user_name,
                                          const std::string& serial_number, const std::string& code1,
                                          const std::string& code2) {
  const std::string action = "EnableMFADevice";
  if (auto valid = check_user_name(user_name, action); !valid) return std::move(valid).error();
  if (auto valid = check_serial_number(serial_number, action); !valid) return std::move(valid).error();
  if (!valid_mfa_code(code1) || !valid_mfa_code(code2)) {
    return make_error(action + ": an MFA code is six digits", "enter two consecutive codes from the device");
  }
  auto body = call(caller, action,
                   {{"UserName", user_name},
                    {"SerialNumber", serial_number},
                    {"AuthenticationCode1", code1},
                    {"AuthenticationCode2", code2}},
                   {"MFA device", serial_number});
  if (!body) return body.error();
  return parse_acknowledgement(*body, action);
}

Result<std::vector<MfaDeviceInfo>> IamClient::list_mfa_devices(const Credentials& caller,
                                                               const std::optional<std::string>& user_name) {
  const std::string action = "ListMFADevices";
  auto params = user_params(user_name, action);
  if (!params) return params.error();
  return all_pages(caller, action, *params, &parse_list_mfa_devices, &MfaDevicePage::devices,
                   user_subject(user_name), {});
}

Result<void> IamClient::delete_virtual_mfa_device(const Credentials& caller,
                                                  const std::string& serial_number) {
  const std::string action = "DeleteVirtualMFADevice";
  if (auto valid = check_serial_number(serial_number, action); !valid) return std::move(valid).error();
  auto body = call(caller, action, {{"SerialNumber", serial_number}}, {"MFA device", serial_number});
  if (!body) return body.error();
  return parse_acknowledgement(*body, action);
}

Result<Role> parse_get_role(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load_answer(doc, xml, "GetRole");
  if (!root) return root.error();
  pugi::xml_node node = root->child("GetRoleResult").child("Role");
  if (!node) return make_error("GetRole: response lacks a Role");
  auto role = parse_role(node, "GetRole");
  if (role && role->assume_role_policy_document.empty()) {
    return make_error("GetRole: response lacks AssumeRolePolicyDocument");
  }
  return role;
}

Result<RolePage> parse_list_roles(std::string_view xml) {
  return parse_page(xml, "ListRoles", "Roles", &RolePage::roles, &parse_role);
}

Result<void> parse_update_assume_role_policy(std::string_view xml) {
  return parse_acknowledgement(xml, "UpdateAssumeRolePolicy");
}

Result<void> parse_acknowledgement(std::string_view xml, const std::string& action) {
  pugi::xml_document doc;
  auto root = load_answer(doc, xml, action);
  if (!root) return root.error();
  return {};
}

Result<AccessKeyPage> parse_list_access_keys(std::string_view xml) {
  return parse_page(xml, "ListAccessKeys", "AccessKeyMetadata", &AccessKeyPage::keys,
                    &parse_access_key_member);
}

Result<MfaDevicePage> parse_list_mfa_devices(std::string_view xml) {
  return parse_page(xml, "ListMFADevices", "MFADevices", &MfaDevicePage::devices, &parse_mfa_device_member);
}

Result<IamUser> parse_get_user(std::string_view xml) {
  const std::string action = "GetUser";
  pugi::xml_document doc;
  auto found = result_node(load_answer(doc, xml, action), action, "User");
  if (!found) return found.error();
  pugi::xml_node node = *found;
  IamUser user;
  auto arn = text_field(node, "Arn", action);
  if (!arn) return arn.error();
  user.arn = std::move(*arn);
  auto id = text_field(node, "UserId", action);
  if (!id) return id.error();
  user.user_id = std::move(*id);
  auto name = optional_user_name(node, action);
  if (!name) return name.error();
  user.name = std::move(*name);
  // The Arn names the user (arn:aws:iam::ACCOUNT:user/PATH/NAME), or is the root user's (…:root).
  const std::string_view arn_view = user.arn;
  const bool names_user = !user.name.empty() && arn_view.size() > user.name.size() &&
                          arn_view.substr(0, 4) == "arn:" && contains(arn_view, ":user/") &&
                          arn_view.substr(arn_view.size() - user.name.size() - 1) == "/" + user.name;
  const bool root_user = user.name.empty() && arn_view.substr(0, 4) == "arn:" && arn_view.size() > 5 &&
                         arn_view.substr(arn_view.size() - 5) == ":root";
  if (!names_user && !root_user) {
    return make_error(action + ": response's Arn does not name user " + quoted(user.name));
  }
  return user;
}

Result<NewAccessKey> parse_create_access_key(std::string_view xml) {
  const std::string action = "CreateAccessKey";
  SecretAnswer answer;
  auto found = result_node(answer.load(xml, action), action, "AccessKey");
  if (!found) return found.error();
  pugi::xml_node node = *found;
  auto fields = parse_key_fields(node, action);
  if (!fields) return fields.error();
  // Checked without ever naming the value: this is the secret.
  std::string_view secret = node.child_value("SecretAccessKey");
  if (secret.empty()) return make_error(action + ": response lacks SecretAccessKey");
  if (secret.size() > k_max_secret_bytes || !graphic_ascii(secret)) {
    return make_error(action + ": response has an invalid SecretAccessKey");
  }
  NewAccessKey key;
  key.key.access_key_id = std::move(fields->access_key_id);
  key.key.secret_access_key = Secret(secret);
  key.status = fields->status;
  key.create_date = fields->create_date;
  key.user_name = std::move(fields->user_name);
  return key;
}

Result<VirtualMfaDevice> parse_create_virtual_mfa_device(std::string_view xml) {
  const std::string action = "CreateVirtualMFADevice";
  SecretAnswer answer;
  auto found = result_node(answer.load(xml, action), action, "VirtualMFADevice");
  if (!found) return found.error();
  pugi::xml_node node = *found;
  auto serial = text_field(node, "SerialNumber", action);
  if (!serial) return serial.error();
  if (!valid_serial_number(*serial)) return make_error(action + ": response has an invalid SerialNumber");
  // Checked without ever naming the value: this is the seed.
  std::string_view encoded = node.child_value("Base32StringSeed");
  if (encoded.empty()) return make_error(action + ": response lacks Base32StringSeed");
  std::optional<Secret> seed;
  if (encoded.size() <= k_max_seed_bytes) seed = base64_decode_secret(encoded);
  if (!seed || !is_base32_seed(seed->view())) {
    return make_error(action + ": response has an invalid Base32StringSeed (not base64 of base32 text)");
  }
  return VirtualMfaDevice{std::move(*serial), std::move(*seed)};
}

Error parse_iam_error(long status, std::string_view body, const std::string& action,
                      const IamSubject& subject) {
  return map_iam_error(status, body, action, subject, CallerKind::long_term_key);
}

namespace {

Error map_iam_error(long status, std::string_view body, const std::string& action, const IamSubject& subject,
                    CallerKind caller) {
  pugi::xml_document doc;
  std::string code, message;
  if (body.size() <= k_max_response_bytes && doc.load_buffer(body.data(), body.size())) {
    pugi::xml_node error = doc.child("ErrorResponse").child("Error");
    if (!error) error = doc.child("ErrorResponse").child("Errors").child("Error");  // moto's layout
    if (!error) error = doc.child("Response").child("Errors").child("Error");
    // Server text goes to the terminal: control characters (escape sequences) are dropped, lengths bounded.
    code = printable(error.child_value("Code"), 64);
    message = printable(error.child_value("Message"), 512);
  }
  const bool role_call = subject.kind == "role";
  // " role 'deployer'", " user 'alice'", " access key '****WXYZ'", or nothing for the caller itself.
  const std::string named =
      subject.kind.empty() ? std::string() : " " + subject.kind + " " + quoted(subject.name);
  const std::string detail = " (" + code + ": " + message + ")";
  if (code == "NoSuchEntity" && role_call) {
    return make_error(
        action + ":" + named + " not found in the account of the calling credentials" + detail,
        "check --role-name or the profile's role_arn: the name is the ARN's last part "
        "(arn:aws:iam::ACCOUNT:role/PATH/NAME), and IAM looks only in the account the credentials belong to");
  }
  if (code == "NoSuchEntity") {
    std::string hint = "IAM looks only in the account the credentials belong to";
    if (subject.kind == "access key")
      hint = "list the user's access keys: this one may have been deleted already";
    if (subject.kind == "MFA device") {
      hint =
          "check the serial number (arn:aws:iam::ACCOUNT:mfa/NAME): the device may have been deleted already";
    }
    return make_error(
        action + ":" + (named.empty() ? " IAM found no such entity" : named + " not found") + detail, hint);
  }
  if (code == "MalformedPolicyDocument") {
    return make_error(action + ": IAM rejected the trust policy of" + named + ": " + message,
                      "the document must be a JSON policy with \"Version\": \"2012-10-17\" whose statements "
                      "name a Principal and an action such as sts:AssumeRole");
  }
  if (code == "LimitExceeded" && contains(message, "ACLSizePerRole")) {
    return make_error(
        action + ": the trust policy of" + named + " is too long" + detail,
        "a trust policy holds 2048 characters (whitespace aside) unless the account's quota was "
        "raised: shorten it, or request a quota increase");
  }
  if (code == "LimitExceeded" && (action == "CreateAccessKey" || contains(message, "AccessKeysPerUser"))) {
    return make_error(action + ": the user already has two access keys, the most IAM allows" + detail,
                      "delete the key that is not in use (deactivate it first if unsure), then try again");
  }
  if (code == "LimitExceeded" && contains(action, "MFA")) {
    return make_error(action + ": IAM's quota of MFA devices is reached" + detail,
                      "a user has at most 8 MFA devices: remove one that is no longer used");
  }
  if (code == "EntityAlreadyExists" && action == "CreateVirtualMFADevice") {
    return make_error(
        action + ": an MFA device named " + quoted(subject.name) + " already exists in the account" + detail,
        "choose another device name, or delete the unused device first");
  }
  if (code == "EntityAlreadyExists" && action == "EnableMFADevice") {
    return make_error(action + ":" + named + " is already assigned to a user" + detail,
                      "a device is enabled once: enrol a new device");
  }
  if (code == "InvalidAuthenticationCode") {
    return make_error(
        action + ": the two codes were not accepted" + detail,
        "enter two consecutive codes from the authenticator (wait for the code to change between "
        "them), and check that the clock of the device it runs on is right");
  }
  if (code == "DeleteConflict") {
    return make_error(action + ":" + named + " is still in use" + detail,
                      "an MFA device assigned to a user must be deactivated before it is deleted");
  }
  if (code == "EntityTemporarilyUnmodifiable" || code == "ConcurrentModification") {
    return make_error(action + ": IAM is busy with another change to the same entity" + detail,
                      "wait a few seconds and try again");
  }
  if (code == "UnmodifiableEntity") {
    return make_error(action + ":" + named + " cannot be changed" + detail,
                      "service-linked roles are managed by their AWS service: edit it there");
  }
  if (code == "AccessDenied" || code == "AccessDeniedException") {
    const std::string permission = denied_permission(message, action);
    const bool resource_named = role_call || subject.kind == "user";
    return make_error(action + ": " + code + ": " + message,
                      "the calling identity needs " + permission + (resource_named ? " on" + named : "") +
                          ": allow it in an identity policy (and check no permissions boundary, SCP or "
                          "explicit deny removes it)");
  }
  if (code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded") {
    return make_error(action + ": IAM is throttling requests" + detail,
                      "IAM limits each account's request rate: wait a few seconds and try again, and make "
                      "fewer IAM calls at once");
  }
  // Everything else (expired or unknown keys, signatures, clocks) reads as it does for STS.
  Error error = parse_sts_error(status, body, action);
  if (code == "InvalidClientTokenId" && caller == CallerKind::session) {
    error.hint =
        "IAM refuses session credentials obtained without MFA: use a session from GetSessionToken with an "
        "MFA "
        "code (a profile with mfa_serial), or the long-term key itself";
  }
  return error;
}

}  // namespace

}  // namespace kura
