#pragma once
// Groups decoded TCP packets into connections while the file is read. Keeps only
// a few bytes of state per connection; the TCP analysis runs afterwards, flow by
// flow, over the stored records (see TcpTracker).

#include "core/Analysis.h"
#include "core/Decoder.h"

#include <unordered_map>

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
    struct Key {
        IpAddress addrLo, addrHi;
        uint16_t portLo = 0, portHi = 0;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const noexcept;
    };
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
    uint32_t newFlow(const Key& key, const DecodedPacket& p);
    bool startsNewConnection(const Building& b, bool fromB, const DecodedPacket& p) const;

    Analysis& analysis_;
    std::unordered_map<Key, uint32_t, KeyHash> index_;
    std::vector<Building> flows_;
    // One-entry cache: consecutive packets usually belong to the same connection.
    Key lastKey_{};
    uint32_t lastFlow_ = UINT32_MAX;
};

} // namespace flowladder::core
