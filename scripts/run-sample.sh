#!/usr/bin/env bash
# Quick start, part one: installs what is missing, builds, prints the CLI's report on the
# bundled sample incident and opens it in the desktop program.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
sample=resources/sample/incident.pcap
./build/release/app/cli/flowladder-cli analyze "$sample"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-sample: no display; to see the GUI run: xvfb-run -s '-screen 0 1600x1000x24' build/release/app/gui/flowladder $sample" >&2
  exit 0
fi
exec ./build/release/app/gui/flowladder "$sample"
