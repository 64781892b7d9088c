#!/usr/bin/python3
"""Forge RSTs at either end of one TCP connection, at a chosen moment.

A more general sibling of forge_rst.py (which stays as it is for the
committed rst-* captures).  Runs in the firewall namespace, stdlib only.

Sniffs --iface, the firewall interface facing the TARGET end, with an
AF_PACKET socket and follows the connection TARGET:TPORT <-> PEER:PPORT:

  target RCV.NXT = highest sequence end of the PEER's segments that went OUT
                   of --iface towards the target (what the target received;
                   segments the firewall dropped never go out, so they do
                   not count)
  target SND.NXT = highest sequence end of the TARGET's segments that came
                   IN on --iface (the ACK number the target expects)

When triggered it sends --count RSTs to the target, spoofing the peer:

  seq   = RCV.NXT + OFFSET + i * STEP     (i = 0 .. COUNT-1)
  ack   = SND.NXT (flags RA) or 0 (flags R)
  TTL/hop limit --ttl (255 by default: a forged-RST fingerprint), IP ID --ipid

Triggers: --on signal (SIGUSR1 from the capture script, which records `ss`
just before), --on fin (the first FIN from --fin-from, then --delay s).
Prints one JSON line per RST sent, then a summary line, on stdout.
"""
import argparse
import ipaddress
import json
import select
import signal
import socket
import struct
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
    """Return (src, dst, sport, dport, seq, ack, flags, paylen) or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if etype == 0x8100 and len(p) >= 4:  # 802.1Q
        etype = struct.unpack("!H", p[2:4])[0]
        p = p[4:]
    if etype == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 0x0F) * 4
        if p[9] != 6:
            return None
        tot = struct.unpack("!H", p[2:4])[0]
        src = socket.inet_ntop(socket.AF_INET, p[12:16])
        dst = socket.inet_ntop(socket.AF_INET, p[16:20])
        t = p[ihl:tot]
    elif etype == 0x86DD and len(p) >= 40:
        if p[6] != 6:
            return None
        plen = struct.unpack("!H", p[4:6])[0]
        src = socket.inet_ntop(socket.AF_INET6, p[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, p[24:40])
        t = p[40:40 + plen]
    else:
        return None
    if len(t) < 20:
        return None
    sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", t[:14])
    doff = (off_flags >> 12) * 4
    return src, dst, sport, dport, seq, ack, off_flags & 0x1FF, len(t) - doff


def seg_end(seq, flags, plen):
    return (seq + plen + (1 if flags & 0x01 else 0) + (1 if flags & 0x02 else 0)) & 0xFFFFFFFF


def after(a, b):
    return ((a - b) & 0xFFFFFFFF) < 0x80000000


def send_tcp(src, dst, sport, dport, seq, ack, flags, ttl, ipid):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 0, 0, 0)
    s = ipaddress.ip_address(src).packed
    d = ipaddress.ip_address(dst).packed
    if len(s) == 4:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(tcp))
    else:
        pseudo = s + d + struct.pack("!IxxxB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    if len(s) == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, 0, ttl, 6, 0, s, d)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        sk.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    else:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, ttl, s, d)
        sk = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sk.sendto(ip + tcp, (dst, 0))
    sk.close()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iface", required=True, help="firewall interface facing the target")
    p.add_argument("--target", required=True)
    p.add_argument("--tport", type=int, required=True)
    p.add_argument("--peer", required=True, help="address spoofed as the RST's source")
    p.add_argument("--pport", type=int, required=True)
    p.add_argument("--offset", type=int, default=0, help="added to the target's RCV.NXT")
    p.add_argument("--step", type=int, default=0, help="added per further RST")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--flags", default="RA", choices=["R", "RA"])
    p.add_argument("--ttl", type=int, default=255)
    p.add_argument("--ipid", type=int, default=0x5eed)
    p.add_argument("--on", choices=["signal", "fin"], default="signal")
    p.add_argument("--fin-from", choices=["target", "peer"], default="target")
    p.add_argument("--delay", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()

    target = str(ipaddress.ip_address(a.target))
    peer = str(ipaddress.ip_address(a.peer))
    fired = []
    signal.signal(signal.SIGUSR1, lambda *_: fired.append(time.monotonic()))
    sn = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sn.bind((a.iface, 0))
    print("ready", file=sys.stderr, flush=True)
    rcv_nxt = snd_nxt = None
    fin_at = None
    end = time.monotonic() + a.timeout

    def absorb(block):
        nonlocal rcv_nxt, snd_nxt, fin_at
        r, _, _ = select.select([sn], [], [], 0.01 if block else 0)
        while r:
            frame, addr = sn.recvfrom(65535)
            t = parse(frame)
            if t:
                src, dst, sport, dport, seq, ack, flags, plen = t
                out = addr[2] == PACKET_OUTGOING
                if src == peer and dst == target and sport == a.pport and dport == a.tport and out:
                    e = seg_end(seq, flags, plen)
                    if rcv_nxt is None or after(e, rcv_nxt):
                        rcv_nxt = e
                    if flags & 0x01 and a.fin_from == "peer" and fin_at is None:
                        fin_at = time.monotonic()
                elif src == target and dst == peer and sport == a.tport and dport == a.pport and not out:
                    e = seg_end(seq, flags, plen)
                    if snd_nxt is None or after(e, snd_nxt):
                        snd_nxt = e
                    if flags & 0x01 and a.fin_from == "target" and fin_at is None:
                        fin_at = time.monotonic()
            r, _, _ = select.select([sn], [], [], 0)

    while time.monotonic() < end:
        absorb(True)
        if a.on == "signal" and fired:
            break
        if a.on == "fin" and fin_at is not None and time.monotonic() >= fin_at + a.delay:
            break
    else:
        print(json.dumps({"sent": 0, "reason": "not triggered"}), flush=True)
        sys.exit(1)
    absorb(False)
    if rcv_nxt is None:
        print(json.dumps({"sent": 0, "reason": "connection not seen"}), flush=True)
        sys.exit(1)
    fl = 0x04 | (0x10 if a.flags == "RA" else 0)
    base = rcv_nxt
    for i in range(a.count):
        if i:
            time.sleep(a.interval)
        seq = (base + a.offset + i * a.step) & 0xFFFFFFFF
        ack = (snd_nxt or 0) if fl & 0x10 else 0
        send_tcp(peer, target, a.pport, a.tport, seq, ack, fl, a.ttl, a.ipid)
        print(json.dumps({"n": i + 1, "time": "%.6f" % time.time(), "to": "%s:%d" % (target, a.tport),
                          "spoofed_from": "%s:%d" % (peer, a.pport), "target_rcv_nxt": base,
                          "offset": a.offset + i * a.step, "seq": seq, "ack": ack,
                          "flags": a.flags, "ttl": a.ttl, "ipid": a.ipid}), flush=True)
    print(json.dumps({"sent": a.count, "target_rcv_nxt": base, "target_snd_nxt": snd_nxt}), flush=True)


if __name__ == "__main__":
    main()
