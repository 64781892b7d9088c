#pragma once
// Internal to core/tcp: after the tracker's pass over a flow, what each RST did. For each RST:
// did its receiver keep sending (ignored), go silent while the capture went on (took effect), or
// does the capture end too soon to tell? Marks what was sent after an ignored RST (when
// `marksOut` is set), closes (assumed) the sides that took one, and fills the RSTs' outcome fields.

#include "core/tcp/TcpTracker.h"

namespace flowladder::core {

void judgeRstOutcomes(const Analysis& a, Flow& f, int64_t captureEndNs, PacketStore* marksOut, FlowEvents& events);

} // namespace flowladder::core
