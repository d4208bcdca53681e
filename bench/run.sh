#!/usr/bin/env bash
# Whole-process benchmarks of the hot paths, on loopback:
#   1. `kura export --format json P` on a cache hit (what credential_process costs every AWS CLI call),
#   2. `kura exec P -- true` against bare `true` (what exec adds to every command).
# Prints median/min/max (hyperfine) and peak RSS (GNU time) as a Markdown table for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KURA="$PWD/build/kura"
RUNS=${RUNS:-300}
WORK=$(mktemp -d /tmp/kura-bench.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME/.aws"
export KURA_FILE_PASSPHRASE=bench KURA_FILE_KEY_TTL=10m  # the default store KDF; the key stays unlocked

cat >"$WORK/sts.json" <<JSON
{"users": [{"name": "bench", "access_key_id": "AKIAKURABENCH0000001", "secret_access_key": "bench-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/bench", "max_duration": 3600}]}
JSON
python3 tests/server/sts_server.py --config "$WORK/sts.json" --port-file "$WORK/port" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(cat "$WORK/port")"
printf '[profile bench]\n[profile role]\nsource_profile = bench\nrole_arn = arn:aws:iam::123456789012:role/bench\n' \
  >"$HOME/.aws/config"
AWS_ACCESS_KEY_ID=AKIAKURABENCH0000001 AWS_SECRET_ACCESS_KEY=bench-secret "$KURA" add --env bench 2>/dev/null
"$KURA" export --format json role >/dev/null  # warm the session cache: every measured run is a cache hit
kill "${PIDS[@]}" 2>/dev/null || true         # and proves it: STS is gone

hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$WORK/times.json" \
  "$KURA export --format json role" "$KURA exec role -- true" "true" >/dev/null

rss() { # command... -> peak RSS in KiB over 30 runs: median min max
  for _ in $(seq 1 30); do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n |
    awk '{a[NR]=$1} END {printf "%d %d %d", a[int((NR+1)/2)], a[1], a[NR]}'
}
rss_export=$(rss "$KURA" export --format json role)
rss_exec=$(rss "$KURA" exec role -- true)
rss_true=$(rss true)

python3 - "$WORK/times.json" "$rss_export" "$rss_exec" "$rss_true" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
rss = [list(map(int, s.split())) for s in sys.argv[2:5]]
names = ["`kura export --format json` (cache hit)", "`kura exec P -- true` (cache hit)", "`true`"]
print("| command | median | min | max | peak RSS median (min–max) |")
print("| --- | --- | --- | --- | --- |")
for name, r, m in zip(names, results, rss):
    t = r["times"]
    print(f"| {name} | {statistics.median(t)*1000:.2f} ms | {min(t)*1000:.2f} ms | {max(t)*1000:.2f} ms "
          f"| {m[0]/1024:.1f} MiB ({m[1]/1024:.1f}–{m[2]/1024:.1f}) |")
exec_over = (statistics.median(results[1]["times"]) - statistics.median(results[2]["times"])) * 1000
print(f"\nexec overhead over bare `true` (medians): {exec_over:.2f} ms; runs per command: {len(results[0]['times'])}")
PY
