#!/usr/bin/env bash
# Produce real TCP incident captures with real Linux TCP stacks in network
# namespaces (FlowLadder test fixtures, tests/data/netns/).
#
#   fl-fx-cli  c0 10.77.1.2/24 fd77:1::2/64
#        |
#   fl-fx-fw   fw-c 10.77.1.1 fd77:1::1   (router/middlebox: ip_forward, nftables,
#              fw-s 10.77.2.1 fd77:2::1    raw-socket RST forger forge_rst.py)
#        |
#   fl-fx-srv  s0 10.77.2.2/24 fd77:2::2/64   (server: peer.py on port 80)
#
# tcpdump runs in both end namespaces: client side on c0 (Ethernet,
# <case>.client.pcap), server side on "any" (Linux cooked capture, like the
# incident, <case>.server.pcap).  Each case gets a fresh set of namespaces so
# sockets left over by one case (orphans retransmitting into a blackhole)
# cannot leak into the next capture.
#
# Usage: sudo tests/netns/make-captures.sh [OUTDIR] [CASE...]
#   OUTDIR defaults to tests/data/netns next to this script; CASEs default to all.
# Needs: root, ip, nft, tcpdump, /usr/bin/python3 (stdlib only), editcap for
# clock-shift; ethtool optional (offloads off when present).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/../data/netns"
# first argument is OUTDIR unless it is a case name
if [ $# -gt 0 ] && ! [[ "$1" =~ ^(rst-|blackhole-|clean-|port-|nat$|clock-) ]]; then
    OUT=$1; shift
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"
NS_CLI=fl-fx-cli NS_FW=fl-fx-fw NS_SRV=fl-fx-srv
CLI4=10.77.1.2 FWC4=10.77.1.1 FWS4=10.77.2.1 SRV4=10.77.2.2
CLI6=fd77:1::2 FWC6=fd77:1::1 FWS6=fd77:2::1 SRV6=fd77:2::2
SNAP=200
WORK="$(mktemp -d /tmp/fl-fx.XXXXXX)"
PIDS=()

[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
for t in ip nft tcpdump; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }; done

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# start "$@" in namespace NS in the background, stdout to OUT, stderr to ERR;
# remember the real pid ("ip netns exec" execs the command, so $! is it).
bg_ns() {
    local ns=$1 out=$2 err=$3; shift 3
    ip netns exec "$ns" "$@" >"$out" 2>"$err" &
    PIDS+=($!)
}

stop_pids() {
    local p
    for p in "${PIDS[@]:-}"; do
        # SIGTERM, not SIGINT: background jobs of a script start with SIGINT ignored
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && { timeout 8 tail --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; }
    done
    PIDS=()
}

teardown() {
    stop_pids
    local ns
    for ns in $NS_CLI $NS_FW $NS_SRV; do
        ip netns del "$ns" 2>/dev/null || true
    done
}

cleanup() { teardown; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

setup() {
    teardown
    local ns
    for ns in $NS_CLI $NS_FW $NS_SRV; do
        ip netns add "$ns"
        nsx "$ns" ip link set lo up
        nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done
    ip link add c0 netns $NS_CLI type veth peer name fw-c netns $NS_FW
    ip link add s0 netns $NS_SRV type veth peer name fw-s netns $NS_FW
    nsx $NS_CLI ip addr add $CLI4/24 dev c0
    nsx $NS_CLI ip addr add $CLI6/64 dev c0 nodad
    nsx $NS_FW ip addr add $FWC4/24 dev fw-c
    nsx $NS_FW ip addr add $FWC6/64 dev fw-c nodad
    nsx $NS_FW ip addr add $FWS4/24 dev fw-s
    nsx $NS_FW ip addr add $FWS6/64 dev fw-s nodad
    nsx $NS_SRV ip addr add $SRV4/24 dev s0
    nsx $NS_SRV ip addr add $SRV6/64 dev s0 nodad
    # MTU 1280 keeps the MSS small-ish (1240 / 1220) and is legal for IPv6
    for pair in "$NS_CLI c0" "$NS_FW fw-c" "$NS_FW fw-s" "$NS_SRV s0"; do
        set -- $pair
        nsx "$1" ip link set "$2" mtu 1280 up
        if command -v ethtool >/dev/null; then
            nsx "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
        fi
    done
    nsx $NS_CLI ip route add default via $FWC4
    nsx $NS_CLI ip -6 route add default via $FWC6
    nsx $NS_SRV ip route add default via $FWS4
    nsx $NS_SRV ip -6 route add default via $FWS6
    nsx $NS_FW sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    # no ethtool: at least ask the kernel not to aggregate on the end hosts
    nsx $NS_CLI ip link set c0 gso_max_size 1280 2>/dev/null || true
    nsx $NS_SRV ip link set s0 gso_max_size 1280 2>/dev/null || true
    # resolve neighbours before the capture so the first SYN is not delayed
    nsx $NS_CLI ping -c1 -W1 $SRV4 >/dev/null 2>&1 || true
    nsx $NS_CLI ping -6 -c1 -W1 $SRV6 >/dev/null 2>&1 || true
}

# nftables on the middlebox: once the client's FIN has been forwarded, drop
# the flow in both directions (the ASA forgetting the connection).
fw_blackhole() {
    nsx $NS_FW nft -f - <<'EOF'
table inet flfx {
    set bh4 { type ipv4_addr . inet_service; flags dynamic; }
    set bh6 { type ipv6_addr . inet_service; flags dynamic; }
    chain blackhole {
        type filter hook forward priority filter; policy accept;
        ip saddr . tcp sport @bh4 counter drop
        ip daddr . tcp dport @bh4 counter drop
        ip6 saddr . tcp sport @bh6 counter drop
        ip6 daddr . tcp dport @bh6 counter drop
        iifname "fw-c" tcp flags & fin == fin add @bh4 { ip saddr . tcp sport } counter
        iifname "fw-c" tcp flags & fin == fin add @bh6 { ip6 saddr . tcp sport } counter
    }
}
EOF
}

fw_nat() {
    nsx $NS_FW nft -f - <<'EOF'
table ip flfx_nat {
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "fw-s" ip saddr 10.77.1.0/24 meta l4proto tcp masquerade to :61000-61099
    }
}
EOF
}

# wait until FILE contains PATTERN (max ~5 s)
wait_for() {
    local file=$1 pat=$2 i
    for i in $(seq 50); do
        grep -q "$pat" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timeout waiting for '$pat' in $file:" >&2; cat "$file" >&2 || true
    return 1
}

start_captures() {
    local name=$1
    rm -f "$OUT/$name.client.pcap" "$OUT/$name.server.pcap"
    bg_ns $NS_CLI /dev/null "$WORK/$name.tcpdump-c.log" \
        tcpdump -n -i c0 -s $SNAP -U -w "$OUT/$name.client.pcap" tcp
    bg_ns $NS_SRV /dev/null "$WORK/$name.tcpdump-s.log" \
        tcpdump -n -i any -y LINUX_SLL -s $SNAP -U -w "$OUT/$name.server.pcap" tcp
    wait_for "$WORK/$name.tcpdump-c.log" "listening on"
    wait_for "$WORK/$name.tcpdump-s.log" "listening on"
    sleep 0.3
}

start_server() {
    local name=$1; shift
    bg_ns $NS_SRV "$WORK/$name.server.out" "$WORK/$name.server.log" "$PY" "$HERE/peer.py" server "$@"
    wait_for "$WORK/$name.server.out" ready
}

start_forger() {
    local name=$1; shift
    bg_ns $NS_FW "$WORK/$name.forge.json" "$WORK/$name.forge.log" "$PY" "$HERE/forge_rst.py" --iface fw-s "$@"
    wait_for "$WORK/$name.forge.log" ready
}

# record socket states and firewall counters at the end of the capture
record_end() {
    local name=$1 f="$WORK/$name.end.txt"
    {
        echo "# $name: state at end of capture ($(date -u +%FT%TZ))"
        echo "## server (fl-fx-srv) ss -tanoi"; nsx $NS_SRV ss -tanoi || true
        echo "## client (fl-fx-cli) ss -tanoi"; nsx $NS_CLI ss -tanoi || true
        echo "## firewall nft counters"; nsx $NS_FW nft list ruleset || true
        echo "## forger"; cat "$WORK/$name.forge.json" 2>/dev/null || echo "(none)"
        echo "## server log"; cat "$WORK/$name.server.log" 2>/dev/null || true
        echo "## client log"; cat "$WORK/$name.client.log" 2>/dev/null || true
    } >"$f"
    cp "$f" "$OUT/logs/$name.end.txt"
}

finish_case() {
    local name=$1
    record_end "$name"
    stop_pids
    teardown
    chown --reference="$OUT" "$OUT/$name".*.pcap 2>/dev/null || true
    log "$name: $(tcpdump -nr "$OUT/$name.client.pcap" 2>/dev/null | wc -l) client pkts," \
        "$(tcpdump -nr "$OUT/$name.server.pcap" 2>/dev/null | wc -l) server pkts"
}

# A client that cancels (FIN after 0.5 s of response) a request to a server
# that keeps writing; the firewall blackholes the flow at the FIN and
# optionally forges one RST with seq = RCV.NXT + OFFSET.
#   case_cancel NAME SPORT OFFSET|none [v6] [CAPTURE_SECONDS]
case_cancel() {
    local name=$1 sport=$2 offset=$3 v=${4:-4} secs=${5:-15}
    local cli=$CLI4 srv=$SRV4 bind=0.0.0.0
    [ "$v" = 6 ] && { cli=$CLI6; srv=$SRV6; bind=::; }
    log "case $name (sport $sport, offset $offset, IPv$v)"
    setup
    fw_blackhole
    start_captures "$name"
    start_server "$name" --bind $bind --port 80 --mode talk --chunk 300 --interval 0.1 --duration $((secs + 5))
    if [ "$offset" != none ]; then
        start_forger "$name" --client $cli --server $srv --dport 80 --offset "$offset" --ttl 255 --timeout $((secs + 5))
    fi
    local t0=$SECONDS
    nsx $NS_CLI "$PY" "$HERE/peer.py" client --src $cli --sport "$sport" --dst $srv --dport 80 \
        --mode cancel --read-for 0.5 --drain 1.5 --tail 0 2>"$WORK/$name.client.log" || true
    local left=$((secs - (SECONDS - t0)))
    [ $left -gt 0 ] && sleep $left
    finish_case "$name"
}

case_clean_close() {
    local name=clean-close
    log "case $name"
    setup
    start_captures $name
    start_server $name --bind 0.0.0.0 --port 80 --mode respond --size 6000 --duration 8
    nsx $NS_CLI "$PY" "$HERE/peer.py" client --src $CLI4 --sport 41006 --dst $SRV4 --dport 80 \
        --mode full --tail 1 2>"$WORK/$name.client.log"
    sleep 0.5
    finish_case $name
}

case_port_reuse() {
    local name=port-reuse
    log "case $name"
    setup
    start_captures $name
    start_server $name --bind 0.0.0.0 --port 80 --mode respond-close --size 2000 --count 2 --duration 8
    nsx $NS_CLI "$PY" "$HERE/peer.py" client --src $CLI4 --sport 41007 --dst $SRV4 --dport 80 \
        --mode full --count 2 --gap 1.0 --linger-close 0.2 --tail 0.5 2>"$WORK/$name.client.log"
    sleep 0.5
    finish_case $name
}

case_nat() {
    local name=nat
    log "case $name"
    setup
    fw_nat
    start_captures $name
    start_server $name --bind 0.0.0.0 --port 80 --mode respond --size 6000 --duration 8
    nsx $NS_CLI "$PY" "$HERE/peer.py" client --src $CLI4 --sport 41008 --dst $SRV4 --dport 80 \
        --mode full --tail 1 2>"$WORK/$name.client.log"
    sleep 0.5
    finish_case $name
}

case_clock_shift() {
    local base=rst-in-window
    command -v editcap >/dev/null || { log "clock-shift: no editcap, skipped"; return 0; }
    [ -f "$OUT/$base.client.pcap" ] || case_cancel rst-in-window 41002 1000
    log "case clock-shift (copy of $base, client clock +3.5 s)"
    editcap -F pcap -t 3.5 "$OUT/$base.client.pcap" "$OUT/clock-shift.client.pcap"
    cp "$OUT/$base.server.pcap" "$OUT/clock-shift.server.pcap"
    chown --reference="$OUT" "$OUT"/clock-shift.*.pcap 2>/dev/null || true
}

ALL=(rst-off-by-one rst-in-window rst-out-of-window rst-exact blackhole-after-fin
     clean-close port-reuse nat clock-shift rst-in-window-v6)
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=("${ALL[@]}")
mkdir -p "$OUT/logs"

for c in "${CASES[@]}"; do
    case $c in
        rst-off-by-one)      case_cancel rst-off-by-one      41001 -1 ;;
        rst-in-window)       case_cancel rst-in-window       41002 1000 ;;
        rst-out-of-window)   case_cancel rst-out-of-window   41003 10000000 ;;
        rst-exact)           case_cancel rst-exact           41004 0 ;;
        blackhole-after-fin) case_cancel blackhole-after-fin 41005 none ;;
        clean-close)         case_clean_close ;;
        port-reuse)          case_port_reuse ;;
        nat)                 case_nat ;;
        clock-shift)         case_clock_shift ;;
        rst-in-window-v6)    case_cancel rst-in-window-v6    41009 1000 6 ;;
        *) echo "unknown case $c (known: ${ALL[*]})" >&2; exit 2 ;;
    esac
done
log "done: $OUT"
