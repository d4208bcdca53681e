# kura login against moto_server (signature checks on): an IAM user's key takes the GetFederationToken path,
# a role profile takes AssumeRole and not GetFederationToken. moto has no federation endpoint: the project's
# test server stands in for it, told to accept moto's credentials (it cannot check them).
source "$(dirname "$0")/lib.sh"

start_moto 4
moto_create_user wes
moto_create_role viewer wes
echo '{"users": [], "roles": []}' >"$TEST_DIR/sts.json"
start_sts_server "$TEST_DIR/sts.json" --trust-foreign-sessions
export AWS_ENDPOINT_URL_STS="$MOTO_URL" KURA_FEDERATION_URL="$STS_URL/federation"
printf '[profile wes]\n[profile viewer]\nsource_profile = wes\nrole_arn = arn:aws:iam::123456789012:role/viewer\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=$(moto_key wes id) AWS_SECRET_ACCESS_KEY=$(moto_key wes secret) kura add --env wes 2>/dev/null
actions() { curl -s "$MOTO_URL/moto-api/recorder/download-recording" | python3 -c '
import base64, json, sys, urllib.parse
for line in sys.stdin:
    e = json.loads(line)
    body = base64.b64decode(e["body"]).decode() if e.get("body_encoded") else (e.get("body") or "")
    print(urllib.parse.parse_qs(body).get("Action", ["?"])[0])'; }
# The actions a command caused: the recording after it, less the recording before it (resetting the recorder
# between commands races with moto writing the previous request).
curl -s -X POST "$MOTO_URL/moto-api/recorder/start-recording" >/dev/null
caused_by() { local before; before=$(actions | wc -l); "$@" >"$TEST_DIR/url"; actions | tail -n +$((before + 1)); }

new=$(caused_by kura login wes --stdout)
assert_contains "$(cat "$TEST_DIR/url")" "Action=login" "an IAM user gets a login URL"
assert_eq "$(echo "$new" | sort | tr '\n' ' ')" "GetCallerIdentity GetFederationToken " "an IAM user's key: GetCallerIdentity, then GetFederationToken"

new=$(caused_by kura login viewer --stdout)
assert_contains "$(cat "$TEST_DIR/url")" "Action=login" "a role gets a login URL"
assert_eq "$(echo "$new" | tr '\n' ' ')" "AssumeRole " "a role profile: AssumeRole only, no GetFederationToken"
