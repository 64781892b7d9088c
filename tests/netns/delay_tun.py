#!/usr/bin/python3
"""Delay every IP packet routed through a TUN device by --delay seconds.

This kernel has no sch_netem (CONFIG_NET_SCH_NETEM unset, no modules), so the
firewall namespace gets its delay from userspace: policy routing sends
everything arriving on its veths into this TUN device, the packets come back
out of it --delay seconds later and are forwarded normally (so their TTL /
hop limit is decremented twice in the firewall: 62 instead of 63).
Stdlib only; runs until killed or --timeout.
"""
import argparse
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dev", default="fl-dly")
    p.add_argument("--delay", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", a.dev.encode(), IFF_TUN | IFF_NO_PI))
    print("ready", file=sys.stderr, flush=True)
    q = []
    n = 0
    end = time.monotonic() + a.timeout
    while time.monotonic() < end:
        wait = 0.2 if not q else max(0.0, q[0][0] - time.monotonic())
        r, _, _ = select.select([fd], [], [], wait)
        if r:
            pkt = os.read(fd, 65535)
            n += 1
            heapq.heappush(q, (time.monotonic() + a.delay, n, pkt))
        now = time.monotonic()
        while q and q[0][0] <= now:
            os.write(fd, heapq.heappop(q)[2])
    print("delayed %d packets by %.3f s" % (n, a.delay), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
