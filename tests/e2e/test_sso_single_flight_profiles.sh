# 15 cold callers of three profiles of one sso-session at once, none with a terminal, while the sign-in takes
# longer than KURA_LOCK_TIMEOUT: each profile's role session is its own, so the callers meet at the session's
# token (its lock, then the file read again) — one browser tab and one token for all three profiles, and
# waiters that wait for the sign-in rather than give up after the lock timeout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sso_lib.sh"
sso_setup
cat >>"$AWS_CONFIG_FILE" <<'CFG'

[profile dev-ro]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly

[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Admin
CFG
# A user who takes three seconds in the browser.
cat >"$TEST_DIR/browser" <<BROWSER
#!/bin/sh
echo "\$1" >>"$TEST_DIR/browser.log"
sleep 3
curl -s -L -o /dev/null "\$1"
BROWSER
export KURA_LOCK_TIMEOUT=1s

profiles=(dev dev-ro prod)
cold_callers 15 "${profiles[@]}"
assert_eq "$(browser_opened)" "1" "one browser tab for three profiles"
assert_eq "$(sso_calls 'c["authorize"]')" "1" "one authorization"
assert_eq "$(sso_calls 'sum(c["token_issued"].values())')" "1" "one token issued"
assert_eq "$(sso_calls 'c["token"]["refresh_token"]')" "0" "and no refresh"
assert_eq "$(sso_calls 'c["get_role_credentials"]')" "3" "one GetRoleCredentials per profile"
for p in 0 1 2; do
  keys=$(for i in $(seq "$p" 3 14); do cat "$TEST_DIR/out.$i"; done |
    python3 -c 'import json,sys; print(len({json.loads(l)["AccessKeyId"] for l in sys.stdin}))')
  assert_eq "$keys" "1" "the callers of ${profiles[p]} got the same credentials"
done
