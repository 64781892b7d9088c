#!/bin/sh
# Writes the man page of a FlowLadder program from its own --help and --version (help2man), so
# the page says what the program does. With --subcommands (flowladder-cli) each subcommand its
# --help lists gets a section of its own, from that subcommand's --help.
#   make-man.sh PROGRAM OUT.1 "one-line description" [--subcommands]
set -eu
prog=$1 out=$2 name=$3
shift 3
if [ "${1:-}" = --subcommands ]; then
    set -- $("$prog" --help | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
fi
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
{
    if [ $# -gt 0 ]; then
        echo "[COMMANDS]"
        for sub in "$@"; do
            echo ".SS $sub"
            echo ".nf"
            # troff: a backslash is written twice, a line may not start with a dot or quote
            "$prog" "$sub" --help | sed -e 's/\\/\\\\/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
            echo ".fi"
        done
    fi
    echo "[FILES]"
    echo "CAPTURE.flowladder.json: the notes made on CAPTURE in the desktop program (CAPTURE.merged-N.flowladder.json for N files read as one)."
    echo "[SEE ALSO]"
    echo ".BR flowladder (1),"
    echo ".BR flowladder-cli (1),"
    echo ".BR tshark (1),"
    echo ".BR tcpdump (8)"
} >"$inc"
help2man --no-info --no-discard-stderr --section=1 --name="$name" --include="$inc" --output="$out" "$prog"
