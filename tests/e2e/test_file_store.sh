# The encrypted file store as a user meets it: 0700/0600, no profile names on disk, a wrong passphrase is a
# clear error (never a second store), a tampered file is detected (and set aside), and the unlocked key is kept in the kernel
# keyring so the next run needs no passphrase.
source "$(dirname "$0")/lib.sh"

store="$XDG_DATA_HOME/kura/file-store"
AWS_ACCESS_KEY_ID=AKIAKURATESTGUS00001 AWS_SECRET_ACCESS_KEY=gus-super-secret kura add --env --no-verify client-acme-prod 2>/dev/null

assert_eq "$(stat -c %a "$store")" "700" "the store directory is 0700"
for f in "$store"/*; do assert_eq "$(stat -c %a "$f")" "600" "$(basename "$f") is 0600"; done
if grep -rq "client-acme-prod\|gus-super-secret\|AKIAKURATESTGUS00001" "$store"; then
  fail "a profile name or key is readable in the store"
fi
pass "no profile name or key is readable on disk"
if ls "$store" | grep -q acme; then fail "a file name reveals the profile"; fi
pass "file names reveal nothing"

before=$(sha256sum "$store"/* | sort)
if err=$(KURA_FILE_PASSPHRASE=wrong kura list 2>&1); then fail "a wrong passphrase was accepted"; fi
assert_contains "$err" "kura: error: wrong passphrase for the file store in $store" "wrong passphrase: clear error"
if KURA_FILE_PASSPHRASE=wrong AWS_ACCESS_KEY_ID=AKIAKURATESTGUS00002 AWS_SECRET_ACCESS_KEY=x kura add --env --no-verify y 2>/dev/null; then
  fail "a wrong passphrase created or wrote a store"
fi
assert_eq "$(sha256sum "$store"/* | sort)" "$before" "a wrong passphrase changes nothing"

# Without a terminal and without KURA_FILE_PASSPHRASE: a clear error saying how to provide it.
if err=$(env -u KURA_FILE_PASSPHRASE setsid "$KURA_BIN" list </dev/null 2>&1); then fail "no passphrase source but success"; fi
assert_contains "$err" "no terminal" "no passphrase source: clear error"
assert_contains "$err" "KURA_FILE_PASSPHRASE" "no passphrase source: hint"

# Tampering is detected.
item=$(ls "$store"/*.item | head -1)
python3 - "$item" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 1
open(sys.argv[1], "wb").write(bytes(data))
PY
# The listing goes on without it (one bad file must not hide every profile) and says so; using it fails.
out=$(kura list 2>&1) || fail "one tampered item made kura list fail"
assert_contains "$out" "1 item(s) in the file store cannot be read" "a tampered file is detected by list"
assert_not_contains "$out" "client-acme-prod" "and its profile is not listed as stored"
if err=$(kura export client-acme-prod 2>&1); then fail "a tampered item was accepted"; fi
assert_contains "$err" "failed authentication" "a tampered file is detected when used"

# The kernel keyring keeps the unlocked key: with a TTL, a run in another session of the same user needs no
# passphrase at all. Each run gets its own fresh session keyring (as a new login, ssh or cron job would).
rm -rf "$store"
export KURA_FILE_KEY_TTL=60
AWS_ACCESS_KEY_ID=AKIAKURATESTGUS00001 AWS_SECRET_ACCESS_KEY=s keyctl session - "$KURA_BIN" add --env --no-verify again 2>/dev/null
creds=$(env -u KURA_FILE_PASSPHRASE keyctl session - setsid "$KURA_BIN" list --credentials </dev/null)
assert_eq "$creds" "again" "the unlocked key is reused from the kernel keyring by another session"
description=$(keyctl list @u 2>/dev/null | grep -o 'kura:file-store:[0-9a-f]*' | tail -1 || true)
[ -n "$description" ] || fail "no kura key in the user keyring"
keyctl purge user "$description" >/dev/null 2>&1 || true
