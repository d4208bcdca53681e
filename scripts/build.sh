#!/usr/bin/env bash
# Configures and builds kura, its unit tests and its end-to-end test registrations into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo ${KURA_CMAKE_ARGS:-} >/dev/null
cmake --build build -j "$(nproc)"
