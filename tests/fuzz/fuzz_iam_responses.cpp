// Fuzz target: what an IAM endpoint answers — roles, pages, access keys (new ones with their secret), the
// user, virtual MFA devices (with their seed), MFA device pages, acknowledgements, errors — and role ARNs.
// Nothing may crash; a parsed answer is complete and consistent; a message is safe for a terminal and never
// holds the secret or the seed the answer carried.
#include <cstdint>
#include <string>

#include "aws/iam.h"
#include "crypto/otpauth.h"
#include "fuzz_endpoint.h"

namespace {

using namespace kura;
using fuzz::check_error;
using fuzz::visible_ascii;

void check_role(const Role& role, bool policy_required) {
  for (const std::string* field : {&role.name, &role.arn, &role.role_id, &role.path, &role.create_date}) {
    KURA_FUZZ_CHECK(visible_ascii(*field));
  }
  auto arn = parse_role_arn(role.arn);
  KURA_FUZZ_CHECK(arn.ok());
  KURA_FUZZ_CHECK(arn->role_name == role.name && arn->path == role.path);
  if (policy_required) KURA_FUZZ_CHECK(!role.assume_role_policy_document.empty());
  if (role.max_session_duration) {
    KURA_FUZZ_CHECK(role.max_session_duration->count() >= 3600 &&
                    role.max_session_duration->count() <= 43200);
  }
}

void check_key_id(const std::string& id) {
  KURA_FUZZ_CHECK(visible_ascii(id) && id.size() >= 16 && id.size() <= 128);
}

void check_marker(const std::optional<std::string>& marker) {
  if (marker) KURA_FUZZ_CHECK(!marker->empty() && marker->size() <= 4096);
}

// The raw text of <tag>...</tag> in `body`, when it is long enough and has a digit (so that it cannot be
// mistaken for a part of a constant message, which has none).
std::string_view secret_text(std::string_view body, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  size_t start = body.find(open);
  if (start == std::string_view::npos) return {};
  start += open.size();
  size_t end = body.find('<', start);
  std::string_view text =
      body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (text.size() < 24 || text.find_first_of("0123456789") == std::string_view::npos) return {};
  return text;
}

void check_silent(const Error& error, std::string_view secret) {
  check_error(error);
  if (secret.empty()) return;
  KURA_FUZZ_CHECK(error.message.find(secret) == std::string::npos);
  KURA_FUZZ_CHECK(error.hint.find(secret) == std::string::npos);
}

void parse_everything(std::string_view body) {
  auto role = parse_get_role(body);
  if (role) check_role(*role, true);
  auto page = parse_list_roles(body);
  if (page) {
    KURA_FUZZ_CHECK(page->roles.size() <= 1000);
    for (const Role& listed : page->roles) check_role(listed, false);
    check_marker(page->marker);
  }
  (void)parse_update_assume_role_policy(body);
  (void)parse_acknowledgement(body, "DeleteAccessKey");

  auto keys = parse_list_access_keys(body);
  if (keys) {
    KURA_FUZZ_CHECK(keys->keys.size() <= 1000);
    for (const AccessKeyMetadata& key : keys->keys) {
      check_key_id(key.access_key_id);
      KURA_FUZZ_CHECK(key.user_name.empty() || visible_ascii(key.user_name));
    }
    check_marker(keys->marker);
  }
  auto created = parse_create_access_key(body);
  if (created) {
    check_key_id(created->key.access_key_id);
    const std::string secret(created->key.secret_access_key.view());
    KURA_FUZZ_CHECK(visible_ascii(secret) && secret.size() <= 256);
    KURA_FUZZ_CHECK(created->key.session_token.empty() && !created->key.expiration);
  } else {
    check_silent(created.error(), secret_text(body, "SecretAccessKey"));
  }
  auto user = parse_get_user(body);
  if (user) {
    KURA_FUZZ_CHECK(visible_ascii(user->arn) && visible_ascii(user->user_id));
    const bool root = user->arn.size() > 5 && user->arn.compare(user->arn.size() - 5, 5, ":root") == 0;
    KURA_FUZZ_CHECK(user->name.empty() == root);
  }
  auto device = parse_create_virtual_mfa_device(body);
  if (device) {
    KURA_FUZZ_CHECK(visible_ascii(device->serial_number));
    KURA_FUZZ_CHECK(is_base32_seed(device->base32_seed.view()));
  } else {
    check_silent(device.error(), secret_text(body, "Base32StringSeed"));
  }
  auto devices = parse_list_mfa_devices(body);
  if (devices) {
    KURA_FUZZ_CHECK(devices->devices.size() <= 1000);
    for (const MfaDeviceInfo& listed : devices->devices) {
      KURA_FUZZ_CHECK(visible_ascii(listed.serial_number) && visible_ascii(listed.user_name));
    }
    check_marker(devices->marker);
  }
}

template <typename T>
void check_result(const Result<T>& result) {
  if (!result) check_error(result.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the call (its value modulo 12) and whether the endpoint answers 200 (below 0x80) or
  // an error status; the rest is the answer.
  static const char* const k_actions[] = {"GetRole",         "ListRoles",       "UpdateAssumeRolePolicy",
                                          "ListAccessKeys",  "CreateAccessKey", "DeleteAccessKey",
                                          "UpdateAccessKey", "GetUser",         "CreateVirtualMFADevice",
                                          "EnableMFADevice", "ListMFADevices",  "DeleteVirtualMFADevice"};
  const int call = data[0] % 12;
  const std::string action = k_actions[call];
  const long status = data[0] < 0x80 ? 200 : 400 + (data[0] & 0x7f);
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  parse_everything(body);
  check_error(parse_iam_error(status, body, action, {"role", "fuzz-role"}));
  check_error(parse_iam_error(status, body, action, {"MFA device", "arn:aws:iam::123456789012:mfa/fuzz"}));
  check_error(parse_iam_error(status, body, action, {}));

  auto arn = parse_role_arn(body);
  if (arn) {
    KURA_FUZZ_CHECK(!arn->role_name.empty() && arn->role_name.size() <= 64);
    KURA_FUZZ_CHECK(arn->path.front() == '/' && arn->path.back() == '/');
    KURA_FUZZ_CHECK(arn->account.size() == 12);
  } else {
    check_error(arn.error());
  }
  KURA_FUZZ_CHECK(decode_policy_document(body).size() <= body.size());

  // The whole client over the same answer: paging ends (a Marker that repeats is refused on page 2).
  fuzz::EchoTransport transport;
  transport.status = status;
  transport.body = std::string(body);
  fuzz::FixedClock clock;
  IamClient iam(transport, clock, default_iam_endpoint("aws"));
  Credentials caller;
  caller.access_key_id = "AKIAFUZZFUZZFUZZFUZZ";
  caller.secret_access_key = Secret(std::string("fuzz-secret"));
  if (data[0] & 0x40) caller.session_token = Secret(std::string("fuzz-token"));
  const std::string key_id = "AKIAFUZZFUZZFUZZ0000";
  const std::string serial = "arn:aws:iam::123456789012:mfa/fuzz";
  const std::optional<std::string> user =
      (data[0] & 0x20) ? std::optional<std::string>("fuzz") : std::nullopt;
  switch (call) {
    case 0:
      check_result(iam.get_role(caller, "fuzz-role"));
      break;
    case 1:
      check_result(iam.list_roles(caller, std::string("/")));
      KURA_FUZZ_CHECK(transport.sent <= 2);
      break;
    case 2:
      check_result(iam.update_assume_role_policy(caller, "fuzz-role", "{}"));
      break;
    case 3:
      check_result(iam.list_access_keys(caller, user));
      KURA_FUZZ_CHECK(transport.sent <= 2);
      break;
    case 4: {
      auto created = iam.create_access_key(caller, user);
      // An error answer's own Message may be anything; an answer that was meant to carry a key is never
      // echoed.
      if (!created) check_silent(created.error(), status == 200 ? secret_text(body, "SecretAccessKey") : "");
      break;
    }
    case 5:
      check_result(iam.delete_access_key(caller, key_id, user));
      break;
    case 6:
      check_result(iam.update_access_key(caller, key_id, AccessKeyStatus::inactive, user));
      break;
    case 7:
      check_result(iam.get_user(caller));
      break;
    case 8: {
      auto device = iam.create_virtual_mfa_device(caller, "fuzz");
      if (!device) check_silent(device.error(), status == 200 ? secret_text(body, "Base32StringSeed") : "");
      break;
    }
    case 9:
      check_result(iam.enable_mfa_device(caller, "fuzz", serial, "123456", "654321"));
      break;
    case 10:
      check_result(iam.list_mfa_devices(caller, user));
      KURA_FUZZ_CHECK(transport.sent <= 2);
      break;
    default:
      check_result(iam.delete_virtual_mfa_device(caller, serial));
      break;
  }
  return 0;
}
