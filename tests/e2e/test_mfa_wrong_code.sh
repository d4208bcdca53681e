# A wrong MFA code gives a clear error with a hint, a non-zero exit, and caches nothing.
source "$(dirname "$0")/lib.sh"

SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "erin", "access_key_id": "AKIAKURATESTERIN0001", "secret_access_key": "erin-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/erin", "mfa_seed": "$SEED"}],
 "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
printf '[profile erin]\nmfa_serial = arn:aws:iam::123456789012:mfa/erin\n[profile other]\nmfa_serial = arn:aws:iam::123456789012:mfa/nobody\n' >"$AWS_CONFIG_FILE"
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTERIN0001 AWS_SECRET_ACCESS_KEY=erin-secret kura add --env erin 2>/dev/null
AWS_ACCESS_KEY_ID=AKIAKURATESTERIN0001 AWS_SECRET_ACCESS_KEY=erin-secret kura add --env other 2>/dev/null

good=$(totp $SEED)
wrong=$(printf '%06d' $(( (10#$good + 1) % 1000000 )))
if err=$(kura exec erin --mfa-token "$wrong" -- true 2>&1 </dev/null); then fail "a wrong code was accepted"; fi
assert_contains "$err" "kura: error: profile 'erin': GetSessionToken: the MFA code was not accepted" "wrong code: clear error"
assert_contains "$err" "kura: hint: codes change every 30 seconds" "wrong code: hint"

if err=$(kura exec erin --mfa-token 12345 -- true 2>&1 </dev/null); then fail "a five-digit code was accepted"; fi
assert_contains "$err" "six digits" "a malformed code is refused before any STS call"
assert_eq "$(sts_count GetSessionToken)" "1" "only the well-formed code reached STS"

if err=$(kura exec other --mfa-token "$good" -- true 2>&1 </dev/null); then fail "a foreign device was accepted"; fi
assert_contains "$err" "not associated with this user" "a device of another user: clear error"
assert_contains "$err" "check mfa_serial" "a device of another user: hint"

if err=$(kura exec erin -- true 2>&1 </dev/null); then :; fi
sessions=$(kura list --sessions)
assert_eq "$sessions" "" "failed attempts cache nothing"
