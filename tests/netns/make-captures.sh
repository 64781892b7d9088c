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
#   OUTDIR defaults to tests/data/netns next to this script; CASEs default to
#   all (see ALL below); name cases to run only those, e.g.
#   `make-captures.sh zero-window rst-storm-default` leaves every other
#   capture untouched.
# Newer cases (finwait1-*, keepalive-*, zero-window, connect-*, close-unread,
# simultaneous-close, rst-storm-*, timewait-*, rst-in-window-vlan) also use
# scenario.py (applications), inject.py (RSTs to either end on a signal),
# delay_tun.py (delay; no netem in this kernel) and vlan_tap.py (802.1Q; no
# 8021q in this kernel), and record the kernel's evidence in logs/.
# Needs: root, ip, nft, tcpdump, /usr/bin/python3 (stdlib only), editcap for
# clock-shift; ethtool optional (offloads off when present).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/../data/netns"
ALL=(rst-off-by-one rst-in-window rst-out-of-window rst-exact blackhole-after-fin
     clean-close port-reuse nat clock-shift rst-in-window-v6
     finwait1-rst-in-window finwait1-rst-out-of-window finwait1-rst-exact
     keepalive-blackhole zero-window connect-refused connect-blackhole close-unread
     simultaneous-close rst-storm-default rst-storm-limited
     timewait-rst-rfc1337-0 timewait-rst-rfc1337-1 rst-in-window-vlan
     finwait1-rst-in-window-v6 ring-buffer)
# first argument is OUTDIR unless it is a case name
if [ $# -gt 0 ] && ! [[ " ${ALL[*]} " == *" $1 "* ]]; then
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
CAPFILTER=tcp
TCPDUMP_EXTRA=
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
# (optional argument: the firewall's client-side interface, default fw-c)
fw_blackhole() {
    local ifc=${1:-fw-c}
    nsx $NS_FW nft -f - <<EOF
table inet flfx {
    set bh4 { type ipv4_addr . inet_service; flags dynamic; }
    set bh6 { type ipv6_addr . inet_service; flags dynamic; }
    chain blackhole {
        type filter hook forward priority filter; policy accept;
        ip saddr . tcp sport @bh4 counter drop
        ip daddr . tcp dport @bh4 counter drop
        ip6 saddr . tcp sport @bh6 counter drop
        ip6 daddr . tcp dport @bh6 counter drop
        iifname "$ifc" tcp flags & fin == fin add @bh4 { ip saddr . tcp sport } counter
        iifname "$ifc" tcp flags & fin == fin add @bh6 { ip6 saddr . tcp sport } counter
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
        tcpdump -n -i c0 -s $SNAP -U $TCPDUMP_EXTRA -w "$OUT/$name.client.pcap" $CAPFILTER
    bg_ns $NS_SRV /dev/null "$WORK/$name.tcpdump-s.log" \
        tcpdump -n -i any -y LINUX_SLL -s $SNAP -U $TCPDUMP_EXTRA -w "$OUT/$name.server.pcap" tcp
    if [ -n "${RING_SECONDS:-}" ]; then
        # The same server-side capture again as a ring buffer, as people keep them:
        # a new file every RING_SECONDS, each finished file gzipped (-z). -Z root: tcpdump
        # keeps the rights to create the next file in OUT.
        rm -f "$OUT/$name".server-ring-*
        bg_ns $NS_SRV /dev/null "$WORK/$name.tcpdump-r.log" \
            tcpdump -n -i any -y LINUX_SLL -s $SNAP -U -Z root -G "$RING_SECONDS" -z gzip \
            -w "$OUT/$name.server-ring-%H%M%S.pcap" tcp
        wait_for "$WORK/$name.tcpdump-r.log" "listening on"
    fi
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
    sleep 1 # the ring buffer's last gzip (started by tcpdump -z) finishing
    chown --reference="$OUT" "$OUT/$name".*.pcap* 2>/dev/null || true
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

# ---------------------------------------------------------------------------
# Newer cases (issue 12).  Each keeps the kernel's own evidence in
# logs/<case>.end.txt: the sysctls, `ss -tanoi` of both ends at the moments
# that matter, nstat deltas of both ends, the forger's JSON lines and the
# applications' logs (socket errors with their errno names).
SC="$HERE/scenario.py"
EV=""

# wait_for_t FILE PATTERN SECONDS
wait_for_t() {
    local file=$1 pat=$2 secs=$3 i
    for i in $(seq $((secs * 20))); do
        grep -q "$pat" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "timeout waiting for '$pat' in $file:" >&2; cat "$file" >&2 || true
    return 1
}

ev() { printf '%s\n' "$*" >>"$EV"; }
ev_ss() {
    {
        echo "## ss -tanoi: $1 ($(date +%T.%N | cut -c1-12))"
        echo "### server (fl-fx-srv)"; nsx $NS_SRV ss -tanoi
        echo "### client (fl-fx-cli)"; nsx $NS_CLI ss -tanoi
    } >>"$EV" 2>&1 || true
}
# nstat: history per namespace, so the end shows the delta over the capture
nstat_begin() {
    nsx $NS_CLI env NSTAT_HISTORY="$WORK/nstat.cli" nstat -n
    nsx $NS_SRV env NSTAT_HISTORY="$WORK/nstat.srv" nstat -n
}
ev_nstat_abs() { # NS LABEL COUNTER...
    local ns=$1 label=$2; shift 2
    { echo "## nstat -asz $* in $ns: $label"; nsx "$ns" nstat -asz "$@"; } >>"$EV" 2>&1 || true
}
ev_sysctls() {
    local ns
    for ns in $NS_CLI $NS_SRV; do
        echo "## sysctls in $ns"
        nsx "$ns" sysctl net.ipv4.tcp_rfc1337 net.ipv4.tcp_challenge_ack_limit \
            net.ipv4.tcp_invalid_ratelimit net.ipv4.tcp_syn_retries net.ipv4.tcp_syn_linear_timeouts net.ipv4.tcp_retries2 \
            net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl net.ipv4.tcp_keepalive_probes \
            net.ipv4.tcp_rmem net.ipv4.tcp_wmem net.ipv4.tcp_timestamps net.ipv4.tcp_sack \
            net.ipv4.tcp_congestion_control
    done >>"$EV" 2>&1 || true
}

begin_case() { # NAME DESCRIPTION...
    local name=$1; shift
    EV="$WORK/$name.end.txt"
    : >"$EV"
    ev "# $name: $* (kernel $(uname -r), $(date -u +%FT%TZ))"
}
# after setup + sysctls + captures: counters start here
begin_capture() {
    local name=$1
    # no 1-s buffering in the kernel's capture ring: the last packets before
    # tcpdump is stopped would be lost (connect-refused lasts 1 ms)
    local TCPDUMP_EXTRA=--immediate-mode
    start_captures "$name"
    ev_sysctls
    nstat_begin
}

end_case() {
    local name=$1
    ev_ss "at the end of the capture"
    {
        echo "## nstat delta over the capture, server (fl-fx-srv)"
        nsx $NS_SRV env NSTAT_HISTORY="$WORK/nstat.srv" nstat -s
        echo "## nstat delta over the capture, client (fl-fx-cli)"
        nsx $NS_CLI env NSTAT_HISTORY="$WORK/nstat.cli" nstat -s
        if [ -n "$(nsx $NS_FW nft list ruleset 2>/dev/null)" ]; then
            echo "## firewall nft ruleset and counters"; nsx $NS_FW nft list ruleset
        fi
        if [ -s "$WORK/$name.forge.json" ]; then
            echo "## forger output"; cat "$WORK/$name.forge.json"
        fi
        echo "## server application log"; cat "$WORK/$name.server.log" 2>/dev/null
        echo "## client application log"; cat "$WORK/$name.client.log" 2>/dev/null
    } >>"$EV" 2>&1 || true
    stop_pids
    cp "$EV" "$OUT/logs/$name.end.txt"
    teardown
    chown --reference="$OUT" "$OUT/$name".*.pcap 2>/dev/null || true
    log "$name: $(tcpdump -nr "$OUT/$name.client.pcap" 2>/dev/null | wc -l) client pkts," \
        "$(tcpdump -nr "$OUT/$name.server.pcap" 2>/dev/null | wc -l) server pkts"
}

start_app() { # NAME server|client ARGS...  (scenario.py in the background)
    local name=$1 role=$2 ns=$NS_SRV; shift 2
    [ "$role" = client ] && ns=$NS_CLI
    bg_ns $ns "$WORK/$name.$role.out" "$WORK/$name.$role.log" "$PY" "$SC" $role "$@"
    [ "$role" = server ] && wait_for "$WORK/$name.server.out" ready
    return 0
}

start_inject() { # NAME ARGS...   (inject.py in the firewall, pid in INJ)
    local name=$1; shift
    bg_ns $NS_FW "$WORK/$name.forge.json" "$WORK/$name.forge.log" "$PY" "$HERE/inject.py" "$@"
    INJ=${PIDS[-1]}
    wait_for "$WORK/$name.forge.log" ready
}

fire_inject() { # NAME : signal the forger, wait until it has sent everything
    kill -USR1 "$INJ"
    wait_for_t "$WORK/$1.forge.json" '"sent"' 10
}

# wait until `ss` in NS shows a socket on PORT in STATE (max 10 s)
wait_state() {
    local ns=$1 state=$2 port=$3 i
    for i in $(seq 400); do
        nsx "$ns" ss -Htan state "$state" 2>/dev/null | grep -q ":$port\b" && return 0
        sleep 0.02
    done
    echo "timeout waiting for $state on :$port in $ns" >&2
    return 1
}

block_flow() { # ADDR PORT : add a client flow to the firewall's blackhole set
    if [[ $1 == *:* ]]; then
        nsx $NS_FW nft add element inet flfx bh6 "{ $1 . $2 }"
    else
        nsx $NS_FW nft add element inet flfx bh4 "{ $1 . $2 }"
    fi
}

# The cancel story of case_cancel (client FIN after 0.5 s, firewall drops the
# flow from the FIN on, server in CLOSE-WAIT keeps writing and retransmits),
# but the forged RST goes to the CLIENT (in FIN-WAIT-1), spoofing the server:
# seq = client's RCV.NXT + OFFSET, sent once `ss` shows the client in
# FIN-WAIT-1 and 50 ms have passed.
#   case_finwait1 NAME SPORT OFFSET [6]
case_finwait1() {
    local name=$1 sport=$2 offset=$3 v=${4:-4} secs=8
    local cli=$CLI4 srv=$SRV4 bind=0.0.0.0
    [ "$v" = 6 ] && { cli=$CLI6; srv=$SRV6; bind=::; }
    log "case $name (sport $sport, RST to the client, offset $offset, IPv$v)"
    begin_case "$name" "forged RST to the client in FIN-WAIT-1, seq = client RCV.NXT + $offset"
    setup
    fw_blackhole
    begin_capture "$name"
    start_server "$name" --bind $bind --port 80 --mode talk --chunk 300 --interval 0.1 --duration $((secs + 5))
    start_inject "$name" --iface fw-c --target $cli --tport "$sport" --peer $srv --pport 80 \
        --offset "$offset" --on signal --timeout $((secs + 5))
    local t0=$SECONDS
    bg_ns $NS_CLI /dev/null "$WORK/$name.client.log" "$PY" "$HERE/peer.py" client --src $cli \
        --sport "$sport" --dst $srv --dport 80 --mode cancel --read-for 0.5 --drain 1.5 --tail 0
    wait_state $NS_CLI fin-wait-1 "$sport"
    sleep 0.05
    ev_ss "client in FIN-WAIT-1, just before the forged RST"
    fire_inject "$name"
    sleep 0.3
    ev_ss "0.3 s after the forged RST"
    local left=$((secs - (SECONDS - t0)))
    [ $left -gt 0 ] && sleep $left
    end_case "$name"
}

# Client with SO_KEEPALIVE 1 s / 1 s / 3 on an idle connection; 2.3 s in the
# firewall starts dropping the flow both ways.
case_keepalive_blackhole() {
    local name=keepalive-blackhole sport=41013
    log "case $name"
    begin_case $name "keep-alive probes into a blackhole (TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 3)"
    setup
    fw_blackhole
    begin_capture $name
    start_app $name server hold --bind 0.0.0.0 --port 80 --size 500 --duration 14
    start_app $name client keepalive --src $CLI4 --sport $sport --dst $SRV4 --size 500 \
        --kidle 1 --kintvl 1 --kcnt 3 --duration 12
    wait_for "$WORK/$name.client.out" response
    sleep 2.3
    ev_ss "before the firewall drops the flow (2 probes answered)"
    ev_nstat_abs $NS_CLI "before the blackhole" TcpExtTCPKeepAlive TcpExtTCPAbortOnTimeout
    block_flow $CLI4 $sport
    ev "## $(date +%T.%N | cut -c1-12): firewall now drops $CLI4:$sport both ways"
    wait_for_t "$WORK/$name.client.out" error 10 || true
    sleep 0.3
    ev_ss "after the client's keep-alive gave up"
    ev_nstat_abs $NS_CLI "after the client gave up" TcpExtTCPKeepAlive TcpExtTCPAbortOnTimeout
    sleep 0.5
    end_case $name
}

# Server stops reading (SO_RCVBUF 4096) for 3 s while the client writes 24 kB:
# zero window, zero-window probes, then the reader resumes.
case_zero_window() {
    local name=zero-window sport=41014
    log "case $name"
    begin_case $name "zero window and persist probes (server SO_RCVBUF 4096, reader paused 3 s)"
    setup
    begin_capture $name
    ev_nstat_abs $NS_CLI "before" TcpExtTCPWinProbe TcpExtTCPKeepAlive
    start_app $name server slow-reader --bind 0.0.0.0 --port 80 --rcvbuf 4096 --pause 3 --duration 12
    start_app $name client writer --src $CLI4 --sport $sport --dst $SRV4 --total 24000 --sndbuf 4096 --duration 12
    wait_for "$WORK/$name.server.out" paused
    sleep 1.5
    ev_ss "server not reading for 1.5 s (window 0, client probing)"
    wait_for "$WORK/$name.server.out" resumed
    wait_for_t "$WORK/$name.client.out" closed 10 || true
    sleep 0.3
    ev_nstat_abs $NS_CLI "after" TcpExtTCPWinProbe TcpExtTCPKeepAlive
    end_case $name
}

case_connect_refused() {
    local name=connect-refused sport=41015
    log "case $name"
    begin_case $name "connect() to a closed port (10.77.2.2:81)"
    setup
    begin_capture $name
    start_app $name client connect --src $CLI4 --sport $sport --dst $SRV4 --dport 81 --duration 5
    wait_for "$WORK/$name.client.out" error || true
    sleep 0.3
    end_case $name
}

# The firewall drops the client's SYNs; tcp_syn_retries=2 in the client.
case_connect_blackhole() {
    local name=connect-blackhole sport=41016
    log "case $name"
    begin_case $name "connect() into a blackhole (SYNs dropped by the firewall, client tcp_syn_retries=2)"
    setup
    nsx $NS_CLI sysctl -qw net.ipv4.tcp_syn_retries=2
    ev "## set: client net.ipv4.tcp_syn_retries=2"
    fw_blackhole
    block_flow $CLI4 $sport
    begin_capture $name
    start_app $name server hold --bind 0.0.0.0 --port 80 --duration 12
    start_app $name client connect --src $CLI4 --sport $sport --dst $SRV4 --dport 80 --duration 12
    sleep 1.5
    ev_ss "1.5 s after connect() (SYN-SENT)"
    wait_for_t "$WORK/$name.client.out" error 12 || true
    sleep 0.3
    end_case $name
}

# Server close()s while the 96-byte request is still unread: RST, not FIN.
case_close_unread() {
    local name=close-unread sport=41017
    log "case $name"
    begin_case $name "server closes with unread data in its receive queue"
    setup
    begin_capture $name
    start_app $name server close-unread --bind 0.0.0.0 --port 80 --pause 0.4 --duration 5
    start_app $name client wait --src $CLI4 --sport $sport --dst $SRV4 --duration 5
    wait_for "$WORK/$name.server.out" accepted
    sleep 0.2
    ev_ss "request received, not read, before the server's close()"
    wait_for "$WORK/$name.client.out" closed || true
    sleep 0.3
    end_case $name
}

# Both sides shutdown(SHUT_WR) at the same wall-clock instant; the firewall
# delays every packet 100 ms each way (userspace TUN delay: no netem here).
case_simultaneous_close() {
    local name=simultaneous-close sport=41018 at
    log "case $name"
    begin_case $name "simultaneous close: both shutdown(SHUT_WR) at the same instant, 100 ms one-way delay in the firewall"
    setup
    bg_ns $NS_FW /dev/null "$WORK/$name.delay.log" "$PY" "$HERE/delay_tun.py" --dev fl-dly --delay 0.1 --timeout 20
    wait_for "$WORK/$name.delay.log" ready
    nsx $NS_FW ip link set fl-dly up
    nsx $NS_FW sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.fl-dly.rp_filter=0
    nsx $NS_FW ip route add default dev fl-dly table 100
    nsx $NS_FW ip rule add iif fw-c lookup 100 pref 100
    nsx $NS_FW ip rule add iif fw-s lookup 100 pref 101
    ev "## firewall: every packet from fw-c / fw-s goes through TUN fl-dly (delay_tun.py, +100 ms) and is then forwarded"
    begin_capture $name
    at=$(date +%s.%N | awk '{printf "%.3f", $1 + 2.0}')
    ev "## both applications call shutdown(SHUT_WR) at $at"
    start_app $name server simul --bind 0.0.0.0 --port 80 --size 500 --at "$at" --duration 8
    start_app $name client simul --src $CLI4 --sport $sport --dst $SRV4 --size 500 --at "$at" --duration 8
    wait_for "$WORK/$name.client.out" response
    sleep "$(date +%s.%N | awk -v at="$at" '{d = at + 0.14 - $1; if (d < 0) d = 0; printf "%.3f", d}')"
    ev_ss "140 ms after both shutdown(SHUT_WR) (FINs crossed, 100 ms one way)"
    wait_for "$WORK/$name.client.out" closed || true
    wait_for "$WORK/$name.server.out" closed || true
    sleep 0.3
    end_case $name
}

# 20 forged in-window RSTs (RCV.NXT + 1000, + 2000, ...; 100 ms apart) at an
# idle ESTABLISHED server.  limited: tighter challenge-ACK limits.
case_rst_storm() {
    local name=$1 sport=$2 limited=$3
    log "case $name"
    begin_case $name "20 forged in-window RSTs at the ESTABLISHED server, challenge-ACK limits $limited"
    setup
    if [ "$limited" = tightened ]; then
        nsx $NS_SRV sysctl -qw net.ipv4.tcp_challenge_ack_limit=1 net.ipv4.tcp_invalid_ratelimit=2000
        ev "## set: server net.ipv4.tcp_challenge_ack_limit=1 net.ipv4.tcp_invalid_ratelimit=2000"
    fi
    begin_capture $name
    start_app $name server hold --bind 0.0.0.0 --port 80 --size 500 --duration 10
    start_inject $name --iface fw-s --target $SRV4 --tport 80 --peer $CLI4 --pport $sport \
        --offset 1000 --step 1000 --count 20 --interval 0.1 --on signal --timeout 10
    start_app $name client idle --src $CLI4 --sport $sport --dst $SRV4 --size 500 --hold 3.5 --duration 10
    wait_for "$WORK/$name.client.out" response
    sleep 0.3
    ev_ss "idle ESTABLISHED, before the RST storm"
    fire_inject $name
    sleep 0.2
    ev_ss "after the 20th forged RST"
    wait_for_t "$WORK/$name.client.out" closed 6 || true
    sleep 0.3
    end_case $name
}

# Client closes first (TIME-WAIT); the forger sends it one RST with
# seq = its RCV.NXT (the server's FIN + 1), spoofing the server.
case_timewait_rst() {
    local name=$1 sport=$2 rfc1337=$3
    log "case $name"
    begin_case $name "RST to the client's TIME-WAIT socket, client net.ipv4.tcp_rfc1337=$rfc1337"
    setup
    nsx $NS_CLI sysctl -qw net.ipv4.tcp_rfc1337="$rfc1337"
    ev "## set: client net.ipv4.tcp_rfc1337=$rfc1337"
    begin_capture $name
    start_app $name server hold --bind 0.0.0.0 --port 80 --size 500 --duration 6
    start_inject $name --iface fw-c --target $CLI4 --tport $sport --peer $SRV4 --pport 80 \
        --offset 0 --on signal --timeout 8
    start_app $name client close --src $CLI4 --sport $sport --dst $SRV4 --size 500 --tail 3 --duration 6
    wait_for "$WORK/$name.client.out" closed
    wait_state $NS_CLI time-wait $sport
    sleep 0.3
    ev_ss "client in TIME-WAIT, before the forged RST"
    fire_inject $name
    sleep 0.3
    ev_ss "0.3 s after the forged RST"
    sleep 0.5
    end_case $name
}

# rst-in-window with the client link as an 802.1Q VLAN (VID 100) on the
# veth pair: the addresses live on TAP devices c0v / fw-cv, vlan_tap.py
# pushes/pops the tag (no 8021q driver in this kernel); the client capture is
# taken on the parent c0, so its frames carry the tag.
setup_vlan() {
    setup
    nsx $NS_CLI ip addr flush dev c0
    nsx $NS_FW ip addr flush dev fw-c
    nsx $NS_CLI sysctl -qw net.ipv6.conf.c0.disable_ipv6=1
    nsx $NS_FW sysctl -qw net.ipv6.conf.fw-c.disable_ipv6=1
    bg_ns $NS_CLI /dev/null "$WORK/vlan-cli.log" "$PY" "$HERE/vlan_tap.py" --tap c0v --parent c0 --vid 100 --timeout 40
    bg_ns $NS_FW /dev/null "$WORK/vlan-fw.log" "$PY" "$HERE/vlan_tap.py" --tap fw-cv --parent fw-c --vid 100 --timeout 40
    wait_for "$WORK/vlan-cli.log" ready
    wait_for "$WORK/vlan-fw.log" ready
    nsx $NS_CLI ip link set c0v mtu 1280 up
    nsx $NS_CLI ip addr add $CLI4/24 dev c0v
    nsx $NS_CLI ip route add default via $FWC4
    nsx $NS_FW ip link set fw-cv mtu 1280 up
    nsx $NS_FW ip addr add $FWC4/24 dev fw-cv
    nsx $NS_CLI ping -c1 -W1 $SRV4 >/dev/null 2>&1 || true
}

case_vlan_rst_in_window() {
    local name=rst-in-window-vlan sport=41023 secs=8
    log "case $name"
    begin_case $name "rst-in-window with the client link on 802.1Q VLAN 100 (userspace tagging, see vlan_tap.py)"
    setup_vlan
    fw_blackhole fw-cv
    CAPFILTER="tcp or (vlan and tcp)"
    begin_capture $name
    CAPFILTER=tcp
    start_server $name --bind 0.0.0.0 --port 80 --mode talk --chunk 300 --interval 0.1 --duration $((secs + 5))
    start_forger $name --client $CLI4 --server $SRV4 --dport 80 --offset 1000 --ttl 255 --timeout $((secs + 5))
    local t0=$SECONDS
    bg_ns $NS_CLI /dev/null "$WORK/$name.client.log" "$PY" "$HERE/peer.py" client --src $CLI4 \
        --sport $sport --dst $SRV4 --dport 80 --mode cancel --read-for 0.5 --drain 1.5 --tail 0
    wait_state $NS_SRV close-wait $sport
    ev_ss "server in CLOSE-WAIT (the forger sends its RST 50 ms after the FIN)"
    wait_for "$WORK/$name.forge.json" '"sent"'
    sleep 0.3
    ev_ss "0.3 s after the forged RST"
    local left=$((secs - (SECONDS - t0)))
    [ $left -gt 0 ] && sleep $left
    end_case $name
}

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
        # rst-in-window again, the server side also kept as a 3-second ring buffer
        ring-buffer)         RING_SECONDS=3 case_cancel ring-buffer 41025 1000 ;;
        finwait1-rst-in-window)     case_finwait1 finwait1-rst-in-window     41010 1000 ;;
        finwait1-rst-out-of-window) case_finwait1 finwait1-rst-out-of-window 41011 10000000 ;;
        finwait1-rst-exact)         case_finwait1 finwait1-rst-exact         41012 0 ;;
        keepalive-blackhole)        case_keepalive_blackhole ;;
        zero-window)                case_zero_window ;;
        connect-refused)            case_connect_refused ;;
        connect-blackhole)          case_connect_blackhole ;;
        close-unread)               case_close_unread ;;
        simultaneous-close)         case_simultaneous_close ;;
        rst-storm-default)          case_rst_storm rst-storm-default 41019 default ;;
        rst-storm-limited)          case_rst_storm rst-storm-limited 41020 tightened ;;
        timewait-rst-rfc1337-0)     case_timewait_rst timewait-rst-rfc1337-0 41021 0 ;;
        timewait-rst-rfc1337-1)     case_timewait_rst timewait-rst-rfc1337-1 41022 1 ;;
        rst-in-window-vlan)         case_vlan_rst_in_window ;;
        finwait1-rst-in-window-v6)  case_finwait1 finwait1-rst-in-window-v6  41024 1000 6 ;;
        *) echo "unknown case $c (known: ${ALL[*]})" >&2; exit 2 ;;
    esac
done
log "done: $OUT"
