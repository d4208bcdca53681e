#!/usr/bin/env bash
# Cache-hit time of `kura export --format json` for each keystore backend (and with sessions in the kernel
# keyring), as whole processes with hyperfine. Needs gnome-keyring, dbus, pass and gpg (scripts/install-deps.sh).
# Prints Markdown rows for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KURA="$PWD/build/kura"
RUNS=${RUNS:-100}

if [ "${1:-}" != "--inside" ]; then
  WORK=$(mktemp -d /tmp/kura-bench-backends.XXXXXX)
  trap 'gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT
  export WORK XDG_RUNTIME_DIR="$WORK/run"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  echo "| backend (keys / sessions) | median | min | max |"
  echo "| --- | --- | --- | --- |"
  dbus-run-session -- bash -c 'echo -n bench | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null 2>&1
    exec bash "$0" --inside' "$0" 2> >(grep -v "dbus-daemon\|fd limit" >&2)
  exit 0
fi

export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_CONFIG_HOME="$WORK/home/.config"
export AWS_EC2_METADATA_DISABLED=true KURA_FILE_PASSPHRASE=bench KURA_FILE_KEY_TTL=10m
export GNUPGHOME="$WORK/gnupg" PASSWORD_STORE_DIR="$WORK/password-store"
mkdir -p "$HOME/.aws" && mkdir -p -m 700 "$GNUPGHOME"
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key bench@example.invalid default default never >/dev/null 2>&1
pass init bench@example.invalid >/dev/null
cat >"$WORK/sts.json" <<JSON
{"users": [{"name": "bench", "access_key_id": "AKIAKURABENCH0000001", "secret_access_key": "bench-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/bench", "max_duration": 3600}]}
JSON
python3 tests/server/sts_server.py --config "$WORK/sts.json" --port-file "$WORK/port" >/dev/null 2>&1 &
STS_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(cat "$WORK/port")"
printf '[profile bench]\n[profile role]\nsource_profile = bench\nrole_arn = arn:aws:iam::123456789012:role/bench\n' \
  >"$HOME/.aws/config"

for combo in file/file kernel/kernel pass/pass pass/kernel secret-service/secret-service secret-service/kernel; do
  keys=${combo%/*} sessions=${combo#*/}
  export KURA_BACKEND=$keys KURA_SESSION_BACKEND=$sessions
  AWS_ACCESS_KEY_ID=AKIAKURABENCH0000001 AWS_SECRET_ACCESS_KEY=bench-secret "$KURA" add --env bench 2>/dev/null
  "$KURA" export --format json role >/dev/null  # warm: the measured runs are cache hits
  hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$WORK/t.json" "$KURA export --format json role" >/dev/null 2>&1
  python3 - "$WORK/t.json" "$keys / $sessions" <<'PY'
import json, statistics, sys
t = json.load(open(sys.argv[1]))["results"][0]["times"]
print(f"| {sys.argv[2]} | {statistics.median(t)*1000:.2f} ms | {min(t)*1000:.2f} ms | {max(t)*1000:.2f} ms |")
PY
  "$KURA" clear >/dev/null 2>&1 || true
  "$KURA" remove -f bench >/dev/null 2>&1 || true
done
kill $STS_PID
