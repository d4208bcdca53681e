# kura exec as a process: the child's exit status is kura's, stale variables are gone, nesting is refused,
# $SHELL is the default command, and nothing but the child's output reaches stdout.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "fay", "access_key_id": "AKIAKURATESTFAY00001", "secret_access_key": "fay-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
printf '[profile fay]\nregion = eu-north-1\n' >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTFAY00001 AWS_SECRET_ACCESS_KEY=fay-secret kura add --env fay 2>/dev/null

set +e
kura exec fay -- sh -c 'exit 42'
status=$?
set -e
assert_eq "$status" "42" "the child's exit status is kura's"

env_out=$(AWS_PROFILE=stale AWS_SECURITY_TOKEN=old AWS_ACCESS_KEY_ID=AKIAOLDOLDOLDOLDOLD1 kura exec fay -- env)
assert_not_contains "$env_out" "AWS_PROFILE=" "AWS_PROFILE is removed"
assert_not_contains "$env_out" "AWS_SECURITY_TOKEN=" "a stale AWS_SECURITY_TOKEN is removed"
assert_not_contains "$env_out" "AKIAOLDOLDOLDOLDOLD1" "a stale key id is replaced"
assert_contains "$env_out" "AWS_SESSION_TOKEN=KURATEST" "a session token is set"
assert_contains "$env_out" "AWS_REGION=eu-north-1" "AWS_REGION comes from the profile"
assert_contains "$env_out" "AWS_DEFAULT_REGION=eu-north-1" "AWS_DEFAULT_REGION too"
assert_contains "$env_out" "KURA_PROFILE=fay" "KURA_PROFILE marks the subshell"
assert_contains "$env_out" "AWS_CREDENTIAL_EXPIRATION=20" "the expiration is exported"

region=$(AWS_REGION=ap-east-1 kura exec fay -- sh -c 'echo $AWS_REGION')
assert_eq "$region" "ap-east-1" "AWS_REGION in the environment wins over the profile"
region=$(kura exec --region sa-east-1 fay -- sh -c 'echo $AWS_REGION')
assert_eq "$region" "sa-east-1" "--region wins over everything"

if err=$(kura exec fay -- "$KURA_BIN" exec fay -- true 2>&1); then fail "nested exec was allowed"; fi
assert_contains "$err" "already inside \`kura exec\` for profile 'fay'" "nesting is refused"

shell_out=$(SHELL=/bin/sh kura exec fay </dev/null <<<'echo "in shell as $KURA_PROFILE"')
assert_eq "$shell_out" "in shell as fay" "\$SHELL is the default command"

if err=$(kura exec fay -- /nonexistent/cmd 2>&1); then fail "a missing command succeeded"; fi
assert_contains "$err" "cannot run '/nonexistent/cmd'" "a missing command is a clear error"

identity=$(kura exec fay -- "$AWS_V2" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text 2>&1)
assert_eq "$identity" "arn:aws:iam::123456789012:user/fay" "session credentials work for AWS CLI v2"
