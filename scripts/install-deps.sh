#!/usr/bin/env bash
# Installs FlowLadder's build, test and tooling dependencies on Debian 12.
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libpcap-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libzstd-dev liblz4-dev liblzma-dev gzip zstd lz4 xz-utils libsqlite3-dev sqlite3
  qt6-base-dev qt6-svg-dev libqcustomplot-dev libgl-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  tshark tcpdump wireshark-common
  xvfb xauth imagemagick poppler-utils
  iproute2 nftables iperf3 python3
  help2man appstream desktop-file-utils bash-completion dpkg-dev file man-db bsdextrautils debootstrap util-linux
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
