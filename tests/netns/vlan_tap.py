#!/usr/bin/python3
"""Userspace 802.1Q sub-interface: bridge a TAP device to a parent veth,
pushing a VLAN tag on the way out and popping it on the way in.

This kernel has no 8021q driver (CONFIG_VLAN_8021Q unset, no modules, and
the bridge has no VLAN filtering), so `ip link add link c0 name c0.100 type
vlan` is impossible.  Instead the IP address lives on TAP device --tap and
this process moves frames between it and --parent:
  TAP -> parent: insert the tag (TPID 0x8100, VID --vid) after the MACs
  parent -> TAP: only frames whose tag (reported by the kernel in
                 PACKET_AUXDATA, as veth strips it on receive) has VID --vid,
                 untagged.
The TCP stacks are the kernel's as usual; tcpdump on the parent sees the
tagged frames.  Stdlib only; runs until killed or --timeout.
"""
import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tap", required=True)
    p.add_argument("--parent", required=True)
    p.add_argument("--vid", type=int, default=100)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", a.tap.encode(), IFF_TAP | IFF_NO_PI))
    sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sk.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sk.bind((a.parent, 0))
    print("ready", file=sys.stderr, flush=True)
    tag = struct.pack("!HH", 0x8100, a.vid & 0x0FFF)
    end = time.monotonic() + a.timeout
    while time.monotonic() < end:
        r, _, _ = select.select([tap, sk], [], [], 0.2)
        if tap in r:
            f = os.read(tap, 65535)
            try:
                sk.send(f[:12] + tag + f[12:])
            except OSError:
                pass  # parent down: dropped, like a real link
        if sk in r:
            f, anc, _, addr = sk.recvmsg(65535, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                continue
            vid = None
            for level, typ, data in anc:
                if level == SOL_PACKET and typ == PACKET_AUXDATA and len(data) >= 20:
                    status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", data[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        vid = tci & 0x0FFF
            if vid is None and len(f) >= 18 and f[12:14] == b"\x81\x00":
                vid = struct.unpack("!H", f[14:16])[0] & 0x0FFF
                f = f[:12] + f[16:]
            if vid == a.vid:
                try:
                    os.write(tap, f)
                except OSError:
                    pass  # TAP not up yet (EIO): dropped


if __name__ == "__main__":
    main()
