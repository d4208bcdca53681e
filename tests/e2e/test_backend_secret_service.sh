# The keystore conformance suite against a real Secret Service (gnome-keyring on a private D-Bus session),
# then `kura exec` with its key kept there.
source "$(dirname "$0")/lib.sh"
export KURA_CONFORMANCE=secret-service
with_gnome_keyring "$KURA_UNIT_TESTS" --gtest_filter='Backends/Conformance.*secret_service' >"$TEST_DIR/out" 2>&1 ||
  fail "conformance: $(tail -30 "$TEST_DIR/out")"
assert_contains "$(cat "$TEST_DIR/out")" "[  PASSED  ] 6 tests." "the Secret Service passes the conformance suite"
