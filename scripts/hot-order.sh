#!/usr/bin/env bash
# Regenerates src/kura.order: the functions a cache hit runs, which the link (lld --symbol-ordering-file, see
# CMakeLists.txt) places side by side at the front of the text segment, so that a hit faults in a few dozen
# pages of code instead of most of the 3 MB (docs/PERFORMANCE.md). Run it after changing what a hit runs; a
# stale file costs speed, never correctness (a name it lists that no longer exists is skipped by the linker).
#
# How: the hits of bench/run.sh (exec, export and credential_process JSON of a role and of a plain profile,
# with a small and a 10,000-profile config, the index kept and not) run under callgrind, and every function of
# the kura binary that ran is listed: first those of the exec hit (the one furthest from its target), then
# every CPU variant of the string functions those used, then what each further run adds, in the order below,
# each group sorted by name. The kernel maps a binary's pages 64 KiB at a time, each page at a cost, so what
# counts is how many such blocks a hit touches. Left out: pugixml's functions (its archive keeps all of them
# in one 140 KB section; only its static initialiser runs on a hit) and the local names several members of
# libc.a define (see below): either would pull far more than the function into the hot pages. Added: what
# static glibc's start-up runs that callgrind cannot name. KURA (default build/kura) must have its symbols
# (the default RelWithDebInfo build has them).
set -euo pipefail
cd "$(dirname "$0")/.."
KURA=${KURA:-$PWD/build/kura}
OUT=${OUT:-$PWD/src/kura.order}
command -v valgrind >/dev/null || { echo "hot-order: valgrind is needed" >&2; exit 1; }
source bench/lib.sh
bench_world order
hit_world # every run below is a cache hit

run=0
profile() { # command... -> one callgrind profile of it, $WORK/cg.N (kura's part alone when it execs)
  run=$((run + 1))
  # An exec writes its profile just before the execve (--dump-before, as cg.N.1): after it, the process is
  # the child, and callgrind would write nothing for kura.
  valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no --dump-before='*execve*' \
    --callgrind-out-file="$WORK/run.$run" "$@" >/dev/null 2>"$WORK/valgrind.$run" || true
  local out
  for out in "$WORK/run.$run.1" "$WORK/run.$run"; do
    grep -q '^fn=' "$out" 2>/dev/null && { mv "$out" "$WORK/cg.$run"; return; }
  done
  cat "$WORK/valgrind.$run" >&2
  exit 1
}
# exec first: it is the hit furthest from its target (docs/PERFORMANCE.md), and export's JSON adds little to it.
profile "$KURA" exec role -- /bin/true
profile "$KURA" export --format json role
for name in role bench; do
  profile "$KURA" export --format json "$name"
  profile "$KURA" export "$name"
  profile "$KURA" exec "$name" -- /bin/true
done
profile "$KURA" list
AWS_CONFIG_FILE="$WORK/big.config" profile "$KURA" export --format json role # the scan, writing no index yet
sleep 2.1                                                                   # the file is now old enough
AWS_CONFIG_FILE="$WORK/big.config" profile "$KURA" export --format json role # writes the index
AWS_CONFIG_FILE="$WORK/big.config" profile "$KURA" export --format json role # reads it
AWS_CONFIG_FILE="$WORK/big.config" profile "$KURA" exec role -- /bin/true

binary=$(readlink -f "$KURA")
nm -S "$binary" >"$WORK/symbols"
# The local names that several members of libc.a define (see `ambiguous` below).
nm -A --defined-only "$(${CC:-cc} -print-file-name=libc.a)" 2>/dev/null | awk '$2 == "t" {print $3}' | sort |
  uniq -d >"$WORK/ambiguous"
python3 - "$binary" "$WORK/symbols" "$WORK/ambiguous" "$WORK"/cg.* >"$OUT.tmp" <<'PY'
import re
import sys
binary, symbols, ambiguous_names = sys.argv[1:4]
files = sorted(sys.argv[4:], key=lambda path: int(path.rsplit(".", 1)[1]))  # in the order they ran

text, ifuncs = set(), set()
for line in open(symbols):
    fields = line.split()
    if len(fields) == 4 and fields[2] in "tTwW":
        text.add(fields[3])
    if len(fields) == 3 and fields[1] in "tT":  # no size: _start, frame_dummy
        text.add(fields[2])
    if len(fields) >= 3 and fields[-2] == "i":
        ifuncs.add(fields[-1].lstrip("_"))
    elif len(fields) == 4 and fields[3].endswith("_ifunc"):  # an IFUNC that the link turned into a PLT entry
        ifuncs.add(fields[3][: -len("_ifunc")].lstrip("_"))

# A name is one symbol ordering entry for every symbol of that name, and a listed symbol brings its whole
# section. libc.a is built without -ffunction-sections: a local name that several of its members define
# (read_int in printf's, scanf's and wprintf's objects) would pull each whole member, 35 KB of scanf among
# them, into the hot pages. Such names are left out (kura's own sources and libsodium's variants are fine).
ambiguous = set(open(ambiguous_names).read().split())


def family(name):
    """glibc's string functions come in variants for each CPU (__memmove_avx512_unaligned_erms, __strlen_evex,
    ...), one chosen at start-up: the family of a variant that ran, or None."""
    for function in ifuncs:
        if name.startswith(f"__{function}_"):
            return f"__{function}_"
    return None


# What every run does that callgrind does not name: valgrind gives a program no vDSO, so the start-up of static
# glibc never sets up the vDSO's link map and looks its symbols up there (found with gdb breakpoints);
# callgrind calls the first two functions of a process "(below main)", and frame_dummy has no size. (The lookup's
# check_match, an ambiguous name, comes with do_lookup_x: libc.a has them in one section.)
unseen = ["_dl_new_object", "_dl_add_to_namespace_list", "_dl_setup_hash", "_dl_lookup_symbol_x", "do_lookup_x",
          "__strcmp_sse2", "_start", "__libc_start_main", "__libc_start_call_main", "frame_dummy"]
seen, groups, families = set(), [], set()


def take(name, group):
    """Lists a function that ran, once: in `group`, or as one of its family's variants."""
    if name.startswith(("0x", "(")) or name.startswith("_ZN4pugi") or name in seen or name in ambiguous:
        return
    seen.add(name)
    prefix = family(name)
    if prefix:
        families.add(prefix)
    else:
        group.append(name)


for path in files:
    obj, group = None, []
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("ob="):
            obj = line[3:].strip()
        elif line.startswith("desc: Trigger: --dump-before="):  # the execve itself, which the dump is before
            name = line.split("=", 1)[1].strip()
            if name in text:
                take(name, group)
        elif line.startswith("fn=") and obj == binary:
            take(re.sub(r"'[0-9]+$", "", line[3:].strip()), group)  # less callgrind's mark of a recursive call
    if not groups:
        for name in unseen:
            if name in text:
                take(name, group)
    groups.append(sorted(group))  # sorted within a group: a stable file, its diffs readable
# Every variant of each family, after the first run's functions: which one runs depends on the CPU, and
# together they sit in a few pages, not one page each spread over the text.
variants = sorted(name for name in text if any(name.startswith(prefix) for prefix in families))
groups.insert(1, variants)
print("# The functions a cache hit runs, for lld --symbol-ordering-file (CMakeLists.txt): first the exec")
print("# hit's, then every variant of the string functions it uses, then what each further run adds.")
print("# Generated by scripts/hot-order.sh: do not edit by hand.")
print("\n".join(name for group in groups for name in group))
PY
mv "$OUT.tmp" "$OUT"
echo "hot-order: $(grep -vc '^#' "$OUT") functions in $OUT"
