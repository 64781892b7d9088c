#!/usr/bin/python3
"""Forge the middlebox RST of the FlowLadder incident (stdlib only).

Runs in the firewall namespace.  Sniffs the server-side interface with an
AF_PACKET socket; when the client's first FIN has been forwarded towards the
server (an outgoing frame on that interface), waits --delay seconds (so the
server has processed the FIN and its RCV.NXT = FIN seq + 1), then sends ONE
RST to the server, spoofing the client's address and port, with

    seq = (FIN seq + 1) + OFFSET        (OFFSET -1 = the incident's RCV.NXT-1)
    ack = highest sequence number the server has sent so far (flags RST|ACK)
    TTL = --ttl (default 255, unlike the client's 64: a forged-RST fingerprint)
    IP ID = --ipid

The blackholing itself (drop the flow both ways from the FIN on, like the
ASA) is done in the forwarding path by the nftables set the capture script
installs; --nft-add additionally adds the flow to that set from here.

IPv4 and IPv6.  Prints one JSON line describing what it sent to stdout.
"""
import argparse
import ipaddress
import json
import select
import socket
import struct
import subprocess
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def parse(frame):
    """Return (ver, src, dst, sport, dport, seq, ack, flags, paylen) or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if etype == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 0x0F) * 4
        if p[9] != 6:
            return None
        tot = struct.unpack("!H", p[2:4])[0]
        src, dst = socket.inet_ntop(socket.AF_INET, p[12:16]), socket.inet_ntop(socket.AF_INET, p[16:20])
        t = p[ihl:tot]
        ver = 4
    elif etype == 0x86DD and len(p) >= 40:
        if p[6] != 6:  # no extension headers in our traffic
            return None
        plen = struct.unpack("!H", p[4:6])[0]
        src, dst = socket.inet_ntop(socket.AF_INET6, p[8:24]), socket.inet_ntop(socket.AF_INET6, p[24:40])
        t = p[40:40 + plen]
        ver = 6
    else:
        return None
    if len(t) < 20:
        return None
    sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", t[:14])
    doff = (off_flags >> 12) * 4
    flags = off_flags & 0x1FF
    return ver, src, dst, sport, dport, seq, ack, flags, len(t) - doff


def build_tcp(src, dst, ver, sport, dport, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 0, 0, 0)
    s = ipaddress.ip_address(src).packed
    d = ipaddress.ip_address(dst).packed
    if ver == 4:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(tcp))
    else:
        pseudo = s + d + struct.pack("!IxxxB", len(tcp), 6)
    c = csum(pseudo + tcp)
    return tcp[:16] + struct.pack("!H", c) + tcp[18:]


def send_rst(ver, src, dst, sport, dport, seq, ack, flags, ttl, ipid):
    tcp = build_tcp(src, dst, ver, sport, dport, seq, ack, flags)
    if ver == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, 0, ttl, 6, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        s.sendto(ip + tcp, (dst, 0))
    else:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, ttl,
                         socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst))
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s.sendto(ip + tcp, (dst, 0))
    s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iface", required=True, help="firewall interface facing the server")
    p.add_argument("--client", required=True, help="client address (as seen on --iface)")
    p.add_argument("--server", required=True)
    p.add_argument("--dport", type=int, default=80, help="server port")
    p.add_argument("--offset", type=int, required=True,
                   help="RST seq = (FIN seq + 1) + OFFSET; -1 = RCV.NXT-1, 0 = exact")
    p.add_argument("--ttl", type=int, default=255)
    p.add_argument("--ipid", type=int, default=0x5eed)
    p.add_argument("--flags", default="RA", choices=["R", "RA"])
    p.add_argument("--delay", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--nft-add", default="",
                   help="'FAMILY TABLE SET': also add client addr . port to this nft set")
    a = p.parse_args()

    sn = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sn.bind((a.iface, 0))
    print("ready", file=sys.stderr, flush=True)
    client = str(ipaddress.ip_address(a.client))
    server = str(ipaddress.ip_address(a.server))
    srv_nxt = {}  # client port -> highest seq the server sent
    end = time.monotonic() + a.timeout
    fin = None
    while time.monotonic() < end and fin is None:
        r, _, _ = select.select([sn], [], [], 0.2)
        if not r:
            continue
        frame, addr = sn.recvfrom(65535)
        t = parse(frame)
        if not t:
            continue
        ver, src, dst, sport, dport, seq, ack, flags, plen = t
        if src == server and dst == client and sport == a.dport:
            e = (seq + plen + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF
            old = srv_nxt.get(dport)
            if old is None or ((e - old) & 0xFFFFFFFF) < 0x80000000:
                srv_nxt[dport] = e
        elif (src == client and dst == server and dport == a.dport and flags & 0x01
              and addr[2] == PACKET_OUTGOING):
            fin = t
    if fin is None:
        print(json.dumps({"sent": False, "reason": "no FIN seen"}), flush=True)
        sys.exit(1)
    ver, src, dst, sport, dport, seq, ack, flags, plen = fin
    if a.nft_add:
        fam, table, setname = a.nft_add.split()
        elem = "%s . %d" % (src, sport)
        subprocess.run(["nft", "add", "element", fam, table, setname, "{ %s }" % elem], check=False)
    time.sleep(a.delay)
    rcv_nxt = (seq + plen + 1) & 0xFFFFFFFF
    rst_seq = (rcv_nxt + a.offset) & 0xFFFFFFFF
    rst_ack = srv_nxt.get(sport, 0)
    fl = 0x04 | (0x10 if a.flags == "RA" else 0)
    send_rst(ver, client, server, sport, a.dport, rst_seq, rst_ack if fl & 0x10 else 0, fl,
             a.ttl, a.ipid)
    print(json.dumps({"sent": True, "fin_seq": seq, "server_rcv_nxt": rcv_nxt, "offset": a.offset,
                      "rst_seq": rst_seq, "rst_ack": rst_ack, "flags": a.flags, "ttl": a.ttl,
                      "ipid": a.ipid, "client_port": sport}), flush=True)


if __name__ == "__main__":
    main()
