// Makes many short TCP connections for the benchmark captures: each one a full
// handshake, a small request, a small response and a FIN close (server first); or, in
// refused mode, connection attempts to ports nothing listens on, each answered by the
// kernel's RST/ACK (a port scan, or clients retrying a dead service).
//
//   flowladder-bench-conns server ADDR PORT COUNT [THREADS]         serve COUNT connections, then exit
//   flowladder-bench-conns client ADDR PORT COUNT [THREADS]         make COUNT connections
//   flowladder-bench-conns refused ADDR FIRST_PORT COUNT [THREADS]  COUNT attempts to FIRST_PORT..FIRST_PORT+999
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr size_t RequestSize = 32;
constexpr size_t ResponseSize = 200;
// Refused mode cycles the destination port through this many ports: with the client's port
// range widened to 1024-65535 the kernel picks source ports per destination port, walking
// forwards 2 to 16 ports each time (even ports only, ~32,000 of them), so 500 attempts per
// destination port (500,000 in all) never repeat a 4-tuple.
constexpr int RefusedPorts = 1000;

bool readFull(int fd, char* buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(fd, buf + got, n - got);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

bool writeFull(int fd, const char* buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        const ssize_t r = ::write(fd, buf + put, n - put);
        if (r <= 0) return false;
        put += static_cast<size_t>(r);
    }
    return true;
}

sockaddr_in makeAddr(const char* addr, int port)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        std::fprintf(stderr, "bad IPv4 address: %s\n", addr);
        std::exit(2);
    }
    return sa;
}

int server(const sockaddr_in& sa, long count, int threads)
{
    const int ls = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(ls, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(ls, 4096) != 0) {
        std::perror("server: bind/listen");
        return 1;
    }
    std::printf("listening\n");
    std::fflush(stdout);
    std::atomic<long> served{0}, failed{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            char req[RequestSize];
            char resp[ResponseSize];
            std::memset(resp, 'r', sizeof resp);
            while (served.load() + failed.load() < count) {
                const int fd = ::accept(ls, nullptr, nullptr);
                if (fd < 0) break; // listening socket shut down
                if (readFull(fd, req, sizeof req) && writeFull(fd, resp, sizeof resp))
                    ++served;
                else
                    ++failed;
                ::close(fd);
                if (served.load() + failed.load() >= count) ::shutdown(ls, SHUT_RDWR); // wake the others
            }
        });
    }
    for (auto& th : pool)
        th.join();
    ::close(ls);
    std::printf("served=%ld failed=%ld\n", served.load(), failed.load());
    return failed.load() == 0 ? 0 : 1;
}

int client(const sockaddr_in& sa, long count, int threads)
{
    std::atomic<long> next{0}, ok{0}, failed{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            char req[RequestSize];
            std::memset(req, 'q', sizeof req);
            char resp[ResponseSize + 1];
            while (next.fetch_add(1) < count) {
                const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
                bool good = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0 &&
                            writeFull(fd, req, sizeof req) && readFull(fd, resp, ResponseSize);
                // Then the server's FIN: read returns 0.
                good = good && ::read(fd, resp, 1) == 0;
                ::close(fd);
                (good ? ok : failed)++;
            }
        });
    }
    for (auto& th : pool)
        th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("connections=%ld failed=%ld seconds=%.3f\n", ok.load(), failed.load(), s);
    return failed.load() == 0 ? 0 : 1;
}

// Blocking connect() to a closed port: the SYN goes out, the other namespace's kernel answers
// with RST/ACK and connect() fails with ECONNREFUSED, all within the call over a veth pair.
// The socket is closed at once: a refused socket has no TIME_WAIT, nothing else goes on the wire.
int refused(const sockaddr_in& first, long count, int threads)
{
    const int firstPort = ntohs(first.sin_port);
    if (firstPort < 1 || firstPort + RefusedPorts - 1 > 65535) {
        std::fprintf(stderr, "refused: FIRST_PORT must be 1..%d\n", 65536 - RefusedPorts);
        return 2;
    }
    std::atomic<long> next{0}, refusedCount{0}, other{0};
    std::atomic<int> firstOther{0}; // errno of the first other outcome (-1: connected), for the log
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            sockaddr_in sa = first;
            long i;
            while ((i = next.fetch_add(1)) < count) {
                sa.sin_port = htons(static_cast<uint16_t>(firstPort + i % RefusedPorts));
                const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
                const int rc = fd < 0 ? -1 : ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
                const int err = rc == 0 ? -1 : errno;
                if (fd >= 0) ::close(fd);
                if (err == ECONNREFUSED) {
                    ++refusedCount;
                } else {
                    ++other;
                    int none = 0;
                    firstOther.compare_exchange_strong(none, err);
                }
            }
        });
    }
    for (auto& th : pool)
        th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("refused=%ld other=%ld seconds=%.3f\n", refusedCount.load(), other.load(), s);
    if (const int err = firstOther.load(); err != 0)
        std::fprintf(stderr, "first other outcome: %s\n", err < 0 ? "connected" : std::strerror(err));
    return other.load() == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s server|client|refused ADDR PORT COUNT [THREADS]\n", argv[0]);
        return 2;
    }
    const std::string mode = argv[1];
    const sockaddr_in sa = makeAddr(argv[2], std::atoi(argv[3]));
    const long count = std::atol(argv[4]);
    const int threads = argc > 5 ? std::max(1, std::atoi(argv[5])) : 4;
    if (mode == "server") return server(sa, count, threads);
    if (mode == "client") return client(sa, count, threads);
    if (mode == "refused") return refused(sa, count, threads);
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
}
