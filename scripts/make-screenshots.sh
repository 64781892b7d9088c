#!/usr/bin/env bash
# The screenshots of docs/user-guide.md, made from the bundled sample and the committed test
# captures by the desktop program itself (its --screenshot option) in an Xvfb of its own, so the
# guide shows the program as it is. Rerun after a visible change and commit docs/images.
#   scripts/make-screenshots.sh [BUILD_DIR]     (default build/release; needs xvfb and imagemagick)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
gui=$build/app/gui/flowladder
cli=$build/app/cli/flowladder-cli
[ -x "$gui" ] || { echo "make-screenshots: no $gui; run scripts/build.sh release first" >&2; exit 1; }
out=docs/images
mkdir -p "$out"
work=$(mktemp -d)
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
# Settings of their own: no window layout or recent files of the person running this.
export XDG_CONFIG_HOME="$work/config" DISPLAY=$display
shot() { # NAME ARGS... : a 1500x900 screenshot, reduced to a 256-colour PNG for the repository
    local name=$1; shift
    "$gui" --size 1500x900 --screenshot "$work/$name.png" "$@" >/dev/null 2>&1
    convert "$work/$name.png" -resize 1200x -colors 256 "PNG8:$out/$name.png"
    echo "$out/$name.png"
}
sample=resources/sample/incident.pcap
shot ladder "$sample"
shot graph --graph "$sample"
shot dark --dark "$sample"
shot compare resources/sample/incident-client.pcap "$sample"
shot merge --merge tests/data/netns/ring-buffer.server-ring-*
"$cli" scan --no-progress --db "$work/scan.sqlite" resources/sample tests/data/netns >/dev/null 2>&1
shot scan "$work/scan.sqlite"
