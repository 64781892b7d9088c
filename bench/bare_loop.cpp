// Baseline for the benchmarks: opens a capture with nanosecond timestamps and
// calls pcap_next_ex until EOF, counting packets and nothing else. The stream is set up
// as FlowLadder sets up its own (a 64 KiB stdio buffer, no per-call locking), so the
// figure is the floor for reading with libpcap, not the cost of glibc's 4 KiB default
// buffer (a read system call per 4 KiB: about a third more time on this kind of VM).
// With --libpcap-defaults, pcap_open_offline as most programs call it (glibc's own buffer):
// how the floor was measured before 2026-12-03.
// Prints: packets=N seconds=S maxrss_kb=K
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <pcap/pcap.h>
#include <stdio_ext.h>
#include <sys/resource.h>

int main(int argc, char** argv)
{
    const bool defaults = argc == 3 && std::strcmp(argv[1], "--libpcap-defaults") == 0;
    if (argc != 2 && !defaults) {
        std::fprintf(stderr, "usage: %s [--libpcap-defaults] CAPTURE\n", argv[0]);
        return 2;
    }
    const char* path = argv[argc - 1];
    const auto t0 = std::chrono::steady_clock::now();
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<char[]> buffer; // NOLINT(cppcoreguidelines-avoid-c-arrays): not zeroed, as FlowLadder's
    pcap_t* p = nullptr;
    if (defaults) {
        p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    } else {
        FILE* f = std::fopen(path, "rb");
        if (!f) {
            std::fprintf(stderr, "%s: %s\n", path, std::strerror(errno));
            return 1;
        }
        constexpr size_t Bytes = size_t{64} << 10;
        buffer.reset(new char[Bytes]); // NOLINT(cppcoreguidelines-avoid-c-arrays)
        std::setvbuf(f, buffer.get(), _IOFBF, Bytes);
        __fsetlocking(f, FSETLOCKING_BYCALLER);
        p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
        if (!p) std::fclose(f);
    }
    if (!p) {
        std::fprintf(stderr, "%s: %s\n", path, errbuf);
        return 1;
    }
    unsigned long long packets = 0;
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1)
        ++packets;
    if (rc != PCAP_ERROR_BREAK) std::fprintf(stderr, "%s: %s\n", path, pcap_geterr(p));
    pcap_close(p);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("packets=%llu seconds=%.6f maxrss_kb=%ld\n", packets, s, ru.ru_maxrss);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
