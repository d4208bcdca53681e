# An SSO profile wherever a profile goes: the ECS and IMDS endpoints for the AWS CLI, the console sign-in
# (role credentials federated directly), `kura each` over several SSO profiles (one sign-in for all), and as
# aws-vault.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sso_lib.sh"
sso_setup
export KURA_FEDERATION_URL="$STS_URL/federation"
cat >>"$AWS_CONFIG_FILE" <<'CFG'

[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Admin
region = eu-west-1
CFG

# `kura each` on a cold cache: the group's leader signs in once, then both run.
out=$(kura each dev prod -- sh -c '"$0" sts get-caller-identity --query Arn --output text' "$AWS_V1" 2>"$TEST_DIR/each.err") ||
  fail "each: $(cat "$TEST_DIR/each.err")"
assert_contains "$out" "dev  | arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_" "each: dev"
assert_contains "$out" "prod | arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Admin_" "each: prod"
assert_eq "$(browser_opened)" "1" "one sign-in for both"

for cli in "$AWS_V1" "$AWS_V2"; do
  arn=$(kura exec --ecs-server dev -- sh -c 'test -z "$AWS_ACCESS_KEY_ID" && "$0" --endpoint-url "$1" sts get-caller-identity --query Arn --output text' "$cli" "$STS_URL" 2>"$TEST_DIR/ecs.err") ||
    fail "ECS endpoint with $cli: $(cat "$TEST_DIR/ecs.err")"
  assert_contains "$arn" "111111111111:assumed-role/AWSReservedSSO_Admin_" "the ECS endpoint serves SSO credentials to $cli"
done
arn=$(kura exec --imds-server prod -- sh -c 'test -z "$AWS_ACCESS_KEY_ID" && "$0" --endpoint-url "$1" sts get-caller-identity --query Arn --output text' "$AWS_V2" "$STS_URL" 2>"$TEST_DIR/imds.err") ||
  fail "IMDS endpoint: $(cat "$TEST_DIR/imds.err")"
assert_contains "$arn" "222222222222:assumed-role/AWSReservedSSO_Admin_" "the IMDS endpoint serves SSO credentials"

url=$(kura login dev --stdout 2>"$TEST_DIR/login.err") || fail "login: $(cat "$TEST_DIR/login.err")"
assert_contains "$url" "SigninToken=" "a console sign-in URL for an SSO profile"
assert_eq "$(sts_count GetFederationToken)" "0" "federated directly, no GetFederationToken"

ln -sf "$KURA_BIN" "$TEST_DIR/aws-vault"
out=$("$TEST_DIR/aws-vault" exec prod -- sh -c 'echo "$AWS_VAULT"; "$0" sts get-caller-identity --query Arn --output text' "$AWS_V1" 2>"$TEST_DIR/vault.err") ||
  fail "as aws-vault: $(cat "$TEST_DIR/vault.err")"
assert_contains "$out" "222222222222:assumed-role/AWSReservedSSO_Admin_" "aws-vault exec of an SSO profile"
assert_eq "$(browser_opened)" "1" "still the one sign-in"
