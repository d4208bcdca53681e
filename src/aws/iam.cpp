// IAM client, its endpoint rules, role ARNs and its XML parsing (pugixml).
#include "aws/iam.h"

#include <pugixml.hpp>

#include "aws/endpoints.h"
#include "aws/sts.h"
#include "util/log.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr const char* k_version = "2010-05-08";
// Bounds on what an answer may hold. The transport refuses larger bodies already; these keep the parser safe
// on its own (the fuzzer feeds it directly).
constexpr size_t k_max_response_bytes = size_t{1} << 20;
constexpr size_t k_max_field_bytes = 2048;  // an ARN is at most 2048 characters
constexpr size_t k_max_policy_bytes = size_t{128} * 1024;
constexpr size_t k_max_marker_bytes = 4096;
constexpr size_t k_max_roles_per_page = 1000;  // ListRoles' MaxItems cannot exceed 1000
constexpr int k_max_pages = 1000;
// Roles per ListRoles page. IAM's default (100) with their trust policies can outgrow the 64 KiB the
// transport buffers; 20 roles of typical size stay well under it, and 1000 pages still cover IAM's quota.
constexpr const char* k_page_size = "20";
constexpr size_t k_max_role_name = 64;
constexpr size_t k_max_path = 512;

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

bool graphic_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// IAM's pattern for role names: [\w+=,.@-]{1,64}.
bool valid_role_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_role_name) return false;
  for (char c : name) {
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && std::string_view("+=,.@-").find(c) == std::string_view::npos) return false;
  }
  return true;
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

Result<pugi::xml_node> load_answer(pugi::xml_document& doc, std::string_view xml, const std::string& action) {
  if (xml.size() > k_max_response_bytes) return make_error(action + ": response is too large");
  if (!doc.load_buffer(xml.data(), xml.size())) return make_error(action + ": response is not XML");
  pugi::xml_node root = doc.child((action + "Response").c_str());
  if (!root) return make_error(action + ": response is not a " + action + " answer");
  return root;
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

Result<std::string> IamClient::call(const Credentials& caller, const std::string& action,
                                    const Params& params, const std::string& role_name) {
  std::string body = "Action=" + action + "&Version=" + k_version;
  for (const auto& [name, value] : params) body += "&" + uri_encode(name) + "=" + uri_encode(value);
  HttpRequest request = build_signed_iam_request(m_endpoint, caller, std::move(body), m_clock.now());
  log_debug("iam: " + action + " as " + mask_key_id(caller.access_key_id) + " at " + m_endpoint.url +
            " (region " + m_endpoint.signing_region + ")");
  auto response = m_transport.send(request);
  if (!response) return std::move(response).error().context(action);
  if (response->status != 200) return parse_iam_error(response->status, response->body, action, role_name);
  return std::move(response->body);
}

Result<Role> IamClient::get_role(const Credentials& caller, const std::string& role_name) {
  if (auto valid = check_role_name(role_name); !valid) return std::move(valid).error().context("GetRole");
  auto body = call(caller, "GetRole", {{"RoleName", role_name}}, role_name);
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
  std::vector<Role> roles;
  std::optional<std::string> marker;
  for (int page = 1;; ++page) {
    if (page > k_max_pages) {
      return make_error("ListRoles: more than " + std::to_string(k_max_pages) + " pages; kura stopped",
                        "narrow the listing with a path prefix");
    }
    Params params{{"MaxItems", k_page_size}};
    if (path_prefix) params.emplace_back("PathPrefix", *path_prefix);
    if (marker) params.emplace_back("Marker", *marker);
    auto body = call(caller, "ListRoles", params, {});
    if (!body) return body.error();
    auto parsed = parse_list_roles(*body);
    if (!parsed) return std::move(parsed).error().context("page " + std::to_string(page));
    for (Role& role : parsed->roles) roles.push_back(std::move(role));
    if (!parsed->marker) return roles;
    if (marker == parsed->marker) {
      return make_error("ListRoles: page " + std::to_string(page) +
                        " gave the same Marker as the one before");
    }
    marker = std::move(parsed->marker);
  }
}

Result<void> IamClient::update_assume_role_policy(const Credentials& caller, const std::string& role_name,
                                                  const std::string& policy_document) {
  const std::string action = "UpdateAssumeRolePolicy";
  if (auto valid = check_role_name(role_name); !valid) return std::move(valid).error().context(action);
  if (policy_document.empty()) return make_error(action + ": the trust policy document is empty");
  auto body = call(caller, action, {{"RoleName", role_name}, {"PolicyDocument", policy_document}}, role_name);
  if (!body) return body.error();
  return parse_update_assume_role_policy(*body);
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
  pugi::xml_document doc;
  auto root = load_answer(doc, xml, "ListRoles");
  if (!root) return root.error();
  pugi::xml_node result = root->child("ListRolesResult");
  if (!result) return make_error("ListRoles: response lacks a ListRolesResult");
  RolePage page;
  for (pugi::xml_node member : result.child("Roles").children("member")) {
    if (page.roles.size() >= k_max_roles_per_page) return make_error("ListRoles: too many roles in one page");
    auto role = parse_role(member, "ListRoles");
    if (!role) return role.error();
    page.roles.push_back(std::move(*role));
  }
  std::string_view truncated = result.child_value("IsTruncated");
  if (truncated == "true") {
    std::string_view marker = result.child_value("Marker");
    if (marker.empty()) return make_error("ListRoles: response is truncated but has no Marker");
    if (marker.size() > k_max_marker_bytes) return make_error("ListRoles: response has an oversized Marker");
    page.marker = std::string(marker);
  } else if (!truncated.empty() && truncated != "false") {
    return make_error("ListRoles: response has an invalid IsTruncated");
  }
  return page;
}

Result<void> parse_update_assume_role_policy(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load_answer(doc, xml, "UpdateAssumeRolePolicy");
  if (!root) return root.error();
  return {};
}

Error parse_iam_error(long status, std::string_view body, const std::string& action,
                      const std::string& role_name) {
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
  const std::string role = role_name.empty() ? std::string() : " " + quoted(role_name);
  const std::string detail = " (" + code + ": " + message + ")";
  if (code == "NoSuchEntity") {
    return make_error(
        action + ": role" + role + " not found in the account of the calling credentials" + detail,
        "check --role-name or the profile's role_arn: the name is the ARN's last part "
        "(arn:aws:iam::ACCOUNT:role/PATH/NAME), and IAM looks only in the account the credentials belong to");
  }
  if (code == "MalformedPolicyDocument") {
    return make_error(action + ": IAM rejected the trust policy of role" + role + ": " + message,
                      "the document must be a JSON policy with \"Version\": \"2012-10-17\" whose statements "
                      "name a Principal and an action such as sts:AssumeRole");
  }
  if (code == "LimitExceeded" && contains(message, "ACLSizePerRole")) {
    return make_error(
        action + ": the trust policy of role" + role + " is too long" + detail,
        "a trust policy holds 2048 characters (whitespace aside) unless the account's quota was "
        "raised: shorten it, or request a quota increase");
  }
  if (code == "UnmodifiableEntity") {
    return make_error(action + ": role" + role + " cannot be changed" + detail,
                      "service-linked roles are managed by their AWS service: edit it there");
  }
  if (code == "AccessDenied" || code == "AccessDeniedException") {
    const std::string permission = denied_permission(message, action);
    return make_error(action + ": " + code + ": " + message,
                      "the calling identity needs " + permission + (role.empty() ? "" : " on role" + role) +
                          ": allow it in an identity policy (and check no permissions boundary, SCP or "
                          "explicit deny removes it)");
  }
  if (code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded") {
    return make_error(action + ": IAM is throttling requests" + detail,
                      "IAM limits each account's request rate: wait a few seconds and try again, and make "
                      "fewer IAM calls at once");
  }
  // Everything else (expired or unknown keys, signatures, clocks) reads as it does for STS.
  return parse_sts_error(status, body, action);
}

}  // namespace kura
