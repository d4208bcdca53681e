# kura exec on a role profile with source_profile, against moto_server with SigV4 checks on: the assumed-role
# identity reaches AWS CLI v1 and v2, and a second run within the session makes no STS call.
source "$(dirname "$0")/lib.sh"

start_moto 5
moto_create_user alice
moto_create_role ops alice
moto_setup iam put-role-policy --role-name ops --policy-name all \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
# From here on moto checks every signature.

cat >"$AWS_CONFIG_FILE" <<CFG
[profile alice]
region = eu-west-1

[profile ops]
source_profile = alice
role_arn = arn:aws:iam::123456789012:role/ops
role_session_name = e2e
CFG
export AWS_ENDPOINT_URL_STS="$MOTO_URL"

key_id=$(moto_key alice id)
secret=$(moto_key alice secret)

# Signature checks are on: a wrong secret is refused by moto.
AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="wrong${secret}" kura add --env --no-verify wrongkey 2>/dev/null
printf '[profile wrong]\nsource_profile = wrongkey\nrole_arn = arn:aws:iam::123456789012:role/ops\n' >>"$AWS_CONFIG_FILE"
if out=$(kura exec wrong -- true 2>&1); then fail "a wrong secret was accepted: moto is not checking signatures"; fi
assert_contains "$out" "SignatureDoesNotMatch" "moto rejects a bad signature"

AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$secret" kura add --env alice 2>/dev/null

curl -s -X POST "$MOTO_URL/moto-api/recorder/reset-recording" >/dev/null
curl -s -X POST "$MOTO_URL/moto-api/recorder/start-recording" >/dev/null
v1=$(kura exec ops -- "$AWS_V1" --endpoint-url "$MOTO_URL" sts get-caller-identity --query Arn --output text)
assert_eq "$v1" "arn:aws:sts::123456789012:assumed-role/ops/e2e" "AWS CLI v1 sees the assumed role"
v2=$(kura exec ops -- "$AWS_V2" --endpoint-url "$MOTO_URL" sts get-caller-identity --query Arn --output text)
assert_eq "$v2" "arn:aws:sts::123456789012:assumed-role/ops/e2e" "AWS CLI v2 sees the assumed role"
kura exec ops -- true

assume_calls=$(curl -s "$MOTO_URL/moto-api/recorder/download-recording" | python3 -c '
import base64, json, sys
count = 0
for line in sys.stdin:
    entry = json.loads(line)
    body = base64.b64decode(entry["body"]).decode() if entry.get("body_encoded") else (entry.get("body") or "")
    count += "Action=AssumeRole" in body
print(count)')
assert_eq "$assume_calls" "1" "three runs within the session made one AssumeRole call"

region=$(kura exec ops -- sh -c 'echo "$AWS_REGION"')
assert_eq "$region" "us-east-1" "the role profile's own region (none) is us-east-1, not alice's"
