#pragma once
// What the views of one flow work out from its packets: both sides' state timelines and
// each retransmission's first copy. Replaying a flow is O(packets) (a 2.2 M-packet flow:
// ~100 ms for both), and the ladder and the details pane each did it on every change of
// flow; flowDerived() does it once for all of them.

#include "core/model/Analysis.h"

#include <memory>
#include <vector>

namespace flowladder::ui {

struct FlowDerived {
    core::StateTimelines timelines;
    std::vector<core::Resend> resends; // in row order (core::findResends)
};

// The flow's derived data, from a small cache of the flows asked for last (the main window's
// flow, the two sides of a comparison). Null when the flow does not exist.
std::shared_ptr<const FlowDerived> flowDerived(const core::AnalysisPtr& analysis, uint32_t flowId);

} // namespace flowladder::ui
