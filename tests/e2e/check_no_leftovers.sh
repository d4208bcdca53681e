# Runs after every end-to-end test (a ctest fixture cleanup): no program any of them started may still run.
# Each test marks what it starts with KURA_E2E_MARK (tests/e2e/lib.sh) and stops it on exit.
set -euo pipefail
left=$(grep -lsaF "KURA_E2E_MARK=" /proc/[0-9]*/environ 2>/dev/null | sed 's|/proc/\([0-9]*\)/environ|\1|' || true)
if [ -n "$left" ]; then
  for pid in $left; do
    echo "left running: pid $pid: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)" >&2
  done
  kill $left 2>/dev/null || true
  exit 1
fi
echo "ok: no process started by the end-to-end tests is left"
