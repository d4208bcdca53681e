# 16 cold credential_process callers of one SSO profile at once, none with a terminal: one browser tab, one
# token, one GetRoleCredentials, and all 16 get the same credentials — which then work for the AWS CLI v2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sso_lib.sh"
sso_setup
cat >>"$AWS_CONFIG_FILE" <<CFG

[profile cp]
region = eu-west-1
credential_process = $KURA_BIN export --format json dev
CFG

cold_callers 16 dev
assert_eq "$(browser_opened)" "1" "one browser tab for 16 callers"
assert_eq "$(sso_calls 'c["authorize"]')" "1" "one authorization"
assert_eq "$(sso_calls 'sum(c["token_issued"].values())')" "1" "one token issued"
assert_eq "$(sso_calls 'c["get_role_credentials"]')" "1" "one GetRoleCredentials"
assert_eq "$(cat "$TEST_DIR"/out.* | python3 -c 'import json,sys; print(len({json.loads(l)["AccessKeyId"] for l in sys.stdin}))')" \
  "1" "all 16 got the same credentials"
arn=$("$AWS_V2" --endpoint-url "$STS_URL" --profile cp sts get-caller-identity --query Arn --output text 2>"$TEST_DIR/v2.err") ||
  fail "AWS CLI v2 through credential_process: $(cat "$TEST_DIR/v2.err")"
assert_contains "$arn" "assumed-role/AWSReservedSSO_Admin_" "and they work through credential_process"
