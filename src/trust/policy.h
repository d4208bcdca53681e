// IAM role trust policies (AssumeRolePolicyDocument): bounded parsing that points at the spot, the canonical
// form two policies are compared in, stable printing, and adding or removing AWS principals. Pure: no AWS
// calls, no files; `kura trust` does the fetching and the writing.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kura {

// kura reads at most this much of a policy: far more than IAM accepts, so that a too-long policy is reported
// as that rather than cut. IAM's own limit on a role's trust policy, counted without whitespace:
inline constexpr size_t k_policy_max_bytes = size_t{128} * 1024;
inline constexpr size_t k_trust_policy_default_limit = 2048;  // the default quota
inline constexpr size_t k_trust_policy_quota_limit = 4096;    // the most a quota increase gives
// Trust policies nest four levels (Statement, a statement, Condition, an operator); this bounds recursion.
inline constexpr size_t k_policy_max_depth = 32;

struct PrincipalEdit;

// A parsed policy document. Only parse_policy makes one, so every Policy has passed its checks (an object
// with statements that each have an Effect, an Action or NotAction, and a Principal or NotPrincipal). A
// Policy that was moved from may only be assigned to or destroyed.
class Policy {
 public:
  Policy(const Policy& other);
  Policy(Policy&& other) noexcept;
  Policy& operator=(const Policy& other);
  Policy& operator=(Policy&& other) noexcept;
  ~Policy();

  const nlohmann::json& document() const { return *m_json; }
  const std::string& source() const { return m_source; }  // the file or role it came from, for messages

 private:
  Policy(nlohmann::json document, std::string source);

  friend Result<Policy> parse_policy(std::string_view text, const std::string& source);
  friend Policy normalise(const Policy& policy);
  friend Result<PrincipalEdit> add_principals(Policy& policy, const std::vector<std::string>& principals);
  friend Result<PrincipalEdit> remove_principals(Policy& policy, const std::vector<std::string>& principals);

  std::unique_ptr<nlohmann::json> m_json;  // null only once moved from
  std::string m_source;
};

// Parses and checks a policy. Errors name `source`, and for malformed JSON and repeated keys (IAM rejects
// them; JSON parsers commonly keep the last) the line and column: "role.json:3:7: duplicate key \"Effect\"".
Result<Policy> parse_policy(std::string_view text, const std::string& source);

// The canonical form, for comparing meaning rather than text. Keys sorted; a Statement object becomes a
// one-element list; where IAM reads a string as a one-element list and a list as a set (Action, NotAction,
// Resource, NotResource, the values of Principal and NotPrincipal — AWS, Service, Federated, CanonicalUser —
// and condition values) the value becomes a sorted list without duplicates. Statement order is kept: IAM
// does not care, but people read policies top to bottom and a diff that reorders statements misleads.
// Left as written: a Principal of "*" (not the same as {"AWS": "*"} to every reader), the case of action
// names, and an account id beside its root ARN (the partition is not known here). Idempotent.
Policy normalise(const Policy& policy);
bool equivalent(const Policy& a, const Policy& b);  // normalise(a) and normalise(b) are equal

// Two-space indented JSON ending in a newline, keys in a fixed order: Version, Id, Statement, then the rest
// alphabetically; in a statement Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
// NotResource, Condition, then the rest alphabetically; elsewhere alphabetically. Strings escape control
// characters, DEL and C1 controls, so that a policy from another account cannot drive the terminal.
std::string pretty(const Policy& policy);
// The same order and escaping without whitespace: what kura sends to IAM (whose limits count this length).
std::string compact(const Policy& policy);

// The unified diff of pretty(normalise(before)) and pretty(normalise(after)); empty when they are equivalent.
std::string semantic_diff(const Policy& before, const Policy& after, const std::string& before_label,
                          const std::string& after_label);

// A principal kura can add or remove: a 12-digit account id, or arn:PARTITION:iam::ACCOUNT:root,
// ...:user/PATH/NAME or ...:role/PATH/NAME. An error (with a hint) for anything else.
Result<void> check_principal(std::string_view principal);

struct PrincipalEdit {
  bool changed = false;  // some statement's principals changed
  // add: those already in every statement edited; remove: those in none of them (not an error, so that the
  // same removal can run across many accounts).
  std::vector<std::string> unchanged;
};

// Adds AWS principals to every statement that allows sts:AssumeRole: Effect Allow, a Principal that is an
// object (a Principal of "*" already admits everyone; NotPrincipal is left alone), and an Action (not
// NotAction) of which one entry matches "sts:AssumeRole" as IAM matches actions (case-insensitive, with * and
// ? wildcards: "sts:AssumeRole", "sts:*", "sts:Assume*", "*"). Conditions are kept as they are. A principal
// counts as present when the same string is there, or when an account id meets that account's root ARN in any
// partition. Errors, leaving the policy as it was: a principal check_principal refuses, or no statement to
// edit. The policy comes back normalised either way.
Result<PrincipalEdit> add_principals(Policy& policy, const std::vector<std::string>& principals);
// Removes AWS principals (matched as above) from the same statements. Refuses, naming the statement by Sid or
// 1-based index and leaving the policy as it was, if a statement would be left with no principal at all.
Result<PrincipalEdit> remove_principals(Policy& policy, const std::vector<std::string>& principals);

}  // namespace kura
