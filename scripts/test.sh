#!/usr/bin/env bash
# Quick start, part two: every test. Installs what is missing, then
#  1. release build (GUI included) and all its tests (core, comparison, golden outputs, damaged
#     input, GUI on the offscreen platform),
#  2. everything again, GUI included, under ASan + UBSan with clang -Werror (the asan preset),
#  3. style: clang-format drift and clang-tidy findings (scripts/check-style.sh, on step 2's build),
#  4. each libFuzzer target for a minute (scripts/fuzz.sh).
# FLOWLADDER_SKIP_ASAN=1 / FLOWLADDER_SKIP_FUZZ=1 skip steps 2-3 / 4 while iterating.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export QT_QPA_PLATFORM=offscreen

# ctest with its output kept, so the closing line can add up every run.
passed=0
failed=0
run_ctest() {
  local log
  log=$(mktemp)
  local rc=0
  ctest "$@" 2>&1 | tee "$log" || rc=1
  local total bad
  total=$(sed -n 's/.* tests failed out of \([0-9]*\)$/\1/p' "$log" | tail -1)
  bad=$(sed -n 's/.*, \([0-9]*\) tests failed out of .*/\1/p' "$log" | tail -1)
  rm -f "$log"
  passed=$((passed + ${total:-0} - ${bad:-0}))
  failed=$((failed + ${bad:-0}))
  return $rc
}

echo "== release build and tests"
./scripts/build.sh release
run_ctest --preset release -j "$(nproc)" || { echo "tests: $passed passed, $failed failed"; exit 1; }

if [ "${FLOWLADDER_SKIP_ASAN:-0}" != 1 ]; then
  echo "== ASan + UBSan build and tests"
  ./scripts/build.sh asan
  # A sanitizer report exits 86, a status flowladder-cli never uses (0, 1, 2): a test expecting
  # exit 1 from a damaged file cannot pass on a heap overflow. The preset sets the same;
  # tests/hostile's sanitizer_exit_status tests check it.
  ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86 \
    run_ctest --preset asan -j "$(nproc)" || { echo "tests: $passed passed, $failed failed"; exit 1; }
  echo "== style (clang-format, clang-tidy)"
  ./scripts/check-style.sh build/asan || { echo "tests: $passed passed, $((failed + 1)) failed"; exit 1; }
fi

if [ "${FLOWLADDER_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== libFuzzer targets, ${FLOWLADDER_FUZZ_SECONDS:-60} s each (ASan + UBSan)"
  ./scripts/fuzz.sh "${FLOWLADDER_FUZZ_SECONDS:-60}"
fi

echo "tests: $passed passed, $failed failed"
