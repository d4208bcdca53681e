#!/usr/bin/env bash
# The static checks CI runs: clang-format (every C++ file must already be formatted) and clang-tidy over src/
# (.clang-tidy: bug-prone patterns and performance traps), from the compile commands of ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
files=$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h')
# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files; then
  echo "lint: run clang-format -i on the files above" >&2
  exit 1
fi
echo "lint: clang-format clean"
sources=$(git ls-files 'src/*.cpp')
# shellcheck disable=SC2086
out=$(run-clang-tidy -quiet -p "$BUILD" -j "$(nproc)" $sources 2>&1 | sed 's/\x1b\[[0-9;]*m//g') || true
if echo "$out" | grep -E "(warning|error):" >&2; then
  echo "lint: clang-tidy found the problems above" >&2
  exit 1
fi
echo "lint: clang-tidy clean"
