# kura run as `aws-vault` (a link): aws-vault's commands, flags and variables against the test STS server —
# add/list/exec/export/login/remove/clear, the documented direnv line with AWS_ASSUME_ROLE_TTL, the TTL variables
# changing what STS is asked for, AWS_VAULT in the child and nesting refused, the endpoint flags, and the AWS
# CLI using what it gets.
source "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/sts.json" <<JSON
{"users": [{"name": "ann", "access_key_id": "AKIAKURATESTANN00001", "secret_access_key": "ann-secret"}],
 "roles": [{"arn": "arn:aws:iam::123456789012:role/dev", "max_duration": 43200}]}
JSON
start_sts_server "$TEST_DIR/sts.json"
export AWS_ENDPOINT_URL_STS="$STS_URL" KURA_FEDERATION_URL="$STS_URL/federation"
printf '[profile ann]\nregion = eu-west-1\n\n[profile dev]\nsource_profile = ann\nrole_arn = arn:aws:iam::123456789012:role/dev\n' \
  >"$AWS_CONFIG_FILE"
mkdir -p "$TEST_DIR/bin"
ln -s "$KURA_BIN" "$TEST_DIR/bin/aws-vault"
export PATH="$TEST_DIR/bin:$PATH"
unset AWS_VAULT AWS_ASSUME_ROLE_TTL AWS_SESSION_TOKEN_TTL AWS_CHAINED_SESSION_TOKEN_TTL AWS_MIN_TTL || true

# Seconds from now until an ISO 8601 time.
seconds_until() { echo $(($(date -u -d "$1" +%s) - $(date -u +%s))); }
# The value of NAME in `env`-style output.
value_of() { sed -n "s/^$1=//p" <<<"$2" | head -1; }

# add: the key is stored; --add-config (aws-vault's default) adds a section only where there is none.
before=$(cat "$AWS_CONFIG_FILE")
AWS_ACCESS_KEY_ID=AKIAKURATESTANN00001 AWS_SECRET_ACCESS_KEY=ann-secret aws-vault add --env ann
assert_eq "$(cat "$AWS_CONFIG_FILE")" "$before" "add leaves an existing section alone"
AWS_ACCESS_KEY_ID=AKIAKURATESTANN00001 AWS_SECRET_ACCESS_KEY=ann-secret aws-vault add --env spare
assert_contains "$(cat "$AWS_CONFIG_FILE")" "[profile spare]" "add --add-config (the default) adds the profile"
AWS_ACCESS_KEY_ID=AKIAKURATESTANN00001 AWS_SECRET_ACCESS_KEY=ann-secret aws-vault add --env --no-add-config other
assert_not_contains "$(cat "$AWS_CONFIG_FILE")" "[profile other]" "--no-add-config adds nothing"

profiles=$(aws-vault list --profiles)
assert_contains "$profiles" "ann" "list --profiles"
assert_contains "$profiles" "dev" "list --profiles has the role"
assert_contains "$(aws-vault ls --credentials)" "spare" "ls --credentials"

# exec: the child gets the credentials and AWS_VAULT; the default role duration is 1h.
env_out=$(aws-vault exec dev -- env)
assert_eq "$(value_of AWS_VAULT "$env_out")" "dev" "AWS_VAULT names the profile in the child"
assert_eq "$(value_of AWS_REGION "$env_out")" "us-east-1" "the region: the profile sets none"
left=$(seconds_until "$(value_of AWS_CREDENTIAL_EXPIRATION "$env_out")")
[ "$left" -gt 3000 ] && [ "$left" -le 3600 ] || fail "the default AssumeRole lasts 1h (left: $left s)"
pass "AssumeRole for 1h by default"

# Nesting is refused, as aws-vault does.
if err=$(aws-vault exec dev -- aws-vault exec dev -- true 2>&1); then fail "nested exec was allowed"; fi
assert_contains "$err" "in an existing aws-vault subshell" "nesting is refused"
if err=$(AWS_VAULT=dev aws-vault export dev 2>&1); then fail "export inside a subshell was allowed"; fi
assert_contains "$err" "unset AWS_VAULT to force" "export refuses it too"

# The direnv line from the issue, word for word: AWS_ASSUME_ROLE_TTL changes the AssumeRole duration.
aws-vault clear >/dev/null
(
  profile=dev
  export AWS_ASSUME_ROLE_TTL=20m
  # shellcheck disable=SC2046
  export $(aws-vault exec $profile -- env | grep AWS_ | grep -v AWS_VAULT)
  [ -z "${AWS_VAULT:-}" ] || fail "AWS_VAULT was exported"
  left=$(seconds_until "$AWS_CREDENTIAL_EXPIRATION")
  [ "$left" -gt 900 ] && [ "$left" -le 1200 ] || fail "AWS_ASSUME_ROLE_TTL=20m gave $left s"
  pass "AWS_ASSUME_ROLE_TTL=20m is what AssumeRole asked for"
  arn=$(env -u AWS_PROFILE aws sts get-caller-identity --endpoint-url "$STS_URL" --query Arn --output text)
  assert_contains "$arn" "assumed-role/dev" "the AWS CLI uses the exported credentials"
)

# AWS_SESSION_TOKEN_TTL: GetSessionToken for a user profile.
left=$(seconds_until "$(value_of AWS_CREDENTIAL_EXPIRATION "$(AWS_SESSION_TOKEN_TTL=30m aws-vault exec ann -- env)")")
[ "$left" -gt 1500 ] && [ "$left" -le 1800 ] || fail "AWS_SESSION_TOKEN_TTL=30m gave $left s"
pass "AWS_SESSION_TOKEN_TTL=30m is what GetSessionToken asked for"
# -d wins over the variables.
aws-vault clear ann >/dev/null
left=$(seconds_until "$(value_of AWS_CREDENTIAL_EXPIRATION "$(AWS_SESSION_TOKEN_TTL=30m aws-vault exec -d 2h ann -- env)")")
[ "$left" -gt 7000 ] && [ "$left" -le 7200 ] || fail "-d 2h gave $left s"
pass "-d wins over AWS_SESSION_TOKEN_TTL"
if err=$(AWS_ASSUME_ROLE_TTL=soon aws-vault exec dev -- true 2>&1); then fail "a bad TTL was accepted"; fi
assert_contains "$err" "AWS_ASSUME_ROLE_TTL: 'soon' is not a duration" "a bad TTL names its variable"

# export, in aws-vault's formats.
dotenv=$(aws-vault export --format=env dev)
assert_contains "$dotenv" $'\nAWS_SECRET_ACCESS_KEY=' "env: NAME=value lines"
assert_not_contains "$dotenv" "export " "env: no export (aws-vault's env)"
assert_contains "$(aws-vault export --format=export-env dev)" "export AWS_ACCESS_KEY_ID=" "export-env"
json=$(aws-vault export --format=json dev)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["Version"]==1 and d["AccessKeyId"].startswith("ASIA")' \
  "$json" || fail "export --format=json is credential_process JSON"
pass "export --format=json"
assert_contains "$(aws-vault export --format=ini dev)" "[dev]" "export --format=ini"
json=$(aws-vault exec -j dev)
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$json" || fail "exec -j prints JSON"
pass "exec -j"

# The endpoints: -s (ECS) and --ec2-server (IMDS on loopback), used by the AWS CLI.
arn=$(aws-vault exec -s dev -- aws sts get-caller-identity --endpoint-url "$STS_URL" --query Arn --output text)
assert_contains "$arn" "assumed-role/dev" "exec -s: the ECS endpoint"
arn=$(env -u AWS_EC2_METADATA_DISABLED aws-vault exec --ec2-server dev -- \
  aws sts get-caller-identity --endpoint-url "$STS_URL" --query Arn --output text)
assert_contains "$arn" "assumed-role/dev" "exec --ec2-server: the IMDS endpoint"

# login: -s prints the URL; -a wraps it in the console's logout.
url=$(aws-vault login -s dev)
assert_contains "$url" "Action=login" "login -s prints the sign-in URL"
url=$(aws-vault login -s -a dev)
assert_contains "$url" "/oauth?Action=logout&redirect_uri=" "login -a signs out first"
assert_contains "$(AWS_VAULT_STDOUT=1 aws-vault login dev)" "Action=login" "AWS_VAULT_STDOUT=1 is login -s"

# Global flags and variables: keyctl is the kernel keyring; --keychain is accepted with a note.
assert_contains "$(aws-vault --keychain login.keychain list --profiles 2>&1)" "ignored here" "--keychain: a note"
if err=$(AWS_VAULT_BACKEND=keychain aws-vault list 2>&1); then fail "an unknown backend was accepted"; fi
assert_contains "$err" "AWS_VAULT_BACKEND" "AWS_VAULT_BACKEND is read (and named)"

# remove -s: only the sessions; remove -f: the key.
assert_contains "$(aws-vault list)" "AssumeRole" "a role session is cached"
aws-vault remove -s dev 2>/dev/null
assert_not_contains "$(aws-vault list --sessions)" "dev" "remove -s drops the profile's sessions"
aws-vault rm -f spare 2>/dev/null
assert_not_contains "$(aws-vault ls --credentials)" "spare" "rm -f removes the key"

# Misspelt commands are named, not "a subcommand is required".
if err=$(aws-vault exce dev 2>&1); then fail "a misspelt command ran"; fi
assert_contains "$err" "did you mean 'exec'?" "did you mean"
