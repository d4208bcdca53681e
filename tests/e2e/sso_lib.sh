# IAM Identity Center on the project's test server: an sso-session "corp" with two accounts, a browser
# stand-in that follows the URL it is given (curl: the authorize redirect lands on kura's loopback listener,
# the device page approves the code) and logs each one, and the endpoint variables that point the AWS CLI,
# botocore and kura at the server. Sourced after lib.sh.

sso_setup() { # [extra JSON members for the server config]
  cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ci", "access_key_id": "AKIAKURATESTCI000001", "secret_access_key": "ci-secret"}],
 "roles": [{"arn": "arn:aws:iam::222222222222:role/deploy", "max_duration": 3600},
           {"arn": "arn:aws:iam::333333333333:role/ci", "max_duration": 3600}],
 "web_identity_tokens": {"eyJ.kura-test-token": {"sub": "system:serviceaccount:ci:runner",
                                                 "aud": "sts.amazonaws.com", "provider": "idp.example.com",
                                                 "roles": ["arn:aws:iam::333333333333:role/ci"]}},
 "sso": {"start_url": "https://kura-test.awsapps.com/start", "user": "kura-user", "access_token_ttl": 3600,
         "refresh": true, "interval": 1, "page_size": 1,
         "accounts": [{"id": "111111111111", "name": "dev", "email": "dev@example.com",
                       "roles": ["Admin", "ReadOnly"]},
                      {"id": "222222222222", "name": "prod", "email": "prod@example.com", "roles": ["Admin"]}]}
 ${1:-}}
JSON
  start_sts_server "$TEST_DIR/sts.json"
  export AWS_ENDPOINT_URL_STS="$STS_URL" AWS_ENDPOINT_URL_SSO="$STS_URL" AWS_ENDPOINT_URL_SSO_OIDC="$STS_URL"
  cat >"$TEST_DIR/browser" <<BROWSER
#!/bin/sh
echo "\$1" >>"$TEST_DIR/browser.log"
curl -s -L -o /dev/null "\$1"
BROWSER
  chmod +x "$TEST_DIR/browser"
  export BROWSER="$TEST_DIR/browser"
  : >"$TEST_DIR/browser.log"
  cat >"$AWS_CONFIG_FILE" <<CFG
[sso-session corp]
sso_start_url = https://kura-test.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1
CFG
  SSO_CACHE="$HOME/.aws/sso/cache/$(printf corp | sha1sum | cut -c1-40).json"
}

browser_opened() { wc -l <"$TEST_DIR/browser.log" | tr -d ' '; }
# COUNT cold `kura export --format json` callers at once, none with a terminal, caller i asking for the
# (i mod n)th PROFILE; caller i's output in $TEST_DIR/out.i. Fails unless every one succeeds.
cold_callers() { # count profile...
  local count=$1 pids=() i
  shift
  local profiles=("$@")
  for i in $(seq 0 $((count - 1))); do
    setsid "$KURA_BIN" export --format json "${profiles[i % ${#profiles[@]}]}" </dev/null \
      >"$TEST_DIR/out.$i" 2>"$TEST_DIR/err.$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || fail "a caller failed: $(cat "$TEST_DIR"/err.* | sort | uniq -c)"; done
}
sso_calls() { # python expression over the /__admin/sso "calls" object, e.g. c["token"]["refresh_token"]
  curl -s "$STS_URL/__admin/sso" | python3 -c "import json,sys; c=json.load(sys.stdin)['calls']; print($1)"
}
