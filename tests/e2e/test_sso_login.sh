# IAM Identity Center sign-in: PKCE through the loopback redirect, the token cached where the AWS CLI reads
# it (and the AWS CLI's refreshed token read back by kura), silent refresh without a browser, the device code
# flow, and sign-out.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sso_lib.sh"
sso_setup

# PKCE: one browser tab, which lands on kura's listener; the token is cached 0600 in the CLI's place.
out=$(kura sso login dev 2>"$TEST_DIR/login.err") || fail "sso login: $(cat "$TEST_DIR/login.err")"
assert_contains "$out" "Signed in to https://kura-test.awsapps.com/start" "sso login says so"
assert_eq "$(browser_opened)" "1" "one browser tab"
assert_contains "$(head -1 "$TEST_DIR/browser.log")" "/authorize?response_type=code" "the authorize page"
assert_contains "$(head -1 "$TEST_DIR/browser.log")" "code_challenge_method=S256" "with PKCE"
assert_eq "$(sso_calls 'c["token"]["authorization_code"]')" "1" "one authorization_code grant"
[ -f "$SSO_CACHE" ] || fail "no token at $SSO_CACHE"
assert_eq "$(stat -c %a "$SSO_CACHE")" "600" "the token file is 0600"
python3 - "$SSO_CACHE" <<'PY' || fail "the token file is not the AWS CLI's format"
import json, sys, datetime
t = json.load(open(sys.argv[1]))
assert t["startUrl"] == "https://kura-test.awsapps.com/start" and t["region"] == "eu-west-1", t
assert t["accessToken"] and t["refreshToken"] and t["clientId"] and t["clientSecret"], sorted(t)
datetime.datetime.strptime(t["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
datetime.datetime.strptime(t["registrationExpiresAt"], "%Y-%m-%dT%H:%M:%SZ")
PY
pass "the token file has the AWS CLI's fields"

# Role credentials through kura, and the same token through the AWS CLI v1 (botocore's SSO provider).
creds=$(kura export --format json dev) || fail "export dev"
key=$(echo "$creds" | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')
arn=$(eval "$(kura export dev)"; "$AWS_V1" sts get-caller-identity --query Arn --output text)
assert_contains "$arn" "assumed-role/AWSReservedSSO_Admin_" "kura's SSO credentials work"
assert_eq "$(kura export --format json dev | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')" \
  "$key" "the role credentials are cached"
assert_eq "$(sso_calls 'c["get_role_credentials"]')" "1" "one GetRoleCredentials"
arn=$("$AWS_V1" --profile dev sts get-caller-identity --query Arn --output text 2>"$TEST_DIR/cli.err") ||
  fail "AWS CLI v1 with kura's token: $(cat "$TEST_DIR/cli.err")"
assert_contains "$arn" "assumed-role/AWSReservedSSO_Admin_" "the AWS CLI uses the token kura cached"

# Expired access token: kura refreshes it with the refresh token, no browser.
curl -s -X POST "$STS_URL/__admin/sso/expire-access-tokens" >/dev/null
kura clear dev 2>/dev/null
kura export --format json dev >/dev/null 2>"$TEST_DIR/refresh.err" || fail "refresh: $(cat "$TEST_DIR/refresh.err")"
assert_eq "$(browser_opened)" "1" "no browser for a refresh"
assert_eq "$(sso_calls 'c["token"]["refresh_token"]')" "1" "one refresh_token grant"

# The AWS CLI refreshes the token its own way and writes the file; kura reads what it wrote.
curl -s -X POST "$STS_URL/__admin/sso/expire-access-tokens" >/dev/null
python3 - "$SSO_CACHE" <<'PY'
import json, sys, datetime
t = json.load(open(sys.argv[1]))
t["expiresAt"] = (datetime.datetime.utcnow() + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(t, open(sys.argv[1], "w"))
PY
"$AWS_V1" --profile dev sts get-caller-identity --query Arn --output text >/dev/null 2>"$TEST_DIR/cli2.err" ||
  fail "AWS CLI v1 refresh: $(cat "$TEST_DIR/cli2.err")"
assert_eq "$(sso_calls 'c["token"]["refresh_token"]')" "2" "the AWS CLI refreshed the token"
cli_token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessToken"])' "$SSO_CACHE")
kura clear dev 2>/dev/null
kura export --format json dev >/dev/null 2>"$TEST_DIR/read.err" || fail "kura after the CLI: $(cat "$TEST_DIR/read.err")"
assert_eq "$(sso_calls 'c["token"]["refresh_token"]')" "2" "kura used the AWS CLI's token as it was"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessToken"])' "$SSO_CACHE")" \
  "$cli_token" "and left it alone"

# Sign-out: the portal ends the sign-in, the file and the SSO role sessions go.
kura sso logout --sso-session corp 2>"$TEST_DIR/logout.err" || fail "logout: $(cat "$TEST_DIR/logout.err")"
[ ! -e "$SSO_CACHE" ] || fail "the token file survived logout"
assert_eq "$(sso_calls 'c["logout"]')" "1" "one portal Logout"
KURA_SSO_AUTO_LOGIN=0 setsid "$KURA_BIN" export --format json dev </dev/null >/dev/null 2>"$TEST_DIR/no-login.err" &&
  fail "signed out, yet credentials without a sign-in"
assert_contains "$(cat "$TEST_DIR/no-login.err")" "kura sso login --sso-session corp" "says how to sign in"
assert_eq "$(browser_opened)" "1" "KURA_SSO_AUTO_LOGIN=0 opens no browser"

# The device code flow: the browser gets the verification page with the code; kura polls until approved.
out=$(kura sso login --sso-session corp --use-device-code 2>"$TEST_DIR/device.err") ||
  fail "device login: $(cat "$TEST_DIR/device.err")"
assert_contains "$(cat "$TEST_DIR/device.err")" "confirm that the page shows the code" "shows the user code"
assert_contains "$(tail -1 "$TEST_DIR/browser.log")" "/device?user_code=" "the verification page"
assert_eq "$(sso_calls 'c["token_issued"]["device_code"]')" "1" "one device_code token"
assert_eq "$(sso_calls 'c["register"]')" "2" "one client registration per flow, reused after"

# --no-browser prints the URL and opens nothing; the test follows it as a user would.
rm -f "$SSO_CACHE"
opened=$(browser_opened)
kura sso login dev --no-browser 2>"$TEST_DIR/nb.err" >/dev/null &
pid=$!
for _ in $(seq 1 50); do grep -q "/authorize?" "$TEST_DIR/nb.err" && break; sleep 0.1; done
url=$(grep -o 'http[^ ]*/authorize?[^ ]*' "$TEST_DIR/nb.err" | head -1)
[ -n "$url" ] || fail "--no-browser printed no URL: $(cat "$TEST_DIR/nb.err")"
curl -s -L -o /dev/null "$url"
wait "$pid" || fail "--no-browser login: $(cat "$TEST_DIR/nb.err")"
assert_eq "$(browser_opened)" "$opened" "--no-browser opened no browser"
[ -f "$SSO_CACHE" ] && pass "--no-browser signed in" || fail "no token after --no-browser"
assert_eq "$(sso_calls 'c["register"]')" "2" "the second PKCE sign-in reused the first one's registration"
