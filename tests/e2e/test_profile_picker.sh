# No profile named: on a terminal (script(1) gives one), a picker over the config's profiles — typing filters,
# arrows move, Enter chooses, Esc cancels — drawn on /dev/tty only; without a terminal, AWS_PROFILE.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ann", "access_key_id": "AKIAKURATESTANN00001", "secret_access_key": "ann-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/r", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
{
  printf '[profile ann]\nregion = eu-west-1\n'
  for p in alpha beta prod-eu prod-us; do
    printf '[profile %s]\nsource_profile = ann\nrole_arn = arn:aws:iam::123456789012:role/r\n' "$p"
  done
} >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTANN00001 AWS_SECRET_ACCESS_KEY=ann-secret kura add --env ann 2>/dev/null

# pick KEYS...: runs `kura exec` with no profile on a pseudo-terminal, typing KEYS once the picker is drawn;
# prints the profile the command ran with ("" when none).
pick() {
  rm -f "$TEST_DIR/chosen" "$TEST_DIR/typescript"
  # The keys once the picker is on the screen (a loaded machine may take a while to get there).
  (for _ in $(seq 1 300); do grep -qs "profile:" "$TEST_DIR/typescript" && break; sleep 0.1; done
   printf '%b' "$@") | timeout 60 script -qefc \
    "$KURA_BIN exec -- sh -c 'echo \$AWS_VAULT >$TEST_DIR/chosen'" "$TEST_DIR/typescript" >/dev/null 2>&1 || true
  cat "$TEST_DIR/chosen" 2>/dev/null || true
}

assert_eq "$(pick 'prod-u\r')" "prod-us" "typing filters, Enter chooses"
assert_eq "$(pick 'PROD\x1b[B\r')" "prod-us" "the filter ignores case; the down arrow moves"
assert_eq "$(pick '\x1b[B\x1b[B\x1b[A\r')" "ann" "up and down through the sorted list (alpha, ann, beta, ...)"
assert_contains "$(cat "$TEST_DIR/typescript")" "profile:" "the picker is drawn on the terminal"
assert_eq "$(AWS_PROFILE=beta pick '\r')" "beta" "AWS_PROFILE is selected at first"
assert_eq "$(pick '\x1b')" "" "Esc cancels: nothing runs"
assert_contains "$(cat "$TEST_DIR/typescript")" "no profile chosen" "and says so"

# Without a terminal: AWS_PROFILE, else a usage error.
assert_eq "$(AWS_PROFILE=alpha kura exec -- sh -c 'echo $AWS_VAULT' </dev/null 2>/dev/null)" "alpha" \
  "no terminal: AWS_PROFILE"
set +e
err=$(env -u AWS_PROFILE "$KURA_BIN" exec -- true </dev/null 2>&1)
status=$?
set -e
assert_eq "$status" "2" "no terminal, no AWS_PROFILE: a usage error"
assert_contains "$err" "missing PROFILE" "naming what is missing"
