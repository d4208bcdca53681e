# HTTP retries: 5xx and throttling are retried (with backoff) until STS answers; an AccessDenied is not retried.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "hal", "access_key_id": "AKIAKURATESTHAL00001", "secret_access_key": "hal-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/hal", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
printf '[profile hal]\n[profile hal-role]\nsource_profile = hal\nrole_arn = arn:aws:iam::123456789012:role/hal\n[profile nope]\nsource_profile = hal\nrole_arn = arn:aws:iam::123456789012:role/missing\n' >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTHAL00001 AWS_SECRET_ACCESS_KEY=hal-secret kura add --env hal 2>/dev/null

curl -s -X POST "$STS_URL/__admin/fail?status=503&count=1" >/dev/null
curl -s -X POST "$STS_URL/__admin/fail?status=400&code=Throttling&count=1" >/dev/null
kura export --format json hal-role >/dev/null
assert_eq "$(sts_count AssumeRole)" "3" "two failures then success: three attempts"

if err=$(kura export --format json nope 2>&1); then fail "an unknown role was assumed"; fi
assert_eq "$(sts_count AssumeRole)" "4" "AccessDenied is not retried"
assert_contains "$err" "AccessDenied" "the STS error is shown"

# Connection refused: retried, then a clear error naming the endpoint.
if err=$(AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(free_port)" kura export --format json hal 2>&1); then
  fail "an unreachable endpoint succeeded"
fi
assert_contains "$err" "cannot reach http://127.0.0.1:" "unreachable endpoint: clear error"
