# What an STS endpoint (or something posing as one) says cannot harm the terminal or confuse the user: escape
# sequences in error text are dropped, an oversized answer is refused and named as such, credentials that had
# expired on arrival are an error with a clock hint; and a role chain asking for more than STS allows is
# refused before any call or MFA prompt.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "eve", "access_key_id": "AKIAKURATESTEVE00001", "secret_access_key": "eve-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/eve", "mfa_seed": "JBSWY3DPEHPK3PXP"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/first", "max_duration": 43200},
           {"arn": "arn:aws:iam::123456789012:role/second", "max_duration": 43200}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
cat >"$AWS_CONFIG_FILE" <<'CFG'
[profile eve]
region = us-east-1

[profile first]
source_profile = eve
role_arn = arn:aws:iam::123456789012:role/first
mfa_serial = arn:aws:iam::123456789012:mfa/eve

[profile second]
source_profile = first
role_arn = arn:aws:iam::123456789012:role/second
CFG
AWS_ACCESS_KEY_ID=AKIAKURATESTEVE00001 AWS_SECRET_ACCESS_KEY=eve-secret kura add --env eve 2>/dev/null
admin() { curl -s -X POST "$STS_URL/__admin/$1" >/dev/null; }

# Escape sequences (a title change, a screen clear, a C1 CSI) in the error message.
message=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("Denied\x1b]0;owned\x07 by\x1b[2J policy\x9b31m"))')
admin "fail?status=403&code=AccessDenied&message=$message"
set +e
kura export eve >/dev/null 2>"$TEST_DIR/err"
status=$?
set -e
assert_eq "$status" "1" "the call fails"
assert_contains "$(cat "$TEST_DIR/err")" "Denied]0;owned by[2J policy31m" "the message is shown without its control characters"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$TEST_DIR/err" || LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$TEST_DIR/err"; then
  fail "a control character reached the terminal: $(od -c "$TEST_DIR/err" | head)"
fi
pass "no control character reached the terminal"

# A 1 MB answer (three of them: the HTTP layer retries).
admin "oversize?count=3&bytes=1000000"
out=$(kura export eve 2>&1 || true)
assert_contains "$out" "is larger than 64 KiB; kura refused it" "an oversized answer is refused and said so"
assert_not_contains "$out" "cannot reach" "not reported as unreachable"

# Credentials that had expired when they arrived (what a machine with a fast clock sees).
admin "expired?count=1"
out=$(kura export eve 2>&1 || true)
assert_contains "$out" "had expired when they arrived" "expired-on-arrival credentials are an error"
assert_contains "$out" "clock" "with a hint about the clock"
assert_eq "$(kura list --sessions)" "" "and nothing was cached"

# second is assumed with first's credentials: role chaining, 1h at most. --duration 2h is refused before the
# MFA code is asked for or any call is made (the code would have been spent for nothing).
admin reset-stats
out=$(kura export --duration 2h second 2>&1 </dev/null || true)
assert_contains "$out" "role chaining" "a chained role over 1h is refused"
assert_contains "$out" "use --duration 1h or less" "with the fix"
assert_not_contains "$out" "MFA code" "before any MFA prompt"
assert_eq "$(sts_stats)" "{}" "and before any STS call"
out=$(kura export --duration 1h --mfa-token "$(totp JBSWY3DPEHPK3PXP)" second 2>&1)
assert_contains "$out" "AWS_SESSION_TOKEN" "1h works"
