#!/usr/bin/env bash
# Installs the build like a desktop program and checks what lands (issue 16, part 6):
# `cmake --install` into a staging root, AppStream metadata and desktop file validated, man
# pages that document every subcommand, bash completion that completes real options; then
# `cpack -G DEB`, the package's contents and dependencies, and its flowladder-cli run on the
# sample from the unpacked package.
#   check-package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. cmake --install
DESTDIR="$work/stage" cmake --install "$build" --prefix /usr >/dev/null
root="$work/stage/usr"
for f in bin/flowladder bin/flowladder-cli bin/flowladder-render \
         share/applications/io.github.flowladder.FlowLadder.desktop \
         share/metainfo/io.github.flowladder.FlowLadder.metainfo.xml \
         share/icons/hicolor/scalable/apps/flowladder.svg \
         share/man/man1/flowladder.1 share/man/man1/flowladder-cli.1 \
         share/bash-completion/completions/flowladder-cli \
         share/flowladder/sample/incident.pcap share/flowladder/wireshark/flowladder.lua \
         share/doc/flowladder/user-guide.md share/doc/flowladder/images/ladder.png; do
    [ -f "$root/$f" ] || fail "not installed: $f"
done
echo "ok: every file installed"

# 2. desktop integration
appstreamcli validate --no-net "$root/share/metainfo/io.github.flowladder.FlowLadder.metainfo.xml" \
    || fail "appstreamcli validate"
desktop-file-validate "$root/share/applications/io.github.flowladder.FlowLadder.desktop" \
    || fail "desktop-file-validate"
grep -q '^MimeType=.*application/vnd.tcpdump.pcap;' "$root/share/applications/io.github.flowladder.FlowLadder.desktop" \
    || fail "desktop file does not claim pcap"
echo "ok: AppStream and desktop file valid"

# 3. man pages: rendered, every subcommand and its options documented, versions right
man_text() { MANWIDTH=120 man -l "$1" 2>/dev/null | col -b; }
cli_man=$(man_text "$root/share/man/man1/flowladder-cli.1")
for word in analyze compare render scan watch --shard --db --json --annotations --write-flows "$("$build/app/cli/flowladder-cli" --version)"; do
    grep -qF -- "$word" <<<"$cli_man" || fail "flowladder-cli(1) lacks '$word'"
done
gui_man=$(man_text "$root/share/man/man1/flowladder.1")
for word in --merge --screenshot --dark "flowladder 0"; do
    grep -qF -- "$word" <<<"$gui_man" || fail "flowladder(1) lacks '$word'"
done
echo "ok: man pages document the subcommands and options"

# 4. bash completion, with bash-completion's helpers loaded as an interactive shell has them
complete_words() { # the words offered for the command line "$*" (cursor at its end)
    bash -c '
        source /usr/share/bash-completion/bash_completion
        source "$1"; shift
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<<"$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _flowladder_cli flowladder-cli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$root/share/bash-completion/completions/flowladder-cli" "$@"
}
[ "$(complete_words flowladder-cli sc)" = scan ] || fail "completion of 'sc': $(complete_words flowladder-cli sc)"
[ "$(complete_words flowladder-cli scan --sh)" = --shard ] || fail "completion of 'scan --sh'"
complete_words flowladder-cli analyze --j | grep -qx -- --json || fail "completion of 'analyze --j'"
echo "ok: bash completion offers subcommands and their options"

# 5. the .deb
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >/dev/null 2>&1) || fail "cpack -G DEB"
deb=$(ls "$work"/deb/flowladder_*_amd64.deb)
contents=$(dpkg-deb -c "$deb")
grep -q '\./usr/bin/flowladder-cli$' <<<"$contents" || fail ".deb lacks /usr/bin/flowladder-cli"
grep -q 'share/metainfo/io.github.flowladder.FlowLadder.metainfo.xml' <<<"$contents" || fail ".deb lacks metainfo"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libpcap0.8 libqt6widgets6 libsqlite3-0 libzstd1; do
    grep -q "$lib" <<<"$depends" || fail ".deb Depends lacks $lib: $depends"
done
dpkg-deb -x "$deb" "$work/unpacked"
out=$("$work/unpacked/usr/bin/flowladder-cli" analyze "$work/unpacked/usr/share/flowladder/sample/incident.pcap")
grep -q "rst_seq_mismatch" <<<"$out" || fail "the packaged flowladder-cli did not find the incident's RST"
echo "ok: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) installs the programs, which run"
