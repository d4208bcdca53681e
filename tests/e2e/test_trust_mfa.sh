# The many-accounts job with MFA-guarded roles, against the project's test server (which, unlike moto, checks
# TOTP codes once each, evaluates aws:MultiFactorAuthPresent in trust policies, and lets a GetSessionToken
# session assume roles): one code for five accounts with `kura trust apply`, the roles then still assumable
# with MFA; without MFA every account refuses; `kura mfa --profile a --profile b` writes both short-term
# profiles from one code, and the AWS CLI signs with them.
source "$(dirname "$0")/lib.sh"

SEED=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
accounts="200000000001 200000000002 200000000003 200000000004 200000000005"
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::100000000000:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}'
{
  echo '{"account": "100000000000",'
  echo ' "users": [{"name": "alice", "access_key_id": "AKIAKURATESTALICE001", "secret_access_key": "alice-secret-0001",'
  echo "            \"mfa_serial\": \"arn:aws:iam::100000000000:mfa/alice\", \"mfa_seed\": \"$SEED\"}],"
  echo ' "roles": ['
  sep=""
  for account in $accounts; do
    echo "  $sep{\"arn\": \"arn:aws:iam::$account:role/iamAdmin\", \"max_duration\": 3600, \"trust_policy\": $trust}"
    sep=","
  done
  echo ']}'
} >"$TEST_DIR/sts.json"
start_sts_server "$TEST_DIR/sts.json"

{
  printf '[profile login]\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\n'
  printf '[profile nomfa]\nregion = us-east-1\n'
  for account in $accounts; do
    printf '[profile acct-%s]\nsource_profile = login\nrole_arn = arn:aws:iam::%s:role/iamAdmin\n' "$account" "$account"
    printf '[profile plain-%s]\nsource_profile = nomfa\nrole_arn = arn:aws:iam::%s:role/iamAdmin\n' "$account" "$account"
  done
} >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$STS_URL" AWS_ENDPOINT_URL_IAM="$STS_URL" XDG_STATE_HOME="$TEST_DIR/state"
AWS_ACCESS_KEY_ID=AKIAKURATESTALICE001 AWS_SECRET_ACCESS_KEY=alice-secret-0001 kura add --env login 2>/dev/null
AWS_ACCESS_KEY_ID=AKIAKURATESTALICE001 AWS_SECRET_ACCESS_KEY=alice-secret-0001 kura add --env nomfa 2>/dev/null

# Add bob to every account's trust policy: one code, one GetSessionToken, five roles assumed from it.
code=$(totp $SEED)
kura trust add --yes --mfa-token "$code" --principal arn:aws:iam::100000000000:user/bob 'acct-*' \
  </dev/null >/dev/null 2>"$TEST_DIR/add.err" || fail "trust add: $(cat "$TEST_DIR/add.err")"
assert_eq "$(sts_count GetSessionToken)" "1" "one MFA code, one GetSessionToken for five accounts"
assert_eq "$(sts_count AssumeRole)" "5" "one AssumeRole per account, from the MFA session"
assert_eq "$(sts_count UpdateAssumeRolePolicy)" "5" "five trust policies updated"
for account in $accounts; do
  policy=$(curl -s "$STS_URL/__admin/role?arn=arn:aws:iam::$account:role/iamAdmin")
  assert_contains "$policy" "user/bob" "account $account trusts bob"
  assert_contains "$policy" "MultiFactorAuthPresent" "account $account still requires MFA"
done

# The roles still admit an MFA session: a second run reuses the cached sessions (no code, no terminal).
kura trust show 'acct-*' </dev/null >"$TEST_DIR/show.out" 2>/dev/null || fail "trust show from the cached sessions"
assert_eq "$(grep -c 'user/bob' "$TEST_DIR/show.out")" "5" "trust show shows bob in the five accounts"
assert_eq "$(sts_count GetSessionToken)" "1" "no second MFA session"

# A code is taken once: with the sessions cleared, the same code is refused, once for the whole group (not
# once per account), and nothing else is tried.
kura clear >/dev/null 2>&1
if out=$(kura trust show --mfa-token "$code" 'acct-*' </dev/null 2>&1); then fail "a used MFA code was accepted again"; fi
assert_contains "$out" "the MFA code was not accepted" "the reused code is refused"
assert_eq "$(sts_count GetSessionToken)" "2" "one more GetSessionToken for the five accounts, not five"
assert_eq "$(sts_count AssumeRole)" "5" "no role assumed without the session"

# Without MFA, every account refuses, each failure is reported, and the exit status says so.
if out=$(kura trust show 'plain-*' </dev/null 2>&1); then fail "roles requiring MFA were assumed without it"; fi
assert_eq "$(echo "$out" | grep -c 'not authorized to perform: sts:AssumeRole')" "10" \
  "each of the five accounts refuses a session without MFA (error and summary line)"

# kura mfa with two profiles: one code, both short-term sections written, both usable by the AWS CLI.
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<CREDS
[a-long-term]
aws_access_key_id = AKIAKURATESTALICE001
aws_secret_access_key = alice-secret-0001
aws_mfa_device = arn:aws:iam::100000000000:mfa/alice
assume_role = arn:aws:iam::200000000001:role/iamAdmin

[b-long-term]
aws_access_key_id = AKIAKURATESTALICE001
aws_secret_access_key = alice-secret-0001
aws_mfa_device = arn:aws:iam::100000000000:mfa/alice
assume_role = arn:aws:iam::200000000002:role/iamAdmin
CREDS
curl -s -X POST "$STS_URL/__admin/reset-stats" >/dev/null
kura mfa --profile a --profile b --token "$(totp $SEED '+30 sec')" </dev/null 2>"$TEST_DIR/mfa.err" ||
  fail "kura mfa with two profiles: $(cat "$TEST_DIR/mfa.err")"
assert_eq "$(sts_count GetSessionToken)" "1" "kura mfa: one GetSessionToken for two profiles"
assert_eq "$(sts_count AssumeRole)" "2" "kura mfa: one AssumeRole per profile"
for p in a b; do
  arn=$(AWS_PROFILE=$p AWS_DEFAULT_REGION=us-east-1 "$AWS_V1" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text)
  assert_contains "$arn" ":assumed-role/iamAdmin/" "AWS CLI v1 signs with short-term profile $p"
done
assert_contains "$(cat "$AWS_SHARED_CREDENTIALS_FILE")" "[a-long-term]" "the long-term sections are kept"
# Still valid: a second run asks for nothing and calls nothing.
kura mfa --all </dev/null 2>/dev/null || fail "kura mfa --all with valid sections"
assert_eq "$(sts_count GetSessionToken)" "1" "kura mfa --all renews nothing that is still valid"
