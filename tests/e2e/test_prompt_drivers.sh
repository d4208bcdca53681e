# MFA prompt drivers, with stand-in zenity/kdialog/osascript/ykman on PATH that record their arguments and
# print the current code; mfa_process from the profile; the automatic choice without a terminal; and the clear
# error when nothing can ask.
source "$(dirname "$0")/lib.sh"

SEED=JBSWY3DPEHPK3PXPKURADRIVERSSEED2
cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "rae", "access_key_id": "AKIAKURATESTRAE00001", "secret_access_key": "rae-secret",
            "mfa_serial": "arn:aws:iam::123456789012:mfa/rae", "mfa_seed": "$SEED"}], "roles": []}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL"
AWS_ACCESS_KEY_ID=AKIAKURATESTRAE00001 AWS_SECRET_ACCESS_KEY=rae-secret kura add --env rae 2>/dev/null

# Stand-ins: record argv, print the current code. STS accepts a code once; the test server forgets used codes
# between cases (/__admin/forget-codes) so every case can use the current one.
mkdir -p "$TEST_DIR/bin"
for tool in zenity kdialog osascript ykman; do
  cat >"$TEST_DIR/bin/$tool" <<TOOL
#!/bin/sh
printf '%s\n' "\$*" >> "$TEST_DIR/$tool.args"
oathtool --totp -b $SEED
TOOL
  chmod +x "$TEST_DIR/bin/$tool"
done
export PATH="$TEST_DIR/bin:$PATH"
printf '[profile rae]\nmfa_serial = arn:aws:iam::123456789012:mfa/rae\n' >"$AWS_CONFIG_FILE"
fresh() { kura clear >/dev/null 2>&1; curl -s -X POST "$STS_URL/__admin/forget-codes" >/dev/null; }

for tool in zenity kdialog osascript; do
  fresh
  setsid "$KURA_BIN" export --format json --prompt "$tool" rae </dev/null >/dev/null || fail "--prompt $tool failed"
  assert_contains "$(cat "$TEST_DIR/$tool.args")" "Enter MFA code for arn:aws:iam::123456789012:mfa/rae" "--prompt $tool asks with the serial"
done
fresh
KURA_YKMAN_OATH_CREDENTIAL_NAME="AWS:rae" setsid "$KURA_BIN" export --format json --prompt ykman rae </dev/null >/dev/null
assert_eq "$(cat "$TEST_DIR/ykman.args")" "oath accounts code --single AWS:rae" "ykman is asked for the named account"

# No terminal: the first GUI driver found (zenity) is used when a display is set.
fresh
rm -f "$TEST_DIR/zenity.args"
DISPLAY=:99 setsid "$KURA_BIN" export --format json rae </dev/null >/dev/null || fail "automatic GUI choice failed"
[ -s "$TEST_DIR/zenity.args" ] || fail "zenity was not used without a terminal"
pass "without a terminal, a GUI driver is chosen"

# Nothing can ask: a clear error saying how to provide the code.
fresh
if err=$(env -u DISPLAY PATH=/usr/bin:/bin setsid "$KURA_BIN" export --format json rae </dev/null 2>&1); then
  fail "succeeded with no way to ask"
fi
assert_contains "$err" "no terminal and no GUI prompt" "nothing can ask: clear error"
assert_contains "$err" "--mfa-token" "and how to give the code"

# mfa_process in the profile: its trimmed stdout is the code; a wrong shape is refused before STS.
fresh
printf '[profile rae]\nmfa_serial = arn:aws:iam::123456789012:mfa/rae\nmfa_process = echo "  $(oathtool --totp -b %s)  "\n' "$SEED" >"$AWS_CONFIG_FILE"
before=$(sts_count GetSessionToken)
setsid "$KURA_BIN" export --format json rae </dev/null >/dev/null || fail "mfa_process failed"
assert_eq "$(sts_count GetSessionToken)" "$((before + 1))" "mfa_process gives the code"
fresh
printf '[profile rae]\nmfa_serial = arn:aws:iam::123456789012:mfa/rae\nmfa_process = echo not-a-code\n' >"$AWS_CONFIG_FILE"
if err=$(setsid "$KURA_BIN" export --format json rae </dev/null 2>&1); then fail "a bad mfa_process output was used"; fi
assert_contains "$err" "mfa_process: an MFA code is six digits" "a bad mfa_process output is refused"
