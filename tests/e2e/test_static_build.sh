# kura's two builds (src/util/full_build.h): `kura` is static and serves a cache hit by itself; a run it cannot
# serve (a refresh, a command other than a hit's) is handed to kura-full with its arguments, its persona and
# the environment it started with, secret variables included. Without kura-full beside it, a hit still works
# and anything else fails saying what is missing.
source "$(dirname "$0")/lib.sh"
full="$(dirname "$KURA_BIN")/kura-full"
if [ ! -x "$full" ]; then
  # One build only (sanitizers, or no static archives: CMakeLists.txt): kura is the dynamic one.
  readelf -lW "$KURA_BIN" | grep -q "program interpreter" || fail "no kura-full beside a static $KURA_BIN"
  echo "skip: one build only, $KURA_BIN is linked against glibc"
  exit 0
fi

readelf -lW "$KURA_BIN" | grep -q "program interpreter" && fail "kura has a program interpreter: it is not static"
readelf -dW "$KURA_BIN" | grep -q NEEDED && fail "kura needs a shared library"
pass "kura is a static executable"
readelf -lW "$full" | grep -q "program interpreter" || fail "kura-full has no program interpreter"
readelf -lW "$KURA_BIN" | grep -q "GNU_RELRO" || fail "kura has no RELRO segment"
[ "$(readelf -hW "$KURA_BIN" | awk '/Type:/ {print $2}')" = "DYN" ] || fail "kura is not position-independent"
pass "kura-full is dynamic; kura is a PIE with RELRO"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "dev", "access_key_id": "AKIAKURATESTSTATIC01", "secret_access_key": "dev-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/ops", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
cat >"$AWS_CONFIG_FILE" <<CFG
[profile dev]
region = eu-west-1
[profile ops]
source_profile = dev
role_arn = arn:aws:iam::123456789012:role/ops
[profile audit]
source_profile = dev
role_arn = arn:aws:iam::123456789012:role/ops
role_session_name = audit
CFG

# add is handed over: kura-full must still see the key variables that kura wiped from its own environment.
AWS_ACCESS_KEY_ID=AKIAKURATESTSTATIC01 AWS_SECRET_ACCESS_KEY=dev-secret kura add --env dev 2>"$TEST_DIR/add.err" ||
  fail "kura add --env: $(cat "$TEST_DIR/add.err")"
assert_contains "$(kura export --no-session --format json dev)" '"SecretAccessKey":"dev-secret"' \
  "a handed-over run gets the secret variables kura started with"

kura --debug export --format json ops >"$TEST_DIR/ops.json" 2>"$TEST_DIR/ops.err" ||
  fail "a miss: $(cat "$TEST_DIR/ops.err")"
assert_contains "$(cat "$TEST_DIR/ops.err")" "handing the run over to kura-full: a session to refresh" \
  "a miss is handed over at the refresh"
assert_eq "$(sts_count AssumeRole)" "1" "and kura-full assumes the role once"
key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$TEST_DIR/ops.json")

# kura alone, without kura-full: a hit is served; everything else says what is missing.
mkdir "$TEST_DIR/alone"
cp "$KURA_BIN" "$TEST_DIR/alone/kura"
alone="$TEST_DIR/alone/kura"
out=$("$alone" --debug export --format json ops 2>"$TEST_DIR/hit.err") || fail "a hit without kura-full: $(cat "$TEST_DIR/hit.err")"
assert_contains "$out" "\"AccessKeyId\":\"$key\"" "kura alone serves a cache hit"
assert_not_contains "$(cat "$TEST_DIR/hit.err")" "handing the run over" "and hands nothing over"
assert_eq "$("$alone" exec ops -- sh -c 'echo $AWS_ACCESS_KEY_ID')" "$key" "kura alone runs exec on a hit"
assert_contains "$("$alone" list)" "ops" "kura alone lists"
assert_eq "$(sts_count AssumeRole)" "1" "STS was not asked again"

if "$alone" export --format json audit >/dev/null 2>"$TEST_DIR/miss.err"; then fail "a miss without kura-full succeeded"; fi
assert_contains "$(cat "$TEST_DIR/miss.err")" "kura: error: cannot run kura-full, needed for a session to refresh" \
  "a miss without kura-full is an error saying what needs it"
assert_contains "$(cat "$TEST_DIR/miss.err")" "looked for $TEST_DIR/alone/kura-full and $TEST_DIR/alone/../libexec/kura/kura-full" \
  "and where it looked"
if "$alone" remove -f dev 2>"$TEST_DIR/rm.err"; then fail "remove without kura-full succeeded"; fi
assert_contains "$(cat "$TEST_DIR/rm.err")" "needed for the command 'remove'" "another command without kura-full: the same"
assert_eq "$(sts_count AssumeRole)" "1" "nothing was sent by the static build"
assert_contains "$(kura list --credentials)" "dev" "and nothing was removed"

# The persona survives the hand-over (argv[0] is kept), as does an installed layout's libexec/kura/.
ln -s "$KURA_BIN" "$TEST_DIR/aws-vault"
assert_contains "$("$TEST_DIR/aws-vault" remove --help)" "aws-vault remove" "aws-vault's command line after a hand-over"
mkdir -p "$TEST_DIR/prefix/bin" "$TEST_DIR/prefix/libexec/kura"
cp "$KURA_BIN" "$TEST_DIR/prefix/bin/kura"
cp "$full" "$TEST_DIR/prefix/libexec/kura/kura-full"
assert_contains "$("$TEST_DIR/prefix/bin/kura" export --format json audit)" '"AccessKeyId"' \
  "an installed kura hands a miss to libexec/kura/kura-full"
assert_eq "$(sts_count AssumeRole)" "2" "which assumes the role"

# Where /proc is not mounted (a bare container), the path kura was executed by leads to kura-full.
if unshare -m true 2>/dev/null; then
  out=$(unshare -m sh -c 'umount -l /proc && "$1" remove --help' sh "$KURA_BIN" 2>&1) || fail "without /proc: $out"
  assert_contains "$out" "usage: kura remove" "without /proc, kura still finds kura-full"
  out=$(unshare -m sh -c 'umount -l /proc && "$1" remove --help' sh "$TEST_DIR/aws-vault" 2>&1) ||
    fail "without /proc, through a link: $out"
  assert_contains "$out" "usage: aws-vault remove" "and through a link in another directory"
else
  echo "skip: without /proc (unshare -m needs privileges here)"
fi
