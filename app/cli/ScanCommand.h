#pragma once
// `flowladder-cli scan PATH... [--jobs N] [--out FILE.ndjson] [--db FILE.sqlite] [--flows]
// [--shard I/N] [--no-progress]`: every capture under the paths, analysed in parallel, as NDJSON
// (one line per finding; --flows adds one per flow) and optionally an SQLite database.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace flowladder::cli {

struct ScanArgs {
    std::vector<std::string> paths;
    unsigned jobs = 0; // 0: the number of cores
    std::string out;   // empty: standard output
    std::string db;
    std::string shard; // "I/N"
    bool flows = false;
    bool noProgress = false;
};

CLI::App* addScanCommand(CLI::App& app, ScanArgs& args);
// 0 when the scan ran (unreadable files are error lines), 1 when nothing could be read or
// written, 2 for bad usage, 130 when interrupted.
int runScan(const ScanArgs& args);

} // namespace flowladder::cli
