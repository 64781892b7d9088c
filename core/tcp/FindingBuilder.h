#pragma once
// Builds the findings of one flow from what TcpTracker saw: explains RSTs (class,
// outcome, challenge ACK, forged fingerprint), FIN retransmits, sides stuck in a
// closing state, and the usual per-packet analysis, each in one readable sentence.

#include "core/model/Analysis.h"
#include "core/tcp/TcpTracker.h"

namespace flowladder::core {

// Findings as the analysis builds them, a list per run of flows (Analyzer.cpp), each then moved
// into Analysis::findings: a list from 256 KiB on is a mapping of its own, given back to the
// system as soon as it is moved (malloc would keep it resident: on 500,000 refused connections,
// each with a finding, the findings were held twice at the peak, 96 MB more).
using FindingList = std::vector<Finding, detail::HugePageAllocator<Finding, size_t{256} << 10>>;

// Appends the flow's findings to `out` (flows are built in order: Analysis::findingsOf).
void buildFindings(const Analysis& analysis, Flow& flow, const FlowEvents& events, int64_t captureEndNs,
                   FindingList& out);

} // namespace flowladder::core
