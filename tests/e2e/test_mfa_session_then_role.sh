# A role whose source has the same mfa_serial: one MFA code buys a GetSessionToken session, and every role
# (this one and a second one) is then assumed from it without another prompt. Against the project's STS test
# server, which checks TOTP codes and signatures (moto checks neither codes nor its own session credentials).
source "$(dirname "$0")/lib.sh"

SEED=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
cat >"$TEST_DIR/sts.json" <<JSON
{"account": "111122223333",
 "users": [{"name": "dana", "access_key_id": "AKIAKURATESTDANA0001", "secret_access_key": "dana-secret-key-0001",
            "mfa_serial": "arn:aws:iam::111122223333:mfa/dana", "mfa_seed": "$SEED"}],
 "roles": [{"arn": "arn:aws:iam::444455556666:role/admin", "max_duration": 43200, "require_mfa": true},
           {"arn": "arn:aws:iam::777788889999:role/readonly", "max_duration": 3600, "require_mfa": true}]}
JSON
start_sts_server "$TEST_DIR/sts.json"

cat >"$AWS_CONFIG_FILE" <<CFG
[profile dana]
mfa_serial = arn:aws:iam::111122223333:mfa/dana

[profile prod-admin]
source_profile = dana
role_arn = arn:aws:iam::444455556666:role/admin
mfa_serial = arn:aws:iam::111122223333:mfa/dana
role_session_name = dana

[profile audit]
source_profile = dana
role_arn = arn:aws:iam::777788889999:role/readonly
mfa_serial = arn:aws:iam::111122223333:mfa/dana
CFG
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTDANA0001 AWS_SECRET_ACCESS_KEY=dana-secret-key-0001 kura add --env dana 2>/dev/null

arn=$(kura exec prod-admin --mfa-token "$(totp $SEED)" -- "$AWS_V1" --endpoint-url "$STS_URL" \
  sts get-caller-identity --query Arn --output text </dev/null)
assert_eq "$arn" "arn:aws:sts::111122223333:assumed-role/admin/dana" "the role is assumed via an MFA session"
assert_eq "$(sts_count GetSessionToken)" "1" "one GetSessionToken"
assert_eq "$(sts_count AssumeRole)" "1" "one AssumeRole"

# No --mfa-token and no terminal: the cached MFA session must be enough for a second role.
arn=$(setsid "$KURA_BIN" exec audit -- "$AWS_V2" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text \
  </dev/null)
assert_contains "$arn" "assumed-role/readonly/" "a second role needs no second MFA code"
assert_eq "$(sts_count GetSessionToken)" "1" "still one GetSessionToken"
assert_eq "$(sts_count AssumeRole)" "2" "one more AssumeRole"

# Over the 1-hour role-chaining limit: AssumeRole directly with MFA, no session token in between.
kura export --format json --duration 2h --mfa-token "$(totp $SEED 30sec)" prod-admin </dev/null >"$TEST_DIR/long.json"
assert_eq "$(sts_count GetSessionToken)" "1" "a 2h role does not go through GetSessionToken"
assert_eq "$(sts_count AssumeRole)" "3" "a 2h role is assumed directly"
python3 - "$TEST_DIR/long.json" <<'PY' || fail "the 2h session lasts about 2h"
import json, sys, datetime
doc = json.load(open(sys.argv[1]))
left = datetime.datetime.strptime(doc["Expiration"], "%Y-%m-%dT%H:%M:%SZ") - datetime.datetime.utcnow()
assert 7000 < left.total_seconds() <= 7200, left
PY
pass "the 2h session lasts about 2h"

# A 1h session cached earlier is not silently reused when 2h is asked for again: the 2h one is.
kura export --format json --duration 2h prod-admin </dev/null >/dev/null
assert_eq "$(sts_count AssumeRole)" "3" "the cached 2h session is reused for 2h"
