# kura mfa edits ~/.aws/credentials only when it may, and only as asked: a read-only file or another user's is
# refused with the reason and left byte for byte; a header with text after it is an error naming the line;
# removing a key takes the value lines it has past a comment (they would otherwise continue the key before);
# a file with bare-CR line endings stays CR-only and reads back, in botocore, with exactly the new keys.
source "$(dirname "$0")/lib.sh"

SEED=ONSWG4TFOQQGCIDMN5XGOIDTMVRXEZLU
DEVICE=arn:aws:iam::123456789012:mfa/max
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "max", "access_key_id": "AKIAKURATESTMAX00001", "secret_access_key": "max-secret",
            "mfa_serial": "$DEVICE", "mfa_seed": "$SEED"}],
 "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
CREDS="$AWS_SHARED_CREDENTIALS_FILE"

# Runs aws-mfa for [max] with a fresh code (the server forgets used codes, so every run may use the current one).
aws_mfa() {
  curl -s -X POST "$STS_URL/__admin/forget-codes" >/dev/null
  "$(dirname "$KURA_BIN")/aws-mfa" --profile max --device "$DEVICE" --force --token "$(totp $SEED)" </dev/null
}
# What botocore reads from a file: section -> key -> value, as JSON.
botocore_reads() { PYTHONUTF8=1 python3 "$KURA_SOURCE_DIR/tests/tools/ini_oracle.py" "$1" | python3 -c \
  'import json, sys; r = list(json.load(sys.stdin).values())[0]; print(json.dumps(r.get("sections", r), sort_keys=True))'; }

# [max] holds a stale session: assumed_role_arn's value goes on past a comment, so removing the key must take
# the indented line too, or it would continue `region`.
printf '# long-term key for max\n[max-long-term]\naws_access_key_id = AKIAKURATESTMAX00001\naws_secret_access_key = max-secret\n\n[max]\nregion = eu-west-1\nassumed_role_arn = arn:aws:iam::123456789012:role/old\n# the rest of an old value\n  TAIL\n' >"$CREDS"
original=$(cat "$CREDS")

chmod 0444 "$CREDS"
if err=$(aws_mfa 2>&1); then fail "a read-only credentials file was rewritten"; fi
assert_contains "$err" "kura: error: $CREDS is read-only (mode 0444); nothing was written" "read-only: refused with the reason"
assert_contains "$err" "kura: hint: chmod u+w $CREDS" "read-only: the hint says how to allow it"
assert_eq "$(cat "$CREDS")" "$original" "read-only: the file is byte-identical"
assert_eq "$(stat -c %a "$CREDS")" "444" "read-only: the mode is unchanged"
assert_eq "$(sts_count GetSessionToken)" "0" "read-only: refused before the MFA code is spent"

chmod 0600 "$CREDS"
chown 65534:65534 "$CREDS"
if err=$(aws_mfa 2>&1); then fail "another user's credentials file was rewritten"; fi
assert_contains "$err" "$CREDS belongs to another user (uid 65534); nothing was written" "another user's file: refused"
assert_eq "$(cat "$CREDS")" "$original" "another user's file: byte-identical"
assert_eq "$(stat -c %u "$CREDS")" "65534" "another user's file: still theirs"
chown 0:0 "$CREDS"

# Writable but readable by others: written, and tightened to 0600 as before.
chmod 0644 "$CREDS"
out=$(aws_mfa 2>&1) || fail "kura mfa failed: $out"
assert_contains "$out" "was readable by others (mode 644); making it 0600" "a writable file readable by others: the warning"
assert_eq "$(stat -c %a "$CREDS")" "600" "and it is 0600 now"
assert_eq "$(head -n 5 "$CREDS")" "$(printf '%s\n' "$original" | head -n 5)" "the long-term part is byte-identical"
python3 - "$(botocore_reads "$CREDS")" <<'PY' || fail "botocore reads [max] as written"
import json, sys
sections = json.loads(sys.argv[1])
assert sections["max-long-term"] == {"aws_access_key_id": "AKIAKURATESTMAX00001",
                                     "aws_secret_access_key": "max-secret"}, sections
m = sections["max"]
assert m["region"] == "eu-west-1", m  # not "eu-west-1\nTAIL"
assert "assumed_role_arn" not in m and m["assumed_role"] == "False", m
assert m["aws_session_token"] and m["aws_session_token"] == m["aws_security_token"], m
PY
pass "botocore reads [max]: region intact, the old role gone with its value lines, the new session there"
assert_not_contains "$(cat "$CREDS")" "TAIL" "the removed key's value lines went with it"

# A header with text after its ']': configparser would read [max] and drop the rest; kura names the line.
printf '[max-long-term]\naws_access_key_id = AKIAKURATESTMAX00001\naws_secret_access_key = max-secret\n[max] # session\n' >"$CREDS"
before=$(cat "$CREDS")
if err=$(aws_mfa 2>&1); then fail "a header with text after it was accepted"; fi
assert_contains "$err" "$CREDS:4: text after the section header's closing ']'" "text after a header: file:line"
assert_contains "$err" "put comments on a line of their own" "text after a header: the hint"
assert_eq "$(cat "$CREDS")" "$before" "text after a header: nothing written"

# Bare CR line endings (old Mac style): Python ends lines there too, so the file has two sections; the edit keeps
# every line ending a CR.
printf '# cr only\r[max-long-term]\raws_access_key_id = AKIAKURATESTMAX00001\raws_secret_access_key = max-secret\r' >"$CREDS"
chmod 0600 "$CREDS"
out=$(aws_mfa 2>&1) || fail "kura mfa on a CR file failed: $out"
[ "$(tr -cd '\n' <"$CREDS" | wc -c)" = 0 ] || fail "a newline crept into a CR-only file: $(od -c "$CREDS" | head)"
pass "the CR-only file has no newline"
python3 - "$(botocore_reads "$CREDS")" <<'PY' || fail "botocore reads the CR file as written"
import json, sys
sections = json.loads(sys.argv[1])
assert set(sections) == {"max-long-term", "max"}, sections
assert sections["max-long-term"]["aws_secret_access_key"] == "max-secret", sections
assert sections["max"]["aws_session_token"] and sections["max"]["expiration"], sections
PY
pass "botocore reads the CR file: the long-term key and the new [max]"
