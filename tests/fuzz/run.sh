#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time (KURA_FUZZ_SECONDS, default 8) over its committed seed corpus.
# New inputs go to a scratch directory, never into the tree. A crash fails the test and prints the input
# (base64) so it can be reproduced: `echo ... | base64 -d > crash && build/fuzz/fuzz_x crash`.
set -euo pipefail
target=$1
corpus=$2
seconds=${KURA_FUZZ_SECONDS:-8}
[ -x "$target" ] || { echo "no fuzz target at $target (is clang++ installed?)" >&2; exit 1; }
[ -d "$corpus" ] || { echo "no seed corpus at $corpus" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kura-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/corpus"
set +e
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$scratch/" "$scratch/corpus" "$corpus" >"$scratch/log" 2>&1
status=$?
set -e
grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE|ERROR|SUMMARY" "$scratch/log" || true
if [ "$status" -ne 0 ]; then
  tail -40 "$scratch/log"
  for artifact in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
    [ -e "$artifact" ] || continue
    echo "input that failed ($(basename "$artifact")), base64:"
    base64 -w0 "$artifact"
    echo
  done
  exit "$status"
fi
echo "ok: $(basename "$target"): no crash in ${seconds}s"
