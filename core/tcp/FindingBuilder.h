#pragma once
// Builds the findings of one flow from what TcpTracker saw: explains RSTs (class,
// outcome, challenge ACK, forged fingerprint), FIN retransmits, sides stuck in a
// closing state, and the usual per-packet analysis, each in one readable sentence.

#include "core/model/Analysis.h"
#include "core/tcp/TcpTracker.h"

namespace flowladder::core {

// Appends the flow's findings to `out` and sets flow.findings to their indexes in `out`
// (analysis.findings, or a list of its own when flows are analysed on several threads).
void buildFindings(const Analysis& analysis, Flow& flow, const FlowEvents& events, int64_t captureEndNs,
                   std::vector<Finding>& out);

} // namespace flowladder::core
