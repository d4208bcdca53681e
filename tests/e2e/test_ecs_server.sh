# The local ECS credential endpoint: AWS CLI v1 and v2 under `kura exec --ecs-server`; `kura serve --ecs`
# refuses wrong, missing and near-miss tokens and foreign Hosts (403), oversized requests (413), drops idle
# clients, listens on loopback only; and a boto3 process outlives several short credential lifetimes.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "tai", "access_key_id": "AKIAKURATESTTAI00001", "secret_access_key": "tai-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/extra", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json" --session-seconds 20
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_SESSION_REFRESH=8s KURA_SERVER_READ_TIMEOUT=1s
printf '[profile tai]\nregion = us-east-1\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTTAI00001 AWS_SECRET_ACCESS_KEY=tai-secret kura add --env tai 2>/dev/null

for cli in "$AWS_V1" "$AWS_V2"; do
  out=$(kura exec --ecs-server tai -- sh -c 'test -z "$AWS_ACCESS_KEY_ID" && "$0" --endpoint-url "$1" sts get-caller-identity --query Arn --output text' "$cli" "$STS_URL")
  assert_eq "$out" "arn:aws:iam::123456789012:user/tai" "$cli gets credentials from the ECS endpoint (no keys in its environment)"
done
set +e
kura exec --ecs-server tai -- sh -c 'exit 9'
status=$?
set -e
assert_eq "$status" "9" "the child's exit status is kura's"

# kura serve --ecs in the background: read the endpoint and token it prints.
kura serve --ecs tai >"$TEST_DIR/serve.out" 2>"$TEST_DIR/serve.err" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q TOKEN "$TEST_DIR/serve.out" 2>/dev/null && break; sleep 0.1; done
eval "$(cat "$TEST_DIR/serve.out")"
URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI TOKEN=$AWS_CONTAINER_AUTHORIZATION_TOKEN
PORT=$(echo "$URI" | sed 's|.*:\([0-9]*\)/|\1|')
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
assert_eq "$(code -H "Authorization: $TOKEN" "$URI")" "200" "the right token gets credentials"
body=$(curl -s -H "Authorization: $TOKEN" "$URI")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert set(d) == {"AccessKeyId","SecretAccessKey","Token","Expiration"}, d' "$body" ||
  fail "the ECS JSON has the four fields"
pass "the ECS JSON has the four fields"
assert_eq "$(code "$URI")" "403" "a missing token is refused"
assert_eq "$(code -H "Authorization: wrong" "$URI")" "403" "a wrong token is refused"
assert_eq "$(code -H "Authorization: ${TOKEN%?}x" "$URI")" "403" "a near-miss token (last character) is refused"
assert_eq "$(code -H "Authorization: ${TOKEN}x" "$URI")" "403" "a token with a suffix is refused"
assert_eq "$(code -H "Authorization: $TOKEN" -H "Host: evil.example:$PORT" "$URI")" "403" "a foreign Host is refused"
assert_eq "$(code -H "Authorization: $TOKEN" -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$URI")" "413" "an oversized request gets 413"
assert_eq "$(code -H "Authorization: $TOKEN" "${URI}role-arn/arn:aws:iam::1:role/x")" "404" "/role-arn is not served"
many=(); for i in $(seq 1 40); do many+=(-H "X-H$i: v"); done
assert_eq "$(code -H "Authorization: $TOKEN" "${many[@]}" "$URI")" "413" "too many headers get 413"
python3 - "$PORT" <<'PY' || fail "an idle client is dropped after the read timeout"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
start = time.time()
assert s.recv(1) == b"", "expected the server to close"
assert time.time() - start < 4, time.time() - start
PY
pass "an idle client is dropped after the read timeout"
listening=$(ss -ltn "sport = :$PORT" | tail -n +2 | awk '{print $4}')
assert_eq "$listening" "127.0.0.1:$PORT" "it listens on loopback only"

# /role-arn/<arn>: only with --allow-role-arn, assumed with the served credentials.
out=$(kura exec --ecs-server --allow-role-arn tai -- sh -c '
  curl -s -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "${AWS_CONTAINER_CREDENTIALS_FULL_URI}role-arn/arn:aws:iam::123456789012:role/extra" > "$0/role.json"
  curl -s -o /dev/null -w "%{http_code}" -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "${AWS_CONTAINER_CREDENTIALS_FULL_URI}role-arn/arn:aws:iam::123456789012:role/missing"' "$TEST_DIR")
assert_eq "$out" "502" "an unassumable role is an error"
arn=$(python3 - "$TEST_DIR/role.json" <<'PY'
import json, os, subprocess, sys
d = json.load(open(sys.argv[1]))
env = dict(os.environ, AWS_ACCESS_KEY_ID=d["AccessKeyId"], AWS_SECRET_ACCESS_KEY=d["SecretAccessKey"], AWS_SESSION_TOKEN=d["Token"])
print(subprocess.run(["aws", "--endpoint-url", os.environ["AWS_ENDPOINT_URL_STS"], "--region", "us-east-1", "sts",
                      "get-caller-identity", "--query", "Arn", "--output", "text"], env=env, capture_output=True,
                     text=True).stdout.strip())
PY
)
assert_eq "$arn" "arn:aws:sts::123456789012:assumed-role/extra/kura-ecs" "/role-arn serves the assumed role's credentials"

# A boto3 process that runs longer than its credentials live (20 s, renewed 8 s before expiry).
cat >"$TEST_DIR/longrun.py" <<'PY'
import boto3, os, sys, time
sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"], region_name="us-east-1")
keys = set()
end = time.time() + 45
while time.time() < end:
    sts.get_caller_identity()
    keys.add(sts._request_signer._credentials.get_frozen_credentials().access_key)
    time.sleep(2)
print(len(keys))
PY
distinct=$(kura exec --ecs-server tai -- python3 "$TEST_DIR/longrun.py")
[ "$distinct" -ge 2 ] || fail "boto3 kept working across renewals (saw $distinct access keys)"
pass "boto3 kept working for 45 s across $distinct renewed credentials"
