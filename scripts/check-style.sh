#!/usr/bin/env bash
# Style that runs (issue 11): fails on formatting drift from .clang-format and on any clang-tidy
# finding from the deliberate check list in .clang-tidy.
#   scripts/check-style.sh [BUILD_DIR]   BUILD_DIR holds compile_commands.json (default build/asan,
#                                        a clang build, so clang-tidy sees the flags it compiled with)
# scripts/check-style.sh --fix reformats instead of failing on formatting.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
if [ "${1:-}" = --fix ]; then
  fix=1
  shift
fi
build="${1:-build/asan}"
mapfile -t sources < <(git ls-files '*.cpp' '*.h')

echo "== clang-format (${#sources[@]} files)"
if [ $fix = 1 ]; then
  clang-format -i "${sources[@]}"
elif ! clang-format --dry-run -Werror "${sources[@]}"; then
  echo "check-style: formatting differs from .clang-format; run scripts/check-style.sh --fix" >&2
  exit 1
fi

if [ ! -f "$build/compile_commands.json" ]; then
  echo "check-style: $build/compile_commands.json is missing; build that preset first" >&2
  exit 1
fi
# Every translation unit of the product (tests, benchmarks and fuzz targets follow the same
# format but are not tidied: gtest/benchmark macros trip checks that are not about our code).
mapfile -t units < <(git ls-files 'core/*.cpp' 'ui/*.cpp' 'app/*.cpp')
echo "== clang-tidy (${#units[@]} files, checks from .clang-tidy)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# run-clang-tidy runs one clang-tidy per unit on every core; -quiet keeps only findings.
# (its output is coloured: the escapes are removed before looking for findings).
run-clang-tidy -quiet -p "$build" -j "$(nproc)" "${units[@]/#/$PWD/}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >"$log" || true
if grep -E '(warning|error): .*\[[a-z0-9.,-]+\]$' "$log"; then
  echo "check-style: clang-tidy findings above (checks are listed in .clang-tidy)" >&2
  exit 1
fi
echo "check-style: clean"
