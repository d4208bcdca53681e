# Renewal cannot run away: a refresh window at least as long as the session is refused before any STS call;
# credentials that arrive already inside the window stop `kura serve` with a clear error instead of a fetch
# loop; a renewing endpoint whose STS calls fail backs off instead of hammering STS.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "rex", "access_key_id": "AKIAKURATESTREX00001", "secret_access_key": "rex-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json" --session-seconds 20
export AWS_ENDPOINT_URL_STS="$STS_URL"
printf '[profile rex]\nregion = us-east-1\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTREX00001 AWS_SECRET_ACCESS_KEY=rex-secret kura add --env rex 2>/dev/null

# Runs `kura serve --ecs rex` for at most $1 seconds with the environment given after it; its stderr and
# exit status land in $TEST_DIR/serve.err and $TEST_DIR/serve.status.
serve_for() { # seconds VAR=value...
  local seconds=$1
  shift
  curl -s -X POST "$STS_URL/__admin/reset-stats" >/dev/null
  set +e
  env "$@" timeout "$seconds" "$KURA_BIN" serve --ecs rex >/dev/null 2>"$TEST_DIR/serve.err"
  echo $? >"$TEST_DIR/serve.status"
  set -e
}

# A window longer than the session (the audit saw 3,912 STS calls in 5 s).
serve_for 5 KURA_SESSION_REFRESH=2h
assert_eq "$(cat "$TEST_DIR/serve.status")" "1" "KURA_SESSION_REFRESH=2h: serve stops with an error"
assert_contains "$(cat "$TEST_DIR/serve.err")" "KURA_SESSION_REFRESH (2h00m) must be shorter than the session" "and says why"
assert_eq "$(sts_count GetSessionToken)" "0" "no STS call was made"
out=$(KURA_SESSION_REFRESH=2h kura export rex 2>&1 || true)
assert_contains "$out" "must be shorter than the session" "export refuses it too"

# The server issues 20-second sessions; a 30-second window puts them inside it on arrival.
serve_for 5 KURA_SESSION_REFRESH=30s
assert_eq "$(cat "$TEST_DIR/serve.status")" "1" "credentials inside the window on arrival: serve stops"
assert_contains "$(cat "$TEST_DIR/serve.err")" "renewed continuously" "and says why"
calls=$(sts_count GetSessionToken)
[ "$calls" -le 1 ] || fail "at most one STS call (saw $calls)"
pass "one STS call, not a loop ($calls)"

# A serving endpoint whose renewals fail: the 20-second session is due after 12 s (8 s window); then every
# renewal fails for the rest of the run. Back-off keeps the attempts to a handful.
kura clear >/dev/null 2>&1
curl -s -X POST "$STS_URL/__admin/reset-stats" >/dev/null
KURA_SESSION_REFRESH=8s "$KURA_BIN" serve --ecs rex >/dev/null 2>"$TEST_DIR/renew.err" &
PIDS+=($!)
for _ in $(seq 1 50); do [ "$(sts_count GetSessionToken)" = 1 ] && break; sleep 0.1; done
curl -s -X POST "$STS_URL/__admin/fail?status=503&count=1000" >/dev/null
sleep 30
attempts=$(sts_count GetSessionToken)
# 1 initial + renewal attempts from 12 s on: each failing attempt is retried 3 times by the HTTP layer, and
# attempts come at 5, 10, 20 s intervals: 1 + 3 * 4 at most.
[ "$attempts" -le 13 ] || fail "renewal backs off under failures (saw $attempts GetSessionToken calls in 30 s)"
pass "renewal backs off under failures ($attempts GetSessionToken calls in 30 s)"
assert_contains "$(cat "$TEST_DIR/renew.err")" "cannot renew (attempt 2)" "failures are reported with their count"
