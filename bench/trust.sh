#!/usr/bin/env bash
# `kura trust diff` over N role profiles (default 200) in N accounts, against the project's test server with
# DELAY_MS (default 50) added to every STS and IAM call, as a far-away endpoint would: the first run asks for one
# MFA code, makes one GetSessionToken, N AssumeRole and N GetRole calls; the second reuses the cached sessions
# (N GetRole). Beside it, the sequential AWS CLI loop this replaces, timed over 10 profiles. Wall time and
# peak RSS (GNU time). KURA (default build/kura).
set -euo pipefail
cd "$(dirname "$0")/.."
KURA=${KURA:-$PWD/build/kura}
N=${N:-200}
DELAY_MS=${DELAY_MS:-50}
WORK=$(mktemp -d /tmp/kura-bench-trust.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_STATE_HOME="$WORK/state"
export AWS_EC2_METADATA_DISABLED=true XDG_RUNTIME_DIR="$WORK/run" AWS_CONFIG_FILE="$WORK/config"
export AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
touch "$AWS_SHARED_CREDENTIALS_FILE"
export KURA_FILE_PASSPHRASE=bench KURA_FILE_KEY_TTL=10m
SEED=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP

python3 - "$N" "$SEED" >"$WORK/sts.json" <<'PY'
import json, sys
n, seed = int(sys.argv[1]), sys.argv[2]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::100000000000:root"},
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
print(json.dumps({"account": "100000000000",
    "users": [{"name": "alice", "access_key_id": "AKIAKURABENCHALICE01", "secret_access_key": "alice-secret",
               "mfa_serial": "arn:aws:iam::100000000000:mfa/alice", "mfa_seed": seed}],
    "roles": [{"arn": f"arn:aws:iam::{300000000000 + i}:role/iamAdmin", "max_duration": 3600,
               "trust_policy": trust} for i in range(n)]}))
PY
python3 tests/server/sts_server.py --config "$WORK/sts.json" --port-file "$WORK/port" --delay-ms "$DELAY_MS" \
  >"$WORK/sts.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "$WORK/port")"
export AWS_ENDPOINT_URL_STS="$URL" AWS_ENDPOINT_URL_IAM="$URL"
{
  printf '[profile login]\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\n'
  for i in $(seq 0 $((N - 1))); do
    printf '[profile acct-%03d]\nsource_profile = login\nrole_arn = arn:aws:iam::%d:role/iamAdmin\n' "$i" $((300000000000 + i))
  done
} >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURABENCHALICE01 AWS_SECRET_ACCESS_KEY=alice-secret "$KURA" add --env login 2>/dev/null
cat >"$WORK/policy.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
  "Principal": {"AWS": ["arn:aws:iam::100000000000:user/alice", "arn:aws:iam::100000000000:user/bob"]},
  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
JSON
stats() { curl -s "$URL/__admin/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(", ".join(f"{k} {v}" for k,v in sorted(s.items()) if isinstance(v,int) and v))'; }
run() { # label command...
  local status=0
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || status=$?
  [ "$status" -le 1 ] || { cat "$WORK/err" >&2; exit 1; }  # diff exits 1: roles differ
  read -r wall rss < <(tail -1 "$WORK/time")
  printf '| %s | %s s | %.1f MiB |\n' "$LABEL" "$wall" "$(echo "$rss / 1024" | bc -l)"
}
echo "$N role profiles in $N accounts, ${DELAY_MS} ms added to every call, parallel 8 (default)"
echo
echo "| run | wall | peak RSS |"
echo "| --- | --- | --- |"
code=$(oathtool --totp -b "$SEED")
LABEL="kura trust diff, first run (1 GetSessionToken + $N AssumeRole + $N GetRole)" \
  run "$KURA" trust diff --mfa-token "$code" --policy "$WORK/policy.json" 'acct-*'
LABEL="kura trust diff, sessions cached ($N GetRole)" run "$KURA" trust diff --policy "$WORK/policy.json" 'acct-*'
LABEL="kura trust diff --parallel 32, sessions cached" \
  run "$KURA" trust diff --parallel 32 --policy "$WORK/policy.json" 'acct-*'
"$KURA" clear >/dev/null 2>&1
code=$(oathtool --totp -b --now '+30 sec' "$SEED")  # the server takes each code once
LABEL="kura trust diff --parallel 16, first run" \
  run "$KURA" trust diff --parallel 16 --mfa-token "$code" --policy "$WORK/policy.json" 'acct-*'
echo
echo "server: $(stats)"
# The loop this replaces: the AWS CLI, one account after another (credentials from kura's cached sessions,
# so only the AWS CLI's own cost and the one GetRole call are counted).
AWS_CLI=${AWS_CLI:-$(command -v aws)}
start=$(date +%s.%N)
for i in $(seq 0 9); do
  "$KURA" exec "acct-$(printf %03d "$i")" -- "$AWS_CLI" --endpoint-url "$URL" --region us-east-1 iam get-role \
    --role-name iamAdmin --query Role.AssumeRolePolicyDocument >/dev/null
done
end=$(date +%s.%N)
per=$(echo "($end - $start) / 10" | bc -l)
printf '\nsequential AWS CLI loop (%s): %.2f s per account, so %.0f s for %d accounts (get-role alone, before any update)\n' \
  "$AWS_CLI" "$per" "$(echo "$per * $N" | bc -l)" "$N"
