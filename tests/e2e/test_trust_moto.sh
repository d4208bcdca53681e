# kura trust and kura each across three accounts, against moto_server with SigV4 checks on: show/diff/apply/
# add/remove change the roles as the AWS CLI then sees them; apply is idempotent and keeps backups; an invalid
# policy is refused before any call; each role is assumed once and its session reused. (moto cannot assume a
# role from a GetSessionToken session — its fixed session credentials fail its own signature check — so the
# one-MFA-code path runs against the project's test server in test_trust_mfa.sh.)
source "$(dirname "$0")/lib.sh"

# Setup without signature checks (moto authorises a role session against the role, so the roles must exist
# before checks start): alice (3 calls), then per account an assumed session there (moto acts in the account of
# an assumed role), its iamAdmin role and an allow-all policy on it (3 calls each).
start_moto 12
moto_create_user alice
key_id=$(moto_key alice id)
secret=$(moto_key alice secret)
accounts="222222222222 333333333333 444444444444"
original='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}'
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
for account in $accounts; do
  creds=$(moto_setup sts assume-role --role-arn "arn:aws:iam::$account:role/iamAdmin" --role-session-name setup \
    --query Credentials --output json)
  in_account() {
    AWS_ACCESS_KEY_ID=$(echo "$creds" | field AccessKeyId) AWS_SECRET_ACCESS_KEY=$(echo "$creds" | field SecretAccessKey) \
      AWS_SESSION_TOKEN=$(echo "$creds" | field SessionToken) AWS_DEFAULT_REGION=us-east-1 \
      "$AWS_V1" --endpoint-url "$MOTO_URL" "$@"
  }
  in_account iam create-role --role-name iamAdmin --assume-role-policy-document "$original" >/dev/null
  in_account iam put-role-policy --role-name iamAdmin --policy-name all \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
done
# From here on moto checks every signature.

{
  printf '[profile login]\nregion = eu-west-1\n'
  for account in $accounts; do
    printf '[profile acct-%s]\nsource_profile = login\nrole_arn = arn:aws:iam::%s:role/iamAdmin\nrole_session_name = e2e\n' \
      "$account" "$account"
  done
} >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$MOTO_URL" AWS_ENDPOINT_URL_IAM="$MOTO_URL"
AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$secret" kura add --env login 2>/dev/null

recorded() { # action: how many calls moto recorded since the last reset
  curl -s "$MOTO_URL/moto-api/recorder/download-recording" | python3 -c '
import base64, json, sys
count = 0
for line in sys.stdin:
    entry = json.loads(line)
    body = base64.b64decode(entry["body"]).decode() if entry.get("body_encoded") else (entry.get("body") or "")
    count += ("Action=" + sys.argv[1] + "&") in body
print(count)' "$1"
}
curl -s -X POST "$MOTO_URL/moto-api/recorder/reset-recording" >/dev/null
curl -s -X POST "$MOTO_URL/moto-api/recorder/start-recording" >/dev/null

# show: one object keyed by profile, the documents as IAM holds them.
shown=$(kura trust show --format json 'acct-*')
echo "$shown" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert sorted(doc) == ["acct-222222222222", "acct-333333333333", "acct-444444444444"], sorted(doc)
for name, policy in doc.items():
    stmt = policy["Statement"][0]
    assert stmt["Condition"]["Bool"]["aws:MultiFactorAuthPresent"] == "true", policy
' || fail "trust show --format json: $shown"
pass "trust show --format json gives every account's policy"
assert_eq "$(recorded AssumeRole)" "3" "one AssumeRole per account"

# An invalid policy is refused with file:line:column, before any call.
printf '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",, }\n  ]\n}\n' >"$TEST_DIR/bad.json"
before=$(recorded GetRole)
if out=$(kura trust apply --yes --policy "$TEST_DIR/bad.json" 'acct-*' 2>&1); then fail "a bad policy was applied"; fi
assert_contains "$out" "bad.json:4:" "the bad policy's error names file and line"
assert_eq "$(recorded GetRole)" "$before" "no call was made for a bad policy"

# diff: exit 1 when any role differs, with a unified diff.
cat >"$TEST_DIR/trust.json" <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"]},
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
JSON
set +e
diffed=$(kura trust diff --policy "$TEST_DIR/trust.json" 'acct-*' 2>"$TEST_DIR/diff.err")
status=$?
set -e
assert_eq "$status" "1" "trust diff exits 1 when roles differ"
assert_contains "$diffed" "+++ $TEST_DIR/trust.json" "the diff is labelled with the policy file"
echo "$diffed" | grep -qE '^\+ +"arn:aws:iam::123456789012:user/bob"' || fail "the diff shows the added principal: $diffed"
pass "the diff shows the added principal"

# apply: updates every role, the AWS CLI sees the new policy, the old ones are backed up 0600.
export XDG_STATE_HOME="$TEST_DIR/state"
kura trust apply --yes --policy "$TEST_DIR/trust.json" 'acct-*' 2>"$TEST_DIR/apply.err" >/dev/null ||
  fail "trust apply: $(cat "$TEST_DIR/apply.err")"
assert_eq "$(recorded UpdateAssumeRolePolicy)" "3" "three roles updated"
for account in $accounts; do
  principals=$(kura exec "acct-$account" -- "$AWS_V2" --endpoint-url "$MOTO_URL" iam get-role --role-name iamAdmin \
    --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.AWS' --output text)
  assert_contains "$principals" "user/bob" "AWS CLI v2 sees bob in account $account's trust policy"
done
backups=$(find "$XDG_STATE_HOME/kura/trust" -name '*.json' | wc -l)
assert_eq "$backups" "3" "the previous policies are backed up"
assert_eq "$(stat -c %a "$(find "$XDG_STATE_HOME/kura/trust" -name 'acct-222222222222.json')")" "600" "backups are 0600"
assert_contains "$(cat "$TEST_DIR/apply.err")" "to put one back" "the summary says how to restore"

# Idempotent: nothing differs, nothing is updated, diff exits 0.
kura trust apply --yes --policy "$TEST_DIR/trust.json" 'acct-*' 2>"$TEST_DIR/again.err" >/dev/null
assert_eq "$(recorded UpdateAssumeRolePolicy)" "3" "a second apply updates nothing"
assert_contains "$(cat "$TEST_DIR/again.err")" "unchanged" "the summary says unchanged"
kura trust diff --policy "$TEST_DIR/trust.json" 'acct-*' >/dev/null 2>&1 || fail "trust diff should exit 0 when all match"
pass "trust diff exits 0 when every role matches"

# add / remove principals, conditions kept; a statement is never left without a principal.
kura trust add --yes --principal arn:aws:iam::123456789012:user/carol 'acct-3*' 2>/dev/null >/dev/null
doc=$(kura exec acct-333333333333 -- "$AWS_V1" --endpoint-url "$MOTO_URL" iam get-role --role-name iamAdmin \
  --query 'Role.AssumeRolePolicyDocument' --output json)
assert_contains "$doc" "user/carol" "trust add added carol"
assert_contains "$doc" "MultiFactorAuthPresent" "trust add kept the MFA condition"
before=$(recorded UpdateAssumeRolePolicy)
again=$(kura trust add --yes --principal arn:aws:iam::123456789012:user/carol 'acct-3*' 2>&1 >/dev/null)
assert_contains "$again" "arn:aws:iam::123456789012:user/carol is already trusted" "adding carol again says so"
assert_eq "$(recorded UpdateAssumeRolePolicy)" "$before" "and updates nothing"
kura trust remove --yes --principal arn:aws:iam::123456789012:user/bob 'acct-*' 2>/dev/null >/dev/null
doc=$(kura exec acct-222222222222 -- "$AWS_V1" --endpoint-url "$MOTO_URL" iam get-role --role-name iamAdmin \
  --query 'Role.AssumeRolePolicyDocument' --output json)
assert_not_contains "$doc" "user/bob" "trust remove removed bob"
before=$(recorded UpdateAssumeRolePolicy)
if out=$(kura trust remove --yes --principal arn:aws:iam::123456789012:user/alice 'acct-2*' 2>&1); then
  fail "removing the last principal was allowed"
fi
assert_contains "$out" "statement 1 would be left with no principal" "removing the last principal is refused"
assert_eq "$(recorded UpdateAssumeRolePolicy)" "$before" "and nothing was updated"

# --dry-run shows the change and makes none; without --yes and without a terminal nothing changes either.
before=$(recorded UpdateAssumeRolePolicy)
dry=$(kura trust add --dry-run --principal arn:aws:iam::123456789012:user/dave 'acct-*' 2>&1)
echo "$dry" | grep -qE '^\+ +"arn:aws:iam::123456789012:user/dave"' || fail "the dry run shows the change: $dry"
assert_contains "$dry" "would update (dry run)" "the dry run's summary says what would happen"
if out=$(setsid "$KURA_BIN" trust add --principal arn:aws:iam::123456789012:user/dave 'acct-*' </dev/null 2>&1); then
  fail "trust add changed roles without a terminal to confirm on"
fi
assert_contains "$out" "pass --yes" "without a terminal, --yes is asked for"
assert_eq "$(recorded UpdateAssumeRolePolicy)" "$before" "neither the dry run nor the unconfirmed run updated a role"

# each: the command once per account, output prefixed, a summary, from the cached sessions.
each=$(kura each 'acct-*' -- "$AWS_V1" --endpoint-url "$MOTO_URL" sts get-caller-identity --query Arn --output text \
  2>"$TEST_DIR/each.err")
for account in $accounts; do
  assert_contains "$each" "acct-$account | arn:aws:sts::$account:assumed-role/iamAdmin/e2e" "each ran in $account"
done
assert_contains "$(cat "$TEST_DIR/each.err")" "exit 0" "each prints a summary"
if kura each 'acct-*' -- sh -c '[ "$AWS_ACCESS_KEY_ID" != x ] && exit 3' 2>/dev/null >/dev/null; then
  fail "each exited 0 though its commands failed"
fi
pass "each fails when its commands fail"
assert_eq "$(recorded AssumeRole)" "3" "every command above reused the three cached role sessions"
