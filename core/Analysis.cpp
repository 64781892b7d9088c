#include "core/Analysis.h"

#include <algorithm>
#include <cstdlib>
#include <sys/mman.h>

namespace flowladder::core {

static_assert(PacketStore::ChunkBytes % (2u << 20) == 0, "a chunk is a whole number of 2 MiB pages");
static_assert(std::is_trivially_destructible_v<PacketRecord>);

PacketStore::Chunk PacketStore::allocateChunk() {
    void* p = std::aligned_alloc(2u << 20, ChunkBytes);
    if (!p) throw std::bad_alloc();
    ::madvise(p, ChunkBytes, MADV_HUGEPAGE); // a hint: fewer page faults where THP is enabled
    return Chunk(static_cast<PacketRecord*>(p));
}

void PacketStore::FreeChunk::operator()(PacketRecord* p) const noexcept { std::free(p); }

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
