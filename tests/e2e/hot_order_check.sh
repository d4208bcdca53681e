# src/kura.order is fresh and the link used it: the functions a cache hit runs (scripts/hot-order.sh, run
# here into a file of the test's own) are nearly all listed in it, and the listed ones sit together at the
# front of the text segment rather than spread over it. Registered by CMakeLists.txt only for an optimised
# build linked with lld (a debug build runs other functions: nothing inlined). When it fails because the list
# is stale: scripts/hot-order.sh.
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is needed (scripts/install-deps.sh installs it)"
# The hits as a user's are, not with lib.sh's test-only key derivation (its setting is parsed on every run).
env -u KURA_FILE_KDF KURA="$KURA_BIN" OUT="$TEST_DIR/fresh.order" bash "$KURA_SOURCE_DIR/scripts/hot-order.sh" \
  >"$TEST_DIR/hot-order.log" 2>&1 || fail "scripts/hot-order.sh: $(tail -3 "$TEST_DIR/hot-order.log")"

nm -S "$KURA_BIN" >"$TEST_DIR/symbols" || fail "nm $KURA_BIN"
report=$(python3 - "$KURA_SOURCE_DIR/src/kura.order" "$TEST_DIR/fresh.order" "$TEST_DIR/symbols" <<'PY'
import re, sys
order_file, fresh_file, symbols_file = sys.argv[1:]
names = lambda path: {line.strip() for line in open(path) if line.strip() and not line.startswith("#")}
listed, ran = names(order_file), names(fresh_file)
missing = sorted(ran - listed)
where = {}
for line in open(symbols_file):
    m = re.match(r"([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)$", line.strip())
    if m and m.group(3) in listed:
        where[m.group(3)] = (int(m.group(1), 16), int(m.group(2), 16))
start = min(a for a, _ in where.values())
end = max(a + s for a, s in where.values())
size = sum(s for _, s in where.values())
print(f"ran {len(ran)} missing {len(missing)} span {end - start} size {size}")
for name in missing[:20]:
    print("  not listed:", name)
PY
) || fail "reading the lists"
echo "$report"
read -r _ ran _ missing _ span _ size <<<"$(head -1 <<<"$report")"
[ "$ran" -gt 100 ] || fail "only $ran functions of kura ran: the profiles are not of a hit"
[ $((missing * 100)) -le $((ran * 5)) ] ||
  fail "$missing of the $ran functions a hit runs are not in src/kura.order: run scripts/hot-order.sh"
pass "$((ran - missing)) of the $ran functions a hit runs are listed in src/kura.order"
# Not 1.0: the static kura's libc.a keeps several functions in one section (vfprintf's helpers with it), and a
# listed function brings its whole section. Not ordered, the same functions span most of the 2.7 MB of text.
[ $((span * 10)) -le $((size * 15)) ] ||
  fail "the listed functions span $span bytes for $size of code: the link did not use src/kura.order"
pass "they sit together: $span bytes for $size bytes of code"
