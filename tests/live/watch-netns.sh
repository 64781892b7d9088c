#!/usr/bin/env bash
# `flowladder-cli watch` on the wire (issue 16, part 4): two network namespaces joined by a veth
# pair, real Linux TCP stacks at both ends, the watch capturing on the server's end. Two stories:
#  1. an abortive close: the client closes with SO_LINGER 0 (a RST); the server's read fails with
#     ECONNRESET (the kernel's evidence);
#  2. a forged in-window RST: tests/netns/inject.py sends the server a RST spoofing the client,
#     seq = the server's RCV.NXT + 1000; the server answers with a challenge ACK and keeps the
#     connection (nstat TcpExtTCPChallengeACK counts it: the kernel's evidence).
# Each must show up as its finding within a second of the RST. Then Ctrl+C: the summary line, and
# --write-flows' pcaps hold the connections, which `analyze` reads to the same findings.
# Needs root (namespaces); skips (exit 77) without.
#   watch-netns.sh FLOWLADDER-CLI
set -euo pipefail
cli=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: no ip (iproute2)"; exit 77; }
A=fl-wa-$$ B=fl-wb-$$
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- watch output:" >&2; cat "$work/watch.ndjson" >&2 || true; exit 1; }

# Without CAP_NET_RAW the watch says so (and what to do), exit 1.
if command -v runuser >/dev/null && runuser -u nobody -- test -x "$cli"; then
    set +e
    msg=$(runuser -u nobody -- "$cli" watch -i lo --duration 1 2>&1)
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -q "CAP_NET_RAW" <<<"$msg" || fail "without CAP_NET_RAW: exit $rc, '$msg'"
    echo "ok: without CAP_NET_RAW: $msg"
fi

ip netns add "$A" && ip netns add "$B"
ip link add va netns "$A" type veth peer name vb netns "$B"
ip -n "$A" addr add 10.66.0.1/24 dev va && ip -n "$A" link set va up && ip -n "$A" link set lo up
ip -n "$B" addr add 10.66.0.2/24 dev vb && ip -n "$B" link set vb up && ip -n "$B" link set lo up
PY=$(command -v python3)

# The watch, on the server's end.
ip netns exec "$B" "$cli" watch -i vb --json --write-flows "$work/flows" >"$work/watch.ndjson" 2>"$work/watch.err" &
watch_pid=$!
pids+=("$watch_pid")
for _ in $(seq 100); do grep -q "capturing on" "$work/watch.err" && break; sleep 0.1; done
grep -q "capturing on" "$work/watch.err" || fail "watch did not start: $(cat "$work/watch.err")"
ip netns exec "$B" env NSTAT_HISTORY="$work/nstat" nstat -n # counters start here

# 1. Abortive close.
ip netns exec "$B" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.66.0.2", 8080)); s.listen(); print("ready", flush=True)
c, _ = s.accept(); c.recv(100); c.sendall(b"r" * 100)
try:
    while c.recv(4096): pass
    print("server: EOF", flush=True)
except OSError as e:
    print("server:", __import__("errno").errorcode[e.errno], flush=True)
' >"$work/server1.log" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$work/server1.log" && break; sleep 0.1; done
ip netns exec "$A" "$PY" -c '
import socket, struct, time
c = socket.create_connection(("10.66.0.2", 8080)); c.sendall(b"q" * 100); c.recv(100); time.sleep(0.2)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
print("%.6f" % time.time(), flush=True); c.close()
' >"$work/client1.out"
t1=$(cat "$work/client1.out")
sleep 1.2
grep -q "server: ECONNRESET" "$work/server1.log" || fail "the kernel did not reset the server's socket: $(cat "$work/server1.log")"

# 2. A forged RST inside the server's window.
ip netns exec "$B" "$PY" -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.66.0.2", 8081)); s.listen(); print("ready", flush=True)
c, _ = s.accept(); c.sendall(b"d" * 200); c.settimeout(5)
try:
    print("server: got", len(c.recv(4096)), flush=True)
except OSError as e:
    print("server:", e, flush=True)
' >"$work/server2.log" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$work/server2.log" && break; sleep 0.1; done
ip netns exec "$A" "$PY" "$here/../netns/inject.py" --iface va --target 10.66.0.2 --tport 8081 \
    --peer 10.66.0.1 --pport 41100 --offset 1000 --on signal --timeout 20 >"$work/inject.out" 2>"$work/inject.err" &
inject_pid=$!
pids+=("$inject_pid")
for _ in $(seq 100); do grep -q ready "$work/inject.err" && break; sleep 0.1; done
ip netns exec "$A" "$PY" -c '
import socket, time
c = socket.socket(); c.bind(("10.66.0.1", 41100)); c.connect(("10.66.0.2", 8081))
c.recv(200); print("got", flush=True); time.sleep(2.5); c.sendall(b"after"); time.sleep(0.3); c.close()
' >"$work/client2.out" &
client2=$!
for _ in $(seq 100); do grep -q got "$work/client2.out" && break; sleep 0.1; done # connected, data through
sleep 0.2
kill -USR1 "$inject_pid"
wait "$inject_pid" || fail "inject.py: $(cat "$work/inject.out" "$work/inject.err")"
t2=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["time"])' "$work/inject.out")
wait "$client2"
sleep 1
challenge=$(ip netns exec "$B" env NSTAT_HISTORY="$work/nstat" nstat -a -s TcpExtTCPChallengeACK | awk '/TcpExtTCPChallengeACK/ {print $2}')
[ "${challenge:-0}" -ge 1 ] || fail "the server sent no challenge ACK (nstat TcpExtTCPChallengeACK ${challenge:-0})"

# Ctrl+C: the summary, and the connections with findings written.
kill -INT "$watch_pid"
wait "$watch_pid" || fail "watch exited with $?"

"$PY" - "$work/watch.ndjson" "$t1" "$t2" <<'PYEOF' || fail "the findings"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t1, t2 = float(sys.argv[2]), float(sys.argv[3])
findings = [l for l in lines if l["type"] == "finding"]
def first(kind, port):
    for f in findings:
        if f["kind"] == kind and f["server"].endswith(":%d" % port):
            return f
    sys.exit("no %s finding for port %d in %s" % (kind, port, [(f["kind"], f["server"]) for f in findings]))
ab = first("abortive_close", 8080)
assert ab["side"] == "client", ab
assert ab["time"] - t1 <= 1.0, "abortive_close %.3f s after the RST" % (ab["time"] - t1)
rst = first("rst_seq_mismatch", 8081)
assert rst["class"] == "in_window" and rst["delta"] == 1000, rst
assert rst["challenge_ack_frame"] is not None, rst
assert rst["time"] - t2 <= 1.0, "rst_seq_mismatch %.3f s after the RST" % (rst["time"] - t2)
first("challenge_ack", 8081)
summary = [l for l in lines if l["type"] == "summary"]
assert len(summary) == 1 and summary[0]["connections"] == 2, summary
print("ok: abortive_close %.2f s and rst_seq_mismatch (in window, challenge ACK) %.2f s after their RSTs"
      % (ab["time"] - t1, rst["time"] - t2))
PYEOF

ls "$work/flows"/*.pcap >/dev/null 2>&1 || fail "--write-flows wrote nothing"
for f in "$work"/flows/*.pcap; do
    out=$("$cli" analyze --json "$f")
    case "$f" in
    *:8080*) grep -q '"abortive_close"' <<<"$out" || fail "$f: no abortive_close" ;;
    *:8081*) grep -q '"rst_seq_mismatch"' <<<"$out" || fail "$f: no rst_seq_mismatch" ;;
    esac
done
echo "ok: --write-flows kept $(ls "$work/flows" | wc -l) connections, analyze finds the same there"
