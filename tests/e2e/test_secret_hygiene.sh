# Secrets stay in kura: KURA_FILE_PASSPHRASE never reaches `kura exec`'s child or `kura login`'s browser; the
# key `kura add --env` reads never reaches pass or gpg; a running kura has a core limit of 0 and is not
# dumpable (its /proc files belong to root, so the user's other processes cannot read or ptrace it), its own
# environment block no longer holds the passphrase; and the commands it runs get their core limit back.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "sam", "access_key_id": "AKIAKURATESTSAM00001", "secret_access_key": "sam-secret-do-not-leak"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/console", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_FEDERATION_URL="$STS_URL/federation" KURA_BACKEND=file
printf '[profile sam]\nregion = eu-west-1\n[profile console]\nsource_profile = sam\nrole_arn = arn:aws:iam::123456789012:role/console\n' \
  >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTSAM00001 AWS_SECRET_ACCESS_KEY=sam-secret-do-not-leak kura add --env sam 2>/dev/null

# exec's child: no passphrase, and the credentials it should have.
child_env=$(kura exec sam -- env)
assert_not_contains "$child_env" "KURA_FILE_PASSPHRASE" "exec's child has no KURA_FILE_PASSPHRASE"
assert_not_contains "$child_env" "$KURA_FILE_PASSPHRASE" "nor its value under another name"
assert_contains "$child_env" "AWS_SESSION_TOKEN=" "but has its credentials"
assert_not_contains "$(kura exec --ecs-server sam -- env)" "KURA_FILE_PASSPHRASE" "nor does the child of exec --ecs-server"

# login's browser.
cat >"$TEST_DIR/browser" <<'SH'
#!/bin/sh
env > "$BROWSER_ENV.tmp" && mv "$BROWSER_ENV.tmp" "$BROWSER_ENV"
SH
chmod +x "$TEST_DIR/browser"
export BROWSER_ENV="$TEST_DIR/browser.env"
BROWSER="$TEST_DIR/browser" kura login console 2>/dev/null
for _ in $(seq 1 50); do [ -s "$BROWSER_ENV" ] && break; sleep 0.1; done
[ -s "$BROWSER_ENV" ] || fail "the browser stand-in did not run"
assert_not_contains "$(cat "$BROWSER_ENV")" "$KURA_FILE_PASSPHRASE" "the browser has no KURA_FILE_PASSPHRASE"

# pass and gpg while `kura add --env` stores a key: a `pass` on PATH that records its environment first.
setup_pass
mkdir -p "$TEST_DIR/bin"
cat >"$TEST_DIR/bin/pass" <<SH
#!/bin/sh
env >> "$TEST_DIR/pass.env"
exec $(type -P pass) "\$@"
SH
chmod +x "$TEST_DIR/bin/pass"
PATH="$TEST_DIR/bin:$PATH" AWS_ACCESS_KEY_ID=AKIAKURATESTSAM00001 AWS_SECRET_ACCESS_KEY=sam-secret-do-not-leak \
  kura --backend pass add --env sam 2>/dev/null
[ -s "$TEST_DIR/pass.env" ] || fail "pass was not run through the recording wrapper"
assert_not_contains "$(cat "$TEST_DIR/pass.env")" "sam-secret-do-not-leak" "pass never sees AWS_SECRET_ACCESS_KEY"
assert_not_contains "$(cat "$TEST_DIR/pass.env")" "$KURA_FILE_PASSPHRASE" "nor KURA_FILE_PASSPHRASE"
PATH="$TEST_DIR/bin:$PATH" kura --backend pass exec sam -- true 2>/dev/null
assert_not_contains "$(cat "$TEST_DIR/pass.env")" "$KURA_FILE_PASSPHRASE" "pass under exec neither"

# A running kura (the parent of `exec --ecs-server`): core limit 0, passphrase gone from its environment block;
# its child runs with the core limit kura was started with.
ulimit -c unlimited
kura exec --ecs-server sam -- sh -c 'ulimit -c > "$0/child.core"; sleep 5' "$TEST_DIR" &
PIDS+=($!)
kura_pid=""
for _ in $(seq 1 100); do
  kura_pid=$(pgrep -f -n "exec --ecs-server sam" -x -- "$KURA_BIN" 2>/dev/null || pgrep -n -f "$KURA_BIN exec --ecs-server sam" || true)
  [ -n "$kura_pid" ] && [ -s "$TEST_DIR/child.core" ] && break
  sleep 0.1
done
[ -n "$kura_pid" ] || fail "kura exec --ecs-server did not start"
core=$(awk '/Max core file size/ {print $5}' "/proc/$kura_pid/limits")
assert_eq "$core" "0" "/proc/PID/limits of kura: core limit 0"
assert_eq "$(cat "$TEST_DIR/child.core")" "unlimited" "its child gets the caller's core limit back"
if tr '\0' '\n' <"/proc/$kura_pid/environ" | grep -qF "$KURA_FILE_PASSPHRASE"; then
  fail "the passphrase is still in kura's environment block"
fi
pass "the passphrase is wiped from kura's own environment block (/proc/PID/environ)"
wait "${PIDS[-1]}" || true

# Not dumpable: run as an unprivileged user, kura's /proc entries belong to root, so that user's other
# processes can neither read its memory nor attach to it.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  nobody_home="$TEST_DIR/nobody"
  mkdir -p "$nobody_home/.aws"
  cp "$AWS_CONFIG_FILE" "$nobody_home/.aws/config"
  chmod 755 "$TEST_DIR"
  chown -R 65534:65534 "$nobody_home"
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$nobody_home" \
    AWS_CONFIG_FILE="$nobody_home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$nobody_home/.aws/credentials" \
    XDG_DATA_HOME="$nobody_home/.local/share" XDG_RUNTIME_DIR= XDG_CONFIG_HOME="$nobody_home/.config" "$@"; }
  AWS_ACCESS_KEY_ID=AKIAKURATESTSAM00001 AWS_SECRET_ACCESS_KEY=sam-secret-do-not-leak as_nobody "$KURA_BIN" add --env sam 2>/dev/null
  as_nobody "$KURA_BIN" exec --ecs-server sam -- sleep 5 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    kura_pid=$(pgrep -u 65534 -f "$KURA_BIN exec --ecs-server" | head -1 || true)
    sleep_pid=$(pgrep -u 65534 -x sleep | head -1 || true)
    [ -n "$kura_pid" ] && [ -n "$sleep_pid" ] && break
    sleep 0.1
  done
  [ -n "$kura_pid" ] || fail "kura did not start as nobody"
  assert_eq "$(stat -c %u "/proc/$kura_pid/environ")" "0" "a kura run by nobody is not dumpable (its /proc files are root's)"
  assert_eq "$(stat -c %u "/proc/$sleep_pid/environ")" "65534" "its child is dumpable again"
  wait "${PIDS[-1]}" || true
else
  echo "skipped: the dumpable check needs root and setpriv"
fi
