// Times core::analyzeFile alone (no JSON, no text report) on one capture.
// Prints: packets=N tcp_packets=N flows=N findings=N seconds=S maxrss_kb=K
#include "core/tcp/Analyzer.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <sys/resource.h>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::string error;
    const auto analysis = flowladder::core::analyzeFile(argv[1], error);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!analysis) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("packets=%u tcp_packets=%u flows=%zu findings=%zu seconds=%.6f maxrss_kb=%ld store_bytes=%zu\n",
                analysis->capture.packets, analysis->capture.tcpPackets, analysis->flows.size(),
                analysis->findings.size(), s, ru.ru_maxrss, analysis->packets.memoryBytes());
    return 0;
}
