#!/usr/bin/env bash
# FlowLadder benchmark: the single entry point. See docs/benchmarks.md.
#
#   sudo bench/run.sh [--recapture] [--runs N] [--only-capture] [--rev REV] [--keep-page-reporting]
#
# --rev REV measures a committed revision (exported with `git archive` into the work
# dir and built there) instead of the working tree.
# --keep-page-reporting leaves the virtual machine's free page reporting as it is while
# measuring (by default it is switched off for the measurement and restored after: see
# "Free page reporting" below and docs/benchmarks.md).
#
# 1. Builds the CLI and the bench programs (Release, build-bench/) when needed.
# 2. Captures, once, into $FLOWLADDER_BENCH_DIR (default /tmp/flowladder-bench):
#      bulk.pcap   >= 2,000,000 packets of real iperf3 TCP traffic between two network namespaces
#      streams.pcap >= 3,800,000 packets of 64 parallel iperf3 streams with MSS 536, interleaved
#      conns.pcap  50,000 short TCP connections (handshake, request, response, FIN close)
#      refused.pcap 500,000 connection attempts to closed ports (SYN, the kernel's RST/ACK)
#    All headers only (snaplen 96), offloads off, checked for kernel drops.
# 3. Times on each capture (file in page cache first): the bare libpcap loop, FlowLadder's own reader alone,
#    core::analyzeFile alone, `flowladder-cli analyze --json`, and tcptrace -n (a classic
#    TCP analyser, for scale); median wall time of N runs and peak RSS; prints a Markdown
#    table (also saved in the work dir).
#
# Environment: FLOWLADDER_BENCH_DIR, FLOWLADDER_BENCH_BUILD (build dir),
#   FLOWLADDER_BENCH_BULK_PACKETS (2200000), FLOWLADDER_BENCH_STREAM_PACKETS (3800000),
#   FLOWLADDER_BENCH_CONNS (50000), FLOWLADDER_BENCH_REFUSED (500000), FLOWLADDER_BENCH_RUNS (5),
#   FLOWLADDER_BENCH_JOBS (2).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${FLOWLADDER_BENCH_DIR:-/tmp/flowladder-bench}
BUILD=${FLOWLADDER_BENCH_BUILD:-$REPO/build-bench}
BULK_PACKETS=${FLOWLADDER_BENCH_BULK_PACKETS:-2200000}
STREAM_PACKETS=${FLOWLADDER_BENCH_STREAM_PACKETS:-3800000}
CONNS=${FLOWLADDER_BENCH_CONNS:-50000}
REFUSED=${FLOWLADDER_BENCH_REFUSED:-500000}
RUNS=${FLOWLADDER_BENCH_RUNS:-5}
JOBS=${FLOWLADDER_BENCH_JOBS:-2}
RECAPTURE=0
ONLY_CAPTURE=0
REVISION=""
KEEP_REPORTING=0
while [ $# -gt 0 ]; do
    case $1 in
    --recapture) RECAPTURE=1 ;;
    --only-capture) ONLY_CAPTURE=1 ;;
    --runs) RUNS=$2; shift ;;
    --rev) REVISION=$2; shift ;;
    --keep-page-reporting) KEEP_REPORTING=1 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[bench] $*" >&2; }
die() { echo "[bench] error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, tcpdump); run with sudo"
mkdir -p "$WORK"

# ---------------------------------------------------------------- dependencies
need_pkgs=()
command -v iperf3 >/dev/null || need_pkgs+=(iperf3)
command -v tcpdump >/dev/null || need_pkgs+=(tcpdump)
command -v ip >/dev/null || need_pkgs+=(iproute2)
command -v cmake >/dev/null || need_pkgs+=(cmake)
command -v ethtool >/dev/null || need_pkgs+=(ethtool) # to turn offloads off (optional)
command -v tcptrace >/dev/null || need_pkgs+=(tcptrace) # for scale (optional)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    if command -v apt-get >/dev/null; then
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1 ||
            log "apt-get install failed for some of: ${need_pkgs[*]}"
    fi
fi
for c in iperf3 tcpdump ip cmake; do command -v $c >/dev/null || die "$c is missing"; done

# ---------------------------------------------------------------- build
SRC=$REPO
if [ -n "$REVISION" ]; then
    sha=$(git -C "$REPO" rev-parse --short "$REVISION^{commit}") || die "unknown revision $REVISION"
    SRC=$WORK/src-$sha
    BUILD=${FLOWLADDER_BENCH_BUILD:-$WORK/build-$sha}
    if [ ! -d "$SRC" ]; then
        mkdir -p "$SRC.tmp"
        git -C "$REPO" archive "$sha" | tar -x -C "$SRC.tmp"
        # bench/ of the working tree, so an old revision is measured the same way.
        rm -rf "$SRC.tmp/bench" && cp -r "$REPO/bench" "$SRC.tmp/bench"
        mv "$SRC.tmp" "$SRC"
    fi
fi
BARE=$BUILD/bench/flowladder-bench-bare-loop
CORE=$BUILD/bench/flowladder-bench-analyze
CONNTOOL=$BUILD/bench/flowladder-bench-conns
RUNNER=$BUILD/bench/flowladder-bench-run
CLI=$BUILD/app/cli/flowladder-cli
GUI=$BUILD/app/gui/flowladder
# The desktop program too when Qt 6 is installed (scripts/install-deps.sh), for its open time.
WITH_GUI=OFF
[ -d /usr/lib/x86_64-linux-gnu/cmake/Qt6Widgets ] || [ -d /usr/lib/cmake/Qt6Widgets ] && WITH_GUI=ON
if [ ! -f "$BUILD/CMakeCache.txt" ] || ! grep -q "^FLOWLADDER_GUI:BOOL=$WITH_GUI\$" "$BUILD/CMakeCache.txt"; then
    gen=(); [ -f "$BUILD/CMakeCache.txt" ] || ! command -v ninja >/dev/null || gen=(-G Ninja)
    log "configuring $BUILD (Release, GUI $WITH_GUI)"
    cmake -S "$SRC" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DFLOWLADDER_GUI=$WITH_GUI -DFLOWLADDER_TESTS=OFF -DFLOWLADDER_BENCH=ON >/dev/null
fi
gui_target=(); [ $WITH_GUI = ON ] && gui_target=(flowladder)
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt" || log "warning: $BUILD is not a Release build"
log "building (-j$JOBS)"
cmake --build "$BUILD" -j "$JOBS" --target flowladder-cli flowladder-bench-bare-loop \
    flowladder-bench-analyze flowladder-bench-conns flowladder-bench-run "${gui_target[@]}" >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log" >&2; die "build failed (log: $WORK/build.log)"; }

# ---------------------------------------------------------------- namespaces
# Two namespaces joined by a veth pair; addresses exist only inside them.
NS_S=fl-bn-s$$ NS_C=fl-bn-c$$
VETH_S=fl-bn-vs$$ VETH_C=fl-bn-vc$$
ADDR_S=10.88.0.1 ADDR_C=10.88.0.2
cleanup() {
    # Only this script's own background jobs (tcpdump, iperf3, the connection tool).
    local p
    for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
    for p in $(jobs -p); do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns del "$NS_C" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

OFFLOAD_NOTE=""
ns_up() {
    cleanup
    ip netns add "$NS_S"
    ip netns add "$NS_C"
    ip link add "$VETH_S" netns "$NS_S" type veth peer name "$VETH_C" netns "$NS_C"
    ip -n "$NS_S" addr add $ADDR_S/24 dev "$VETH_S"
    ip -n "$NS_C" addr add $ADDR_C/24 dev "$VETH_C"
    for ns in "$NS_S" "$NS_C"; do
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    done
    ip -n "$NS_S" link set "$VETH_S" up
    ip -n "$NS_C" link set "$VETH_C" up
    ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
    if command -v ethtool >/dev/null; then
        ip netns exec "$NS_S" ethtool -K "$VETH_S" tso off gso off gro off >/dev/null 2>&1 || true
        ip netns exec "$NS_C" ethtool -K "$VETH_C" tso off gso off gro off >/dev/null 2>&1 || true
        OFFLOAD_NOTE="ethtool -K tso/gso/gro off on both veth ends"
        MSS_OPT=()
    else
        OFFLOAD_NOTE="no ethtool: iperf3 -M 536"
        MSS_OPT=(-M 536)
    fi
}

# Starts tcpdump in the server namespace, headers only, and waits until it listens.
# Sets TCPDUMP_PID; its stderr goes to $1.err.
start_tcpdump() { # out.pcap filter [extra args...]
    local out=$1 filter=$2; shift 2
    rm -f "$out" "$out.err"
    ip netns exec "$NS_S" tcpdump -i "$VETH_S" -s 96 -B 262144 -n -Z root -w "$out" "$@" "$filter" 2>"$out.err" &
    TCPDUMP_PID=$!
    for _ in $(seq 100); do grep -q 'listening on' "$out.err" 2>/dev/null && return 0; sleep 0.1; done
    die "tcpdump did not start: $(cat "$out.err")"
}
tcpdump_dropped() { sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$1.err" | tail -1; }

# iperf3 captures: bulk.pcap (one stream) and streams.pcap (64 parallel streams, MSS 536: the
# records of 64 connections interleave, the shape that defeats grouping by arrival order).
capture_iperf() { # name packets streams [mss]
    local name=$1 packets=$2 streams=$3 mss=${4:-}
    local out=$WORK/$name.pcap tmp=$WORK/$name.pcap.tmp rate attempt=0 dropped
    local extra=(-P "$streams")
    if [ -n "$mss" ]; then extra+=(-M "$mss"); else extra+=("${MSS_OPT[@]}"); fi
    # Unlimited first; when the kernel drops packets, rate-limit iperf3 and try again
    # (iperf3's -b is per stream: the total is shared out).
    for rate in 0 2G 1G 500M 250M; do
        attempt=$((attempt + 1))
        ns_up
        local per=0
        [ "$rate" != 0 ] && per=$(($(numfmt --from=si "$rate") / streams))
        log "$name capture, attempt $attempt: $packets packets, iperf3 ${extra[*]} -b $per ($OFFLOAD_NOTE)"
        ip netns exec "$NS_S" iperf3 -s -B $ADDR_S -1 >/dev/null 2>&1 &
        local srv=$!
        sleep 0.5
        start_tcpdump "$tmp" tcp -c "$packets"
        ip netns exec "$NS_C" iperf3 -c $ADDR_S -t 300 -b "$per" "${extra[@]}" >"$WORK/iperf3-$name.log" 2>&1 &
        local cli=$!
        wait "$TCPDUMP_PID" || true
        kill "$cli" "$srv" 2>/dev/null || true
        wait "$cli" "$srv" 2>/dev/null || true
        dropped=$(tcpdump_dropped "$tmp")
        log "tcpdump: $(grep -E 'captured|received|dropped' "$tmp.err" | tr '\n' ' ')"
        if [ "${dropped:-1}" = 0 ]; then
            mv "$tmp" "$out"
            { echo "packets=$packets"; echo "iperf3=${extra[*]} -b $per"; echo "offloads=$OFFLOAD_NOTE"
              echo "tcpdump=$(tr '\n' ' ' <"$tmp.err")"; echo "date=$(date -u +%FT%TZ)"; } >"$out.meta"
            return 0
        fi
        log "kernel dropped $dropped packets: retrying with a lower rate"
    done
    die "$name capture dropped packets even at 250 Mbit/s"
}

capture_conns() {
    local out=$WORK/conns.pcap tmp=$WORK/conns.pcap.tmp dropped attempt
    for attempt in 1 2 3; do
        ns_up
        local threads=$((attempt == 1 ? 4 : 1))
        log "short-connection capture, attempt $attempt: $CONNS connections, $threads client threads"
        start_tcpdump "$tmp" "tcp port 8080"
        ip netns exec "$NS_S" "$CONNTOOL" server $ADDR_S 8080 "$CONNS" 4 >"$WORK/conns-server.log" 2>&1 &
        local srv=$!
        for _ in $(seq 100); do grep -q listening "$WORK/conns-server.log" && break; sleep 0.1; done
        ip netns exec "$NS_C" "$CONNTOOL" client $ADDR_S 8080 "$CONNS" "$threads" >"$WORK/conns-client.log" 2>&1 || true
        wait "$srv" || true
        log "client: $(cat "$WORK/conns-client.log") server: $(tail -1 "$WORK/conns-server.log")"
        sleep 1 # last ACKs
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" || true
        dropped=$(tcpdump_dropped "$tmp")
        log "tcpdump: $(grep -E 'captured|received|dropped' "$tmp.err" | tr '\n' ' ')"
        if [ "${dropped:-1}" = 0 ] && grep -q "connections=$CONNS failed=0" "$WORK/conns-client.log"; then
            mv "$tmp" "$out"
            { echo "connections=$CONNS"; echo "client=$(cat "$WORK/conns-client.log")"; echo "offloads=$OFFLOAD_NOTE"
              echo "tcpdump=$(tr '\n' ' ' <"$tmp.err")"; echo "date=$(date -u +%FT%TZ)"; } >"$out.meta"
            return 0
        fi
        log "drops or failed connections: retrying with fewer client threads"
    done
    die "short-connection capture kept failing"
}

# Connection attempts to ports nothing listens on (REFUSED_PORTS in the server namespace):
# a SYN and the kernel's RST/ACK each, the shape of a port scan or of clients retrying a
# dead service. The client's port range is widened in ns_up, so no 4-tuple repeats.
REFUSED_PORTS=9000-9999 # flowladder-bench-conns refused cycles through 1000 ports from the first
capture_refused() {
    local out=$WORK/refused.pcap tmp=$WORK/refused.pcap.tmp dropped attempt captured
    for attempt in 1 2 3; do
        ns_up
        local threads=$((attempt == 1 ? 4 : 1))
        log "refused-connection capture, attempt $attempt: $REFUSED attempts to ports $REFUSED_PORTS, $threads client threads"
        start_tcpdump "$tmp" "tcp portrange $REFUSED_PORTS"
        ip netns exec "$NS_C" "$CONNTOOL" refused $ADDR_S "${REFUSED_PORTS%-*}" "$REFUSED" "$threads" \
            >"$WORK/refused-client.log" 2>&1 || true
        log "client: $(tr '\n' ' ' <"$WORK/refused-client.log")"
        sleep 1 # let tcpdump catch up
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" || true
        dropped=$(tcpdump_dropped "$tmp")
        captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$tmp.err" | tail -1)
        log "tcpdump: $(grep -E 'captured|received|dropped' "$tmp.err" | tr '\n' ' ')"
        # SYN + RST/ACK each; more means SYNs were retransmitted (still refused, but slower).
        [ "${captured:-0}" = $((2 * REFUSED)) ] || log "warning: ${captured:-?} packets, not $((2 * REFUSED))"
        if [ "${dropped:-1}" = 0 ] && grep -q "refused=$REFUSED other=0" "$WORK/refused-client.log"; then
            mv "$tmp" "$out"
            { echo "attempts=$REFUSED"; echo "ports=$REFUSED_PORTS"; echo "client=$(head -1 "$WORK/refused-client.log")"
              echo "offloads=$OFFLOAD_NOTE"; echo "tcpdump=$(tr '\n' ' ' <"$tmp.err")"
              echo "date=$(date -u +%FT%TZ)"; } >"$out.meta"
            return 0
        fi
        log "drops or attempts not refused: retrying with fewer client threads"
    done
    die "refused-connection capture kept failing"
}

[ $RECAPTURE = 0 ] && [ -s "$WORK/bulk.pcap" ] && [ -s "$WORK/bulk.pcap.meta" ] || capture_iperf bulk "$BULK_PACKETS" 1
[ $RECAPTURE = 0 ] && [ -s "$WORK/streams.pcap" ] && [ -s "$WORK/streams.pcap.meta" ] ||
    capture_iperf streams "$STREAM_PACKETS" 64 536
[ $RECAPTURE = 0 ] && [ -s "$WORK/conns.pcap" ] && [ -s "$WORK/conns.pcap.meta" ] || capture_conns
[ $RECAPTURE = 0 ] && [ -s "$WORK/refused.pcap" ] && [ -s "$WORK/refused.pcap.meta" ] || capture_refused
cleanup
trap - EXIT
[ $ONLY_CAPTURE = 1 ] && exit 0

# ---------------------------------------------------------------- measure
# Timing: flowladder-bench-run (bench/runner.cpp) runs the three programs $RUNS times
# each, interleaved, and reports median wall and CPU (user + system) time and peak RSS from wait4().

# Free page reporting (virtio-balloon, a guest kernel's page_reporting module): a virtual
# machine may hand free blocks of 2^order pages back to its host as soon as they are freed.
# A process that is later given such a block pays the host's page faults as it first writes
# it, on top of the guest's own zeroing. Every run here frees its memory at exit, so which
# runs get handed-back blocks is chance: on the machine these figures come from (order 9:
# every freed 2 MiB page), analyzeFile on streams.pcap took 0.23-0.27 s in most runs and
# 0.38-0.42 s in one run of five. The measurement switches it off (it sets an order above the
# kernel's largest: no free block is that large) and restores it on exit; blocks handed back
# before come back into use during the warm-up runs.
REPORTING_PARAM=/sys/module/page_reporting/parameters/page_reporting_order
REPORTING_NOTE="free page reporting: none (no $REPORTING_PARAM)"
REPORTING_RESTORE=""
if [ -r "$REPORTING_PARAM" ]; then
    order=$(cat "$REPORTING_PARAM")
    # /proc/buddyinfo has a column per order, 0 to the largest.
    beyond=$(awk '{ n = NF - 4 } END { print n }' /proc/buddyinfo)
    if [ "$order" -ge "$beyond" ]; then
        REPORTING_NOTE="free page reporting: off (page_reporting_order $order)"
    elif [ $KEEP_REPORTING = 1 ]; then
        REPORTING_NOTE="free page reporting: on, left on (page_reporting_order $order: freed $((4 << order)) KiB blocks go back to the host; timings of memory-heavy runs vary)"
    elif echo "$beyond" >"$REPORTING_PARAM" 2>/dev/null; then
        REPORTING_RESTORE=$order
        REPORTING_NOTE="free page reporting: switched off while measuring (page_reporting_order $order -> $beyond, restored after)"
    else
        REPORTING_NOTE="free page reporting: on, could not be switched off (page_reporting_order $order); timings of memory-heavy runs vary"
    fi
fi
restore_reporting() {
    if [ -n "$REPORTING_RESTORE" ]; then echo "$REPORTING_RESTORE" >"$REPORTING_PARAM" 2>/dev/null || true; fi
}
trap restore_reporting EXIT
log "$REPORTING_NOTE"

DATE=$(date -u +%F)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="$CPU, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
if [ -n "$REVISION" ]; then
    REV="$sha (committed, exported with git archive)" DIRTY=""
else
    REV=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
    DIRTY=$(git -C "$REPO" status --porcelain -- core app/cli 2>/dev/null | awk '{ print $2 }' | tr '\n' ' ')
fi
RESULT=$WORK/results-$(date -u +%Y%m%dT%H%M%SZ).md
{
    echo "Date: $DATE. Machine: $MACHINE. FlowLadder $REV${DIRTY:+ (uncommitted changes in: $DIRTY)}, Release build."
    echo "Wall and CPU (user + system) time: medians of $RUNS runs, process start to exit, file in page cache."
    echo "CPU time, peak RSS and page faults (minor + major, median): getrusage of each run (wait4). Load average when measuring started: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Virtual machine: $REPORTING_NOTE."
    echo
    echo "| capture | packets | flows | program | wall s | wall ratio to bare | CPU s | CPU ratio to bare | peak RSS MB | RSS B/pkt | (RSS − bare RSS) B/pkt | page faults |"
    echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$RESULT"
# tcptrace -n (no name lookups): per-connection statistics, the classic tool's default work.
TCPTRACE=()
command -v tcptrace >/dev/null && TCPTRACE=(--- tcptrace tcptrace -n)
# The desktop program from process start to the first paint of the window with the capture's
# worst flow on its ladder (--quit-when-shown), in a virtual X server of its own.
GUIRUN=()
if [ $WITH_GUI = ON ] && [ -x "$GUI" ] && command -v Xvfb >/dev/null; then
    XDISPLAY=:$((200 + $$ % 500))
    Xvfb "$XDISPLAY" -screen 0 1600x1000x24 >/dev/null 2>&1 &
    XVFB_PID=$!
    trap 'kill $XVFB_PID 2>/dev/null || true; restore_reporting' EXIT
    sleep 1
    export DISPLAY=$XDISPLAY XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$WORK/xdg-runtime}
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
    GUIRUN=(--- gui "$GUI" --size 1500x900 --quit-when-shown)
else
    log "no desktop program or no Xvfb: the GUI's open time is not measured"
fi
# Warm-up: the runs that use the most memory, twice, so that the measured runs are given
# memory the machine has used since (blocks handed back to a host before come back then).
log "warming up"
for _ in 1 2; do
    "$CORE" "$WORK/streams.pcap" >/dev/null
    [ ${#GUIRUN[@]} -eq 0 ] || "${GUIRUN[@]:2}" "$WORK/streams.pcap" >/dev/null 2>&1 || true # without "--- gui"
done
for name in bulk streams conns refused; do
    f=$WORK/$name.pcap
    log "measuring $name.pcap ($(du -h "$f" | cut -f1))"
    cat "$f" >/dev/null                      # warm the page cache
    "$BARE" "$f" >/dev/null                  # and a warm-up read
    info=$("$CORE" "$f")
    packets=$(sed 's/.*packets=\([0-9]*\) tcp.*/\1/' <<<"$info")
    flows=$(sed 's/.* flows=\([0-9]*\).*/\1/' <<<"$info")
    while read -r label s c kb pf; do
        case $label in bare) bare_s=$s bare_c=$c bare_kb=$kb bare_pf=$pf ;; bare4k) b4_s=$s b4_c=$c b4_kb=$kb b4_pf=$pf ;;
        read) rd_s=$s rd_c=$c rd_kb=$kb rd_pf=$pf ;; core) core_s=$s core_c=$c core_kb=$kb core_pf=$pf ;;
        cli) cli_s=$s cli_c=$c cli_kb=$kb cli_pf=$pf ;; tcptrace) tt_s=$s tt_c=$c tt_kb=$kb tt_pf=$pf ;;
        gui) gui_s=$s gui_c=$c gui_kb=$kb gui_pf=$pf ;; esac
    done < <("$RUNNER" "$RUNS" bare "$BARE" "$f" --- bare4k "$BARE" --libpcap-defaults "$f" --- read "$CORE" --read-only "$f" --- core "$CORE" "$f" --- cli "$CLI" analyze --json "$f" ${TCPTRACE[@]+"${TCPTRACE[@]}" "$f"} ${GUIRUN[@]+"${GUIRUN[@]}" "$f"})
    row() { # program wall cpu kb faults
        awk -v c="$name.pcap" -v p="$packets" -v fl="$flows" -v prog="$1" -v s="$2" -v cpu="$3" -v kb="$4" -v pf="$5" \
            -v bs="$bare_s" -v bc="$bare_c" -v bkb="$bare_kb" 'BEGIN {
            printf "| %s | %d | %d | %s | %.3f | %.2f | %.3f | %.2f | %.1f | %.1f | %.1f | %d |\n",
                c, p, fl, prog, s, s / bs, cpu, cpu / bc, kb / 1024, kb * 1024 / p, (kb - bkb) * 1024 / p, pf }'
    }
    { row "bare libpcap loop" "$bare_s" "$bare_c" "$bare_kb" "$bare_pf"
      row "bare libpcap loop, libpcap's defaults (glibc's buffer)" "$b4_s" "$b4_c" "$b4_kb" "$b4_pf"
      row "FlowLadder's reader alone (no decoding)" "$rd_s" "$rd_c" "$rd_kb" "$rd_pf"
      row "analyzeFile (no JSON)" "$core_s" "$core_c" "$core_kb" "$core_pf"
      row "flowladder-cli analyze --json" "$cli_s" "$cli_c" "$cli_kb" "$cli_pf"
      [ ${#TCPTRACE[@]} -gt 0 ] && row "tcptrace -n" "$tt_s" "$tt_c" "$tt_kb" "$tt_pf"
      [ ${#GUIRUN[@]} -gt 0 ] && row "flowladder (GUI) start to first paint" "$gui_s" "$gui_c" "$gui_kb" "$gui_pf"
      true; } >>"$RESULT"
done
{
    echo
    echo "Targets: analyzeFile / bare ≤ 2.0, CLI --json / bare ≤ 2.5, peak RSS ≤ 48 bytes per packet, never slower than tcptrace; GUI on streams.pcap ≤ 1.5 s and ≤ 250 MB."
    for name in bulk streams conns refused; do echo "- $name.pcap: $(grep -v '^tcpdump=' "$WORK/$name.pcap.meta" | tr '\n' ' ')"; done
} >>"$RESULT"
cat "$RESULT"
log "saved in $RESULT"
