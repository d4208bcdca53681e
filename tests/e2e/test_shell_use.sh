# `kura use` through the shell hook in real interactive shells (bash, zsh, fish): the credentials, AWS_VAULT
# and KURA_* land in the shell and work for the AWS CLI; prompts before the renewal time start no process; when
# it comes, the prompt hook renews in place (one more AssumeRole); `kura use -` takes everything away; without
# the hook `kura use` names shell-hook; `kura exec` inside a used shell runs, `kura use` inside `kura exec` is
# refused. And direnv's `use kura PROFILE`.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ann", "access_key_id": "AKIAKURATESTANN00001", "secret_access_key": "ann-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/dev", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
printf '[profile ann]\nregion = eu-west-1\n\n[profile dev]\nsource_profile = ann\nrole_arn = arn:aws:iam::123456789012:role/dev\n' \
  >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTANN00001 AWS_SECRET_ACCESS_KEY=ann-secret kura add --env ann 2>/dev/null
unset AWS_VAULT KURA_USE_PROFILE KURA_USE_REFRESH_AT KURA_USE_REFRESH_UPTIME || true
# A 15-minute session is due for renewal 2 s after it is issued (kura waits at least 5 s).
export KURA_SESSION_REFRESH=898s
# Every kura the shells start goes through this logger: its lines are the processes started.
mkdir -p "$TEST_DIR/bin"
printf '#!/bin/sh\necho "$*" >>"%s/kura.log"\nexec "%s" "$@"\n' "$TEST_DIR" "$KURA_BIN" >"$TEST_DIR/bin/kura"
chmod +x "$TEST_DIR/bin/kura"
export PATH="$TEST_DIR/bin:$PATH" T="$TEST_DIR" STS_URL

value_of() { sed -n "s/^$1=//p" "$2" | head -1; } # NAME env-file
lines() { wc -l <"$1" | tr -d ' '; }
assume_roles() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('AssumeRole', 0))" "$1"; }
# The hook renewed once when it was due, and not before: a new key, one more AssumeRole, one more process.
check_renewal() { # shell: reads $T/SHELL.{1,2,due}, stats SHELL.s{1,2}, kura.log copies SHELL.log{1,2}
  [ "$(cat "$T/$1.due")" -le 5 ] || fail "$1: the 15m session is due in $(cat "$T/$1.due") s, not 5"
  assert_eq "$(value_of AWS_VAULT "$T/$1.1")" "dev" "$1: kura use sets AWS_VAULT"
  assert_eq "$(value_of KURA_USE_PROFILE "$T/$1.1")" "dev" "$1: and KURA_USE_PROFILE"
  [ "$(value_of AWS_ACCESS_KEY_ID "$T/$1.2")" != "$(value_of AWS_ACCESS_KEY_ID "$T/$1.1")" ] ||
    fail "$1: the key was not renewed"
  pass "$1: the hook renewed the key when it was due"
  assert_eq "$(($(assume_roles "$T/$1.s2") - $(assume_roles "$T/$1.s1")))" "1" "$1: with one AssumeRole"
  assert_eq "$(($(lines "$T/$1.log2") - $(lines "$T/$1.log1")))" "1" "$1: and one kura process"
  assert_eq "$(tail -1 "$T/$1.log2")" "use --shell $1 dev" "$1: \`kura use dev\` again"
}

session_failed() { fail "$1: the session failed ($2): $(tail -c 2000 "$T/$1.out")"; } # shell status

# bash: `bash -i` runs PROMPT_COMMAND before reading each line.
timeout 60 bash --norc --noprofile -i >"$T/bash.out" 2>&1 <<'SH' || session_failed bash $?
eval "$(kura shell-hook bash)"
kura use ann
env >"$T/bash.ann"; cp "$T/kura.log" "$T/bash.log0"
aws sts get-caller-identity --endpoint-url "$STS_URL" --query Arn --output text >"$T/bash.arn"
true
cp "$T/kura.log" "$T/bash.logA"
kura clear dev >/dev/null; kura use --duration 15m dev
env >"$T/bash.1"; curl -s "$STS_URL/__admin/stats" >"$T/bash.s1"; cp "$T/kura.log" "$T/bash.log1"
due=$((KURA_USE_REFRESH_AT - $(date +%s))); echo $due >"$T/bash.due"; [ $due -gt 10 ] || sleep $((due + 1))
env >"$T/bash.2"; curl -s "$STS_URL/__admin/stats" >"$T/bash.s2"; cp "$T/kura.log" "$T/bash.log2"
true
curl -s "$STS_URL/__admin/stats" >"$T/bash.s3"
kura exec dev -- env >"$T/bash.exec" 2>&1; echo "exec status $?" >>"$T/bash.exec"
kura use -
env >"$T/bash.unset"
SH
assert_eq "$(value_of AWS_VAULT "$T/bash.ann")" "ann" "bash: kura use ann sets AWS_VAULT"
assert_eq "$(value_of KURA_PROFILE "$T/bash.ann")" "ann" "bash: and KURA_PROFILE"
assert_eq "$(value_of AWS_REGION "$T/bash.ann")" "eu-west-1" "bash: and the region"
assert_contains "$(value_of AWS_SESSION_TOKEN "$T/bash.ann")" "KURATEST" "bash: and a session token"
left=$(($(value_of KURA_USE_REFRESH_AT "$T/bash.ann") - $(date +%s)))
[ "$left" -gt 2000 ] && [ "$left" -le 2702 ] || fail "bash: a 1h session is due in 1h - 898 s, not $left s"
pass "bash: KURA_USE_REFRESH_AT is expiry minus KURA_SESSION_REFRESH"
assert_eq "$(cat "$T/bash.arn")" "arn:aws:iam::123456789012:user/ann" "bash: the AWS CLI uses them"
assert_eq "$(lines "$T/bash.logA")" "$(lines "$T/bash.log0")" "bash: prompts before the renewal start no kura"
check_renewal bash
left=$(($(value_of KURA_USE_REFRESH_AT "$T/bash.2") - $(date +%s)))
[ "$left" -gt 1000 ] || fail "bash: the renewed session is due again in $left s"
assert_eq "$(assume_roles "$T/bash.s3")" "$(assume_roles "$T/bash.s2")" "bash: then no renewal at the next prompt"
assert_contains "$(cat "$T/bash.exec")" "exec status 0" "bash: kura exec runs inside the used shell"
assert_contains "$(cat "$T/bash.exec")" "KURA_PROFILE=dev" "bash: with the profile's credentials"
for name in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_VAULT KURA_PROFILE KURA_USE_PROFILE \
  KURA_USE_REFRESH_AT AWS_REGION; do
  assert_eq "$(value_of "$name" "$T/bash.unset")" "" "bash: kura use - unsets $name"
done

if err=$(kura use ann 2>&1); then fail "kura use without the hook succeeded"; fi
assert_contains "$err" "shell-hook" "without the hook, kura use names shell-hook"
if err=$(kura exec ann -- bash --norc -c 'eval "$(kura shell-hook bash)"; kura use ann' 2>&1); then
  fail "kura use inside kura exec succeeded"
fi
assert_contains "$err" "already inside \`kura exec\` for profile 'ann'" "kura use inside kura exec is refused"

# zsh: precmd through add-zsh-hook, the clock is EPOCHSECONDS.
if command -v zsh >/dev/null; then
  timeout 60 zsh -f -i >"$T/zsh.out" 2>&1 <<'SH' || session_failed zsh $?
eval "$(kura shell-hook zsh)"
kura clear dev >/dev/null; kura use --duration 15m dev
env >"$T/zsh.1"; curl -s "$STS_URL/__admin/stats" >"$T/zsh.s1"; cp "$T/kura.log" "$T/zsh.log1"
due=$((KURA_USE_REFRESH_AT - EPOCHSECONDS)); echo $due >"$T/zsh.due"; (( due > 10 )) || sleep $((due + 1))
env >"$T/zsh.2"; curl -s "$STS_URL/__admin/stats" >"$T/zsh.s2"; cp "$T/kura.log" "$T/zsh.log2"
SH
  check_renewal zsh
else
  echo "skip: zsh is not installed: the zsh hook is not tested"
fi

# fish: the fish_prompt event fires only in an interactive fish on a terminal: script(1) gives it one.
if command -v fish >/dev/null; then
  cat >"$T/fish.in" <<'FISH'
kura shell-hook fish | source
kura clear dev >/dev/null; kura use --duration 15m dev
env >$T/fish.1; curl -s $STS_URL/__admin/stats >$T/fish.s1; cp $T/kura.log $T/fish.log1
set due (math $KURA_USE_REFRESH_UPTIME - (cut -d. -f1 /proc/uptime)); echo $due >$T/fish.due
test $due -gt 10; or sleep (math $due + 1)
env >$T/fish.2; curl -s $STS_URL/__admin/stats >$T/fish.s2; cp $T/kura.log $T/fish.log2
kura exec dev -- fish --no-config
kura shell-hook fish | source; set -gx KURA_USE_REFRESH_UPTIME 1
true
exit
cp $T/kura.log $T/fish.log3
kura use -; echo "status $status" >$T/fish.unset; env >>$T/fish.unset
exit
FISH
  timeout 60 script -qfec "fish --no-config" /dev/null <"$T/fish.in" >"$T/fish.out" 2>&1 ||
    session_failed fish $?
  check_renewal fish
  # A fish under `kura exec` inherits no KURA_USE_PROFILE: even past the renewal time its hook starts no kura.
  assert_eq "$(tail -n +$(($(lines "$T/fish.log2") + 1)) "$T/fish.log3" | grep -c '^use ')" "0" \
    "fish: a fish under kura exec does not renew"
  assert_contains "$(cat "$T/fish.unset")" "status 0" "fish: kura use - succeeds"
  assert_eq "$(value_of AWS_VAULT "$T/fish.unset")$(value_of AWS_SESSION_TOKEN "$T/fish.unset")" "" "fish: and unsets"
else
  echo "skip: fish is not installed: the fish hook is not tested"
fi

# direnv: `kura direnv` in direnv's lib folder, `use kura ann` in an .envrc.
if command -v direnv >/dev/null; then
  export XDG_CONFIG_HOME="$HOME/.config"
  mkdir -p "$XDG_CONFIG_HOME/direnv/lib" "$TEST_DIR/project"
  kura direnv >"$XDG_CONFIG_HOME/direnv/lib/kura.sh"
  echo 'use kura ann' >"$TEST_DIR/project/.envrc"
  direnv allow "$TEST_DIR/project"
  (cd / && timeout 60 direnv exec "$TEST_DIR/project" env >"$T/direnv.env" 2>"$T/direnv.err") ||
    fail "direnv exec failed: $(cat "$T/direnv.err")"
  assert_eq "$(value_of AWS_VAULT "$T/direnv.env")" "ann" "direnv: use kura ann sets AWS_VAULT"
  assert_contains "$(value_of AWS_ACCESS_KEY_ID "$T/direnv.env")" "ASIA" "direnv: and the session's key"
  assert_contains "$(value_of AWS_SESSION_TOKEN "$T/direnv.env")" "KURATEST" "direnv: and its token"
else
  echo "skip: direnv is not installed: \`kura direnv\` is not tested"
fi
