# README's main job (scripts/demo.sh) keeps working: it prints the assumed-role identity twice, the second
# time from the cache.
source "$(dirname "$0")/lib.sh"
out=$(bash "$KURA_SOURCE_DIR/scripts/demo.sh" 2>&1) || fail "demo failed: $out"
assert_contains "$out" '"Arn": "arn:aws:sts::123456789012:assumed-role/admin/kura-' "the demo prints the assumed role"
assert_contains "$out" "GetSessionToken with MFA: 7h59m left" "the demo's MFA session is cached"
