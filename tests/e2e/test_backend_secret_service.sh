# The keystore conformance suite against a real Secret Service (gnome-keyring on a private D-Bus session),
# then `kura exec` with its key kept there.
source "$(dirname "$0")/lib.sh"
export KURA_CONFORMANCE=secret-service
with_gnome_keyring "$KURA_UNIT_TESTS" --gtest_filter='Backends/Conformance.*secret_service' >"$TEST_DIR/out" 2>&1 ||
  fail "conformance: $(tail -30 "$TEST_DIR/out")"
assert_contains "$(cat "$TEST_DIR/out")" "[  PASSED  ] 6 tests." "the Secret Service passes the conformance suite"

# A locked keyring that cannot be unlocked here (a later login where nothing unlocked it, and no prompt is
# possible) is a clear error naming the other backends, never "no key".
with_gnome_keyring env AWS_ACCESS_KEY_ID=AKIAKURATESTLOCK0001 AWS_SECRET_ACCESS_KEY=s \
  "$KURA_BIN" --backend secret-service add --env --no-verify locked 2>/dev/null
out=$(with_locked_gnome_keyring bash -c '"$0" --backend secret-service export --no-session locked 2>&1; echo "exit=$?"' \
  "$KURA_BIN")
assert_contains "$out" "exit=1" "a locked keyring fails"
assert_contains "$out" "is locked and could not be unlocked here" "and says so"
assert_contains "$out" "--backend pass, kernel or file" "naming the other backends"
