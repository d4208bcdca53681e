# The Debian package: `cmake --build --target package` makes kura_<version>_<arch>.deb with Depends from what
# the binary links (glibc, not pinned to one release) and Recommends for what it loads; unpacked into a scratch
# root, the packaged binary and its links run, `man -l` renders the page with every command in it, and the
# packaged completions load in bash (and zsh/fish when installed).
source "$(dirname "$0")/lib.sh"
: "${KURA_BUILD_DIR:?KURA_BUILD_DIR must point at the build directory}"

version=$("$KURA_BIN" version)
# cpack into a directory of this test's own, so a concurrent build is not disturbed.
(cd "$TEST_DIR" && cpack --config "$KURA_BUILD_DIR/CPackConfig.cmake" -B "$TEST_DIR/pkg" >/dev/null)
deb=$(ls "$TEST_DIR"/pkg/kura_"$version"_*.deb)
assert_eq "$(basename "$deb")" "kura_${version}_$(dpkg --print-architecture).deb" "the package's file name"

control=$(dpkg-deb -f "$deb")
assert_contains "$control" "Package: kura" "control: the name"
assert_contains "$control" "Version: $version" "control: the one version number"
depends=$(dpkg-deb -f "$deb" Depends)
assert_contains "$depends" "libc6 (>=" "Depends: glibc, as linked"
assert_not_contains "$depends" "<<" "Depends: no upper bound (no glibc-private symbol is used)"
assert_contains "$(dpkg-deb -f "$deb" Recommends)" "libcurl4" "Recommends: libcurl (loaded for STS calls)"
assert_contains "$(dpkg-deb -f "$deb" Recommends)" "libsecret-1-0" "Recommends: libsecret (Secret Service)"

root="$TEST_DIR/root"
dpkg-deb -x "$deb" "$root"
two_builds=$([ -x "$KURA_BUILD_DIR/kura-full" ] && echo usr/libexec/kura/kura-full || true)
for f in usr/bin/kura $two_builds usr/bin/aws-vault usr/bin/aws-mfa usr/share/man/man1/kura.1 \
  usr/share/bash-completion/completions/kura usr/share/bash-completion/completions/aws-vault \
  usr/share/zsh/vendor-completions/_kura usr/share/fish/vendor_completions.d/kura.fish \
  usr/share/doc/kura/README.md usr/share/doc/kura/AWS-VAULT.md; do
  [ -e "$root/$f" ] || fail "the package has no /$f"
done
pass "binary, links, man page, completions and docs in their FHS places"
assert_eq "$("$root/usr/bin/kura" version)" "$version" "the packaged binary runs"
assert_eq "$(readlink "$root/usr/bin/aws-vault")" "kura" "aws-vault is a link to kura"
assert_contains "$("$root/usr/bin/aws-vault" --help)" "usage: aws-vault" "the packaged aws-vault link takes aws-vault's command line"
assert_contains "$("$root/usr/bin/aws-mfa" --help)" "--long-term-suffix" "the packaged aws-mfa link is kura mfa"
# `remove` is not a cache hit's command: the static kura hands it to the packaged libexec/kura/kura-full.
if [ -n "$two_builds" ]; then
  assert_contains "$("$root/usr/bin/kura" remove --help)" "usage: kura remove" \
    "the packaged kura hands a run to the packaged libexec/kura/kura-full"
fi

page=$(MANWIDTH=100 man -l "$root/usr/share/man/man1/kura.1" 2>&1)
for command in exec export use login serve trust each add list remove clear mfa import backends migrate \
  completion shell-hook direnv version; do
  grep -q "^       $command" <<<"$page" || fail "man kura has no entry for '$command'"
done
pass "man -l renders the page, every command in it"
assert_contains "$page" "AWS_ASSUME_ROLE_TTL" "the page has the settings"
assert_contains "$page" "AWS-VAULT" "the page has the aws-vault notes"

out=$(PATH="$root/usr/bin:$PATH" bash --norc -c "
  source '$root/usr/share/bash-completion/completions/kura'
  complete -p kura aws-vault aws-mfa
  COMP_WORDS=(kura exp); COMP_CWORD=1; __kura_complete; echo \"\${COMPREPLY[*]}\"")
assert_contains "$out" "complete -o default -F __kura_complete kura" "bash: the packaged completion registers"
assert_contains "$out" "export" "bash: the packaged completion completes"
if command -v zsh >/dev/null; then
  out=$(PATH="$root/usr/bin:$PATH" zsh -f -c "fpath=('$root/usr/share/zsh/vendor-completions' \$fpath)
    autoload -Uz compinit && compinit -u -d '$TEST_DIR/zcompdump' && print -r -- \${_comps[kura]} \${_comps[aws-vault]}")
  assert_eq "$out" "_kura _kura" "zsh: _kura from the package is the completion of kura and aws-vault"
  # Autoloaded from $fpath, the first TAB must already complete (the file's body is _kura's first run).
  # shellcheck disable=SC2016
  out=$(PATH="$root/usr/bin:$PATH" timeout 60 zsh -f -c '
    zmodload zsh/zpty
    zpty z "zsh -f -i"
    zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
    zpty -w -n z "kura shell-ho"$'\''\t\C-aprint -r -- BUF: \n'\''
    zpty -w z "print DO\"\"NE"
    zpty -r -m z out "*DONE*"
    zpty -d z
    print -r -- "$out"' zsh "$root/usr/share/zsh/vendor-completions" 2>&1 | tr -d '\r')
  assert_contains "$(grep '^BUF:' <<<"$out")" "BUF: kura shell-hook" "zsh: the packaged _kura completes on the first TAB"
else
  echo "skip: zsh is not installed"
fi
if command -v fish >/dev/null; then
  out=$(PATH="$root/usr/bin:$PATH" XDG_DATA_DIRS="$root/usr/share" fish --no-config -c \
    "source '$root/usr/share/fish/vendor_completions.d/kura.fish'; complete -C 'kura shell-h'")
  assert_contains "$out" "shell-hook" "fish: the packaged completion completes"
else
  echo "skip: fish is not installed"
fi
