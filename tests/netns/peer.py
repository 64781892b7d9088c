#!/usr/bin/python3
"""Client and server behaviours for the FlowLadder netns fixtures.

Stdlib only (Debian's /usr/bin/python3).  Run inside a network namespace by
tests/netns/make-captures.sh.  Every behaviour is bounded in time so a case
cannot hang the script.

Server modes:
  talk     read the request, then keep writing response chunks for --duration
           seconds whether or not the client half-closed (the incident's cache
           node: it sits in CLOSE_WAIT and keeps writing).  The socket is only
           closed when the process is killed or --duration expires.
  respond  read the request, send a fixed response (Content-Length), then read
           until the client's FIN and close (client closes first).
  respond-close  read the request, send the response with "Connection: close"
           and close first (server closes first).  Serves --count connections.

Client modes:
  cancel   send a request, read for --read-for seconds, shutdown(SHUT_WR)
           (FIN), keep draining for --drain seconds, close.
  full     send a request, read the whole response, close (client FIN first
           unless the server already closed).  Repeats --count times with
           --gap seconds between, from the same --sport (SO_REUSEADDR).
"""
import argparse
import errno
import socket
import sys
import time


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def read_request(c, deadline):
    buf = b""
    while b"\r\n\r\n" not in buf and time.monotonic() < deadline:
        c.settimeout(max(0.05, deadline - time.monotonic()))
        d = c.recv(4096)
        if not d:
            break
        buf += d
    return buf


def response_head(n, close=False):
    h = ("HTTP/1.1 200 OK\r\nServer: fl-fixture\r\nContent-Type: text/plain\r\n"
         "Content-Length: %d\r\n" % n)
    if close:
        h += "Connection: close\r\n"
    return (h + "\r\n").encode()


def body(n):
    line = b"flowladder fixture payload 0123456789abcdefghijklmnopqrstuvwxyz\n"
    return (line * (n // len(line) + 1))[:n]


def server(a):
    s = socket.socket(family_of(a.bind), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, a.mss)
    s.bind((a.bind, a.port))
    s.listen(8)
    print("ready", flush=True)
    end = time.monotonic() + a.duration
    served = 0
    while served < a.count and time.monotonic() < end:
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            c, peer = s.accept()
        except socket.timeout:
            break
        served += 1
        log("server: accepted", peer)
        req = read_request(c, time.monotonic() + 5)
        log("server: request %d bytes" % len(req))
        if a.mode == "talk":
            total = a.chunk * 1000
            c.sendall(response_head(total))
            sent = 0
            while time.monotonic() < end:
                try:
                    c.settimeout(2.0)
                    c.sendall(body(a.chunk))
                    sent += a.chunk
                except socket.timeout:
                    continue  # send buffer full (peer gone silent): keep trying
                except OSError as e:
                    log("server: write failed after %d bytes: %s" % (sent, e))
                    break
                time.sleep(a.interval)
            log("server: stopped writing after %d bytes" % sent)
            # keep the socket (CLOSE_WAIT) until killed or the end
            while time.monotonic() < end:
                time.sleep(0.2)
            c.close()
        elif a.mode == "respond":
            c.sendall(response_head(a.size) + body(a.size))
            c.settimeout(max(0.05, end - time.monotonic()))
            try:
                while c.recv(4096):
                    pass
                log("server: client closed, closing")
            except OSError as e:
                log("server: read failed: %s" % e)
            c.close()
        elif a.mode == "respond-close":
            c.sendall(response_head(a.size, close=True) + body(a.size))
            c.close()
            log("server: closed first")
    s.close()


def client(a):
    for i in range(a.count):
        if i:
            time.sleep(a.gap)
        c = socket.socket(family_of(a.dst), socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((a.src, a.sport))
        c.settimeout(5)
        c.connect((a.dst, a.dport))
        log("client: connected from", c.getsockname())
        req = ("GET %s HTTP/1.1\r\nHost: fixture.example\r\nUser-Agent: fl-peer\r\n"
               "Accept: */*\r\n\r\n" % a.path).encode()
        c.sendall(req)
        if a.mode == "cancel":
            got = 0
            end = time.monotonic() + a.read_for
            while time.monotonic() < end:
                c.settimeout(max(0.05, end - time.monotonic()))
                try:
                    d = c.recv(65536)
                except socket.timeout:
                    continue
                if not d:
                    break
                got += len(d)
            log("client: read %d bytes, shutdown(SHUT_WR)" % got)
            c.shutdown(socket.SHUT_WR)
            end = time.monotonic() + a.drain
            while time.monotonic() < end:
                c.settimeout(max(0.05, end - time.monotonic()))
                try:
                    d = c.recv(65536)
                except socket.timeout:
                    continue
                except OSError as e:
                    log("client: drain error %s %s" % (errno.errorcode.get(e.errno, "?"), e))
                    break
                if not d:
                    break
            log("client: close")
            c.close()
        else:
            buf = b""
            need = None
            while True:
                try:
                    d = c.recv(65536)
                except socket.timeout:
                    break
                if not d:
                    break
                buf += d
                if need is None and b"\r\n\r\n" in buf:
                    head, _, _ = buf.partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            need = len(head) + 4 + int(line.split(b":")[1])
                if need is not None and len(buf) >= need:
                    break
            log("client: got %d bytes, close" % len(buf))
            if a.linger_close:
                time.sleep(a.linger_close)
            c.close()
    # stay alive a moment so the close handshake completes while captured
    time.sleep(a.tail)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="role", required=True)
    s = sub.add_parser("server")
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, default=80)
    s.add_argument("--mode", choices=["talk", "respond", "respond-close"], required=True)
    s.add_argument("--duration", type=float, default=15.0)
    s.add_argument("--chunk", type=int, default=300)
    s.add_argument("--interval", type=float, default=0.1)
    s.add_argument("--size", type=int, default=3000)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--mss", type=int, default=0)
    c = sub.add_parser("client")
    c.add_argument("--src", required=True)
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--dst", required=True)
    c.add_argument("--dport", type=int, default=80)
    c.add_argument("--mode", choices=["cancel", "full"], required=True)
    c.add_argument("--path", default="/video/segment-0042.ts")
    c.add_argument("--read-for", type=float, default=0.5)
    c.add_argument("--drain", type=float, default=1.5)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--gap", type=float, default=1.0)
    c.add_argument("--linger-close", type=float, default=0.0)
    c.add_argument("--tail", type=float, default=0.5)
    a = p.parse_args()
    try:
        server(a) if a.role == "server" else client(a)
    except OSError as e:
        log("%s: %s" % (a.role, e))
        sys.exit(1 if e.errno != errno.ECONNRESET else 3)


if __name__ == "__main__":
    main()
