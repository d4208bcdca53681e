# The aws-mfa seed workflow against moto_server with signature checks on: [default-long-term] and
# [developmentiam-long-term] in ~/.aws/credentials; `kura mfa` and `kura mfa --profile developmentiam` write
# [default] and [developmentiam]; the AWS CLI v1 and v2 then change and read a role's trust policy with
# --profile developmentiam; a second run within validity prompts nothing; the same works as `aws-mfa`.
source "$(dirname "$0")/lib.sh"

start_moto 7
moto_create_user alice
moto_setup iam create-virtual-mfa-device --virtual-mfa-device-name alice --outfile "$TEST_DIR/seed" \
  --bootstrap-method Base32StringSeed >/dev/null
moto_create_role developer alice
moto_setup iam put-role-policy --role-name developer --policy-name all \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
moto_create_role R alice
SEED=$(cat "$TEST_DIR/seed")
DEVICE=arn:aws:iam::123456789012:mfa/alice
export AWS_ENDPOINT_URL_STS="$MOTO_URL" AWS_DEFAULT_REGION=us-east-1

cat >"$AWS_SHARED_CREDENTIALS_FILE" <<CREDS
# my long-term keys (this comment must survive)
[default-long-term]
aws_access_key_id = $(moto_key alice id)
aws_secret_access_key = $(moto_key alice secret)
aws_mfa_device = $DEVICE

; the development account, through a role
[developmentiam-long-term]
aws_access_key_id = $(moto_key alice id)
aws_secret_access_key = $(moto_key alice secret)
aws_mfa_device = $DEVICE
assume_role = arn:aws:iam::123456789012:role/developer
CREDS
chmod 600 "$AWS_SHARED_CREDENTIALS_FILE"
original=$(cat "$AWS_SHARED_CREDENTIALS_FILE")

out=$(kura mfa --token "$(totp "$SEED")" 2>&1 </dev/null)
assert_contains "$out" "INFO - Short term credentials section default is missing, obtaining new credentials." "aws-mfa's wording"
assert_contains "$out" "INFO - Fetching Credentials - Profile: default, Duration: 43200" "43200 s without a role"
out=$(kura mfa --profile developmentiam --token "$(totp "$SEED" '+30 sec')" 2>&1 </dev/null)
assert_contains "$out" "Assuming Role - Profile: developmentiam, Role: arn:aws:iam::123456789012:role/developer, Duration: 3600" "3600 s with a role"
assert_contains "$out" "Success! Your credentials will expire in" "success line"

python3 - "$AWS_SHARED_CREDENTIALS_FILE" <<'PY' || fail "short-term sections have aws-mfa's keys"
import configparser, datetime, sys
c = configparser.RawConfigParser()
c.read(sys.argv[1])
for name, role in (("default", None), ("developmentiam", "arn:aws:iam::123456789012:role/developer")):
    s = c[name]
    assert s["assumed_role"] == ("True" if role else "False"), dict(s)
    assert s.get("assumed_role_arn") == role, dict(s)
    assert s["aws_session_token"] == s["aws_security_token"] and s["aws_session_token"], dict(s)
    assert s["aws_access_key_id"] and s["aws_secret_access_key"], dict(s)  # moto's GetSessionToken key is fixed
    datetime.datetime.strptime(s["expiration"], "%Y-%m-%d %H:%M:%S")
PY
pass "short-term sections have aws-mfa's keys"
assert_eq "$(head -n 13 "$AWS_SHARED_CREDENTIALS_FILE")" "$original" "the long-term part of the file is byte-identical"
assert_eq "$(stat -c %a "$AWS_SHARED_CREDENTIALS_FILE")" "600" "the file stays 0600"

cat >"$TEST_DIR/trust.json" <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/bob"]},"Action":"sts:AssumeRole"}]}
JSON
for cli in "$AWS_V1" "$AWS_V2"; do
  "$cli" --endpoint-url "$MOTO_URL" iam update-assume-role-policy --role-name R \
    --policy-document "file://$TEST_DIR/trust.json" --profile developmentiam
  policy=$("$cli" --endpoint-url "$MOTO_URL" iam get-role --role-name R --query Role.AssumeRolePolicyDocument \
    --profile developmentiam --output json)
  assert_contains "$policy" "arn:aws:iam::123456789012:user/bob" "$cli: update-assume-role-policy and get-role via [developmentiam]"
done

before=$(cat "$AWS_SHARED_CREDENTIALS_FILE")
out=$(setsid "$KURA_BIN" mfa --profile developmentiam </dev/null 2>&1)
assert_contains "$out" "INFO - Your credentials are still valid for" "a second run prints the time left"
assert_not_contains "$out" "Enter AWS MFA code" "and asks for nothing"
assert_eq "$(cat "$AWS_SHARED_CREDENTIALS_FILE")" "$before" "and leaves the file alone"

# The same as `aws-mfa`: a role change is noticed, and AWS_PROFILE names a profile not created yet.
out=$(AWS_PROFILE=developmentiam "$(dirname "$KURA_BIN")/aws-mfa" --assume-role arn:aws:iam::123456789012:role/R \
  --short-term-suffix r --token "$(totp "$SEED" '-30 sec')" 2>&1 </dev/null) || fail "aws-mfa failed: $out"
assert_contains "$out" "Short term credentials section developmentiam-r is missing" "aws-mfa: AWS_PROFILE and --short-term-suffix"
arn=$("$AWS_V2" --endpoint-url "$MOTO_URL" sts get-caller-identity --profile developmentiam-r --query Arn --output text)
assert_contains "$arn" "assumed-role/R/" "aws-mfa: the new section works"
out=$("$(dirname "$KURA_BIN")/aws-mfa" --profile developmentiam --assume-role arn:aws:iam::123456789012:role/R \
  --token "$(totp "$SEED")" 2>&1 </dev/null)
assert_contains "$out" "Obtaining credentials for a new role or profile." "a different role renews"

# --profile naming the long-term section is understood.
out=$(setsid "$KURA_BIN" mfa --profile default-long-term </dev/null 2>&1)
assert_contains "$out" "'default-long-term' is the long-term section; using profile 'default'" "--profile X-long-term is understood"
assert_contains "$out" "still valid" "and finds [default] valid"
