#!/usr/bin/env bash
# A real fuzzing campaign: each target (default: all in build/fuzz) runs until it has executed RUNS inputs
# (default 10 million), one after another, growing a corpus kept outside the tree (WORK, default
# /tmp/kura-fuzz-campaign). Prints a Markdown table row per target for docs/SECURITY.md. A crash stops that
# target; its input is left in WORK/<target>/ and its name printed.
# MAX_TIME (seconds, default none) stops a target earlier.
#   RUNS=10000000 tests/fuzz/campaign.sh [build/fuzz/fuzz_x ...]
set -uo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-10000000}
WORK=${WORK:-/tmp/kura-fuzz-campaign}
MAX_TIME=${MAX_TIME:-0}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(build/fuzz/fuzz_*)
echo "| target | executions | time | exec/s | corpus | crashes |"
echo "| --- | --- | --- | --- | --- | --- |"
for target in "${targets[@]}"; do
  name=$(basename "$target")
  short=${name#fuzz_}
  mkdir -p "$WORK/$short/corpus"
  start=$(date +%s)
  "$target" -runs="$RUNS" -max_total_time="$MAX_TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$WORK/$short/" \
    "$WORK/$short/corpus" "tests/fuzz/corpus/$short" >"$WORK/$short/log" 2>&1
  status=$?
  seconds=$(( $(date +%s) - start ))
  executed=$(awk '/stat::number_of_executed_units/ {print $2}' "$WORK/$short/log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$WORK/$short/log")
  corpus=$(ls "$WORK/$short/corpus" | wc -l)
  crashes=$(ls "$WORK/$short" | grep -c -E '^(crash|leak|timeout|oom)-' || true)
  [ "$status" -eq 0 ] || crashes="$crashes (exit $status: $(ls "$WORK/$short" | grep -E '^(crash|leak|timeout|oom)-' | head -1))"
  echo "| $short | ${executed:-?} | ${seconds}s | ${rate:-?} | $corpus inputs | $crashes |"
done
