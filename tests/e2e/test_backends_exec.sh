# kura exec with each backend; automatic choice (Secret Service when a bus answers, else the file store) is
# said once and recorded; sessions can live in the kernel keyring; migrate copies, verifies, then deletes.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "nia", "access_key_id": "AKIAKURATESTNIA00001", "secret_access_key": "nia-secret"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
printf '[profile nia]\nregion = us-east-1\n' >"$AWS_CONFIG_FILE"
identity() { kura exec "$@" nia -- "$AWS_V1" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text; }
add_nia() { AWS_ACCESS_KEY_ID=AKIAKURATESTNIA00001 AWS_SECRET_ACCESS_KEY=nia-secret kura "$@" add --env nia; }

# No session bus here: the automatic choice is the file store, said once and recorded.
unset DBUS_SESSION_BUS_ADDRESS
out=$(add_nia 2>&1)
assert_contains "$out" "using the file backend for keys" "no bus: the file store is chosen and said"
assert_eq "$(cat "$HOME/.config/kura/backend")" "file" "the choice is recorded"
assert_eq "$(identity)" "arn:aws:iam::123456789012:user/nia" "exec with the file store"
out=$(add_nia 2>&1)
assert_not_contains "$out" "using the" "said once only"

# Sessions in the kernel keyring, keys in the file store.
kura clear >/dev/null 2>&1
kura --session-backend kernel export --format json nia >/dev/null
assert_contains "$(KURA_SESSION_BACKEND=kernel kura list --sessions)" "GetSessionToken" "the session is listed from the kernel keyring"
assert_eq "$(kura list --sessions)" "" "and is not in the file store"
assert_contains "$(keyctl show @u)" "kura:item:session:" "it is a key in the user keyring"
KURA_SESSION_BACKEND=kernel kura clear >/dev/null 2>&1

# The kernel keyring as the only backend.
add_nia --backend kernel 2>/dev/null
assert_eq "$(identity --backend kernel)" "arn:aws:iam::123456789012:user/nia" "exec with the kernel keyring"
kura --backend kernel remove -f nia >/dev/null 2>&1

# pass.
setup_pass
add_nia --backend pass 2>/dev/null
[ -f "$PASSWORD_STORE_DIR/kura/master%3Anian.gpg" ] || [ -f "$PASSWORD_STORE_DIR/kura/master%3Ania.gpg" ] ||
  fail "no pass entry for the key"
assert_eq "$(identity --backend pass)" "arn:aws:iam::123456789012:user/nia" "exec with pass"
kura --backend pass remove -f nia >/dev/null 2>&1

# migrate: file -> pass, verified, source deleted; the record follows.
kura migrate --from file --to pass --dry-run | grep -q "would copy master:nia" || fail "dry run lists the key"
out=$(kura migrate --from file --to pass --delete-source 2>&1)
assert_contains "$out" "(each read back and compared), then deleted them from file" "migrate verifies, then deletes"
assert_contains "$out" "kura now uses pass for keys" "the record follows the keys"
assert_eq "$(KURA_BACKEND=file kura list --credentials)" "" "the file store no longer has the key"
assert_eq "$(identity)" "arn:aws:iam::123456789012:user/nia" "exec finds the migrated key in pass"

# A Secret Service on a private bus: a fresh user gets it chosen automatically.
cat >"$TEST_DIR/with-keyring.sh" <<SCRIPT
set -euo pipefail
export HOME="$TEST_DIR/home2" XDG_DATA_HOME="$TEST_DIR/home2/.local/share" XDG_CONFIG_HOME="$TEST_DIR/home2/.config"
mkdir -p "\$HOME"
AWS_ACCESS_KEY_ID=AKIAKURATESTNIA00001 AWS_SECRET_ACCESS_KEY=nia-secret "$KURA_BIN" add --env nia 2>&1
cat "\$XDG_CONFIG_HOME/kura/backend"
"$KURA_BIN" exec nia -- "$AWS_V1" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text
"$KURA_BIN" backends
SCRIPT
out=$(with_gnome_keyring bash "$TEST_DIR/with-keyring.sh")
assert_contains "$out" "using the secret-service backend for keys" "a bus with a Secret Service: it is chosen"
assert_contains "$out" "arn:aws:iam::123456789012:user/nia" "exec with the Secret Service"
assert_contains "$out" "secret-service  yes" "kura backends sees it"
