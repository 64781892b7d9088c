#!/bin/sh
# One golden test: runs flowladder-cli from the source root with the case's arguments and
# compares its standard output with the committed tests/golden/GOLDEN_FILE; on a difference
# prints it (diff -u, expected first) and fails. A non-zero exit status fails too.
#   check.sh CLI SOURCE_DIR GOLDEN_FILE CLI_ARGUMENTS...
# After an intended change of behaviour: scripts/regen-golden.sh, then review `git diff tests/golden`.
set -u
cli=$1 src=$2 golden=$3
shift 3
cd "$src" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowladder-golden-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
"$cli" "$@" >"$tmp/actual" 2>"$tmp/stderr"
status=$?
if [ "$status" -ne 0 ]; then
    echo "flowladder-cli $* exited with status $status:"
    cat "$tmp/stderr"
    exit 1
fi
if [ ! -f "tests/golden/$golden" ]; then
    echo "missing tests/golden/$golden (run scripts/regen-golden.sh and review the result)"
    exit 1
fi
if ! diff -u --label "tests/golden/$golden (expected)" --label "flowladder-cli $* (actual)" \
    "tests/golden/$golden" "$tmp/actual"; then
    echo "golden mismatch: tests/golden/$golden; if the change is intended, run scripts/regen-golden.sh and review git diff"
    exit 1
fi
exit 0
