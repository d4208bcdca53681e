# The keystore conformance suite against pass, with a throwaway GnuPG home.
source "$(dirname "$0")/lib.sh"
setup_pass
KURA_CONFORMANCE=pass "$KURA_UNIT_TESTS" --gtest_filter='Backends/Conformance.*pass' >"$TEST_DIR/out" 2>&1 ||
  fail "conformance: $(grep -A4 Failure "$TEST_DIR/out" | head -20)"
assert_contains "$(cat "$TEST_DIR/out")" "[  PASSED  ] 6 tests." "pass passes the conformance suite"
