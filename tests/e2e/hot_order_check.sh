# src/kura.order is fresh and the link used it: the functions a cache hit runs (callgrind, export and exec of a
# role) are nearly all listed in it, and the listed ones sit together at the front of the text segment rather
# than spread over it. Registered by CMakeLists.txt only for an optimised build linked with lld (a debug build
# runs other functions: nothing inlined). When it fails because the list is stale: scripts/hot-order.sh.
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is needed (scripts/install-deps.sh installs it)"
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "hot", "access_key_id": "AKIAKURATESTHOT00001", "secret_access_key": "hot-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/hot", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_FILE_KEY_TTL=60s # the unlocked key kept, as by default: a real hit
printf '[profile hot]\nregion = eu-west-1\n\n[profile role]\nsource_profile = hot\nrole_arn = arn:aws:iam::123456789012:role/hot\n' \
  >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTHOT00001 AWS_SECRET_ACCESS_KEY=hot-secret kura add --env hot 2>/dev/null
kura export --format json role >/dev/null || fail "the first export"

profile() { # out-file command...
  local out=$1
  shift
  valgrind --tool=callgrind --demangle=no --compress-strings=no --callgrind-out-file="$out" "$@" \
    >/dev/null 2>"$out.log" || true
  grep -q '^fn=' "$out" || fail "no callgrind profile of $*: $(tail -3 "$out.log")"
}
profile "$TEST_DIR/cg.export" "$KURA_BIN" export --format json role
profile "$TEST_DIR/cg.exec" "$KURA_BIN" exec role -- /nonexistent/kura-hot-order-check

nm -S "$KURA_BIN" >"$TEST_DIR/symbols" || fail "nm $KURA_BIN"
report=$(python3 - "$(readlink -f "$KURA_BIN")" "$KURA_SOURCE_DIR/src/kura.order" "$TEST_DIR/symbols" \
  "$TEST_DIR/cg.export" "$TEST_DIR/cg.exec" <<'PY'
import re, sys
binary, order_file, symbols_file, profiles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
listed = {line.strip() for line in open(order_file) if line.strip() and not line.startswith("#")}
ran = set()
for path in profiles:
    obj = None
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            obj = line[3:].strip()
        elif line.startswith("fn=") and obj == binary:
            name = line[3:].strip()
            if not name.startswith("0x") and not name.startswith("_ZN4pugi"):
                ran.add(name)
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
) || fail "reading the profiles"
echo "$report"
read -r _ ran _ missing _ span _ size <<<"$(head -1 <<<"$report")"
[ "$ran" -gt 100 ] || fail "only $ran functions of kura ran: the profiles are not of a hit"
[ $((missing * 100)) -le $((ran * 5)) ] ||
  fail "$missing of the $ran functions a hit runs are not in src/kura.order: run scripts/hot-order.sh"
pass "$((ran - missing)) of the $ran functions a hit runs are listed in src/kura.order"
[ $((span * 10)) -le $((size * 12)) ] ||
  fail "the listed functions span $span bytes for $size of code: the link did not use src/kura.order"
pass "they sit together: $span bytes for $size bytes of code"
