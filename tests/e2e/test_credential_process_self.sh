# aws-vault's documented setup, `[profile home] credential_process = aws-vault export --format=json home`,
# with kura as aws-vault: the key kura stores for home comes before home's own credential_process, so the
# AWS CLI's call runs kura once (no kura running kura for the same profile, each waiting on the other's lock).
source "$(dirname "$0")/lib.sh"
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "home", "access_key_id": "AKIAKURATESTHOME0001", "secret_access_key": "home-secret"}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_LOCK_TIMEOUT=5s
ln -sf "$KURA_BIN" "$TEST_DIR/aws-vault"
cat >"$AWS_CONFIG_FILE" <<CFG
[profile home]
region = us-east-1
credential_process = $TEST_DIR/aws-vault export --format=json home
CFG
AWS_ACCESS_KEY_ID=AKIAKURATESTHOME0001 AWS_SECRET_ACCESS_KEY=home-secret kura add --env home 2>/dev/null

arn=$(timeout 60 "$AWS_V1" --profile home sts get-caller-identity --query Arn --output text 2>"$TEST_DIR/cli.err") ||
  fail "the AWS CLI through home's credential_process: $(cat "$TEST_DIR/cli.err")"
assert_contains "$arn" ":user/home" "the AWS CLI gets home's session from its stored key"
assert_eq "$(sts_count GetSessionToken)" "1" "one GetSessionToken"
out=$(timeout 60 "$TEST_DIR/aws-vault" export --format=json home 2>"$TEST_DIR/export.err") ||
  fail "aws-vault export home: $(cat "$TEST_DIR/export.err")"
assert_contains "$out" '"Version":1' "aws-vault export home answers itself"
assert_eq "$(sts_count GetSessionToken)" "1" "from the cached session"
