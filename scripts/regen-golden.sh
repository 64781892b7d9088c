#!/bin/sh
# Regenerates tests/golden: the synthetic captures (tests/golden/captures, written by
# tests/golden/make-synthetic.cpp) and every expected output listed by tests/golden/cases.sh
# (flowladder-cli run from the source root with relative paths). Review the result with
# `git diff tests/golden` before committing it: a difference there is a change of behaviour.
#
#   scripts/regen-golden.sh            # uses build/release (configured with the release preset if needed)
#   BUILD_DIR=build/other scripts/regen-golden.sh
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build/release}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake --preset release >/dev/null
fi
cmake --build "$build" -j "${JOBS:-2}" --target flowladder-cli golden_make_synthetic
cli=$(find "$build/app/cli" -maxdepth 1 -name flowladder-cli -type f | head -n 1)
[ -x "$cli" ] || { echo "no flowladder-cli in $build" >&2; exit 1; }
cli=$(cd "$(dirname "$cli")" && pwd)/flowladder-cli

# Synthetic captures.
rm -rf tests/golden/captures
"$build/tests/golden/golden_make_synthetic" tests/golden/captures

# Expected outputs: rebuilt from scratch so that a case that went away goes away here too.
rm -rf tests/golden/analyze tests/golden/compare
count=0
sh tests/golden/cases.sh >"${TMPDIR:-/tmp}/flowladder-golden-cases.$$"
while read -r golden args; do
    mkdir -p "tests/golden/$(dirname "$golden")"
    # shellcheck disable=SC2086 # args are whitespace-separated relative paths and options
    if ! "$cli" $args >"tests/golden/$golden"; then
        echo "flowladder-cli $args failed" >&2
        rm -f "${TMPDIR:-/tmp}/flowladder-golden-cases.$$"
        exit 1
    fi
    count=$((count + 1))
done <"${TMPDIR:-/tmp}/flowladder-golden-cases.$$"
rm -f "${TMPDIR:-/tmp}/flowladder-golden-cases.$$"
# New or removed captures change the list of ctest entries: let CMake see them.
cmake "$build" >/dev/null
echo "regenerated $count golden files in tests/golden ($(du -sh tests/golden | cut -f1)); review: git status tests/golden; git diff tests/golden"
