# A long-term key's life against moto with signature checks on: `kura add` verifies the key (a wrong secret is
# refused and nothing stored), `kura rotate` replaces it (the new key signs, the old one is gone from IAM),
# `kura mfa enroll` creates and enables a virtual MFA device and writes mfa_serial, `kura rename` moves the
# key, and `kura import SECTION --as PROFILE` stores a plaintext key under another name.
source "$(dirname "$0")/lib.sh"

start_moto 3
moto_create_user dana
export AWS_ENDPOINT_URL_STS="$MOTO_URL" AWS_ENDPOINT_URL_IAM="$MOTO_URL" AWS_DEFAULT_REGION=us-east-1
key_id=$(moto_key dana id)
secret=$(moto_key dana secret)
printf '[profile dana]\nregion = us-east-1\n' >"$AWS_CONFIG_FILE"
iam_keys() { AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 "$AWS_V1" --endpoint-url "$MOTO_URL" iam list-access-keys --user-name dana --query 'AccessKeyMetadata[].AccessKeyId' --output text; }

# add: a wrong secret is refused by moto's signature check, and nothing is stored.
AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=not-the-secret kura add --env dana 2>"$TEST_DIR/bad.err" &&
  fail "a wrong secret was stored"
assert_contains "$(cat "$TEST_DIR/bad.err")" "AWS rejected the key" "a wrong secret is refused"
assert_eq "$(kura list --credentials)" "" "and nothing is stored"
AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret kura add --env dana 2>"$TEST_DIR/add.err" ||
  fail "add: $(cat "$TEST_DIR/add.err")"
assert_contains "$(kura list)" "123456789012:user/dana" "the verified key's identity is listed"

# rotate: the new key signs for moto, the old one is gone.
kura rotate dana -n 2>"$TEST_DIR/rotate.err" || fail "rotate: $(cat "$TEST_DIR/rotate.err")"
new_id=$(kura export --format json --no-session dana | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')
new_secret=$(kura export --format json --no-session dana | python3 -c 'import json,sys; print(json.load(sys.stdin)["SecretAccessKey"])')
[ "$new_id" != "$key_id" ] || fail "the key did not change"
assert_eq "$(iam_keys "$new_id" "$new_secret")" "$new_id" "moto lists only the new key, signed with it"

# mfa enroll: moto takes any two codes; the QR code and the key are on the terminal only.
script -qefc "$KURA_BIN mfa enroll dana --codes 123456,654321 -n 2>$TEST_DIR/enroll.err" "$TEST_DIR/typescript" \
  </dev/null >/dev/null || fail "enroll: $(cat "$TEST_DIR/enroll.err") $(cat "$TEST_DIR/typescript")"
assert_contains "$(cat "$TEST_DIR/typescript")" "▀" "a QR code on the terminal"
assert_contains "$(cat "$TEST_DIR/typescript")" "Or type the key: " "and the key to type"
assert_not_contains "$(cat "$TEST_DIR/enroll.err")" "type the key" "neither on stderr"
assert_contains "$(cat "$AWS_CONFIG_FILE")" "mfa_serial = arn:aws:iam::123456789012:mfa/dana" "mfa_serial written"
devices=$(AWS_ACCESS_KEY_ID=$new_id AWS_SECRET_ACCESS_KEY=$new_secret "$AWS_V1" --endpoint-url "$MOTO_URL" iam list-mfa-devices --user-name dana --query 'MFADevices[].SerialNumber' --output text)
assert_eq "$devices" "arn:aws:iam::123456789012:mfa/dana" "the device is enabled for dana"

# rename and import --as.
kura rename dana dana-user 2>/dev/null || fail "rename"
assert_eq "$(kura list --credentials)" "dana-user" "the key moved"
assert_contains "$(kura list)" "dana-user  stored" "with its identity" 
printf '[ops-long-term]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$new_id" "$new_secret" >"$AWS_SHARED_CREDENTIALS_FILE"
kura import ops-long-term --as ops 2>/dev/null || fail "import --as"
assert_eq "$(kura list --credentials | tr '\n' ' ')" "dana-user ops " "imported under the new name"
printf '[ops-long-term]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$new_id" "$new_secret" >"$AWS_SHARED_CREDENTIALS_FILE"
kura import ops-long-term --as ops 2>"$TEST_DIR/again.err" && fail "imported over an existing key"
assert_contains "$(cat "$TEST_DIR/again.err")" "already has a stored key" "says why"
pass "import --as does not overwrite a stored key"
