# `kura export --format json` as the AWS CLI's credential_process (v1 and v2), against moto with signature checks.
source "$(dirname "$0")/lib.sh"

start_moto 4
moto_create_user carol
moto_create_role deploy carol

cat >"$AWS_CONFIG_FILE" <<CFG
[profile carol]

[profile deploy]
source_profile = carol
role_arn = arn:aws:iam::123456789012:role/deploy
role_session_name = via-credential-process

[profile cp]
region = us-east-1
credential_process = $KURA_BIN export --format json deploy
CFG
export AWS_ENDPOINT_URL_STS="$MOTO_URL"
AWS_ACCESS_KEY_ID=$(moto_key carol id) AWS_SECRET_ACCESS_KEY=$(moto_key carol secret) kura add --env carol 2>/dev/null

json=$(kura export --format json deploy 2>"$TEST_DIR/stderr")
assert_eq "$(cat "$TEST_DIR/stderr")" "" "export writes nothing to stderr on success"
python3 - "$json" <<'PY' || fail "credential_process JSON has the Version 1 shape"
import json, sys, datetime
doc = json.loads(sys.argv[1])
assert doc["Version"] == 1, doc
assert doc["AccessKeyId"].startswith("ASIA"), doc
assert doc["SecretAccessKey"] and doc["SessionToken"], doc
datetime.datetime.strptime(doc["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
assert set(doc) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}, doc
PY
pass "credential_process JSON has the Version 1 shape"

for cli in "$AWS_V1" "$AWS_V2"; do
  arn=$("$cli" --endpoint-url "$MOTO_URL" --profile cp sts get-caller-identity --query Arn --output text)
  assert_eq "$arn" "arn:aws:sts::123456789012:assumed-role/deploy/via-credential-process" "$cli uses credential_process"
done
