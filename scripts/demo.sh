#!/usr/bin/env bash
# The main job, end to end on loopback: a local AWS endpoint, a user with a virtual MFA device and a role in
# another account, the user's key stored with `kura add`, and `kura exec` printing the assumed identity.
#
# IAM (user, access key, virtual MFA device, role) is real moto_server. STS is the project's test server
# (tests/server/sts_server.py), because moto checks neither MFA codes nor its own session credentials; it
# verifies every signature with botocore's signer and every code against the device's seed.
set -euo pipefail
cd "$(dirname "$0")/.."
KURA="$PWD/build/kura"
[ -x "$KURA" ] || { echo "demo: build first (scripts/build.sh)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/kura-demo.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
mkdir -p "$HOME/.aws"
export KURA_FILE_PASSPHRASE="demo passphrase"  # a real user types it once per 15 minutes on /dev/tty
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_STS \
  AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE KURA_FILE_DIR KURA_BACKEND || true
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

step "starting moto_server (IAM) on loopback"
port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
IAM="http://127.0.0.1:$port"
admin() { AWS_ACCESS_KEY_ID=AKIDADMINADMINADMIN1 AWS_SECRET_ACCESS_KEY=admin AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "$IAM" "$@"; }

step "creating user 'alice', her access key and a virtual MFA device"
admin iam create-user --user-name alice --query User.Arn --output text
admin iam create-access-key --user-name alice >"$WORK/key.json"
admin iam create-virtual-mfa-device --virtual-mfa-device-name alice --outfile "$WORK/seed.txt" \
  --bootstrap-method Base32StringSeed --query VirtualMFADevice.SerialNumber --output text | tee "$WORK/serial.txt"
SEED=$(cat "$WORK/seed.txt")
SERIAL=$(cat "$WORK/serial.txt")
admin iam enable-mfa-device --user-name alice --serial-number "$SERIAL" \
  --authentication-code1 "$(oathtool --totp -b "$SEED" --now '-30 sec')" --authentication-code2 "$(oathtool --totp -b "$SEED")"

step "creating role 'admin' that trusts alice's account only with MFA"
admin iam create-role --role-name admin --query Role.Arn --output text --assume-role-policy-document '{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                 "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}'
ROLE=$(admin iam get-role --role-name admin --query Role.Arn --output text)
KEY_ID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['AccessKey']['AccessKeyId'])" "$WORK/key.json")
SECRET=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['AccessKey']['SecretAccessKey'])" "$WORK/key.json")

step "starting the STS endpoint (checks signatures and TOTP codes) for those identities"
python3 - "$WORK/sts.json" "$KEY_ID" "$SECRET" "$SERIAL" "$SEED" "$ROLE" <<'PY'
import json, sys
path, key, secret, serial, seed, role = sys.argv[1:]
json.dump({"account": "123456789012",
           "users": [{"name": "alice", "access_key_id": key, "secret_access_key": secret,
                      "mfa_serial": serial, "mfa_seed": seed}],
           "roles": [{"arn": role, "max_duration": 3600, "require_mfa": True}]}, open(path, "w"))
PY
python3 tests/server/sts_server.py --config "$WORK/sts.json" --port-file "$WORK/sts.port" >"$WORK/sts.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/sts.port" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(cat "$WORK/sts.port")"

step "~/.aws/config"
cat >"$HOME/.aws/config" <<CFG
[profile alice]
region = eu-west-1
mfa_serial = $SERIAL

[profile prod-admin]
source_profile = alice
role_arn = $ROLE
mfa_serial = $SERIAL
CFG
cat "$HOME/.aws/config"

step "kura add alice   (the key goes into the encrypted store, never into ~/.aws)"
AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" "$KURA" add --env alice

step "kura exec prod-admin -- aws sts get-caller-identity   (one MFA code)"
"$KURA" exec prod-admin --mfa-token "$(oathtool --totp -b "$SEED")" -- \
  aws --endpoint-url "$AWS_ENDPOINT_URL_STS" sts get-caller-identity

step "again: the cached session is reused, no MFA code, no STS call"
"$KURA" exec prod-admin -- aws --endpoint-url "$AWS_ENDPOINT_URL_STS" sts get-caller-identity --query Arn --output text </dev/null

step "kura list"
"$KURA" list
