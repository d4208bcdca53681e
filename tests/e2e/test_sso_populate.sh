# kura sso populate: a profile per account and role (paged lists), written losslessly into ~/.aws/config;
# a re-run changes nothing; --prune removes only profiles it generated; the profiles work.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sso_lib.sh"
sso_setup
cat >>"$AWS_CONFIG_FILE" <<'CFG'
# my own profile, kept as it is
[profile mine]
region = us-west-2
CFG
kura sso login --sso-session corp >/dev/null 2>&1 || fail "login"

kura sso populate --sso-session corp --dry-run >"$TEST_DIR/dry.out" 2>&1 || fail "dry run: $(cat "$TEST_DIR/dry.out")"
assert_contains "$(cat "$TEST_DIR/dry.out")" "+ dev.ReadOnly" "the dry run lists the new profiles"
assert_not_contains "$(cat "$AWS_CONFIG_FILE")" "dev.ReadOnly" "and writes nothing"

before=$(cat "$AWS_CONFIG_FILE")
kura sso populate --sso-session corp --region eu-central-1 >"$TEST_DIR/pop.out" 2>&1 || fail "populate: $(cat "$TEST_DIR/pop.out")"
for name in dev.Admin dev.ReadOnly prod.Admin; do
  assert_contains "$(cat "$AWS_CONFIG_FILE")" "[profile $name]" "profile $name written"
done
assert_eq "$(sso_calls 'c["list_accounts"]')" "2" "ListAccounts followed both pages"
case "$(cat "$AWS_CONFIG_FILE")" in "$before"*) pass "everything before is kept byte for byte" ;;
  *) fail "the existing config changed" ;; esac
arn=$("$AWS_V1" --profile prod.Admin sts get-caller-identity --query Arn --output text 2>"$TEST_DIR/cli.err") ||
  fail "the AWS CLI with a generated profile: $(cat "$TEST_DIR/cli.err")"
assert_contains "$arn" "222222222222:assumed-role/AWSReservedSSO_Admin_" "a generated profile works in the AWS CLI"
kura exec dev.ReadOnly -- sh -c '"$0" sts get-caller-identity --query Arn --output text' "$AWS_V1" >"$TEST_DIR/exec.out" 2>&1 ||
  fail "kura exec on a generated profile: $(cat "$TEST_DIR/exec.out")"
assert_contains "$(cat "$TEST_DIR/exec.out")" "111111111111:assumed-role/AWSReservedSSO_ReadOnly_" "and in kura exec"

sum=$(sha256sum <"$AWS_CONFIG_FILE")
mtime=$(stat -c %Y.%i "$AWS_CONFIG_FILE")
kura sso populate --sso-session corp --region eu-central-1 >"$TEST_DIR/again.out" 2>&1 || fail "re-run"
assert_eq "$(sha256sum <"$AWS_CONFIG_FILE")" "$sum" "a re-run changes nothing"
assert_eq "$(stat -c %Y.%i "$AWS_CONFIG_FILE")" "$mtime" "not even rewritten"
assert_contains "$(cat "$TEST_DIR/again.out")" "up to date" "and says so"

# A hand-written profile under a generated name is not taken over; --prune for one sso-session leaves
# another session's generated profiles alone.
printf '\n[profile acct-111111111111-Admin]\nregion = ap-south-1\n' >>"$AWS_CONFIG_FILE"
cat >>"$AWS_CONFIG_FILE" <<'CFG'

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = eu-west-1

[profile other.Admin]
sso_session = other
sso_account_id = 444444444444
sso_role_name = Admin
kura_sso_populate = other
CFG
kura sso populate --sso-session corp --template 'acct-{account_id}-{role_name}' --prune >"$TEST_DIR/prune.out" 2>&1 ||
  fail "prune: $(cat "$TEST_DIR/prune.out")"
config=$(cat "$AWS_CONFIG_FILE")
assert_not_contains "$config" "[profile dev.Admin]" "--prune removed the old generated names"
assert_contains "$config" "[profile acct-222222222222-Admin]" "the new names are there"
assert_contains "$config" "[profile mine]" "a profile kura did not write stays"
assert_contains "$config" "[profile other.Admin]" "a profile generated for another sso-session stays"
assert_contains "$(cat "$TEST_DIR/prune.out")" "skipped acct-111111111111-Admin" "a hand-written profile is skipped"
assert_contains "$config" "# my own profile, kept as it is" "comments stay"
