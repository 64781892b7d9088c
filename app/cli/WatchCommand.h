#pragma once
// `flowladder-cli watch -i IFACE [BPF] [--json] [--write-flows DIR] [--duration S] [--idle S]
// [--snaplen N]`: a live capture through libpcap, analysed as it goes (core::LiveWatch):
// findings printed as they become certain, connections dropped after going quiet, a pcap of each
// connection that had a finding, a summary at Ctrl+C.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace flowladder::cli {

struct WatchArgs {
    std::string interface;
    std::vector<std::string> filter; // BPF words, joined
    bool json = false;
    std::string writeFlows;
    double duration = 0; // seconds; 0: until Ctrl+C
    double idle = 300;   // seconds of quiet before a connection is dropped
    int snaplen = 256;   // headers are all the analysis reads
};

CLI::App* addWatchCommand(CLI::App& app, WatchArgs& args);
// 0 after Ctrl+C or --duration, 1 when the interface cannot be captured on (a missing
// CAP_NET_RAW said as such), 2 for bad usage (a filter libpcap rejects).
int runWatch(const WatchArgs& args);

} // namespace flowladder::cli
