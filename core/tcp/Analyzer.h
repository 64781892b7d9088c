#pragma once
// Turns a capture file into an immutable Analysis: reads, decodes, groups packets
// into flows, tracks each side's TCP state and produces the findings.

#include "core/capture/CaptureReader.h"
#include "core/model/Analysis.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace flowladder::core {

class HelperThread;

struct AnalyzeOptions {
    // Called with the fraction of the file read (0..1); throttled to changes of >= 0.1 %.
    std::function<void(double fraction)> progress;
    // Checked once per batch of packets while reading, between the phases (reading, grouping
    // by flow, per-flow analysis) and every few hundred flows while analysing. When it is set
    // the work stops and the result has capture.cancelled = true, the capture's counters as far
    // as reading got, and no flows or findings (a cancelled load is dropped, never shown).
    const std::atomic<bool>* cancel = nullptr;
    // For tests: read a plain pcap file in two parts at once from the first record boundary at
    // or after this byte offset, whatever its size and traffic (0: FlowLadder decides; see
    // readCapture in Analyzer.cpp), and say in *partsJoined (when given) whether the later
    // part was kept or read again. Results are the same either way.
    uint64_t partBoundaryFrom = 0;
    bool* partsJoined = nullptr;
    // The thread that does the second half of the two-thread phases (reading in two parts,
    // the per-flow analysis); null: the analysis starts one of its own when it needs one. The
    // CLI passes the one its JSON writer uses next, which is still awake then.
    HelperThread* helper = nullptr;
};

// Analyses `path`. When the file cannot be opened at all, returns nullptr and sets
// `error` (message names the file and the problem). A file that breaks part way
// gives the analysis of what could be read, with capture.truncated and capture.errors.
AnalysisPtr analyzeFile(const std::string& path, std::string& error, const AnalyzeOptions& options = {});
// Analyses several files as one capture, merged by time (MergedReader): frames numbered in
// merged order, CaptureInfo::sources and origin() say where each came from. One path is
// analyzeFile. Files that cannot be opened are left out with a warning in capture.errors;
// nullptr and `error` (naming each file) only when none can be opened.
AnalysisPtr analyzeFiles(const std::vector<std::string>& paths, std::string& error, const AnalyzeOptions& options = {});
// Analyses frames held in memory (the live watch keeps each connection's recent frames), in
// the order given, with their own frame numbers and timestamps, as analyzeFile would analyse a
// file holding them. `name` is what messages call them.
AnalysisPtr analyzeFrames(const std::vector<RawFrame>& frames, const std::string& name);

} // namespace flowladder::core
