#!/usr/bin/env bash
# wrk against `kura serve --ecs` on loopback: a bounded run (2 threads, 50 connections, 10 s) with the token.
# Prints throughput and latency percentiles for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KURA="$PWD/build/kura"
WORK=$(mktemp -d /tmp/kura-bench-ecs.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_CONFIG_HOME="$WORK/home/.config"
export AWS_EC2_METADATA_DISABLED=true KURA_FILE_PASSPHRASE=bench KURA_FILE_KEY_TTL=10m
mkdir -p "$HOME/.aws"
cat >"$WORK/sts.json" <<JSON
{"users": [{"name": "bench", "access_key_id": "AKIAKURABENCH0000001", "secret_access_key": "bench-secret"}], "roles": []}
JSON
python3 tests/server/sts_server.py --config "$WORK/sts.json" --port-file "$WORK/port" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(cat "$WORK/port")"
printf '[profile bench]\n' >"$HOME/.aws/config"
AWS_ACCESS_KEY_ID=AKIAKURABENCH0000001 AWS_SECRET_ACCESS_KEY=bench-secret "$KURA" add --env bench 2>/dev/null
"$KURA" serve --ecs bench >"$WORK/serve.out" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q TOKEN "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
eval "$(cat "$WORK/serve.out")"
cat >"$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "$AWS_CONTAINER_AUTHORIZATION_TOKEN"
LUA
wrk -t2 -c50 -d10s --latency -s "$WORK/auth.lua" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" |
  grep -E "Requests/sec|Latency|50%|75%|90%|99%|Non-2xx|requests in"
