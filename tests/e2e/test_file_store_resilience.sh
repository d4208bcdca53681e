# One unreadable item in the encrypted file store (a corrupt or tampered file) is set aside: list, clear,
# remove and add keep working for every profile, a corrupt cached session is simply renewed, and `kura clear`
# removes what cannot be read. Temporary files a killed writer left behind are removed by the next writer.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ada", "access_key_id": "AKIAKURATESTADA00001", "secret_access_key": "ada-secret"},
           {"name": "bo", "access_key_id": "AKIAKURATESTBO000001", "secret_access_key": "bo-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_BACKEND=file
printf '[profile ada]\nregion = us-east-1\n[profile bo]\nregion = us-east-1\n' >"$AWS_CONFIG_FILE"
AWS_ACCESS_KEY_ID=AKIAKURATESTADA00001 AWS_SECRET_ACCESS_KEY=ada-secret kura add --env ada 2>/dev/null
AWS_ACCESS_KEY_ID=AKIAKURATESTBO000001 AWS_SECRET_ACCESS_KEY=bo-secret kura add --env bo 2>/dev/null
kura export ada >/dev/null
STORE="$XDG_DATA_HOME/kura/file-store"
items() { ls "$STORE" | grep -c '\.item$'; }
assert_eq "$(items)" "3" "two keys and one session"

# Flips a bit in the middle of the newest item (the session just cached); prints its path.
corrupt_newest() {
  local victim
  victim=$(ls -t "$STORE"/*.item | head -1)
  python3 - "$victim" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0x40
open(sys.argv[1], "wb").write(bytes(data))
PY
  echo "$victim"
}
corrupt_newest >/dev/null
id=$(kura exec ada -- sh -c 'echo $AWS_ACCESS_KEY_ID' 2>/dev/null) || fail "a corrupt cached session stops exec"
assert_contains "$id" "ASIA" "a corrupt cached session is renewed (a cache miss)"

victim=$(corrupt_newest)
out=$(kura list 2>&1) || fail "kura list fails with one unreadable item: $out"
assert_contains "$out" "ada" "list still works and shows the profiles"
AWS_ACCESS_KEY_ID=AKIAKURATESTBO000001 AWS_SECRET_ACCESS_KEY=bo-secret kura add --env bo 2>/dev/null ||
  fail "add fails with one unreadable item"
pass "add still works"
kura clear bo >/dev/null 2>&1 || fail "clear PROFILE fails with one unreadable item"
pass "clear PROFILE still works"
out=$(kura clear 2>&1) || fail "clear fails with one unreadable item: $out"
assert_contains "$out" "removed 1 unreadable item(s)" "clear removes the unreadable item"
[ -e "$victim" ] && fail "the unreadable file is still there"
pass "the unreadable file is gone"

# An unreadable long-term key can still be removed.
key_file=$(ls -t "$STORE"/*.item | tail -1)
printf 'garbage' >"$key_file"
out=$(kura list 2>&1) || fail "list fails with an unreadable key: $out"
pass "list survives an unreadable key"
removed=0
for profile in ada bo; do kura remove -f "$profile" >/dev/null 2>&1 && removed=$((removed + 1)); done
assert_eq "$removed" "2" "both profiles' keys are removed, the unreadable one too"
assert_eq "$(items)" "0" "nothing is left in the store"

# A writer killed between writing and renaming leaves a sealed temporary copy; the next writer removes it.
AWS_ACCESS_KEY_ID=AKIAKURATESTADA00001 AWS_SECRET_ACCESS_KEY=ada-secret kura add --env ada 2>/dev/null
printf 'sealed copy of a removed key' >"$STORE/0123456789abcdef0123456789abcdef.item.kura-tmp-42424242"
kura export ada >/dev/null
assert_eq "$(ls "$STORE" | grep -c 'kura-tmp' || true)" "0" "stale temporary files are removed under the store's lock"
