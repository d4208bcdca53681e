# Completion in the real shells: bash's function driven through COMP_WORDS, zsh's through real TABs on a pty
# (zpty), fish's through `complete -C`. Commands, flags, profile names, flag values, the command after `--`,
# under the names kura, aws-vault and aws-mfa; and the profile names of a 10,000-profile config, quickly.
source "$(dirname "$0")/lib.sh"

printf '[profile alpha]\nregion = eu-west-1\n\n[profile beta]\n\n[profile prod-admin]\nsource_profile = alpha
role_arn = arn:aws:iam::123456789012:role/admin\n' >"$AWS_CONFIG_FILE"
mkdir -p "$TEST_DIR/bin"
for name in kura aws-vault aws-mfa; do ln -s "$KURA_BIN" "$TEST_DIR/bin/$name"; done
export PATH="$TEST_DIR/bin:$PATH"
unset AWS_VAULT || true

assert_line() { if grep -qxF -- "$2" <<<"$1"; then pass "$3"; else fail "$3: no line '$2' in: ${1//$'\n'/ }"; fi; }
assert_no_line() { if grep -qxF -- "$2" <<<"$1"; then fail "$3: did not expect '$2' in: ${1//$'\n'/ }"; else pass "$3"; fi; }

# COMPREPLY of the bash completion function for a command line whose last word is the one being completed
# (words split as bash splits them: `--format=j` is `--format`, `=`, `j`).
bash_complete() {
  timeout 60 bash --norc --noprofile -c 'eval "$(kura completion bash)" || exit 1
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); __kura_complete; printf "%s\n" "${COMPREPLY[@]}"' \
    bash-complete "$@" || fail "bash completion failed for: $*"
}

registered=$(bash --norc -c 'eval "$(kura completion bash)"; complete -p kura aws-vault aws-mfa' 2>&1 || true)
assert_contains "$registered" "-F __kura_complete aws-mfa" "bash: the function is registered for the three names"

out=$(bash_complete kura e)
assert_line "$out" exec "bash: kura e<TAB> offers exec"
assert_line "$out" export "bash: and export"
assert_no_line "$out" list "bash: and not list"
out=$(bash_complete kura exec --)
assert_line "$out" --duration "bash: kura exec --<TAB> offers exec's flags"
assert_line "$out" --region "bash: and the global ones"
assert_no_line "$out" alpha "bash: and no profile"
assert_eq "$(bash_complete kura exec '' | tr '\n' ' ')" "alpha beta prod-admin " "bash: profile names from the config"
assert_eq "$(bash_complete kura exec --duration 1h pr)" "prod-admin" "bash: a flag's value is skipped"
assert_eq "$(bash_complete kura export --format = j)" "json" "bash: --format=j<TAB> completes the value"
assert_line "$(bash_complete kura export --format =)" "json" "bash: --format=<TAB> (bash's current word is '=')"
assert_line "$(bash_complete kura export --format '')" "ini" "bash: --format <TAB> lists the formats"
assert_line "$(bash_complete kura export --format = json '')" "beta" "bash: after --format=json comes a profile"
assert_eq "$(bash_complete kura exec --format = '')" "" "bash: no value for a flag the command lacks"
out=$(bash_complete kura exec --backend '')
assert_line "$out" secret-service "bash: --backend values"
assert_line "$out" kernel "bash: --backend values include kernel"
assert_line "$(bash_complete kura exec alpha -- printen)" printenv "bash: after -- come commands"
assert_line "$(bash_complete kura completion '')" fish "bash: the shells of \`completion\`"
out=$(bash_complete aws-vault pro)
assert_line "$out" proxy "bash: aws-vault pro<TAB> offers aws-vault's proxy"
assert_eq "$(bash_complete kura pro)" "" "bash: which kura has not"
assert_line "$(bash_complete aws-vault exec --)" --keychain "bash: aws-vault's own flags"
assert_line "$(bash_complete aws-vault exec al)" alpha "bash: aws-vault exec al<TAB> offers a profile"
out=$(bash_complete aws-mfa --pro)
assert_line "$out" --profile "bash: aws-mfa --pro<TAB> offers the mfa command's --profile"
assert_line "$(bash_complete aws-mfa --)" --device "bash: and its --device"
assert_line "$(bash_complete aws-mfa --profile b)" beta "bash: aws-mfa --profile b<TAB> offers a profile"

# zsh: real TABs in an interactive zsh on a pseudo-terminal; after each, the line is printed (`BUF: ...`).
if command -v zsh >/dev/null; then
  # shellcheck disable=SC2016
  zsh_out=$(timeout 60 zsh -f -c '
    zmodload zsh/zpty
    zpty z "zsh -f -i"
    zpty -w z "autoload -Uz compinit; compinit -u -D; eval \"\$(kura completion zsh)\" && print LOAD\"\"ED"
    zpty -w z "print -r -- COMPS: \$_comps[kura] \$_comps[aws-vault] \$_comps[aws-mfa]"
    for line in "kura exp" "kura exec pr" "kura export --format=js" "kura exec alpha -- printen" \
        "aws-vault exec al" "aws-mfa --prof" "aws-mfa --profile be"; do
      zpty -w -n z "$line"$'\''\t\C-aprint -r -- BUF: \n'\''
    done
    zpty -w z "print DO\"\"NE"
    zpty -r -m z out "*DONE*"
    zpty -d z
    print -r -- "$out"' 2>&1 | tr -d '\r')
  assert_line "$zsh_out" "LOADED" "zsh: the script loads"
  assert_eq "$(grep -c '^(eval)\|^zsh:' <<<"$zsh_out")" "0" "zsh: without errors"
  assert_line "$(grep '^COMPS:' <<<"$zsh_out")" "COMPS: _kura _kura _kura" \
    "zsh: compdef registers the function for kura, aws-vault and aws-mfa"
  buffers=$(grep '^BUF:' <<<"$zsh_out" || true)
  assert_line "$buffers" "BUF: kura export" "zsh: kura exp<TAB> completes the command"
  assert_line "$buffers" "BUF: kura exec prod-admin" "zsh: a profile name"
  assert_line "$buffers" "BUF: kura export --format=json" "zsh: --format=js<TAB> completes the value"
  assert_line "$buffers" "BUF: kura exec alpha -- printenv" "zsh: after -- come commands"
  assert_line "$buffers" "BUF: aws-vault exec alpha" "zsh: aws-vault exec al<TAB>"
  assert_line "$buffers" "BUF: aws-mfa --profile" "zsh: aws-mfa --prof<TAB>"
  assert_line "$buffers" "BUF: aws-mfa --profile beta" "zsh: aws-mfa --profile be<TAB>"
else
  echo "skip: zsh is not installed: zsh completion not tested"
fi

# fish: `complete -C` runs the registered completions as a TAB would.
if command -v fish >/dev/null; then
  fish_complete() { timeout 60 fish --no-config -c 'kura completion fish | source; or exit 1
    complete -C $argv[1]' "$1" | cut -f1 || fail "fish completion failed for: $1"; }
  out=$(fish_complete "kura ex")
  assert_line "$out" exec "fish: kura ex<TAB> offers exec"
  assert_line "$out" export "fish: and export"
  assert_no_line "$out" list "fish: and not list"
  assert_eq "$(fish_complete "kura exec " | tr '\n' ' ')" "alpha beta prod-admin " "fish: profile names"
  assert_line "$(fish_complete "kura exec --")" --no-session "fish: exec's flags"
  assert_line "$(fish_complete "kura export --format=j")" --format=json "fish: --format=j<TAB>"
  assert_line "$(fish_complete "kura exec --backend ")" pass "fish: --backend values"
  assert_line "$(fish_complete "kura exec alpha -- printen")" printenv "fish: after -- come commands"
  assert_line "$(fish_complete "aws-vault pro")" proxy "fish: aws-vault's commands"
  assert_line "$(fish_complete "aws-mfa --pro")" --profile "fish: aws-mfa's flags"
else
  echo "skip: fish is not installed: fish completion not tested"
fi

# 10,000 profiles (bench/make_config.py, the small config in the middle): names, and well under the bound.
python3 "$KURA_SOURCE_DIR/bench/make_config.py" 10000 "$AWS_CONFIG_FILE" >"$TEST_DIR/big.config"
export AWS_CONFIG_FILE="$TEST_DIR/big.config"
started=$(date +%s%N)
all=$(bash_complete kura exec '')
some=$(bash_complete kura exec acct-0999)
mine=$(bash_complete kura exec pr)
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
assert_eq "$(wc -l <<<"$all")" "10003" "10,000 profiles: every name is offered"
assert_eq "$(wc -l <<<"$some")" "10" "10,000 profiles: acct-0999<TAB> offers ten"
assert_line "$some" acct-09995-admin "10,000 profiles: the names are right"
assert_eq "$mine" "prod-admin" "10,000 profiles: a profile in the middle"
[ "$elapsed_ms" -lt 6000 ] || fail "10,000 profiles: three completions took $elapsed_ms ms (bound: 3 x 2 s)"
pass "10,000 profiles: three completions in $elapsed_ms ms"
