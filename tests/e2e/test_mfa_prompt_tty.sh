# The MFA prompt is on /dev/tty: typed into a real pseudo-terminal (script(1)), while stdout carries only the
# credential_process JSON.
source "$(dirname "$0")/lib.sh"

SEED=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ivy", "access_key_id": "AKIAKURATESTIVY00001", "secret_access_key": "ivy-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/ivy", "mfa_seed": "$SEED"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
printf '[profile ivy]\nmfa_serial = arn:aws:iam::123456789012:mfa/ivy\n' >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTIVY00001 AWS_SECRET_ACCESS_KEY=ivy-secret kura add --env ivy 2>/dev/null

# script(1) gives kura a controlling terminal; the code arrives on it after the prompt appears.
type_when_shown "$TEST_DIR/typescript" "Enter MFA code" "$(totp $SEED)" |
  script -qefc "$KURA_BIN export --format json ivy >$TEST_DIR/out.json" \
  "$TEST_DIR/typescript" >/dev/null
assert_contains "$(cat "$TEST_DIR/typescript")" "Enter MFA code for arn:aws:iam::123456789012:mfa/ivy:" \
  "the prompt appears on the terminal"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["Version"] == 1 and d["SessionToken"]' \
  "$TEST_DIR/out.json" || fail "stdout holds only the JSON: $(cat "$TEST_DIR/out.json")"
pass "stdout holds only the JSON"
assert_not_contains "$(cat "$TEST_DIR/out.json")" "Enter MFA" "the prompt is not on stdout"
assert_eq "$(sts_count GetSessionToken)" "1" "the typed code bought one session"

# Typing garbage is caught before STS is asked.
type_when_shown "$TEST_DIR/typescript2" "Enter MFA code" "12ab56" |
  script -qefc "$KURA_BIN export --format json --duration 2h ivy" "$TEST_DIR/typescript2" \
  >/dev/null || true
assert_contains "$(cat "$TEST_DIR/typescript2")" "an MFA code is six digits" "a malformed typed code is refused"
assert_eq "$(sts_count GetSessionToken)" "1" "and STS was not asked"
