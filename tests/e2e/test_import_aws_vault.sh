# kura import --from aws-vault: a JWE file store and pass entries made in aws-vault's formats become kura's
# keys (sessions skipped), verified, and usable with kura exec; a wrong passphrase is a clear error. The Secret
# Service item is made as aws-vault makes it (label = profile, secret = the item JSON), in the keyring's login
# collection: creating an `awsvault` collection needs a desktop prompt, so --aws-vault-collection names it.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "oli", "access_key_id": "AKIAKURATESTOLI00001", "secret_access_key": "oli/secret+key=="},
           {"name": "pat", "access_key_id": "AKIAKURATESTPAT00001", "secret_access_key": "pat-secret"},
           {"name": "quinn", "access_key_id": "AKIAKURATESTQUI00001", "secret_access_key": "quinn-secret"}],
 "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
printf '[profile oli]\n[profile pat]\n[profile quinn]\n' >"$AWS_CONFIG_FILE"
make_store() { python3 "$KURA_SOURCE_DIR/tests/tools/make_aws_vault_store.py" "$@"; }

vault="$HOME/.awsvault/keys"
make_store file "$vault" "vault pass" "oli=AKIAKURATESTOLI00001:oli/secret+key==" \
  "session,b2xp,,1795000000=ASIASESSION000000001:s:sessiontoken"

if err=$(AWS_VAULT_FILE_PASSPHRASE=wrong kura import --from aws-vault 2>&1); then fail "a wrong passphrase worked"; fi
assert_contains "$err" "the passphrase is wrong" "wrong aws-vault passphrase: clear error"
dry=$(AWS_VAULT_FILE_PASSPHRASE="vault pass" kura import --from aws-vault --dry-run)
assert_eq "$dry" "would import oli (****0001)" "dry run: the long-term key only, masked"
out=$(AWS_VAULT_FILE_PASSPHRASE="vault pass" kura import --from aws-vault 2>&1)
assert_contains "$out" "imported aws-vault's key for 'oli'" "the file store's key is imported"
assert_contains "$out" "skipped 1 aws-vault item(s)" "the session is skipped"
assert_eq "$(ls "$vault" | wc -l)" "2" "aws-vault's store is left as it was"
arn=$(kura exec oli -- "$AWS_V2" --region us-east-1 --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text)
assert_eq "$arn" "arn:aws:iam::123456789012:user/oli" "the imported key works (secret with / + =)"

# aws-vault's pass backend: the item JSON under its prefix.
setup_pass
make_store json pat AKIAKURATESTPAT00001 pat-secret | command pass insert -m aws-vault/pat >/dev/null
out=$(kura import --from aws-vault --aws-vault-backend pass --aws-vault-prefix aws-vault 2>&1)
assert_contains "$out" "imported aws-vault's key for 'pat'" "pass entries are imported"
arn=$(kura exec pat -- "$AWS_V1" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text)
assert_eq "$arn" "arn:aws:iam::123456789012:user/pat" "the key from pass works"

# aws-vault's Secret Service items.
cat >"$TEST_DIR/ss.sh" <<SCRIPT
set -euo pipefail
python3 "$KURA_SOURCE_DIR/tests/tools/make_aws_vault_store.py" json quinn AKIAKURATESTQUI00001 quinn-secret |
  secret-tool store --label=quinn --collection=/org/freedesktop/secrets/collection/login xdg:schema org.freedesktop.Secret.Generic
"$KURA_BIN" --backend file import --from aws-vault --aws-vault-backend secret-service --aws-vault-collection login 2>&1
"$KURA_BIN" --backend file exec quinn -- "$AWS_V1" --endpoint-url "$STS_URL" sts get-caller-identity --query Arn --output text
SCRIPT
out=$(with_gnome_keyring bash "$TEST_DIR/ss.sh")
assert_contains "$out" "imported aws-vault's key for 'quinn'" "Secret Service items are imported"
assert_contains "$out" "arn:aws:iam::123456789012:user/quinn" "the key from the Secret Service works"
