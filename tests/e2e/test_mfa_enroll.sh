# kura mfa enroll on a real pseudo-terminal against the project's IAM server, which checks the two codes: the
# key shown on the terminal is the device's seed, two consecutive codes from it enable the device, mfa_serial is
# written, and the next `kura exec` asks for a code from the new device. Wrong codes leave no device behind.
source "$(dirname "$0")/lib.sh"

SEED=KURAENROLSEEDKURAENROLSEED234567
cat >"$TEST_DIR/sts.json" <<JSON
{"mfa_seeds": ["KURAWRONGSEEDKURAWRONGSEED234567", "$SEED"],
 "users": [{"name": "eve", "access_key_id": "AKIAKURATESTEVE00001", "secret_access_key": "eve-secret",
            "iam_requires_mfa": true},
           {"name": "fay", "access_key_id": "AKIAKURATESTFAY00001", "secret_access_key": "fay-secret"}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" AWS_ENDPOINT_URL_IAM="$STS_URL"
printf '# eve\n[profile eve]\nregion = eu-west-1\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTEVE00001 AWS_SECRET_ACCESS_KEY=eve-secret kura add --env eve 2>/dev/null
AWS_ACCESS_KEY_ID=AKIAKURATESTFAY00001 AWS_SECRET_ACCESS_KEY=fay-secret kura add --env fay 2>/dev/null
devices() { curl -s "$STS_URL/__admin/user?name=eve" | python3 -c 'import json,sys; print(json.load(sys.stdin))'; }

# Wrong codes: IAM refuses them three times, and the device kura created is deleted again.
{ for _ in 1 2 3; do
    type_when_shown "$TEST_DIR/wrong" "First code" "111111"; type_when_shown "$TEST_DIR/wrong" "The next code" "222222"
    sleep 1
  done; } |
  script -qefc "$KURA_BIN mfa enroll fay" "$TEST_DIR/wrong" >/dev/null && fail "wrong codes enabled a device"
assert_contains "$(cat "$TEST_DIR/wrong")" "not valid" "wrong codes are refused"
assert_contains "$(cat "$TEST_DIR/wrong")" "try again" "and may be tried again"
assert_contains "$(cat "$TEST_DIR/wrong")" "the unused device was deleted" "then the device is deleted again"
assert_not_contains "$(cat "$AWS_CONFIG_FILE")" "mfa_serial" "no mfa_serial written"
curl -s "$STS_URL/__admin/user?name=fay" | grep -q '"unassigned_mfa_devices": \[\]' && pass "no device left behind" ||
  fail "a device was left: $(curl -s "$STS_URL/__admin/user?name=fay")"

# The right codes, read off the key kura shows: the current code and the next one.
codes() {
  local seed=""
  for _ in $(seq 1 300); do
    seed=$(grep -a -o 'Or type the key: [A-Z2-7]*' "$1" 2>/dev/null | head -1 | sed 's/.*: //')
    [ -n "$seed" ] && break
    sleep 0.1
  done
  echo "$seed" >"$TEST_DIR/seen-seed"
  type_when_shown "$1" "First code" "$(oathtool --totp -b "$seed")"
  type_when_shown "$1" "The next code" "$(oathtool --totp -b "$seed" -N "$(date -u -d '+30 seconds' '+%Y-%m-%d %H:%M:%S UTC')")"
}
codes "$TEST_DIR/typescript" | script -qefc "$KURA_BIN mfa enroll eve" "$TEST_DIR/typescript" >/dev/null ||
  fail "enroll: $(cat "$TEST_DIR/typescript")"
assert_eq "$(cat "$TEST_DIR/seen-seed")" "$SEED" "the key shown is the device's seed"
assert_contains "$(cat "$TEST_DIR/typescript")" "█" "with a QR code"
assert_contains "$(cat "$AWS_CONFIG_FILE")" "mfa_serial = arn:aws:iam::123456789012:mfa/eve" "mfa_serial written"
assert_contains "$(cat "$AWS_CONFIG_FILE")" "# eve" "the rest of the config kept"
assert_contains "$(devices)" "arn:aws:iam::123456789012:mfa/eve" "the device is enabled in IAM"
grep -rqs "$SEED" "$HOME" && fail "the seed was written somewhere under HOME"
pass "kura kept the seed nowhere"

# The next exec needs a code from the new device.
setsid "$KURA_BIN" exec eve -- true </dev/null 2>"$TEST_DIR/exec.err" && fail "exec without a code"
assert_contains "$(cat "$TEST_DIR/exec.err")" "arn:aws:iam::123456789012:mfa/eve" "exec asks for the new device's code"
