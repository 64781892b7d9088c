#!/usr/bin/env bash
# The .deb on a clean Debian 12 (issue 16, part 6): debootstrap a minimal bookworm, install the
# package there with apt (which brings its dependencies from the archive), then run what a user
# runs: flowladder-cli analyze on the bundled sample and the desktop program on it (offscreen,
# saving a screenshot). Needs root and Debian's package archive; without either it skips
# (exit 77), since that says nothing about the package.
#   clean-debian.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (debootstrap, chroot)"; exit 77; }
command -v debootstrap >/dev/null || { echo "SKIP: no debootstrap"; exit 77; }
mirror=${FLOWLADDER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/flowladder-clean.XXXXXX)
root="$work/root"
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >/dev/null 2>&1)
deb=$(ls "$work"/deb/flowladder_*_amd64.deb)
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -3 "$work/debootstrap.log"
    echo "SKIP: debootstrap from $mirror failed (no archive?)"
    exit 77
fi
cp "$deb" "$root/tmp/"
mount -t proc proc "$root/proc"
if ! chroot "$root" apt-get update -qq >"$work/apt.log" 2>&1; then
    tail -3 "$work/apt.log"; echo "SKIP: apt-get update failed (no archive?)"; exit 77
fi
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/$(basename "$deb")" >"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log"; echo "FAIL: apt-get install of the .deb"; exit 1; }
echo "ok: $(basename "$deb") installed on a clean bookworm with $(chroot "$root" dpkg -l | grep -c '^ii') packages"
out=$(chroot "$root" flowladder-cli analyze /usr/share/flowladder/sample/incident.pcap)
grep -q "rst_seq_mismatch" <<<"$out" || { echo "$out"; echo "FAIL: flowladder-cli analyze"; exit 1; }
echo "ok: flowladder-cli analyze finds the incident's RST"
chroot "$root" env QT_QPA_PLATFORM=offscreen flowladder --size 1200x800 --screenshot /tmp/shot.png \
    /usr/share/flowladder/sample/incident.pcap >/dev/null 2>&1 || { echo "FAIL: flowladder"; exit 1; }
size=$(stat -c %s "$root/tmp/shot.png")
[ "$size" -gt 50000 ] || { echo "FAIL: screenshot of $size bytes"; exit 1; }
echo "ok: flowladder opened the sample and drew it (screenshot $size bytes)"
