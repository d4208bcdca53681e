# kura import moves plaintext long-term keys from ~/.aws/credentials into the encrypted store: the keys leave
# the file (no backup copy anywhere), the rest of the file is untouched, and the profiles still work.
source "$(dirname "$0")/lib.sh"

SEED=KRUGS4ZANFZSAYJAORSXG5BAONSWKZDB
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "kim", "access_key_id": "AKIAKURATESTKIM00001", "secret_access_key": "kim-secret-1",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/kim", "mfa_seed": "$SEED"},
           {"name": "lee", "access_key_id": "AKIAKURATESTLEE00001", "secret_access_key": "lee-secret-1"}],
 "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<'CREDS'
# header comment
[kim-long-term]
aws_access_key_id = AKIAKURATESTKIM00001
aws_secret_access_key = kim-secret-1
aws_mfa_device = arn:aws:iam::123456789012:mfa/kim

[lee]
aws_access_key_id = AKIAKURATESTLEE00001
aws_secret_access_key = lee-secret-1

[temp]
aws_access_key_id = ASIATEMPORARY0000001
aws_secret_access_key = t
aws_session_token = token
CREDS
chmod 600 "$AWS_SHARED_CREDENTIALS_FILE"

if err=$(kura import 2>&1); then fail "import without names succeeded"; fi
assert_contains "$err" "sections with long-term keys: kim-long-term, lee" "import without names lists candidates"
if err=$(kura import temp 2>&1); then fail "temporary credentials were imported"; fi
assert_contains "$err" "holds temporary credentials" "temporary credentials are refused"
dry=$(kura import --all --dry-run)
assert_contains "$dry" "would import [kim-long-term] (****0001)" "dry run names without revealing"
assert_contains "$(cat "$AWS_SHARED_CREDENTIALS_FILE")" "kim-secret-1" "dry run changes nothing"

kura import --all 2>"$TEST_DIR/err"
assert_contains "$(cat "$TEST_DIR/err")" "imported [lee] into the file store" "import reports each section"
expected='# header comment
[kim-long-term]
aws_mfa_device = arn:aws:iam::123456789012:mfa/kim

[temp]
aws_access_key_id = ASIATEMPORARY0000001
aws_secret_access_key = t
aws_session_token = token'
assert_eq "$(cat "$AWS_SHARED_CREDENTIALS_FILE")" "$expected" "keys are gone; everything else stays"
if grep -rq "kim-secret-1\|lee-secret-1" "$HOME" 2>/dev/null; then fail "a plaintext copy of a key is left somewhere"; fi
pass "no plaintext copy of a key is left anywhere under HOME"
assert_eq "$(kura list --credentials | sort | tr '\n' ' ')" "kim-long-term lee " "keys are in the store"

arn=$(kura exec lee -- "$AWS_V1" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text)
assert_eq "$arn" "arn:aws:iam::123456789012:user/lee" "an imported plain profile still works with exec"
out=$(kura mfa --profile kim --token "$(totp $SEED)" 2>&1 </dev/null)
assert_contains "$out" "Success!" "kura mfa uses the imported long-term key"
arn=$("$AWS_V2" --region us-east-1 --endpoint-url "$STS_URL" sts get-caller-identity --profile kim --query Arn --output text)
assert_eq "$arn" "arn:aws:iam::123456789012:user/kim" "the short-term [kim] section works"
