#!/usr/bin/env bash
# Quick start, part two: every test. Installs what is missing, then
#  1. release build (GUI included) and all its tests (core, comparison, GUI on the offscreen platform),
#  2. the same core tests under ASan + UBSan with clang -Werror (the asan preset),
#  3. each libFuzzer target for a minute (scripts/fuzz.sh).
# FLOWLADDER_SKIP_ASAN=1 / FLOWLADDER_SKIP_FUZZ=1 skip steps 2 / 3 while iterating.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export QT_QPA_PLATFORM=offscreen

echo "== release build and tests"
./scripts/build.sh release
ctest --preset release -j "$(nproc)"

if [ "${FLOWLADDER_SKIP_ASAN:-0}" != 1 ]; then
  echo "== ASan + UBSan build and tests"
  ./scripts/build.sh asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$(nproc)"
fi

if [ "${FLOWLADDER_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== libFuzzer targets, ${FLOWLADDER_FUZZ_SECONDS:-60} s each (ASan + UBSan)"
  ./scripts/fuzz.sh "${FLOWLADDER_FUZZ_SECONDS:-60}"
fi
