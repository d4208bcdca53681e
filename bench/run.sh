#!/usr/bin/env bash
# Whole-process benchmarks of the hot paths, as interleaved runs in shuffled order on loopback
# (bench/interleave.py), against floors: /bin/true, a dynamically linked C hello-world (bench/hello.c), the same
# linked statically as kura is, and a static C program that only executes /bin/true (bench/exec_floor.c: what
# no exec can go below):
#   - `kura export --format json ROLE` on a cache hit (what credential_process costs every AWS CLI call),
#   - `kura exec ROLE -- /bin/true` (what exec adds to every command),
#   - the same hit with a 10,000-profile config (bench/make_config.py), and `kura list` with it.
# Every measured run is a cache hit: the STS server is stopped before measuring, so a miss would fail the run.
# Prints a Markdown table for docs/PERFORMANCE.md. RUNS (default 200) rounds; KURA (default build/kura);
# BASELINE: another build (e.g. the previous commit's) whose hits run in the same rounds, for a before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
KURA=${KURA:-$PWD/build/kura}
RUNS=${RUNS:-200}
source bench/lib.sh
bench_world bench
cc -O2 -o "$WORK/hello" bench/hello.c
cc -O2 -static-pie -o "$WORK/hello-static" bench/hello.c
cc -O2 -static-pie -o "$WORK/exec-floor" bench/exec_floor.c
hit_world # every measured run is a cache hit, and proves it: STS is gone
# The same session. kura keeps a big config's index between runs once the file is 2 s old (docs/PERFORMANCE.md):
# wait for that, so that the measured runs are what a config that has not just changed costs.
sleep 2.1
AWS_CONFIG_FILE="$WORK/big.config" "$KURA" export --format json role >/dev/null
# Every binary measured as after a reboot (bench/lib.sh): the warm-up rounds read them back alike.
as_after_boot "$KURA" ${BASELINE:+"$BASELINE"} "$WORK/hello" "$WORK/hello-static" "$WORK/exec-floor"

echo "config: $(wc -c <"$WORK/small.config") bytes small, $(wc -c <"$WORK/big.config") bytes big ($(grep -c '^\[profile' "$WORK/big.config") profiles)"
echo
python3 bench/interleave.py --runs "$RUNS" --shuffle \
  "/bin/true=/bin/true" \
  "C hello-world=$WORK/hello" \
  "C hello-world, static=$WORK/hello-static" \
  "C exec of /bin/true, static=$WORK/exec-floor /bin/true" \
  "export hit=$KURA export --format json role" \
  "exec hit=$KURA exec role -- /bin/true" \
  "export hit, 10k profiles=AWS_CONFIG_FILE=$WORK/big.config $KURA export --format json role" \
  "list, 10k profiles=AWS_CONFIG_FILE=$WORK/big.config $KURA list" \
  ${BASELINE:+"baseline: export hit=$BASELINE export --format json role"} \
  ${BASELINE:+"baseline: exec hit=$BASELINE exec role -- /bin/true"} \
  ${BASELINE:+"baseline: export hit, 10k profiles=AWS_CONFIG_FILE=$WORK/big.config $BASELINE export --format json role"}

rss() { # command... -> peak RSS in MiB over 20 runs (GNU time): median (min–max)
  for _ in $(seq 1 20); do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n |
    awk '{a[NR]=$1} END {printf "%.1f MiB (%.1f–%.1f)", a[int((NR+1)/2)]/1024, a[1]/1024, a[NR]/1024}'
}
echo
echo "| peak RSS | median (min–max) |"
echo "| --- | --- |"
echo "| /bin/true | $(rss /bin/true) |"
echo "| export hit | $(rss "$KURA" export --format json role) |"
echo "| exec hit | $(rss "$KURA" exec role -- /bin/true) |"
echo "| export hit, 10k profiles | $(AWS_CONFIG_FILE="$WORK/big.config" rss "$KURA" export --format json role) |"
echo "| list, 10k profiles | $(AWS_CONFIG_FILE="$WORK/big.config" rss "$KURA" list) |"
