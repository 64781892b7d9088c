#pragma once
// `scan`: every capture under some paths analysed in parallel, each file's results reduced
// at once to what a sweep keeps (one JSON line per finding, optionally per flow; the file's
// counts), so memory holds one analysis per job however many files there are.

#include "core/model/Analysis.h"

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flowladder::core {

// Captures under `paths`: a file named is taken as it is (a capture or not: reading it says);
// a directory is walked recursively (symbolic links to directories are not followed), taking
// the files whose first bytes are a capture's or a compressed stream's (looksLikeCapture).
// Sorted by path, each file once. What cannot be walked is added to `problems`, naming it.
std::vector<std::string> findCaptures(const std::vector<std::string>& paths, std::vector<std::string>& problems);

// Shard `index` of `count` (0 <= index < count) of a sorted list: files index, index + count,
// index + 2 count, ... Every file is in exactly one shard (a cluster's array task runs one).
std::vector<std::string> shardOf(const std::vector<std::string>& files, unsigned index, unsigned count);

// One file's results, as the scan writes them.
struct ScanResult {
    std::string path;
    std::string error; // set when the file could not be read at all (then nothing else is)
    uint64_t fileBytes = 0;
    CaptureFormat format = CaptureFormat::Unknown;
    std::string compression;
    uint32_t packets = 0;
    uint32_t tcpPackets = 0;
    uint32_t flows = 0;
    bool truncated = false;
    std::vector<std::string> warnings;             // problems met while reading (capture.errors)
    std::vector<nlohmann::ordered_json> findings;  // findingLine of each finding
    std::vector<nlohmann::ordered_json> flowLines; // flowLine of each flow, when asked for
};

// The JSON line of a finding (`"type": "finding"`, the file, the flow's endpoints, then the
// finding as `analyze --json` writes it) and of a flow (`"type": "flow"`, the file, the flow).
nlohmann::ordered_json findingLine(const std::string& file, const Analysis& a, const Finding& f);
nlohmann::ordered_json flowLine(const std::string& file, const Analysis& a, const Flow& f);
// The lines of one file's results: its findings (and flows), an "error" line for a file that
// could not be read, a "warning" line for each problem met in one that could.
std::vector<nlohmann::ordered_json> resultLines(const ScanResult& r);

struct ScanOptions {
    unsigned jobs = 1;
    bool flows = false; // keep one line per flow too
    const std::atomic<bool>* cancel = nullptr;
};

// Progress of a running scan (bytes of the files finished plus the read part of those running).
struct ScanProgress {
    size_t filesDone = 0, filesTotal = 0, unreadable = 0;
    uint64_t bytesDone = 0, bytesTotal = 0;
    uint64_t packets = 0, findings = 0;
};

// Analyses `files` on `options.jobs` threads. `done` is called on the calling thread for every
// file, in the order of `files`; `progress` (may be empty) on the calling thread about ten
// times a second and after each file. Stops early when `options.cancel` is set (the files not
// finished then are not reported).
void scanFiles(const std::vector<std::string>& files, const ScanOptions& options,
               const std::function<void(ScanResult&&)>& done, const std::function<void(const ScanProgress&)>& progress);

} // namespace flowladder::core
