#include "core/Analysis.h"

#include <algorithm>

namespace flowladder::core {

std::string_view captureFormatName(CaptureFormat f) {
    switch (f) {
    case CaptureFormat::Pcap: return "pcap";
    case CaptureFormat::PcapNg: return "pcapng";
    case CaptureFormat::Unknown: break;
    }
    return "unknown";
}

int64_t Analysis::rowOfFrame(const Flow& f, uint32_t frame) const {
    // Packet indexes are in frame order, so the flow's rows are sorted by frame.
    auto it = std::lower_bound(f.packets.begin(), f.packets.end(), frame,
                               [this](uint32_t idx, uint32_t fr) { return packets[idx].frame < fr; });
    if (it == f.packets.end() || packets[*it].frame != frame) return -1;
    return it - f.packets.begin();
}

TcpState Analysis::stateAt(const Flow& f, Side side, uint32_t row) const {
    const auto& states = f.side(side).states;
    if (states.empty() || row >= f.packets.size()) return TcpState::Unknown;
    const uint32_t idx = f.packets[row];
    auto it = std::upper_bound(states.begin(), states.end(), idx,
                               [](uint32_t i, const StateChange& c) { return i < c.packet; });
    if (it == states.begin()) return states.front().state;
    return std::prev(it)->state;
}

} // namespace flowladder::core
