# Shared helpers for kura's end-to-end tests: a private HOME, real peers on loopback, and assertions.
# Each test script sources this, runs one behaviour, and exits non-zero on the first failed check.
set -euo pipefail

: "${KURA_BIN:?KURA_BIN must point at the kura binary}"
: "${KURA_SOURCE_DIR:?KURA_SOURCE_DIR must point at the source tree}"

TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kura-e2e.XXXXXX")
PIDS=()
CLEANUP_GPG=""
# Every program this test starts inherits this mark, so cleanup finds what escaped the process tree (daemons,
# double forks) and tests/e2e/check_no_leftovers.sh finds what a test failed to stop.
export KURA_E2E_MARK="$TEST_DIR"

# The pids of every descendant of a process, deepest first.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$child"
    echo "$child"
  done
}
# Programs started with this test's mark that are still running (read without the mark, so grep is not one).
marked_processes() {
  env -u KURA_E2E_MARK grep -lsaF "KURA_E2E_MARK=$TEST_DIR" /proc/[0-9]*/environ 2>/dev/null |
    sed 's|/proc/\([0-9]*\)/environ|\1|' | grep -vx "$$" || true
}
stop_processes() { # pid...
  [ $# -gt 0 ] || return 0
  kill "$@" 2>/dev/null || true
  for _ in $(seq 1 30); do
    local alive=0 pid
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  kill -9 "$@" 2>/dev/null || true
}
cleanup() {
  local status=$?
  local pids
  pids=$( (for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && echo "$pid"; done; descendants $$) | sort -u)
  # shellcheck disable=SC2086
  stop_processes $pids
  [ -z "$CLEANUP_GPG" ] || gpgconf --kill gpg-agent 2>/dev/null || true
  # shellcheck disable=SC2046
  stop_processes $(marked_processes)
  rm -rf "$TEST_DIR"
  exit "$status"
}
trap cleanup EXIT

# A private world: nothing from the developer's ~/.aws or keyring leaks in, no metadata service is asked.
export HOME="$TEST_DIR/home"
mkdir -p "$HOME/.aws"
export AWS_CONFIG_FILE="$HOME/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$HOME/.aws/credentials"
touch "$AWS_CONFIG_FILE" "$AWS_SHARED_CREDENTIALS_FILE"
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_DEFAULT_OUTPUT=json
export XDG_DATA_HOME="$HOME/.local/share"
export KURA_FILE_PASSPHRASE="correct horse battery staple"
export KURA_FILE_KDF=insecure-fast-for-tests
export KURA_FILE_KEY_TTL=0
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION \
  AWS_ENDPOINT_URL AWS_ENDPOINT_URL_STS KURA_PROFILE KURA_BACKEND HTTPS_PROXY https_proxy HTTP_PROXY http_proxy || true

AWS_V1=$(command -v aws)
AWS_V2=/usr/bin/aws

kura() { "$KURA_BIN" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
assert_contains() { # haystack needle what
  case "$1" in *"$2"*) pass "$3" ;; *) fail "$3: expected to find '$2' in: $1" ;; esac
}
assert_not_contains() {
  case "$1" in *"$2"*) fail "$3: did not expect '$2' in: $1" ;; *) pass "$3" ;; esac
}
assert_eq() { [ "$1" = "$2" ] && pass "$3" || fail "$3: expected '$2', got '$1'"; }

# type_when_shown FILE TEXT LINE: prints LINE once FILE (a script(1) typescript) shows TEXT, so that what is
# typed arrives after the prompt (a prompt with echo off discards what was typed before it, as getpass does).
type_when_shown() {
  for _ in $(seq 1 300); do grep -qsF "$2" "$1" && break; sleep 0.1; done
  echo "$3"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for_port() { # port
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  fail "nothing listens on port $1"
}

# moto_server with signature checks on after $1 unauthenticated setup calls. Sets MOTO_URL.
start_moto() {
  local port
  port=$(free_port)
  INITIAL_NO_AUTH_ACTION_COUNT="$1" MOTO_ENABLE_RECORDING=true MOTO_RECORDER_FILEPATH="$TEST_DIR/moto_recording" \
    moto_server -H 127.0.0.1 -p "$port" >"$TEST_DIR/moto.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$port"
  MOTO_URL="http://127.0.0.1:$port"
}

# Setup calls against moto, made before signature checking starts (they count towards N).
moto_setup() { AWS_ACCESS_KEY_ID=AKIDSETUPSETUPSETUP AWS_SECRET_ACCESS_KEY=setup AWS_DEFAULT_REGION=us-east-1 \
  "$AWS_V1" --endpoint-url "$MOTO_URL" "$@"; }

# The project's STS test server (tests/server/sts_server.py) with a JSON config. Sets STS_URL.
start_sts_server() { # config-file [extra args]
  local port_file="$TEST_DIR/sts.port"
  python3 "$KURA_SOURCE_DIR/tests/server/sts_server.py" --config "$1" --port-file "$port_file" "${@:2}" \
    >"$TEST_DIR/sts.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$port_file" ] && break; sleep 0.1; done
  [ -s "$port_file" ] || fail "sts test server did not start: $(cat "$TEST_DIR/sts.log")"
  STS_URL="http://127.0.0.1:$(cat "$port_file")"
}

sts_stats() { curl -s "$STS_URL/__admin/stats"; }
sts_count() { # action
  sts_stats | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"
}

# A TOTP code for a base32 seed, in a given 30-second step offset (default: now).
totp() { oathtool --totp -b "$1" ${2:+--now "$2"}; }

# A moto IAM user with an access key and an allow-all inline policy: 3 setup calls.
# The key lands in $TEST_DIR/<name>.key.json; moto_key NAME id|secret reads it back.
moto_create_user() { # name
  moto_setup iam create-user --user-name "$1" >/dev/null
  moto_setup iam create-access-key --user-name "$1" >"$TEST_DIR/$1.key.json"
  moto_setup iam put-user-policy --user-name "$1" --policy-name all \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
}
moto_key() { # name id|secret
  python3 -c "import json,sys; k=json.load(open(sys.argv[1]))['AccessKey']; print(k['AccessKeyId' if sys.argv[2]=='id' else 'SecretAccessKey'])" \
    "$TEST_DIR/$1.key.json" "$2"
}
# A role that trusts one moto user: 1 setup call.
moto_create_role() { # role-name trusted-user
  moto_setup iam create-role --role-name "$1" --assume-role-policy-document \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/$2\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
}

# gnome-keyring on a private session bus, unlocked with a test password: run "$@" inside it.
with_gnome_keyring() {
  export XDG_RUNTIME_DIR="$TEST_DIR/run"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  dbus-run-session -- bash -c 'echo -n kura-test | gnome-keyring-daemon --unlock --components=secrets --daemonize \
    >/dev/null 2>&1 && "$@"' with_gnome_keyring "$@" 2> >(grep -v "dbus-daemon\|fd limit" >&2)
}

# The same keyring started without unlocking it: "$@" meets a locked login collection.
with_locked_gnome_keyring() {
  export XDG_RUNTIME_DIR="$TEST_DIR/run"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
  dbus-run-session -- bash -c 'gnome-keyring-daemon --start --components=secrets --daemonize >/dev/null 2>&1 && "$@"' \
    with_locked_gnome_keyring "$@" 2> >(grep -v "dbus-daemon\|fd limit" >&2)
}

# pass with a throwaway GnuPG home and key (no passphrase): sets GNUPGHOME and PASSWORD_STORE_DIR.
setup_pass() {
  export GNUPGHOME="$TEST_DIR/gnupg" PASSWORD_STORE_DIR="$TEST_DIR/password-store"
  mkdir -p -m 700 "$GNUPGHOME"
  gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key kura-test@example.invalid default default never \
    >/dev/null 2>&1
  command pass init kura-test@example.invalid >/dev/null  # `pass` alone is the assertion helper above
  CLEANUP_GPG=1
}
