# Credential sources beside a long-term key, each usable as a source_profile: an SSO role chained into
# another account's role; a web identity token file (AssumeRoleWithWebIdentity, unsigned) and aws-vault's
# web_identity_token_process; a credential_process source profile — through exec, export and the AWS CLI.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sso_lib.sh"
sso_setup
printf 'eyJ.kura-test-token\n' >"$TEST_DIR/token"
cat >"$TEST_DIR/ci-creds" <<'SH'
#!/bin/sh
echo run >>"$(dirname "$0")/ci-creds.log"
printf '{"Version": 1, "AccessKeyId": "AKIAKURATESTCI000001", "SecretAccessKey": "ci-secret"}\n'
SH
chmod +x "$TEST_DIR/ci-creds"
cat >>"$AWS_CONFIG_FILE" <<CFG

[profile deploy]
source_profile = dev
role_arn = arn:aws:iam::222222222222:role/deploy
region = eu-west-1

[profile wi]
role_arn = arn:aws:iam::333333333333:role/ci
web_identity_token_file = $TEST_DIR/token

[profile wi-process]
role_arn = arn:aws:iam::333333333333:role/ci
web_identity_token_process = cat $TEST_DIR/token

[profile on-wi]
source_profile = wi
role_arn = arn:aws:iam::222222222222:role/deploy

[profile ci]
credential_process = $TEST_DIR/ci-creds

[profile on-ci]
source_profile = ci
role_arn = arn:aws:iam::222222222222:role/deploy
CFG
kura sso login --sso-session corp >/dev/null 2>&1 || fail "login"

caller() { # profile
  kura exec "$1" -- sh -c '"$0" sts get-caller-identity --query Arn --output text' "$AWS_V1" 2>"$TEST_DIR/exec.err" ||
    fail "exec $1: $(cat "$TEST_DIR/exec.err")"
}
assert_contains "$(caller deploy)" "assumed-role/deploy/" "an SSO role chained into another role"
assert_eq "$(sts_count AssumeRole)" "1" "one AssumeRole"
caller deploy >/dev/null
assert_eq "$(sts_count AssumeRole)" "1" "the chained role is cached"
assert_eq "$(sso_calls 'c["get_role_credentials"]')" "1" "and so is the SSO role"

assert_contains "$(caller wi)" "assumed-role/ci/" "a web identity token file"
assert_contains "$(caller wi-process)" "assumed-role/ci/" "web_identity_token_process"
assert_contains "$(caller on-wi)" "assumed-role/deploy/" "a role on a web identity"
assert_eq "$(sts_count AssumeRoleWithWebIdentity)" "2" "one AssumeRoleWithWebIdentity per source, cached after"
printf 'eyJ.not-known\n' >"$TEST_DIR/token"
kura clear wi >/dev/null 2>&1
kura export --format json wi >/dev/null 2>"$TEST_DIR/bad.err" && fail "an unknown token gave credentials"
assert_contains "$(cat "$TEST_DIR/bad.err")" "web identity" "a refused token is a clear error"
assert_not_contains "$(cat "$TEST_DIR/bad.err")" "eyJ.not-known" "which does not show the token"

assert_contains "$(caller on-ci)" "assumed-role/deploy/" "a role on a credential_process source"
caller on-ci >/dev/null
assert_eq "$(wc -l <"$TEST_DIR/ci-creds.log" | tr -d ' ')" "1" "the role is cached, the process ran once"
assert_contains "$(caller ci)" ":user/ci" "credential_process itself (long-term: used as given)"
caller ci >/dev/null
assert_eq "$(wc -l <"$TEST_DIR/ci-creds.log" | tr -d ' ')" "3" "without an Expiration, never cached: it runs each time"
