#!/usr/bin/python3
"""Applications for the newer FlowLadder netns fixtures (stdlib only).

Run inside a namespace by tests/netns/make-captures.sh.  Every event goes to
stderr with a timestamp; socket errors are logged with their errno name
(ECONNRESET, ETIMEDOUT, ...).  Markers the script waits for go to stdout.
Every behaviour is bounded in time.

server ROLE (listens on --bind:--port, serves one connection):
  hold         read the request, send a --size byte response, then read until
               EOF (or --duration), close.
  slow-reader  SO_RCVBUF --rcvbuf; read the request head, stop reading for
               --pause s (the window fills and goes to 0), then read to EOF.
  close-unread accept, wait --pause s (the request arrives and stays unread),
               report the unread byte count (FIONREAD), close() -> RST.
  simul        like hold, but at wall-clock time --at calls shutdown(SHUT_WR)
               whatever the client does, then reads to EOF and closes.

client ROLE:
  request      connect, send a request, read the --size response, then
               --then close (close at once), idle (sleep --hold, then close),
               keepalive (SO_KEEPALIVE with --kidle/--kintvl/--kcnt, then wait
               in recv until an error or EOF), simul (shutdown(SHUT_WR) at
               wall-clock --at, read to EOF, close), wait (recv until error/EOF).
  writer       connect, send a request head and then --total bytes (SO_SNDBUF
               --sndbuf), shutdown(SHUT_WR), read to EOF, close.
  connect      only connect() (no timeout of ours: the kernel decides).
"""
import argparse
import errno
import fcntl
import socket
import struct
import sys
import termios
import time


def log(*a):
    print("%.6f" % time.time(), *a, file=sys.stderr, flush=True)


def mark(m):
    print(m, flush=True)


def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def head(n):
    return ("HTTP/1.1 200 OK\r\nServer: fl-fixture\r\nContent-Length: %d\r\n\r\n" % n).encode()


def body(n):
    line = b"flowladder fixture payload 0123456789abcdefghijklmnopqrstuvwxyz\n"
    return (line * (n // len(line) + 1))[:n]


REQ = (b"GET /video/segment-0042.ts HTTP/1.1\r\nHost: fixture.example\r\n"
       b"User-Agent: fl-peer\r\nAccept: */*\r\n\r\n")


def read_to_eof(c, deadline, who):
    got = 0
    while time.monotonic() < deadline:
        c.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            d = c.recv(65536)
        except socket.timeout:
            continue
        except OSError as e:
            log("%s: recv error %s (%s) after %d bytes" % (who, ename(e), e.strerror, got))
            return got, e
        if not d:
            log("%s: EOF after %d bytes" % (who, got))
            return got, None
        got += len(d)
    log("%s: gave up waiting for EOF after %d bytes" % (who, got))
    return got, None


def read_blocking(c, who):
    """Blocking recv() until EOF or an error (the kernel's timers decide)."""
    c.settimeout(None)
    got = 0
    while True:
        try:
            d = c.recv(65536)
        except OSError as e:
            log("%s: recv error %s (%s) after %d bytes" % (who, ename(e), e.strerror, got))
            return got, e
        if not d:
            err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            log("%s: EOF after %d bytes, SO_ERROR %s" % (who, got, errno.errorcode.get(err, err) if err else 0))
            return got, None
        got += len(d)


def read_head(c, deadline):
    buf = b""
    while b"\r\n\r\n" not in buf and time.monotonic() < deadline:
        c.settimeout(max(0.05, deadline - time.monotonic()))
        d = c.recv(4096)
        if not d:
            break
        buf += d
    return buf


def sleep_until(at):
    d = at - time.time()
    if d > 0:
        time.sleep(d)


def server(a):
    s = socket.socket(family_of(a.bind), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    s.bind((a.bind, a.port))
    s.listen(8)
    mark("ready")
    end = time.monotonic() + a.duration
    s.settimeout(a.duration)
    c, peer = s.accept()
    log("server: accepted", peer, "SO_RCVBUF=%d" % c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
    mark("accepted")
    try:
        if a.mode == "close-unread":
            time.sleep(a.pause)
            unread = struct.unpack("i", fcntl.ioctl(c, termios.FIONREAD, b"\0\0\0\0"))[0]
            log("server: close() with %d unread bytes in the receive queue" % unread)
            c.close()
            mark("closed")
            time.sleep(a.tail)
            return
        if a.mode == "slow-reader":
            req = c.recv(len(REQ))
            log("server: read %d request bytes, now not reading for %.1f s" % (len(req), a.pause))
            mark("paused")
            time.sleep(a.pause)
            log("server: reading again")
            mark("resumed")
            got, err = read_to_eof(c, end, "server")
            c.sendall(head(0))
            c.close()
            log("server: closed (read %d bytes after the pause)" % got)
            mark("closed")
            time.sleep(a.tail)
            return
        req = read_head(c, time.monotonic() + 5)
        log("server: request %d bytes" % len(req))
        c.sendall(head(a.size) + body(a.size))
        log("server: response sent (%d bytes)" % (len(head(a.size)) + a.size))
        mark("responded")
        if a.mode == "simul":
            sleep_until(a.at)
            c.shutdown(socket.SHUT_WR)
            log("server: shutdown(SHUT_WR)")
        read_to_eof(c, end, "server")
        c.close()
        log("server: closed")
        mark("closed")
        time.sleep(a.tail)
    except OSError as e:
        log("server: error %s (%s)" % (ename(e), e.strerror))
        mark("error " + ename(e))


def connect(a):
    c = socket.socket(family_of(a.dst), socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.sndbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    c.bind((a.src, a.sport))
    t0 = time.monotonic()
    try:
        c.connect((a.dst, a.dport))
    except OSError as e:
        log("client: connect() failed after %.3f s: %s (%s)" % (time.monotonic() - t0, ename(e), e.strerror))
        mark("error " + ename(e))
        c.close()
        return None
    log("client: connected from", c.getsockname(), "in %.3f s" % (time.monotonic() - t0))
    mark("connected")
    return c


def client(a):
    c = connect(a)
    if c is None or a.mode == "connect":
        if c:
            c.close()
        time.sleep(a.tail)
        return
    end = time.monotonic() + a.duration
    try:
        if a.mode == "writer":
            c.sendall(REQ)
            log("client: request sent, now writing %d bytes (SO_SNDBUF=%d)"
                % (a.total, c.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)))
            sent = 0
            chunk = body(4096)
            c.settimeout(a.duration)
            last = time.monotonic()
            while sent < a.total:
                n = c.send(chunk[:min(len(chunk), a.total - sent)])
                now = time.monotonic()
                if now - last > 0.5:
                    log("client: send() blocked %.3f s (at %d bytes)" % (now - last, sent))
                last = now
                sent += n
            log("client: all %d bytes written, shutdown(SHUT_WR)" % sent)
            c.shutdown(socket.SHUT_WR)
            read_to_eof(c, end, "client")
            c.close()
            log("client: closed")
            mark("closed")
            time.sleep(a.tail)
            return
        if a.mode == "keepalive":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, a.kidle)
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, a.kintvl)
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, a.kcnt)
            log("client: SO_KEEPALIVE=1 TCP_KEEPIDLE=%d TCP_KEEPINTVL=%d TCP_KEEPCNT=%d"
                % (a.kidle, a.kintvl, a.kcnt))
        c.sendall(REQ)
        log("client: request sent (%d bytes)" % len(REQ))
        if a.mode == "wait":
            got, err = read_blocking(c, "client")
            c.close()
            mark("closed")
            time.sleep(a.tail)
            return
        need = len(head(a.size)) + a.size
        got = 0
        c.settimeout(5)
        while got < need:
            d = c.recv(65536)
            if not d:
                break
            got += len(d)
        log("client: response read (%d bytes)" % got)
        mark("response")
        if a.mode == "close":
            pass
        elif a.mode == "idle":
            time.sleep(a.hold)
        elif a.mode == "keepalive":
            got, err = read_blocking(c, "client")
            mark("error " + ename(err) if err else "eof")
        elif a.mode == "simul":
            sleep_until(a.at)
            c.shutdown(socket.SHUT_WR)
            log("client: shutdown(SHUT_WR)")
            read_to_eof(c, end, "client")
        c.close()
        log("client: closed")
        mark("closed")
        time.sleep(a.tail)
    except OSError as e:
        log("client: error %s (%s)" % (ename(e), e.strerror))
        mark("error " + ename(e))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="role", required=True)
    s = sub.add_parser("server")
    s.add_argument("mode", choices=["hold", "slow-reader", "close-unread", "simul"])
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, default=80)
    s.add_argument("--size", type=int, default=500)
    s.add_argument("--rcvbuf", type=int, default=0)
    s.add_argument("--pause", type=float, default=3.0)
    s.add_argument("--at", type=float, default=0.0)
    s.add_argument("--duration", type=float, default=20.0)
    s.add_argument("--tail", type=float, default=0.2)
    c = sub.add_parser("client")
    c.add_argument("mode", choices=["close", "idle", "keepalive", "simul", "wait", "writer", "connect"])
    c.add_argument("--src", required=True)
    c.add_argument("--sport", type=int, required=True)
    c.add_argument("--dst", required=True)
    c.add_argument("--dport", type=int, default=80)
    c.add_argument("--size", type=int, default=500)
    c.add_argument("--hold", type=float, default=2.0)
    c.add_argument("--at", type=float, default=0.0)
    c.add_argument("--kidle", type=int, default=1)
    c.add_argument("--kintvl", type=int, default=1)
    c.add_argument("--kcnt", type=int, default=3)
    c.add_argument("--total", type=int, default=20000)
    c.add_argument("--sndbuf", type=int, default=0)
    c.add_argument("--duration", type=float, default=20.0)
    c.add_argument("--tail", type=float, default=0.2)
    a = p.parse_args()
    server(a) if a.role == "server" else client(a)


if __name__ == "__main__":
    main()
