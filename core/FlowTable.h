#pragma once
// Groups decoded TCP packets into connections while the file is read. Keeps only
// a few bytes of state per connection; the TCP analysis runs afterwards, flow by
// flow, over the stored records (see TcpTracker).

#include "core/Analysis.h"
#include "core/Decoder.h"

#include <vector>

namespace flowladder::core {

class FlowTable {
public:
    explicit FlowTable(Analysis& analysis) : analysis_(analysis) {}

    // Stores the packet as a record of its flow (creating the flow when new).
    void add(uint32_t frame, int64_t tsNs, const DecodedPacket& p);
    // Settles client/server roles and builds each flow's packet index. Call once, after the last add().
    void finish();

    size_t flowCount() const { return flows_.size(); }

private:
    static constexpr uint32_t NoFlow = UINT32_MAX;
    // Reading-time state of one flow. "A" is the sender of the flow's first packet.
    struct Building {
        Endpoint a, b;
        uint32_t packets = 0;
        uint32_t isn[2] = {0, 0};      // [0] from A, [1] from B
        uint32_t firstSeq[2] = {0, 0};
        bool synSeen[2] = {false, false}; // SYN without ACK sent by A / B
        bool synAckSeen[2] = {false, false};
        bool seqSeen[2] = {false, false};
        bool ended = false; // FIN or RST seen
    };

    uint32_t lookup(const DecodedPacket& p, bool& fromB);
    uint32_t newFlow(const DecodedPacket& p);
    bool startsNewConnection(const Building& b, bool fromB, const DecodedPacket& p) const;
    // Slot of the table holding the latest flow of this address/port pair, or the empty slot
    // where it goes.
    size_t slotFor(const Endpoint& x, const Endpoint& y, uint64_t hash) const;
    void grow();

    Analysis& analysis_;
    std::vector<Building> flows_;
    // Open-addressing hash table of flow indexes (NoFlow when empty), at most half full:
    // 8 bytes a connection, no allocation per connection.
    std::vector<uint32_t> slots_ = std::vector<uint32_t>(1024, NoFlow);
    std::vector<uint32_t> slotHashes_ = std::vector<uint32_t>(1024, 0);
    // One-entry cache: consecutive packets usually belong to the same connection.
    uint32_t lastFlow_ = NoFlow;
};

} // namespace flowladder::core
