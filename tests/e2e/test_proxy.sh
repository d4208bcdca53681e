# STS calls go through HTTP_PROXY/HTTPS_PROXY as in the AWS CLI, and NO_PROXY bypasses it.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "jo", "access_key_id": "AKIAKURATESTJO000001", "secret_access_key": "jo-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
python3 "$KURA_SOURCE_DIR/tests/server/record_proxy.py" --log "$TEST_DIR/proxy.log" --port-file "$TEST_DIR/proxy.port" &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$TEST_DIR/proxy.port" ] && break; sleep 0.1; done
PROXY="http://127.0.0.1:$(cat "$TEST_DIR/proxy.port")"
touch "$TEST_DIR/proxy.log"
printf '[profile jo]\n' >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTJO000001 AWS_SECRET_ACCESS_KEY=jo-secret kura add --env jo 2>/dev/null

HTTP_PROXY="$PROXY" kura export --format json jo >/dev/null
assert_eq "$(wc -l <"$TEST_DIR/proxy.log")" "1" "the STS call went through the proxy"
assert_contains "$(cat "$TEST_DIR/proxy.log")" "$STS_URL/" "the proxy saw the STS endpoint"

kura clear >/dev/null 2>&1
HTTP_PROXY="$PROXY" NO_PROXY=127.0.0.1 kura export --format json jo >/dev/null
assert_eq "$(wc -l <"$TEST_DIR/proxy.log")" "1" "NO_PROXY bypasses the proxy"

kura clear >/dev/null 2>&1
HTTPS_PROXY="$PROXY" kura export --format json jo >/dev/null
assert_eq "$(wc -l <"$TEST_DIR/proxy.log")" "1" "HTTPS_PROXY is not used for an http:// endpoint"
assert_eq "$(sts_count GetSessionToken)" "3" "all three calls reached STS"
