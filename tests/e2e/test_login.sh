# kura login: role credentials are federated with SessionDuration; IAM-user keys go through GetFederationToken
# (no SessionDuration); the login URL is checked field by field; $BROWSER and --browser-profile open it; and a
# headless Chromium follows it to the stand-in console, in the profile's own user-data directory.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "vic", "access_key_id": "AKIAKURATESTVIC00001", "secret_access_key": "vic-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/console", "max_duration": 3600}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_FEDERATION_URL="$STS_URL/federation"
cat >"$AWS_CONFIG_FILE" <<'CFG'
[profile vic]
region = eu-west-1

[profile console]
source_profile = vic
role_arn = arn:aws:iam::123456789012:role/console
region = eu-west-1
CFG
AWS_ACCESS_KEY_ID=AKIAKURATESTVIC00001 AWS_SECRET_ACCESS_KEY=vic-secret kura add --env vic 2>/dev/null
federation() { curl -s "$STS_URL/__admin/federation"; }
field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }

# A role: federated directly, with SessionDuration.
url=$(kura login console --stdout --duration 2h)
python3 - "$url" "$STS_URL" <<'PY' || fail "the login URL, field by field"
import sys, urllib.parse
url, server = sys.argv[1], sys.argv[2]
parts = urllib.parse.urlsplit(url)
assert f"{parts.scheme}://{parts.netloc}{parts.path}" == server + "/federation", parts
query = urllib.parse.parse_qs(parts.query, strict_parsing=True)
assert query["Action"] == ["login"], query
assert query["Issuer"] == ["kura"], query
assert query["Destination"] == ["https://console.aws.amazon.com/console/home?region=eu-west-1"], query
assert len(query["SigninToken"][0]) > 20, query
# every value is percent-encoded: the raw URL holds no second '?' and no unencoded ':' after the path
assert url.count("?") == 1 and ":" not in parts.query, url
PY
pass "the login URL, field by field"
fed=$(federation)
assert_eq "$(field "$fed" kind)" "role" "a role session was federated"
assert_eq "$(field "$fed" SessionDuration)" "7200" "with SessionDuration"
assert_contains "$url" "SigninToken=$(field "$fed" SigninToken)" "the URL carries the token the endpoint issued"
exported=$(kura export --format json console)
assert_contains "$exported" "\"AccessKeyId\":\"$(field "$fed" sessionId)\"" "the Session carried exactly the credentials kura obtained"
assert_eq "$(sts_count GetFederationToken)" "0" "a role does not use GetFederationToken"

# An IAM user: GetFederationToken first, no SessionDuration.
url=$(kura login vic --stdout --path /s3)
fed=$(federation)
assert_eq "$(sts_count GetFederationToken)" "1" "an IAM user's key goes through GetFederationToken"
assert_eq "$(field "$fed" kind)" "federated" "the federation token was federated"
assert_eq "$(field "$fed" SessionDuration)" "" "without SessionDuration"
assert_contains "$url" "Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%3Fregion%3Deu-west-1" "--path lands on the service"

# $BROWSER opens it; --browser-profile gives the profile its own user-data directory.
cat >"$TEST_DIR/browser" <<'SH'
#!/bin/sh
printf '%s\n' "$@" > "$BROWSER_LOG"
SH
chmod +x "$TEST_DIR/browser"
export BROWSER_LOG="$TEST_DIR/browser.log"
BROWSER="$TEST_DIR/browser" kura login console 2>/dev/null
for _ in $(seq 1 50); do [ -s "$BROWSER_LOG" ] && break; sleep 0.1; done
assert_contains "$(cat "$BROWSER_LOG")" "$STS_URL/federation?Action=login" "\$BROWSER gets the login URL"
rm -f "$BROWSER_LOG"
BROWSER="$TEST_DIR/browser" kura login console --browser-profile 2>/dev/null
for _ in $(seq 1 50); do [ -s "$BROWSER_LOG" ] && break; sleep 0.1; done
assert_contains "$(cat "$BROWSER_LOG")" "--user-data-dir=$XDG_DATA_HOME/kura/browser/console" "--browser-profile: a user-data directory per profile"
assert_eq "$(stat -c %a "$XDG_DATA_HOME/kura/browser/console")" "700" "and it is private"

# Headless Chromium follows the URL through the federation endpoint to the (stand-in) console.
if command -v chromium >/dev/null; then
  cat >"$TEST_DIR/chromium-headless" <<SH
#!/bin/sh
exec chromium --headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking \
  --disable-component-update --disable-sync --dump-dom "\$@" > "$TEST_DIR/dom.html" 2>"$TEST_DIR/chromium.log"
SH
  chmod +x "$TEST_DIR/chromium-headless"
  BROWSER="$TEST_DIR/chromium-headless" kura login console --browser-profile --destination "$STS_URL/console/home" 2>/dev/null
  for _ in $(seq 1 300); do grep -q "kura test console" "$TEST_DIR/dom.html" 2>/dev/null && break; sleep 0.1; done
  assert_contains "$(cat "$TEST_DIR/dom.html" 2>/dev/null)" "signed in to the kura test console" "headless Chromium reaches the console"
  [ -e "$XDG_DATA_HOME/kura/browser/console/Local State" ] || fail "Chromium did not use the profile's directory"
  pass "Chromium ran in the profile's own user-data directory"
  assert_eq "$(field "$(federation)" login | grep -c Destination)" "1" "the endpoint saw the login"
else
  fail "chromium is not installed (scripts/install-deps.sh installs it)"
fi
