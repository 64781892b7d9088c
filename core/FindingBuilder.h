#pragma once
// Builds the findings of one flow from what TcpTracker saw: explains RSTs (class,
// outcome, challenge ACK, forged fingerprint), FIN retransmits, sides stuck in a
// closing state, and the usual per-packet analysis, each in one readable sentence.

#include "core/Analysis.h"
#include "core/TcpTracker.h"

namespace flowladder::core {

// Appends the flow's findings to analysis.findings and their indexes to flow.findings.
void buildFindings(Analysis& analysis, Flow& flow, const FlowEvents& events, int64_t captureEndNs);

// "601.3 s", "210 ms", "35 µs": durations as the summaries write them.
std::string formatDuration(int64_t ns);

} // namespace flowladder::core
