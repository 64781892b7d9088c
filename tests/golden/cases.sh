#!/bin/sh
# The golden cases, one per line: GOLDEN_FILE CLI_ARGUMENTS... (paths relative to the source
# root, where the CLI runs). Used by tests/golden/CMakeLists.txt (one ctest entry per line) and
# scripts/regen-golden.sh, so the two never disagree. Run from the source root.
#   analyze: every committed netns capture, the bundled sample, the synthetic captures here;
#   compare: the sample client/server pair and every netns <case>.client/.server pair.
set -eu
analyze() { # GOLDEN_STEM CAPTURE
    echo "analyze/$1.json analyze --json $2"
    echo "analyze/$1.txt analyze $2"
}
compare() { # GOLDEN_STEM CAPTURE_A CAPTURE_B
    echo "compare/$1.json compare --json $2 $3"
    echo "compare/$1.txt compare $2 $3"
}
for f in tests/data/netns/*.pcap; do
    case "$f" in *-ring-*) continue ;; esac # the ring buffer's files are read together (below)
    analyze "netns/$(basename "$f" .pcap)" "$f"
done
# A ring buffer (tcpdump -G 3 -z gzip): its files merged by time into one capture.
analyze netns/ring-buffer.server-ring "$(echo tests/data/netns/ring-buffer.server-ring-*)"
for f in resources/sample/*.pcap; do
    analyze "sample/$(basename "$f" .pcap)" "$f"
done
for f in tests/golden/captures/*; do
    case "$f" in *.pcap | *.pcapng) analyze "synthetic/$(basename "$f")" "$f" ;; esac
done
compare sample/incident resources/sample/incident-client.pcap resources/sample/incident.pcap
for a in tests/data/netns/*.client.pcap; do
    b="${a%.client.pcap}.server.pcap"
    [ -e "$b" ] && compare "netns/$(basename "$a" .client.pcap)" "$a" "$b"
done
exit 0
