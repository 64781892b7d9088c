#!/usr/bin/python3
"""Write the bundled sample incident: a faithful synthetic reconstruction of
/work/shared/INCIDENT.md (stdlib only, deterministic: same bytes every run).

  resources/sample/incident.pcap         the cache node's view, as written by
                                         `tcpdump -i any` (LINKTYPE_LINUX_SLL, 113)
  resources/sample/incident-client.pcap  the office client's view (Ethernet),
                                         client clock +0.8 s, one-way delay 15 ms

Why synthetic: a modern Linux server accepts a RST with seq = RCV.NXT - 1 in
CLOSE-WAIT (tcp_reset_check, Linux >= 4.13), so a real reproduction on this
kernel does not show the incident; the cache node in the incident behaved like
a strict RFC 5961 stack.  The numbers follow the incident: the client's FIN is
at relative seq 276, the server acknowledges 277, the single forged RST carries
276, no challenge ACK (out of window for a strict stack), then the server
retransmits into the blackhole with exponential backoff for ~600 s.

Addresses are documentation ranges (RFC 5737), only ever written into files.

Usage: make-sample-incident.py [OUTDIR]   (default: resources/sample of the repo)
"""
import calendar
import hashlib
import os
import struct
import sys

CLIENT_IP, CLIENT_PORT = "198.51.100.23", 51234
SERVER_IP, SERVER_PORT = "203.0.113.10", 80
CLIENT_MAC = bytes.fromhex("020000005123")     # office PC
ASA_IN_MAC = bytes.fromhex("020000000001")     # ASA inside interface (client's gateway)
SERVER_MAC = bytes.fromhex("0200000a0010")     # cache node NIC
UPLINK_MAC = bytes.fromhex("0200000a0001")     # cache node's upstream router

T0 = calendar.timegm((2024, 3, 14, 9, 26, 53)) + 0.120411   # server clock
ONE_WAY = 0.015             # one-way delay client <-> server
CLIENT_CLOCK = 0.8          # client clock is ahead of the server's by 0.8 s
CLIENT_TTL_AT_SERVER = 57   # client initial 64, 7 hops
SERVER_TTL_AT_CLIENT = 57   # server initial 64, 7 hops
RST_TTL_AT_SERVER = 249     # ASA initial 255, 6 hops from the cache node
ISN_C, ISN_S = 0x9D1C43A5, 0x5F3E7A10
TS_C0, TS_S0 = 0x2B8F1C04, 0x8A41D337      # TSval clocks (1 kHz)
MSS_SEG = 1368              # ASA clamps MSS to 1380; 1380 - 12 bytes of timestamps
RTO0, RTO_MAX, SNDTIMEO = 0.232, 120.0, 600.0

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def request_bytes():
    """The HTTP request: exactly 275 bytes, so the FIN is at relative seq 276."""
    head = ("GET /hls/live/ch7/1080p/segment-18342.ts HTTP/1.1\r\n"
            "Host: cdn.example.net\r\n"
            "User-Agent: ExamplePlayer/4.2 (Windows NT 10.0; Win64; x64)\r\n"
            "Accept: */*\r\n"
            "Accept-Encoding: identity\r\n"
            "Connection: keep-alive\r\n"
            "X-Request-Id: ")
    tail = "\r\n\r\n"
    pad = 275 - len(head) - len(tail)
    assert pad > 0, pad
    rid = hashlib.sha256(b"flowladder").hexdigest()
    rid = (rid * 2)[:pad]
    r = (head + rid + tail).encode()
    assert len(r) == 275
    return r


def response_stream(n):
    head = (b"HTTP/1.1 200 OK\r\nServer: Varnish\r\nContent-Type: video/mp2t\r\n"
            b"Content-Length: 2256000\r\nAge: 3\r\nAccept-Ranges: bytes\r\n"
            b"Connection: keep-alive\r\n\r\n")
    out = bytearray(head)
    i = 0
    while len(out) < n:  # MPEG-TS-like packets: 0x47 sync + deterministic bytes
        blk = b""
        while len(blk) < 187:
            blk += hashlib.sha256(b"ts%d.%d" % (i, len(blk))).digest()
        out += b"\x47" + blk[:187]
        i += 1
    return bytes(out[:n])


class Pkt:
    def __init__(self, t, sender, seq, ack, flags, payload=b"", win=0, syn_opts=None,
                 at_client=True, at_server=True, ttl_override=None, ipid=None, df=True, note=""):
        self.t, self.sender, self.seq, self.ack, self.flags = t, sender, seq, ack, flags
        self.payload, self.win, self.syn_opts = payload, win, syn_opts
        self.at_client, self.at_server = at_client, at_server
        self.ttl_override, self.ipid, self.df, self.note = ttl_override, ipid, df, note
        self.tsval = self.tsecr = None


def build_events():
    req = request_bytes()
    total_pre = 8 * MSS_SEG
    resp = response_stream(total_pre + 2 * MSS_SEG)
    C, S = "client", "server"
    ev = []
    c_nxt = ISN_C            # absolute client seq
    s_nxt = ISN_S
    # handshake (send times, true time = server clock)
    ev.append(Pkt(0.000000, C, ISN_C, 0, SYN, win=64240, syn_opts=(1380, 7)))
    ev.append(Pkt(0.015031, S, ISN_S, ISN_C + 1, SYN | ACK, win=65160, syn_opts=(1460, 7)))
    c_nxt, s_nxt = ISN_C + 1, ISN_S + 1
    ev.append(Pkt(0.030102, C, c_nxt, s_nxt, ACK, win=502))
    ev.append(Pkt(0.030389, C, c_nxt, s_nxt, PSH | ACK, req, win=502))
    c_nxt += len(req)                                   # relative 276
    ev.append(Pkt(0.045412, S, s_nxt, c_nxt, ACK, win=501))
    # response: pairs of full segments as Varnish gets them from the origin;
    # the client ACKs every second segment on arrival
    off = 0
    for t in (0.212871, 0.538204, 0.901533, 1.254090):
        for k in range(2):
            seg = resp[off:off + MSS_SEG]
            ev.append(Pkt(t + k * 0.000021, S, s_nxt, c_nxt, ACK | (PSH if k else 0), seg, win=501))
            s_nxt += len(seg)
            off += len(seg)
        # ACK sent 48 us after the second segment arrives at the client
        ev.append(Pkt(t + 0.000021 + ONE_WAY + 0.000048, C, c_nxt, s_nxt, ACK, win=502))
    # the user cancels: the client sends its FIN at relative seq 276
    t_fin = 1.932377
    ev.append(Pkt(t_fin, C, c_nxt, s_nxt, FIN | ACK, win=502, note="client FIN (rel 276)"))
    fin_seq = c_nxt
    c_nxt += 1                                          # server RCV.NXT = relative 277
    # the ASA forwards the FIN, then forgets the flow: nothing more passes.
    t_fin_srv = t_fin + ONE_WAY
    ev.append(Pkt(t_fin_srv + 0.000046, S, s_nxt, c_nxt, ACK, win=501, at_client=False,
                  note="server ACKs the FIN (ack rel 277): CLOSE-WAIT"))
    # client retransmits its FIN (never acknowledged); dropped by the ASA
    ev.append(Pkt(t_fin + RTO0, C, fin_seq, s_nxt, FIN | ACK, win=502, at_server=False,
                  note="client FIN retransmission, dropped by the ASA"))
    ev.append(Pkt(t_fin + RTO0 * 3, C, fin_seq, s_nxt, FIN | ACK, win=502, at_server=False,
                  note="client FIN retransmission, dropped by the ASA"))
    # the server keeps writing in CLOSE-WAIT
    t_data = 2.031006
    first_unacked = s_nxt
    seg1 = resp[off:off + MSS_SEG]
    seg2 = resp[off + MSS_SEG:off + 2 * MSS_SEG]
    ev.append(Pkt(t_data, S, s_nxt, c_nxt, ACK, seg1, win=501, at_client=False))
    ev.append(Pkt(t_data + 0.000019, S, s_nxt + len(seg1), c_nxt, PSH | ACK, seg2, win=501,
                  at_client=False))
    # the ASA answers the first late data segment with ONE forged RST towards the
    # server: seq = the FIN's seq (relative 276) = RCV.NXT - 1; then blackholes.
    ev.append(Pkt(t_data + 2 * ONE_WAY + 0.000412, "asa", fin_seq, first_unacked, RST | ACK,
                  win=0, at_client=False, ttl_override=RST_TTL_AT_SERVER, ipid=0, df=False,
                  note="forged RST seq rel 276 = RCV.NXT-1"))
    # a strict RFC 5961 stack drops it (out of window: below RCV.NXT) with no
    # challenge ACK, stays in CLOSE-WAIT and retransmits into the void
    t, rto = t_data + RTO0, RTO0
    while t - t_data <= SNDTIMEO:
        ev.append(Pkt(t, S, first_unacked, c_nxt, ACK, seg1, win=501, at_client=False,
                      note="retransmission into the blackhole"))
        rto = min(rto * 2, RTO_MAX)
        t += rto
    return ev


def finalize(ev):
    """Assign IP IDs and TCP timestamps in true-time order."""
    ipid = {"client": 0x1F40, "server": 0x6C2A}
    last_seen = {"client": 0, "server": 0}   # latest peer TSval received by each side
    arrivals = []   # (arrival time, receiver, tsval)
    for p in sorted(ev, key=lambda p: p.t):
        if p.sender == "asa":
            continue
        # process arrivals before this send
        for a in sorted(arrivals):
            if a[0] <= p.t:
                last_seen[a[1]] = a[2]
        if p.ipid is None:
            p.ipid = ipid[p.sender]
            ipid[p.sender] = (ipid[p.sender] + 1) & 0xFFFF
        base = TS_C0 if p.sender == "client" else TS_S0
        p.tsval = (base + int(p.t * 1000)) & 0xFFFFFFFF
        p.tsecr = 0 if (p.flags & SYN and not p.flags & ACK) else last_seen[p.sender]
        peer = "server" if p.sender == "client" else "client"
        delivered = p.at_server if p.sender == "client" else p.at_client
        if delivered:
            arrivals.append((p.t + ONE_WAY, peer, p.tsval))
    return ev


def tcp_ip(p, ttl):
    if p.sender in ("client", "asa"):
        src, dst, sport, dport = CLIENT_IP, SERVER_IP, CLIENT_PORT, SERVER_PORT
    else:
        src, dst, sport, dport = SERVER_IP, CLIENT_IP, SERVER_PORT, CLIENT_PORT
    if p.syn_opts:
        mss, ws = p.syn_opts
        opts = (struct.pack("!BBH", 2, 4, mss) + struct.pack("!BB", 4, 2) +
                struct.pack("!BBII", 8, 10, p.tsval, p.tsecr) + b"\x01" + struct.pack("!BBB", 3, 3, ws))
    elif p.tsval is not None:
        opts = b"\x01\x01" + struct.pack("!BBII", 8, 10, p.tsval, p.tsecr)
    else:
        opts = b""
    doff = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, p.seq & 0xFFFFFFFF, p.ack & 0xFFFFFFFF,
                      doff << 4, p.flags, p.win, 0, 0) + opts + p.payload
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), p.ipid,
                     0x4000 if p.df else 0, ttl, 6, 0, ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def write_pcap(path, linktype, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for ts, data in records:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "resources", "sample")
    os.makedirs(out, exist_ok=True)
    ev = finalize(build_events())
    srv, cli = [], []
    for p in ev:
        if p.sender == "server":
            if p.at_server:
                ip = tcp_ip(p, 64)
                sll = struct.pack("!HHH", 4, 1, 6) + SERVER_MAC + b"\0\0" + struct.pack("!H", 0x0800)
                srv.append((T0 + p.t, sll + ip))
            if p.at_client:
                ip = tcp_ip(p, SERVER_TTL_AT_CLIENT)
                cli.append((T0 + p.t + ONE_WAY + CLIENT_CLOCK, CLIENT_MAC + ASA_IN_MAC + b"\x08\x00" + ip))
        else:  # client or the ASA forging as the client
            if p.at_server:
                ttl = p.ttl_override or CLIENT_TTL_AT_SERVER
                ip = tcp_ip(p, ttl)
                sll = struct.pack("!HHH", 0, 1, 6) + UPLINK_MAC + b"\0\0" + struct.pack("!H", 0x0800)
                srv.append((T0 + p.t + ONE_WAY, sll + ip))
            if p.at_client and p.sender == "client":
                ip = tcp_ip(p, 64)
                cli.append((T0 + p.t + CLIENT_CLOCK, ASA_IN_MAC + CLIENT_MAC + b"\x08\x00" + ip))
    srv.sort(key=lambda r: r[0])
    cli.sort(key=lambda r: r[0])
    write_pcap(os.path.join(out, "incident.pcap"), 113, srv)
    write_pcap(os.path.join(out, "incident-client.pcap"), 1, cli)
    print("incident.pcap: %d packets, incident-client.pcap: %d packets" % (len(srv), len(cli)))


if __name__ == "__main__":
    main()
