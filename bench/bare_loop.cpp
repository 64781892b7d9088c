// Baseline for the benchmarks: opens a capture with nanosecond timestamps and
// calls pcap_next_ex until EOF, counting packets and nothing else.
// Prints: packets=N seconds=S maxrss_kb=K
#include <chrono>
#include <cstdio>
#include <pcap/pcap.h>
#include <sys/resource.h>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        return 1;
    }
    unsigned long long packets = 0;
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1)
        ++packets;
    if (rc != PCAP_ERROR_BREAK) std::fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(p));
    pcap_close(p);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("packets=%llu seconds=%.6f maxrss_kb=%ld\n", packets, s, ru.ru_maxrss);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
