#pragma once
// Display filters to paste into Wireshark. Flow filters name both endpoints by
// address and port (not tcp.stream, whose numbering differs between tools).

#include "core/model/Analysis.h"

#include <QString>

namespace flowladder::ui {

QString wiresharkFlowFilter(const core::Flow& flow);
QString wiresharkFrameFilter(uint32_t frame);

} // namespace flowladder::ui
