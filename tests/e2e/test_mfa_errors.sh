# kura mfa says what is wrong (not "Token must be six digits"), exits non-zero, and writes nothing; it reads
# ~/.aws/config, renews shortly before expiry, and works with the key kept only in the keystore.
source "$(dirname "$0")/lib.sh"

SEED=ONSWG4TFOQQGCIDMN5XGOIDTMVRXEZLU
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "max", "access_key_id": "AKIAKURATESTMAX00001", "secret_access_key": "max-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/max", "mfa_seed": "$SEED"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/ops", "max_duration": 3600, "require_mfa": true,
            "external_id": "ext-42"}]}
JSON
start_sts_server "$TEST_DIR/sts.json" --session-seconds 1000
export AWS_ENDPOINT_URL_STS="$STS_URL"
printf '# untouched\n' >"$AWS_SHARED_CREDENTIALS_FILE"
chmod 600 "$AWS_SHARED_CREDENTIALS_FILE"

if err=$(kura mfa --profile max --token 123456 2>&1); then fail "no long-term key but success"; fi
assert_contains "$err" "Long term credentials session '[max-long-term]' is missing" "missing long-term section: aws-mfa's words"
assert_contains "$err" "kura add max-long-term" "and the keystore alternative"

# The key only in the keystore; device, role, external id and duration from ~/.aws/config.
AWS_ACCESS_KEY_ID=AKIAKURATESTMAX00001 AWS_SECRET_ACCESS_KEY=max-secret kura add --env max-long-term 2>/dev/null
cat >"$AWS_CONFIG_FILE" <<'CFG'
[profile max]
mfa_serial = arn:aws:iam::123456789012:mfa/max
role_arn = arn:aws:iam::123456789012:role/ops
external_id = ext-42
duration_seconds = 3000
CFG
for bad in "--duration 50" "--duration 50000" "--duration 1h"; do
  if err=$(kura mfa --profile max $bad --token 123456 2>&1); then fail "$bad accepted"; fi
  assert_not_contains "$err" "six digits" "$bad: not blamed on the token"
done
assert_contains "$(kura mfa --profile max --duration 50 --token 123456 2>&1 || true)" \
  "duration 50 is out of range: AssumeRole accepts 900 to 43200 seconds" "a short duration says the range"
if err=$(kura mfa --profile max --token 12345 2>&1); then fail "a 5-digit code was accepted"; fi
assert_contains "$err" "an MFA code is six digits" "a malformed code says so"
if err=$(kura mfa --profile max --device arn:aws:iam::123456789012:user/max --token 123456 2>&1); then fail "user arn accepted"; fi
assert_contains "$err" "does not appear to be an MFA device" "a user ARN is not a device"
good=$(totp $SEED)
wrong=$(printf '%06d' $(( (10#$good + 1) % 1000000 )))
if err=$(kura mfa --profile max --token "$wrong" 2>&1); then fail "a wrong code was accepted"; fi
assert_contains "$err" "the MFA code was not accepted" "a wrong code: STS's answer, explained"
assert_eq "$(cat "$AWS_SHARED_CREDENTIALS_FILE")" "# untouched" "errors write nothing"

out=$(kura mfa --profile max --token "$good" 2>&1)
assert_contains "$out" "Assuming Role - Profile: max, Role: arn:aws:iam::123456789012:role/ops, Duration: 3000" "role and duration from ~/.aws/config"
assert_contains "$(cat "$AWS_SHARED_CREDENTIALS_FILE")" "assumed_role_arn = arn:aws:iam::123456789012:role/ops" "the role is recorded"
assert_eq "$(sts_count AssumeRole)" "2" "the wrong code and this one reached STS (the external id was accepted)"

# The server issued 1000-second credentials: still valid now, but a run inside the last 5 minutes renews.
out=$(setsid "$KURA_BIN" mfa --profile max </dev/null 2>&1)
assert_contains "$out" "still valid for" "valid credentials are kept"
python3 - "$AWS_SHARED_CREDENTIALS_FILE" <<'PY'
import datetime, re, sys
path = sys.argv[1]
text = open(path).read()
soon = (datetime.datetime.utcnow() + datetime.timedelta(seconds=120)).strftime("%Y-%m-%d %H:%M:%S")
open(path, "w").write(re.sub(r"expiration = .*", "expiration = " + soon, text))
PY
out=$(kura mfa --profile max --token "$(totp $SEED '+30 sec')" 2>&1 </dev/null)
assert_contains "$out" "seconds, renewing." "credentials with under 5 minutes left are renewed"
assert_eq "$(sts_count AssumeRole)" "3" "renewal called STS"

# A different device (MFA_DEVICE) means new credentials, not stale ones.
out=$(MFA_DEVICE=arn:aws:iam::123456789012:mfa/other setsid "$KURA_BIN" mfa --profile max </dev/null 2>&1 || true)
assert_contains "$out" "Obtaining credentials for a new role or profile." "a changed device renews"

# The code prompt is on the terminal, without echo.
type_when_shown "$TEST_DIR/typescript" "Enter AWS MFA code" "$(totp $SEED '-30 sec')" |
  script -qefc "$KURA_BIN mfa --profile max --force" "$TEST_DIR/typescript" >/dev/null
assert_contains "$(cat "$TEST_DIR/typescript")" "Enter AWS MFA code for device [arn:aws:iam::123456789012:mfa/max] (renewing for 3000 seconds):" "aws-mfa's prompt on the terminal"
assert_not_contains "$(cat "$TEST_DIR/typescript")" "$(totp $SEED '-30 sec')" "the typed code is not echoed"
