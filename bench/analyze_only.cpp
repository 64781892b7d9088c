// Times core::analyzeFile alone (no JSON, no text report) on one capture.
// Prints: packets=N tcp_packets=N flows=N findings=N seconds=S maxrss_kb=K store_bytes=B
// With --read-only, only FlowLadder's reader (CaptureReader: for a pcap file the built-in
// reader, core/capture/PcapReader.h) goes through the file, frame by frame, with no decoding:
// the floor of FlowLadder's own reading, beside libpcap's (bare_loop.cpp).
// Prints: packets=N seconds=S maxrss_kb=K
#include "core/capture/CaptureReader.h"
#include "core/tcp/Analyzer.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/resource.h>

namespace {

long maxRssKb()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int readOnly(const char* path)
{
    const auto t0 = std::chrono::steady_clock::now();
    std::string error;
    auto reader = flowladder::core::CaptureReader::open(path, error);
    if (!reader) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    flowladder::core::RawFrame frame;
    unsigned long long packets = 0;
    flowladder::core::CaptureReader::Status s;
    while ((s = reader->next(frame)) == flowladder::core::CaptureReader::Status::Frame)
        ++packets;
    if (s == flowladder::core::CaptureReader::Status::Error) std::fprintf(stderr, "%s\n", reader->error().c_str());
    reader.reset();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("packets=%llu seconds=%.6f maxrss_kb=%ld\n", packets, secs, maxRssKb());
    return s == flowladder::core::CaptureReader::Status::End ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--read-only") == 0) return readOnly(argv[2]);
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s [--read-only] CAPTURE\n", argv[0]);
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
    std::printf("packets=%u tcp_packets=%u flows=%zu findings=%zu seconds=%.6f maxrss_kb=%ld store_bytes=%zu\n",
                analysis->capture.packets, analysis->capture.tcpPackets, analysis->flows.size(),
                analysis->findings.size(), s, maxRssKb(), analysis->packets.memoryBytes());
    // As flowladder-cli does: the analysis is not freed piece by piece before the process ends.
    static const flowladder::core::AnalysisPtr* const keptUntilExit = new flowladder::core::AnalysisPtr(analysis);
    (void)keptUntilExit;
    return 0;
}
