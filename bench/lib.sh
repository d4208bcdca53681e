# Sourced by the benchmarks and scripts/hot-order.sh (from the repository's root): a private world in a
# temporary directory, the project's STS test server, and the cache-hit setup that bench/run.sh measures.

# bench_world NAME: WORK, a home, XDG directories and the file store's passphrase (the unlocked key kept in the
# kernel keyring, as by default), all removed on exit with the processes in PIDS.
bench_world() {
  WORK=$(mktemp -d "/tmp/kura-$1.XXXXXX")
  PIDS=()
  trap 'for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
  export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_CONFIG_HOME="$WORK/home/.config"
  export AWS_EC2_METADATA_DISABLED=true XDG_RUNTIME_DIR="$WORK/run"
  mkdir -p "$HOME/.aws" "$XDG_RUNTIME_DIR"
  export KURA_FILE_PASSPHRASE=bench KURA_FILE_KEY_TTL=10m
}

# start_sts CONFIG-JSON: the test server on a free loopback port, its URL in STS_URL.
start_sts() {
  python3 tests/server/sts_server.py --config "$1" --port-file "$WORK/port" >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  STS_URL="http://127.0.0.1:$(cat "$WORK/port")"
}

# hit_world: profiles `bench` (a stored key) and `role` (assumed with it) in $WORK/small.config, the same
# inside a 10,000-profile $WORK/big.config, and a cached session for each of `bench` and `role`; then STS is
# stopped, so any run after this that is not a cache hit fails. AWS_CONFIG_FILE is the small config.
hit_world() {
  cat >"$WORK/sts.json" <<JSON
{"users": [{"name": "bench", "access_key_id": "AKIAKURABENCH0000001", "secret_access_key": "bench-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/bench", "max_duration": 3600}]}
JSON
  start_sts "$WORK/sts.json"
  export AWS_ENDPOINT_URL_STS="$STS_URL"
  printf '[profile bench]\nregion = eu-west-1\n\n[profile role]\nsource_profile = bench\nrole_arn = arn:aws:iam::123456789012:role/bench\n' \
    >"$WORK/small.config"
  python3 bench/make_config.py 10000 "$WORK/small.config" >"$WORK/big.config"
  export AWS_CONFIG_FILE="$WORK/small.config"
  AWS_ACCESS_KEY_ID=AKIAKURABENCH0000001 AWS_SECRET_ACCESS_KEY=bench-secret "$KURA" add --env bench 2>/dev/null
  "$KURA" export --format json role >/dev/null
  "$KURA" export --format json bench >/dev/null
  kill "${PIDS[@]}" 2>/dev/null || true
}

# as_after_boot FILE...: each file's pages dropped from the page cache (written to disk first), so that the
# first run reads it back the way an exec reads a binary after a reboot. How the cached pages came to be
# changes what mapping them costs: a file just written by a linker, or read back by exec's read-around, is
# held in 4 KiB pages, one written by `cp` in larger folios that map 2-4x faster (docs/PERFORMANCE.md). Without
# this, a baseline binary that `cp` happened to read back after the build evicted it would measure 5% faster.
as_after_boot() {
  python3 - "$@" <<'PY'
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
}
