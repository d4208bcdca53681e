# 32 credential_process calls at once on a cold cache: one MFA prompt (the prompt driver runs once), one
# GetSessionToken and one AssumeRole, and all 32 get the same credentials.
source "$(dirname "$0")/lib.sh"

SEED=KURACONCURRENTCALLERSSEED2345672
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "sam", "access_key_id": "AKIAKURATESTSAM00001", "secret_access_key": "sam-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/sam", "mfa_seed": "$SEED"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/deploy", "max_duration": 3600, "require_mfa": true}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
cat >"$TEST_DIR/driver" <<DRIVER
#!/bin/sh
echo run >> "$TEST_DIR/driver.log"
sleep 1  # a person typing: the other callers must wait, not ask too
oathtool --totp -b $SEED
DRIVER
chmod +x "$TEST_DIR/driver"
cat >"$AWS_CONFIG_FILE" <<CFG
[profile sam]
mfa_serial = arn:aws:iam::123456789012:mfa/sam

[profile deploy]
source_profile = sam
role_arn = arn:aws:iam::123456789012:role/deploy
mfa_serial = arn:aws:iam::123456789012:mfa/sam
mfa_process = $TEST_DIR/driver

[profile cp]
region = us-east-1
credential_process = $KURA_BIN export --format json deploy
CFG
AWS_ACCESS_KEY_ID=AKIAKURATESTSAM00001 AWS_SECRET_ACCESS_KEY=sam-secret kura add --env sam 2>/dev/null
curl -s -X POST "$STS_URL/__admin/reset-stats" >/dev/null

pids=()
for i in $(seq 1 32); do
  setsid "$KURA_BIN" export --format json deploy </dev/null >"$TEST_DIR/out.$i" 2>"$TEST_DIR/err.$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a caller failed: $(cat "$TEST_DIR"/err.* | sort | uniq -c)"; done
assert_eq "$(wc -l <"$TEST_DIR/driver.log")" "1" "the prompt driver ran once"
assert_eq "$(sts_count GetSessionToken)" "1" "one GetSessionToken"
assert_eq "$(sts_count AssumeRole)" "1" "one AssumeRole"
assert_eq "$(cat "$TEST_DIR"/out.* | python3 -c 'import json,sys; print(len({json.loads(l)["AccessKeyId"] for l in sys.stdin}))')" \
  "1" "all 32 got the same credentials"
arn=$("$AWS_V2" --endpoint-url "$STS_URL" --profile cp sts get-caller-identity --query Arn --output text)
assert_contains "$arn" "assumed-role/deploy/" "and they work through credential_process"

# A user profile: exactly one STS call in total for 32 callers.
printf '[profile solo]\nmfa_serial = arn:aws:iam::123456789012:mfa/sam\nmfa_process = %s\n' "$TEST_DIR/driver" >>"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTSAM00001 AWS_SECRET_ACCESS_KEY=sam-secret kura add --env solo 2>/dev/null
curl -s -X POST "$STS_URL/__admin/reset-stats" >/dev/null  # after add, whose key check is an STS call
curl -s -X POST "$STS_URL/__admin/forget-codes" >/dev/null
: >"$TEST_DIR/driver.log"
pids=()
for i in $(seq 1 32); do
  setsid "$KURA_BIN" export --format json solo </dev/null >"$TEST_DIR/solo.$i" 2>"$TEST_DIR/soloerr.$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a caller failed: $(cat "$TEST_DIR"/soloerr.* | sort | uniq -c)"; done
assert_eq "$(sts_stats | python3 -c 'import json,sys; print(sum(json.load(sys.stdin).values()))')" "1" "32 callers of a user profile: exactly 1 STS call"
assert_eq "$(wc -l <"$TEST_DIR/driver.log")" "1" "and one prompt"
