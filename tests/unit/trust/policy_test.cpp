// Trust policies: errors that point at the spot, the canonical form, printing, and principal edits.
#include "trust/policy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace kura {
namespace {

using nlohmann::json;

Policy parsed(std::string_view text) {
  auto policy = parse_policy(text, "role.json");
  EXPECT_TRUE(policy) << (policy ? "" : policy.error().message);
  if (!policy) return *parse_policy(R"({"Statement":{"Effect":"Deny","Action":"*","Principal":"*"}})", "x");
  return std::move(policy).value();
}

std::string error_of(std::string_view text) {
  auto policy = parse_policy(text, "role.json");
  EXPECT_FALSE(policy) << text;
  return policy ? "" : policy.error().message;
}

const char* const k_typical = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Admins",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
      "Action": "sts:AssumeRole",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    },
    {
      "Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"},
      "Action": ["sts:AssumeRole", "sts:TagSession"]
    }
  ]
})";

// The AWS principals of statement `index` (normalised: a list of strings).
std::vector<std::string> aws_principals(const Policy& policy, size_t index) {
  const json& principal = policy.document()["Statement"][index]["Principal"];
  if (!principal.contains("AWS")) return {};
  return principal["AWS"].get<std::vector<std::string>>();
}

// Parsing.

TEST(ParsePolicy, KeepsTheDocument) {
  Policy policy = parsed(k_typical);
  EXPECT_EQ(policy.source(), "role.json");
  EXPECT_EQ(policy.document()["Statement"][0]["Sid"], "Admins");
  EXPECT_EQ(policy.document()["Statement"][1]["Action"][1], "sts:TagSession");
}

TEST(ParsePolicy, SyntaxErrorsNameFileLineAndColumn) {
  EXPECT_EQ(
      error_of(
          "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}\n"),
      "role.json:4:24: syntax error while parsing object key - unexpected '}'; expected string literal");
  EXPECT_EQ(
      error_of(""),
      "role.json:1:1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a "
      "literal");
  EXPECT_EQ(error_of("{\"x\": 1} x").rfind("role.json:1:10: ", 0), 0u);
  // Columns count characters: "é" is two bytes and one column.
  EXPECT_EQ(error_of("{\"caf\xc3\xa9\": tru}").rfind("role.json:1:13: ", 0), 0u);
  // A raw newline inside a string is reported on its own line, not the next one.
  EXPECT_EQ(error_of("{\"Statement\": \"a\nb\"}").rfind("role.json:1:17: ", 0), 0u);
  EXPECT_EQ(error_of("{\"Statement\": 1e999}"), "role.json:1:19: number overflow parsing '1e999'");
}

TEST(ParsePolicy, ErrorsAreSafeForATerminal) {
  const std::string message = error_of("{\"Statement\": \x1b[31m}");
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
  const std::string effect =
      error_of(R"({"Statement": {"Effect": "\u001b]0;owned\u0007", "Action": "*", "Principal": "*"}})");
  EXPECT_EQ(effect.find('\x1b'), std::string::npos) << effect;
  EXPECT_EQ(effect.find('\x07'), std::string::npos) << effect;
}

// nlohmann keeps the last of a repeated key; IAM refuses the document. kura says where the repeat is.
TEST(ParsePolicy, RepeatedKeysAreErrorsAtTheirPlace) {
  const std::string message = error_of(
      "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\",\n"
      " \"Principal\": {\"AWS\": \"111111111111\"},\n"
      "    \"Effect\": \"Deny\"}}");
  EXPECT_EQ(message, "role.json:3:5: duplicate key \"Effect\"");
  EXPECT_EQ(error_of(R"({"Statement": [], "Statement": []})"), "role.json:1:19: duplicate key \"Statement\"");
  // Escaped quotes in the key: the column is still the key's opening quote.
  EXPECT_EQ(error_of(R"({"a\"b\\": 1, "a\"b\\": 2})"), R"(role.json:1:15: duplicate key "a\"b\\")");
  // A key repeated in a nested Principal and keys that only look alike ("AWS" and "aws") are told apart.
  EXPECT_EQ(error_of(R"({"Statement": {"Principal": {"AWS": "1", "AWS": "2"}}})"),
            "role.json:1:42: duplicate key \"AWS\"");
  parsed(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"AWS": "*", "aws": "*"}}})");
  // The same key in two different objects is fine.
  parsed(R"({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "*"},
                          {"Effect": "Allow", "Action": "*", "Principal": "*"}]})");
}

TEST(ParsePolicy, SizeAndDepthAreBounded) {
  std::string huge = R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "Sid": ")";
  huge += std::string(k_policy_max_bytes, 'x') + "\"}}";
  auto too_long = parse_policy(huge, "role.json");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().message.rfind("role.json: 131150 bytes is too long for a trust policy", 0), 0u);
  EXPECT_NE(too_long.error().hint.find("2048"), std::string::npos);
  EXPECT_NE(too_long.error().hint.find("4096"), std::string::npos);

  std::string deep = R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "X": )";
  deep += std::string(40, '[') + std::string(40, ']') + "}}";
  EXPECT_EQ(error_of(deep), "role.json:1:103: nested deeper than 32 levels");
  std::string deep_enough = R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "X": )";
  deep_enough += std::string(30, '[') + std::string(30, ']') + "}}";
  parsed(deep_enough);
}

TEST(ParsePolicy, ChecksTheShapeOfATrustPolicy) {
  EXPECT_EQ(error_of("[]"), "role.json: a policy is a JSON object, not []");
  EXPECT_EQ(error_of(R"({"Version": "2012-10-17"})"), "role.json: no Statement");
  EXPECT_EQ(error_of(R"({"Statement": "x"})"),
            "role.json: Statement must be an object or a list of objects, not \"x\"");
  EXPECT_EQ(error_of(R"({"Statement": []})"), "role.json: Statement is an empty list");
  EXPECT_EQ(error_of(R"({"Statement": [1]})"), "role.json: statement 1 is not an object");
  EXPECT_EQ(error_of(R"({"Version": "2012-10-18", "Statement": []})"),
            "role.json: Version must be \"2012-10-17\" (or the older \"2008-10-17\"), not \"2012-10-18\"");
  EXPECT_EQ(error_of(R"({"Id": 5, "Statement": []})"), "role.json: Id must be a string");

  const std::string good = R"("Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"})";
  parsed("{\"Statement\": {" + good + "}}");
  EXPECT_EQ(
      error_of(R"({"Statement": [{)" + good + R"(}, {"Sid": "Second", "Action": "*", "Principal": "*"}]})"),
      "role.json: statement 2 (Sid \"Second\"): no Effect");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "allow", "Action": "*", "Principal": "*"}})"),
            "role.json: statement 1: Effect must be \"Allow\" or \"Deny\", not \"allow\"");
  EXPECT_EQ(error_of(R"({"Statement": {"Sid": 1, "Effect": "Allow", "Action": "*", "Principal": "*"}})"),
            "role.json: statement 1: Sid must be a string");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "Allow", "Principal": "*"}})"),
            "role.json: statement 1: no Action or NotAction");
  EXPECT_EQ(
      error_of(R"({"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Principal": "*"}})"),
      "role.json: statement 1: both Action and NotAction");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "Allow", "Action": [], "Principal": "*"}})"),
            "role.json: statement 1: Action must be a string or a list of strings, not []");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "Allow", "NotAction": [3], "Principal": "*"}})"),
            "role.json: statement 1: NotAction must be a string or a list of strings, not [3]");
  auto no_principal = parse_policy(R"({"Statement": {"Effect": "Allow", "Action": "*"}})", "role.json");
  ASSERT_FALSE(no_principal);
  EXPECT_EQ(no_principal.error().message, "role.json: statement 1: no Principal or NotPrincipal");
  EXPECT_NE(no_principal.error().hint.find("who may assume the role"), std::string::npos);
  EXPECT_EQ(
      error_of(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "arn:aws:iam::1:root"}})"),
      "role.json: statement 1: Principal must be \"*\" or an object of principal lists, not "
      "\"arn:aws:iam::1:root\"");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {}}})"),
            "role.json: statement 1: Principal must be \"*\" or an object of principal lists, not {}");
  EXPECT_EQ(
      error_of(R"({"Statement": {"Effect": "Allow", "Action": "*", "NotPrincipal": {"AWS": 1}}})"),
      "role.json: statement 1: NotPrincipal must be \"*\" or an object of principal lists, not {\"AWS\":1}");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "Resource": 1}})"),
            "role.json: statement 1: Resource must be a string or a list of strings, not 1");
  EXPECT_EQ(error_of(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*",
                                      "Condition": {"Bool": "true"}}})"),
            "role.json: statement 1: Condition must map operators to {key: value or list of values}, not "
            "{\"Bool\":\"true\"}");
  // Numbers and booleans are condition values IAM accepts.
  parsed(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*",
                          "Condition": {"Bool": {"aws:SecureTransport": true},
                                        "NumericLessThan": {"aws:MultiFactorAuthAge": [3600]}}}})");
}

// The canonical form.

TEST(Normalise, FoldsTheFormsIamReadsAlike) {
  Policy written = parsed(R"({"Version": "2012-10-17", "Statement": {
      "Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": "arn:aws:iam::111111111111:root", "Service": "ec2.amazonaws.com"},
      "Condition": {"StringEquals": {"sts:ExternalId": "x"}}, "Resource": "*"}})");
  Policy listed = parsed(R"({"Statement": [{"Resource": ["*"],
      "Condition": {"StringEquals": {"sts:ExternalId": ["x", "x"]}},
      "Principal": {"Service": ["ec2.amazonaws.com"], "AWS": ["arn:aws:iam::111111111111:root"]},
      "Action": ["sts:AssumeRole", "sts:AssumeRole"], "Effect": "Allow"}], "Version": "2012-10-17"})");
  EXPECT_NE(written.document(), listed.document());
  EXPECT_TRUE(equivalent(written, listed));
  EXPECT_EQ(normalise(written).document(), normalise(listed).document());
  EXPECT_EQ(normalise(written).document(), json::parse(R"({"Version": "2012-10-17", "Statement": [{
      "Effect": "Allow", "Action": ["sts:AssumeRole"],
      "Principal": {"AWS": ["arn:aws:iam::111111111111:root"], "Service": ["ec2.amazonaws.com"]},
      "Condition": {"StringEquals": {"sts:ExternalId": ["x"]}}, "Resource": ["*"]}]})"));
}

TEST(Normalise, SortsSetsButKeepsStatementOrder) {
  Policy a = parsed(R"({"Statement": [
      {"Sid": "One", "Effect": "Allow", "Action": ["sts:TagSession", "sts:AssumeRole"],
       "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::111111111111:root"]},
       "Condition": {"StringLike": {"aws:PrincipalTag/team": ["b", "a"]}}},
      {"Sid": "Two", "Effect": "Deny", "Action": "*", "Principal": "*"}]})");
  Policy b = parsed(R"({"Statement": [
      {"Sid": "One", "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
       "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]},
       "Condition": {"StringLike": {"aws:PrincipalTag/team": ["a", "b"]}}},
      {"Sid": "Two", "Effect": "Deny", "Action": "*", "Principal": "*"}]})");
  Policy swapped = parsed(R"({"Statement": [
      {"Sid": "Two", "Effect": "Deny", "Action": "*", "Principal": "*"},
      {"Sid": "One", "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
       "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]},
       "Condition": {"StringLike": {"aws:PrincipalTag/team": ["a", "b"]}}}]})");
  EXPECT_TRUE(equivalent(a, b));
  EXPECT_FALSE(equivalent(a, swapped));
  EXPECT_EQ(normalise(a).document()["Statement"][0]["Action"],
            json::parse(R"(["sts:AssumeRole", "sts:TagSession"])"));
}

TEST(Normalise, LeavesWhatIsNotTheSame) {
  const char* star = R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}})";
  const char* aws_star = R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"AWS": "*"}}})";
  EXPECT_FALSE(equivalent(parsed(star), parsed(aws_star)));
  EXPECT_EQ(normalise(parsed(star)).document()["Statement"][0]["Principal"], "*");
  // Action case and an account id beside its root ARN are kept as written.
  EXPECT_FALSE(equivalent(
      parsed(R"({"Statement": {"Effect": "Allow", "Action": "STS:AssumeRole", "Principal": "*"}})"),
      parsed(R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}})")));
  EXPECT_FALSE(equivalent(
      parsed(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"AWS": "111111111111"}}})"),
      parsed(
          R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}}})")));
  // A different Version or Sid is a difference.
  EXPECT_FALSE(equivalent(
      parsed(
          R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}})"),
      parsed(star)));
  EXPECT_FALSE(
      equivalent(parsed(R"({"Statement": {"Sid": "A", "Effect": "Allow", "Action": "*", "Principal": "*"}})"),
                 parsed(star)));
}

TEST(Normalise, IsIdempotentAndSurvivesPrinting) {
  Policy once = normalise(parsed(k_typical));
  EXPECT_EQ(normalise(once).document(), once.document());
  EXPECT_EQ(normalise(parsed(pretty(once))).document(), once.document());
  EXPECT_EQ(normalise(parsed(compact(once))).document(), once.document());
  EXPECT_EQ(normalise(parsed(pretty(parsed(k_typical)))).document(), once.document());
}

// Printing.

TEST(Pretty, PutsKeysInIamOrder) {
  Policy policy = parsed(R"({"Statement": {"Zed": {}, "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
      "Resource": "*", "NotAction": "s3:*", "Principal": {"Service": "a", "AWS": ["b", "c"]},
      "Effect": "Allow", "Sid": "S", "Extra": [], "Number": 1.5},
      "Version": "2012-10-17", "Id": "I", "Other": true})");
  EXPECT_EQ(pretty(policy), R"({
  "Version": "2012-10-17",
  "Id": "I",
  "Statement": {
    "Sid": "S",
    "Effect": "Allow",
    "Principal": {
      "AWS": [
        "b",
        "c"
      ],
      "Service": "a"
    },
    "NotAction": "s3:*",
    "Resource": "*",
    "Condition": {
      "StringEquals": {
        "sts:ExternalId": "x"
      }
    },
    "Extra": [],
    "Number": 1.5,
    "Zed": {}
  },
  "Other": true
}
)");
  EXPECT_EQ(
      compact(policy),
      R"({"Version":"2012-10-17","Id":"I","Statement":{"Sid":"S","Effect":"Allow","Principal":{"AWS":["b","c"],)"
      R"("Service":"a"},"NotAction":"s3:*","Resource":"*","Condition":{"StringEquals":{"sts:ExternalId":"x"}},)"
      R"("Extra":[],"Number":1.5,"Zed":{}},"Other":true})");
}

TEST(Pretty, OrdersEveryStatementOfAList) {
  Policy policy = parsed(R"({"Statement": [{"Principal": "*", "Action": "a", "Effect": "Deny"},
                                          {"Action": "b", "NotPrincipal": {"AWS": "c"}, "Effect": "Allow"}]})");
  EXPECT_EQ(compact(policy), R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"a"},)"
                             R"({"Effect":"Allow","NotPrincipal":{"AWS":"c"},"Action":"b"}]})");
}

// A policy read from another account cannot drive the terminal: C0 controls, DEL and C1 controls are
// escaped; other characters stay as they are.
TEST(Pretty, EscapesWhatATerminalWouldActOn) {
  Policy policy = parsed(
      R"({"Statement": {"Sid": "\u001b[2J\u007f\u009b\"\\\n\t caf\u00e9 \u2603", "Effect": "Allow", "Action": "*", "Principal": "*"}})");
  const std::string text = pretty(policy);
  EXPECT_NE(text.find(R"("Sid": "\u001b[2J\u007f\u009b\"\\\n\t caf)"
                      "\xc3\xa9 \xe2\x98\x83\""),
            std::string::npos)
      << text;
  EXPECT_EQ(normalise(parsed(text)).document(), normalise(policy).document());
}

TEST(SemanticDiff, ShowsOnlyWhatChangesTheMeaning) {
  Policy before =
      parsed(R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                            "Principal": {"AWS": "arn:aws:iam::111111111111:root"}}})");
  Policy reformatted = parsed(R"({"Statement": [{"Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
                                 "Action": ["sts:AssumeRole"], "Effect": "Allow"}], "Version": "2012-10-17"})");
  EXPECT_EQ(semantic_diff(before, reformatted, "a", "b"), "");
  Policy after = before;
  ASSERT_TRUE(add_principals(after, {"arn:aws:iam::222222222222:role/ci"}));
  EXPECT_EQ(semantic_diff(before, after, "prod/deploy (current)", "prod/deploy (new)"),
            R"(--- prod/deploy (current)
+++ prod/deploy (new)
@@ -5,7 +5,8 @@
       "Effect": "Allow",
       "Principal": {
         "AWS": [
-          "arn:aws:iam::111111111111:root"
+          "arn:aws:iam::111111111111:root",
+          "arn:aws:iam::222222222222:role/ci"
         ]
       },
       "Action": [
)");
}

// Principals.

TEST(CheckPrincipal, AcceptsAccountIdsAndIamArns) {
  for (const char* good :
       {"123456789012", "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::123456789012:role/team/a/deploy",
        "arn:aws-cn:iam::123456789012:role/x", "arn:aws-us-gov:iam::123456789012:user/a+b=c,d.e@f_g-h"}) {
    EXPECT_TRUE(check_principal(good)) << good;
  }
  for (const char* bad :
       {"", "12345678901", "1234567890123", "12345678901a", "*", "arn:aws:iam::123456789012:*",
        "arn:aws:iam::123456789012:group/admins", "arn:aws:sts::123456789012:assumed-role/r/s",
        "arn:aws:iam:us-east-1:123456789012:root", "arn:aws:iam::12345678901:root",
        "arn:azure:iam::123456789012:root", "arn:aws-:iam::123456789012:root",
        "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/a//b",
        "arn:aws:iam::123456789012:role/a/", "arn:aws:iam::123456789012:role/de*",
        "arn:aws:iam::123456789012:root:x", "arn:aws:iam::123456789012:role/a b"}) {
    auto checked = check_principal(bad);
    EXPECT_FALSE(checked) << bad;
    if (!checked) {
      EXPECT_NE(checked.error().hint.find("123456789012"), std::string::npos);
    }
  }
  auto shown = check_principal("arn:\x1b[2J");
  ASSERT_FALSE(shown);
  EXPECT_EQ(shown.error().message.find('\x1b'), std::string::npos);
}

TEST(AddPrincipals, AddsToEveryStatementThatAllowsAssumeRole) {
  Policy policy = parsed(R"({"Statement": [
      {"Sid": "Humans", "Effect": "Allow", "Action": "sts:AssumeRole",
       "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
      {"Sid": "Ec2", "Effect": "Allow", "Action": ["sts:TagSession", "STS:assumerole"],
       "Principal": {"Service": "ec2.amazonaws.com"}},
      {"Sid": "Deny", "Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}},
      {"Sid": "Oidc", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
       "Principal": {"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}},
      {"Sid": "Anyone", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
       "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
      {"Sid": "Not", "Effect": "Allow", "NotAction": "s3:*", "Principal": {"AWS": "arn:aws:iam::888888888888:root"}}
  ]})");
  const Policy before = policy;
  auto added = add_principals(policy, {"arn:aws:iam::222222222222:role/ci", "333333333333"});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_TRUE(added->changed);
  EXPECT_TRUE(added->unchanged.empty());
  EXPECT_EQ(aws_principals(policy, 0),
            (std::vector<std::string>{"333333333333", "arn:aws:iam::111111111111:root",
                                      "arn:aws:iam::222222222222:role/ci"}));
  EXPECT_EQ(aws_principals(policy, 1),
            (std::vector<std::string>{"333333333333", "arn:aws:iam::222222222222:role/ci"}));
  EXPECT_EQ(policy.document()["Statement"][1]["Principal"]["Service"], json::array({"ec2.amazonaws.com"}));
  // Untouched: the Deny, the web-identity statement, the "*" principal, the NotAction statement; conditions
  // kept.
  for (size_t i : {2u, 3u, 4u, 5u}) {
    EXPECT_EQ(policy.document()["Statement"][i], normalise(before).document()["Statement"][i]) << i;
  }
  EXPECT_EQ(policy.document()["Statement"][0]["Condition"],
            normalise(before).document()["Statement"][0]["Condition"]);

  // Again: nothing to do, and said so.
  const Policy once = policy;
  auto again = add_principals(policy, {"arn:aws:iam::222222222222:role/ci", "333333333333"});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->unchanged,
            (std::vector<std::string>{"arn:aws:iam::222222222222:role/ci", "333333333333"}));
  EXPECT_EQ(policy.document(), once.document());
}

TEST(AddPrincipals, MatchesActionsAsIamDoes) {
  for (const char* action :
       {"sts:AssumeRole", "STS:ASSUMEROLE", "sts:*", "*", "sts:Assume*", "sts:AssumeRol?", "*:*"}) {
    Policy policy =
        parsed(std::string(
                   R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": ")") +
               action + "\"}}");
    auto added = add_principals(policy, {"222222222222"});
    ASSERT_TRUE(added) << action;
    EXPECT_EQ(aws_principals(policy, 0), (std::vector<std::string>{"111111111111", "222222222222"}))
        << action;
  }
  for (const char* action :
       {"sts:AssumeRoleWithSAML", "sts:TagSession", "s3:*", "sts:Assume", "sts:AssumeRole?"}) {
    Policy policy =
        parsed(std::string(
                   R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": ")") +
               action + "\"}}");
    EXPECT_FALSE(add_principals(policy, {"222222222222"})) << action;
  }
}

TEST(AddPrincipals, AnAccountIdIsItsRootArn) {
  Policy policy = parsed(R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
                            "Principal": {"AWS": "arn:aws-cn:iam::111111111111:root"}}})");
  auto added = add_principals(policy, {"111111111111"});
  ASSERT_TRUE(added);
  EXPECT_FALSE(added->changed);
  EXPECT_EQ(added->unchanged, std::vector<std::string>{"111111111111"});
  // A role in that account is not the account.
  auto role = add_principals(policy, {"arn:aws:iam::111111111111:role/x"});
  ASSERT_TRUE(role);
  EXPECT_TRUE(role->changed);
  // And the other way round: the root ARN is present when the id is written.
  Policy by_id = parsed(
      R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "111111111111"}}})");
  auto root = add_principals(by_id, {"arn:aws:iam::111111111111:root"});
  ASSERT_TRUE(root);
  EXPECT_FALSE(root->changed);
}

TEST(AddPrincipals, RefusesWithoutChangingThePolicy) {
  Policy policy = parsed(R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                            "Principal": {"Federated": "cognito-identity.amazonaws.com"}}})");
  const json before = policy.document();
  auto none = add_principals(policy, {"111111111111"});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "role.json: no statement allows sts:AssumeRole to a list of principals");
  EXPECT_EQ(policy.document(), before);

  Policy good = parsed(k_typical);
  const json good_before = good.document();
  auto bad = add_principals(good, {"111111111111", "arn:aws:iam::111111111111:group/x"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("role.json: \"arn:aws:iam::111111111111:group/x\" is not", 0), 0u);
  EXPECT_EQ(good.document(), good_before);  // not even normalised
}

TEST(RemovePrincipals, RemovesFromTheSameStatements) {
  Policy policy = parsed(R"({"Statement": [
      {"Sid": "A", "Effect": "Allow", "Action": "sts:AssumeRole",
       "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:role/ci"]},
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
      {"Sid": "B", "Effect": "Allow", "Action": "sts:*",
       "Principal": {"AWS": "arn:aws:iam::222222222222:role/ci", "Service": "ec2.amazonaws.com"}},
      {"Sid": "D", "Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::222222222222:role/ci"}}
  ]})");
  auto removed =
      remove_principals(policy, {"arn:aws:iam::222222222222:role/ci", "arn:aws:iam::444444444444:root"});
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(removed->changed);
  EXPECT_EQ(removed->unchanged, std::vector<std::string>{"arn:aws:iam::444444444444:root"});
  EXPECT_EQ(aws_principals(policy, 0), std::vector<std::string>{"arn:aws:iam::111111111111:root"});
  EXPECT_EQ(policy.document()["Statement"][0]["Condition"]["Bool"]["aws:MultiFactorAuthPresent"],
            json::array({"true"}));
  // B keeps its service principal; the AWS list, now empty, is gone. The Deny is left alone.
  EXPECT_EQ(policy.document()["Statement"][1]["Principal"],
            json::parse(R"({"Service": ["ec2.amazonaws.com"]})"));
  EXPECT_EQ(aws_principals(policy, 2), std::vector<std::string>{"arn:aws:iam::222222222222:role/ci"});

  auto again = remove_principals(policy, {"arn:aws:iam::222222222222:role/ci"});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->unchanged, std::vector<std::string>{"arn:aws:iam::222222222222:role/ci"});
}

TEST(RemovePrincipals, AnAccountIdRemovesItsRootArn) {
  Policy policy = parsed(R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "111111111111", "arn:aws:iam::111111111111:role/x"]}}})");
  auto removed = remove_principals(policy, {"111111111111"});
  ASSERT_TRUE(removed);
  EXPECT_EQ(aws_principals(policy, 0), std::vector<std::string>{"arn:aws:iam::111111111111:role/x"});
}

TEST(RemovePrincipals, RefusesToLeaveAStatementWithoutPrincipals) {
  Policy policy = parsed(R"({"Statement": [
      {"Sid": "Keep", "Effect": "Allow", "Action": "sts:AssumeRole",
       "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]}},
      {"Sid": "Last", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}}
  ]})");
  const json before = policy.document();
  auto refused = remove_principals(policy, {"222222222222"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "role.json: statement 2 (Sid \"Last\") would be left with no principal");
  EXPECT_EQ(policy.document(), before);

  Policy unnamed = parsed(
      R"({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "222222222222"}}})");
  auto refused_unnamed = remove_principals(unnamed, {"222222222222"});
  ASSERT_FALSE(refused_unnamed);
  EXPECT_EQ(refused_unnamed.error().message, "role.json: statement 1 would be left with no principal");

  Policy no_target = parsed(
      R"({"Statement": {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "222222222222"}}})");
  EXPECT_FALSE(remove_principals(no_target, {"222222222222"}));
  EXPECT_FALSE(remove_principals(policy, {"not an arn"}));
  EXPECT_EQ(policy.document(), before);
}

TEST(Policy, CopiesAndMovesKeepTheirDocuments) {
  Policy a = parsed(k_typical);
  Policy b = a;
  ASSERT_TRUE(add_principals(b, {"222222222222"}));
  EXPECT_NE(a.document(), b.document());
  Policy c = std::move(b);
  EXPECT_EQ(aws_principals(c, 0).size(), 2u);
  Policy d = parsed(R"({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}})");
  d = std::move(c);
  EXPECT_EQ(aws_principals(d, 0).size(), 2u);
  d = a;
  EXPECT_EQ(d.document(), a.document());
}

}  // namespace
}  // namespace kura
