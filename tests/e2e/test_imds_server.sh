# The local IMDS endpoint: AWS CLI v1 and v2 find credentials through it under `kura exec --imds-server`
# (IMDSv2 flow), and `kura serve --imds` answers the IMDSv2 protocol: tokens with a TTL, every GET needs one,
# IMDSv1 only when allowed, foreign Host refused, the identity document carries the region.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "uma", "access_key_id": "AKIAKURATESTUMA00001", "secret_access_key": "uma-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
printf '[profile uma]\nregion = eu-central-1\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTUMA00001 AWS_SECRET_ACCESS_KEY=uma-secret kura add --env uma 2>/dev/null
# botocore gives IMDS 1 s and one attempt by default: too tight when the whole suite runs on two cores.
export AWS_METADATA_SERVICE_TIMEOUT=5 AWS_METADATA_SERVICE_NUM_ATTEMPTS=3

for cli in "$AWS_V1" "$AWS_V2"; do
  out=$(kura exec --imds-server uma -- sh -c 'test -z "$AWS_ACCESS_KEY_ID" && "$0" --endpoint-url "$1" sts get-caller-identity --query Arn --output text' "$cli" "$STS_URL")
  assert_eq "$out" "arn:aws:iam::123456789012:user/uma" "$cli gets credentials from the IMDS endpoint"
done

kura serve --imds uma >"$TEST_DIR/serve.out" 2>"$TEST_DIR/serve.err" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q ENDPOINT "$TEST_DIR/serve.out" 2>/dev/null && break; sleep 0.1; done
eval "$(cat "$TEST_DIR/serve.out")"
URL=${AWS_EC2_METADATA_SERVICE_ENDPOINT%/}
PORT=${URL##*:}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
token=$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$URL/latest/api/token")
[ ${#token} -eq 64 ] || fail "a token is issued"
pass "a token is issued for a TTL"
assert_eq "$(code -X PUT "$URL/latest/api/token")" "400" "a token request without TTL is refused"
assert_eq "$(code -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" -H "X-Forwarded-For: 1.2.3.4" "$URL/latest/api/token")" "403" "a proxied token request is refused"
creds="$URL/latest/meta-data/iam/security-credentials/"
assert_eq "$(code "$creds")" "401" "IMDSv1 (no token) is refused by default"
# A near miss: the last character changed to another hex digit (appending '0' was no change for 1 token in 16).
last=${token: -1}
other=0; [ "$last" = 0 ] && other=1
assert_eq "$(code -H "X-aws-ec2-metadata-token: ${token%?}$other" "$creds")" "401" "a wrong token (last character) is refused"
assert_eq "$(curl -s -H "X-aws-ec2-metadata-token: $token" "$creds")" "kura-uma" "the role name is listed"
doc=$(curl -s -H "X-aws-ec2-metadata-token: $token" "${creds}kura-uma")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["Code"]=="Success" and d["Type"]=="AWS-HMAC" and d["AccessKeyId"] and d["Token"] and d["Expiration"], d' "$doc" ||
  fail "the credentials document"
pass "the credentials document has IMDS's fields"
assert_contains "$(curl -s -H "X-aws-ec2-metadata-token: $token" "$URL/latest/meta-data/iam/info")" "InstanceProfileArn" "iam/info"
assert_contains "$(curl -s -H "X-aws-ec2-metadata-token: $token" "$URL/latest/dynamic/instance-identity/document")" '"region": "eu-central-1"' "the identity document carries the region"
assert_eq "$(code -H "X-aws-ec2-metadata-token: $token" -H "Host: 169.254.169.254" "$creds")" "403" "a foreign Host is refused"
listening=$(ss -ltn "sport = :$PORT" | tail -n +2 | awk '{print $4}')
assert_eq "$listening" "127.0.0.1:$PORT" "it listens on loopback only"

out=$(kura exec --imds-server --imds-v1 uma -- sh -c 'curl -s -o /dev/null -w "%{http_code}" "${AWS_EC2_METADATA_SERVICE_ENDPOINT}latest/meta-data/iam/security-credentials/"')
assert_eq "$out" "200" "IMDSv1 is answered only with --imds-v1"
