#pragma once
// Builds the findings of one flow from what TcpTracker saw: explains RSTs (class,
// outcome, challenge ACK, forged fingerprint), FIN retransmits, sides stuck in a
// closing state, and the usual per-packet analysis, each in one readable sentence.

#include "core/Analysis.h"
#include "core/TcpTracker.h"

namespace flowladder::core {

// Appends the flow's findings to `out` and sets flow.findings to their indexes in `out`
// (analysis.findings, or a list of its own when flows are analysed on several threads).
void buildFindings(const Analysis& analysis, Flow& flow, const FlowEvents& events, int64_t captureEndNs,
                   std::vector<Finding>& out);

// "601.3 s", "210 ms", "35 µs": durations as the summaries write them.
std::string formatDuration(int64_t ns);

} // namespace flowladder::core
