#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer and UndefinedBehaviorSanitizer (every finding aborts) in
# ./build-asan and runs them: what CI runs beside the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKURA_SANITIZE=ON -DKURA_FUZZ_TESTS=OFF ${KURA_CMAKE_ARGS:-} >/dev/null
cmake --build build-asan -j "$(nproc)" --target kura_unit_tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build-asan/kura_unit_tests --gtest_brief=1
