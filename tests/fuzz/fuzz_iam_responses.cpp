// Fuzz target: what an IAM endpoint answers to GetRole, ListRoles and UpdateAssumeRolePolicy — roles, pages,
// errors — and role ARNs. Nothing may crash; a parsed answer is complete and consistent; a message is safe
// for a terminal.
#include <cstdint>
#include <string>

#include "aws/iam.h"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const k_actions[] = {"GetRole", "ListRoles", "UpdateAssumeRolePolicy"};
  const std::string action = k_actions[data[0] % 3];
  const long status = 200 + (data[0] >> 2) * 5;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto role = parse_get_role(body);
  if (role) check_role(*role, true);
  auto page = parse_list_roles(body);
  if (page) {
    KURA_FUZZ_CHECK(page->roles.size() <= 1000);
    for (const Role& listed : page->roles) check_role(listed, false);
    if (page->marker) KURA_FUZZ_CHECK(!page->marker->empty() && page->marker->size() <= 4096);
  }
  (void)parse_update_assume_role_policy(body);
  check_error(parse_iam_error(status, body, action, "fuzz-role"));
  check_error(parse_iam_error(status, body, action, ""));

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
  transport.status = (data[0] & 1) ? 200 : status;
  transport.body = std::string(body);
  fuzz::FixedClock clock;
  IamClient iam(transport, clock, default_iam_endpoint("aws"));
  Credentials caller;
  caller.access_key_id = "AKIAFUZZFUZZFUZZFUZZ";
  caller.secret_access_key = Secret(std::string("fuzz-secret"));
  switch (data[0] % 3) {
    case 0: {
      auto got = iam.get_role(caller, "fuzz-role");
      if (!got) check_error(got.error());
      break;
    }
    case 1: {
      auto listed = iam.list_roles(caller, std::string("/"));
      if (!listed) check_error(listed.error());
      KURA_FUZZ_CHECK(transport.sent <= 2);
      break;
    }
    default: {
      auto updated = iam.update_assume_role_policy(caller, "fuzz-role", "{}");
      if (!updated) check_error(updated.error());
      break;
    }
  }
  return 0;
}
