# The keystore conformance suite against the kernel keyring, in a fresh session keyring (as a new login, ssh
# session or cron job has), where the user keyring is not possessed.
source "$(dirname "$0")/lib.sh"
keyctl session - "$KURA_UNIT_TESTS" --gtest_filter='Backends/Conformance.*kernel' >"$TEST_DIR/out" 2>&1 ||
  fail "conformance: $(grep -A4 Failure "$TEST_DIR/out" | head -20)"
assert_contains "$(cat "$TEST_DIR/out")" "[  PASSED  ] 6 tests." "the kernel keyring passes the conformance suite in a fresh session"
