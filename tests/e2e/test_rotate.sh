# kura rotate: the new key stored where the old one was (kura's store, or a plaintext [NAME-long-term] section
# edited in place), verified through IAM's eventual consistency before the old key is deleted; the two-keys
# refusal before anything is created; a new key that is never accepted puts the old one back; IAM called with
# an MFA session where the user's policy demands MFA. Against the project's STS/IAM server (signatures checked).
source "$(dirname "$0")/lib.sh"

SEED=KURAROTATESEEDKURAROTATESEED2345
cat >"$TEST_DIR/sts.json" <<JSON
{"new_key_delay_ms": 1500,
 "users": [{"name": "alice", "access_key_id": "AKIAKURATESTALICE001", "secret_access_key": "alice-secret"},
           {"name": "bob", "access_key_id": "AKIAKURATESTBOB00001", "secret_access_key": "bob-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/bob", "mfa_seed": "$SEED", "iam_requires_mfa": true},
           {"name": "carol", "access_key_id": "AKIAKURATESTCAROL001", "secret_access_key": "carol-secret"}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" AWS_ENDPOINT_URL_IAM="$STS_URL"
cat >"$AWS_CONFIG_FILE" <<'CFG'
[profile alice]
region = eu-west-1

[profile bob]
mfa_serial = arn:aws:iam::123456789012:mfa/bob
CFG
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<'INI'
# carol's key, the aws-mfa way
[carol-long-term]
aws_access_key_id = AKIAKURATESTCAROL001
aws_secret_access_key = carol-secret   
; a comment that stays

[other]
aws_access_key_id = AKIAOTHEROTHEROTHER1
aws_secret_access_key = other-secret
INI
keys_of() { # user -> its key ids, space-separated, as IAM has them
  curl -s "$STS_URL/__admin/user?name=$1" | python3 -c 'import json,sys; print(" ".join(k["access_key_id"] for k in json.load(sys.stdin)["access_keys"]))'
}
stored_id() { kura export --format json --no-session "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])'; }
whoami() { kura exec --no-session "$1" -- sh -c '"$0" sts get-caller-identity --query Arn --output text' "$AWS_V1"; }

AWS_ACCESS_KEY_ID=AKIAKURATESTALICE001 AWS_SECRET_ACCESS_KEY=alice-secret kura add --env alice 2>/dev/null
kura export --format json alice >/dev/null  # a session made from the old key

# A stored key; the new one is refused by STS for 1.5 s after it is made, and kura waits it out.
kura rotate alice -n 2>"$TEST_DIR/rotate.err" || fail "rotate: $(cat "$TEST_DIR/rotate.err")"
new=$(stored_id alice)
[ "$new" != AKIAKURATESTALICE001 ] || fail "the stored key did not change"
assert_eq "$(keys_of alice)" "$new" "IAM has only the new key"
assert_contains "$(whoami alice)" ":user/alice" "the stored new key works"
assert_contains "$(cat "$TEST_DIR/rotate.err")" "the old key ****E001 is deleted" "says the old key is gone"
assert_eq "$(kura list --sessions)" "" "the sessions made from the old key are gone"
assert_contains "$(kura list)" "123456789012:user/alice" "and the new key's identity is recorded"

# Two keys already: nothing is created, and the message names the other key.
second=$(kura exec --no-session alice -- "$AWS_V1" --region us-east-1 --endpoint-url "$STS_URL" iam create-access-key --query AccessKey.AccessKeyId --output text)
kura rotate alice -n 2>"$TEST_DIR/two.err" && fail "rotated with two keys"
assert_contains "$(cat "$TEST_DIR/two.err")" "already has two access keys" "the two-keys refusal"
assert_contains "$(cat "$TEST_DIR/two.err")" "${second:16:4}" "naming the other key"
assert_eq "$(keys_of alice)" "$new $second" "nothing was created or deleted"
kura exec --no-session alice -- "$AWS_V1" --region us-east-1 --endpoint-url "$STS_URL" iam delete-access-key --access-key-id "$second"

# A new key that STS never accepts in time: the old key is put back and the new one deleted.
curl -s -X POST "$STS_URL/__admin/new-key-delay?ms=600000" >/dev/null
KURA_ROTATE_WAIT=3s kura rotate alice -n 2>"$TEST_DIR/fail.err" && fail "rotated to a key STS refuses"
assert_contains "$(cat "$TEST_DIR/fail.err")" "was not accepted by STS" "says the new key failed"
assert_contains "$(cat "$TEST_DIR/fail.err")" "is in place again" "and that the old key is back"
assert_eq "$(stored_id alice)" "$new" "the old key is stored again"
assert_eq "$(keys_of alice)" "$new" "and the new one was deleted in IAM"
curl -s -X POST "$STS_URL/__admin/new-key-delay?ms=0" >/dev/null

# A plaintext [carol-long-term] section: edited in place, the rest of the file byte for byte.
kura rotate carol -n 2>"$TEST_DIR/carol.err" || fail "rotate carol: $(cat "$TEST_DIR/carol.err")"
python3 - "$AWS_SHARED_CREDENTIALS_FILE" <<'PY' || fail "the credentials file around carol's key changed"
import sys
text = open(sys.argv[1]).read()
lines = text.split("\n")
assert lines[0] == "# carol's key, the aws-mfa way" and lines[1] == "[carol-long-term]", lines[:2]
assert lines[2].startswith("aws_access_key_id = AKIA") and "CAROL001" not in lines[2], lines[2]
assert lines[3].startswith("aws_secret_access_key = ") and "carol-secret" not in lines[3], lines[3]
assert lines[4:] == ["; a comment that stays", "", "[other]", "aws_access_key_id = AKIAOTHEROTHEROTHER1",
                     "aws_secret_access_key = other-secret", ""], lines[4:]
PY
pass "the section is edited in place, comments and other sections kept"
carol_key=$(grep -A1 '^\[carol-long-term\]' "$AWS_SHARED_CREDENTIALS_FILE" | sed -n 's/aws_access_key_id = //p')
assert_eq "$(keys_of carol)" "$carol_key" "IAM has carol's new key only"
assert_eq "$(stat -c %a "$AWS_SHARED_CREDENTIALS_FILE")" "600" "the credentials file stays 0600"

# MFA: bob's policy denies IAM to his key without MFA; with a code, rotate goes through a session.
AWS_ACCESS_KEY_ID=AKIAKURATESTBOB00001 AWS_SECRET_ACCESS_KEY=bob-secret kura add --env bob 2>/dev/null
kura rotate bob -n 2>"$TEST_DIR/bob-n.err" && fail "rotated bob without MFA"
assert_contains "$(cat "$TEST_DIR/bob-n.err")" "explicit deny" "without MFA IAM refuses"
assert_eq "$(keys_of bob)" "AKIAKURATESTBOB00001" "and nothing changed"
kura rotate bob -t "$(totp $SEED)" 2>"$TEST_DIR/bob.err" || fail "rotate bob: $(cat "$TEST_DIR/bob.err")"
assert_eq "$(keys_of bob)" "$(stored_id bob)" "bob's key rotated through an MFA session"

# As aws-vault.
ln -sf "$KURA_BIN" "$TEST_DIR/aws-vault"
before=$(stored_id alice)
"$TEST_DIR/aws-vault" rotate -n alice 2>"$TEST_DIR/vault.err" || fail "aws-vault rotate: $(cat "$TEST_DIR/vault.err")"
[ "$(stored_id alice)" != "$before" ] && pass "aws-vault rotate" || fail "aws-vault rotate changed nothing"
