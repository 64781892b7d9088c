#include "core/FlowTable.h"

#include <cstring>

namespace flowladder::core {

namespace {

bool endpointLess(const Endpoint& x, const Endpoint& y) {
    const int c = std::memcmp(x.addr.bytes.data(), y.addr.bytes.data(), 16);
    if (c != 0) return c < 0;
    return x.port < y.port;
}

// Client by convention when no SYN was seen: the side with the ephemeral (higher,
// or non-well-known) port.
bool looksLikeClient(const Endpoint& x, const Endpoint& other) {
    const bool xWellKnown = x.port < 1024, otherWellKnown = other.port < 1024;
    if (xWellKnown != otherWellKnown) return !xWellKnown;
    return x.port > other.port;
}

// A SYN whose ISN lies this close to what was already seen belongs to the same connection
// (handshake packets captured out of order).
constexpr int32_t SameConnectionSeqSpan = 1 << 20;

} // namespace

namespace {

// FNV-1a over both endpoints, independent of direction: cheap and well spread for
// address/port tuples.
uint64_t pairHash(const Endpoint& x, const Endpoint& y) {
    const Endpoint& lo = endpointLess(x, y) ? x : y;
    const Endpoint& hi = endpointLess(x, y) ? y : x;
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const uint8_t* p, size_t n) {
        for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    mix(lo.addr.bytes.data(), lo.addr.version == 6 ? 16 : 4);
    mix(hi.addr.bytes.data(), hi.addr.version == 6 ? 16 : 4);
    const uint32_t ports = (uint32_t{lo.port} << 16) | hi.port;
    mix(reinterpret_cast<const uint8_t*>(&ports), 4);
    return h ^ (h >> 29);
}

bool samePair(const Endpoint& a, const Endpoint& b, const Endpoint& x, const Endpoint& y) {
    return (a == x && b == y) || (a == y && b == x);
}

} // namespace

size_t FlowTable::slotFor(const Endpoint& x, const Endpoint& y, uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const uint32_t f = slots_[i];
        if (f == NoFlow) return i;
        if (slotHashes_[i] == tag && samePair(flows_[f].a, flows_[f].b, x, y)) return i;
    }
}

void FlowTable::grow() {
    std::vector<uint32_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, NoFlow);
    slotHashes_.assign(old.size() * 2, 0);
    for (uint32_t f : old) {
        if (f == NoFlow) continue;
        const uint64_t h = pairHash(flows_[f].a, flows_[f].b);
        const size_t i = slotFor(flows_[f].a, flows_[f].b, h);
        slots_[i] = f;
        slotHashes_[i] = static_cast<uint32_t>(h >> 32);
    }
}

bool FlowTable::startsNewConnection(const Building& b, bool fromB, const DecodedPacket& p) const {
    const int s = fromB ? 1 : 0;
    if (b.synSeen[s]) return b.isn[s] != p.seq; // same ISN: a retransmitted SYN
    if (b.seqSeen[s]) return std::abs(seqDiff(p.seq, b.firstSeq[s])) > SameConnectionSeqSpan;
    // Only the other side was seen so far: new if that connection had ended.
    return b.ended;
}

uint32_t FlowTable::newFlow(const DecodedPacket& p) {
    const auto idx = static_cast<uint32_t>(flows_.size());
    Building b;
    b.a = p.src;
    b.b = p.dst;
    flows_.push_back(b);
    if (2 * flows_.size() > slots_.size()) grow();
    // The newest flow of an address/port pair takes its slot (port reuse).
    const uint64_t h = pairHash(p.src, p.dst);
    const size_t i = slotFor(p.src, p.dst, h);
    slots_[i] = idx;
    slotHashes_[i] = static_cast<uint32_t>(h >> 32);
    return idx;
}

uint32_t FlowTable::lookup(const DecodedPacket& p, bool& fromB) {
    uint32_t idx;
    if (lastFlow_ != NoFlow && samePair(flows_[lastFlow_].a, flows_[lastFlow_].b, p.src, p.dst)) {
        idx = lastFlow_;
    } else {
        const uint32_t found = slots_[slotFor(p.src, p.dst, pairHash(p.src, p.dst))];
        idx = found == NoFlow ? newFlow(p) : found;
    }
    fromB = !(flows_[idx].a == p.src);
    const bool pureSyn = (p.flags & (tcpflag::SYN | tcpflag::ACK | tcpflag::RST)) == tcpflag::SYN;
    if (pureSyn && flows_[idx].packets > 0 && startsNewConnection(flows_[idx], fromB, p)) {
        idx = newFlow(p);
        fromB = false;
    }
    lastFlow_ = idx;
    return idx;
}

void FlowTable::add(uint32_t frame, int64_t tsNs, const DecodedPacket& p) {
    bool fromB = false;
    const uint32_t idx = lookup(p, fromB);
    Building& b = flows_[idx];
    const int s = fromB ? 1 : 0;
    const bool syn = p.flags & tcpflag::SYN, ackf = p.flags & tcpflag::ACK;
    if (syn && !ackf && !b.synSeen[s]) {
        b.synSeen[s] = true;
        b.isn[s] = p.seq;
    }
    if (syn && ackf) b.synAckSeen[s] = true;
    if (!b.seqSeen[s] && !(p.flags & tcpflag::RST)) {
        b.seqSeen[s] = true;
        b.firstSeq[s] = p.seq;
    }
    if (p.flags & (tcpflag::FIN | tcpflag::RST)) b.ended = true;
    ++b.packets;

    PacketRecord& r = analysis_.packets.append();
    r.tsNs = tsNs;
    r.frame = frame;
    r.flow = idx;
    r.seq = p.seq;
    r.ack = p.ack;
    r.payloadLen = p.payloadLen;
    r.window = p.window;
    r.ipId = p.ipId;
    r.flags = p.flags;
    r.ttl = p.ttl;
    r.info = (fromB ? pinfo::FromServer : 0) | (p.ipVersion == 4 ? pinfo::HasIpId : 0) |
             (p.hasMss ? pinfo::HasMss : 0) | (p.hasWscale ? pinfo::HasWscale : 0) |
             (p.hasSackPerm ? pinfo::HasSackPerm : 0) | (p.sackBlocks ? pinfo::HasSack : 0) |
             (p.hasTimestamp ? pinfo::HasTimestamp : 0) | (p.truncated ? pinfo::Truncated : 0);
    r.wscale = p.wscale;
    r.mss = p.mss;
}

void FlowTable::finish() {
    std::vector<uint32_t>().swap(slots_);
    std::vector<uint32_t>().swap(slotHashes_);
    lastFlow_ = NoFlow;
    auto& flows = analysis_.flows;
    flows.resize(flows_.size());
    // Decide roles: the SYN sender is the client; without a SYN, the receiver of a
    // SYN-ACK; without either, the side with the ephemeral port.
    std::vector<uint8_t> swap(flows_.size(), 0);
    for (size_t i = 0; i < flows_.size(); ++i) {
        const Building& b = flows_[i];
        bool aIsClient;
        if (b.synSeen[0] != b.synSeen[1]) aIsClient = b.synSeen[0];
        else if (b.synAckSeen[0] != b.synAckSeen[1]) aIsClient = b.synAckSeen[1];
        else aIsClient = looksLikeClient(b.a, b.b);
        swap[i] = aIsClient ? 0 : 1;
        Flow& f = flows[i];
        f.id = static_cast<uint32_t>(i + 1);
        f.handshakeSeen = b.synSeen[0] || b.synSeen[1] || b.synAckSeen[0] || b.synAckSeen[1];
        f.sides[0].endpoint = aIsClient ? b.a : b.b;
        f.sides[1].endpoint = aIsClient ? b.b : b.a;
        f.packets.reserve(b.packets); // exact: no slack for millions of packets
    }
    std::vector<Building>().swap(flows_); // reading-time state is no longer needed
    auto& store = analysis_.packets;
    for (uint32_t i = 0; i < store.size(); ++i) {
        PacketRecord& r = store[i];
        if (swap[r.flow]) r.info ^= pinfo::FromServer;
        flows[r.flow].packets.push_back(i);
    }
    for (Flow& f : flows) {
        if (f.packets.empty()) continue;
        const PacketRecord& first = store[f.packets.front()];
        const PacketRecord& last = store[f.packets.back()];
        f.firstFrame = first.frame;
        f.lastFrame = last.frame;
        f.startNs = first.tsNs;
        f.endNs = last.tsNs;
    }

}

} // namespace flowladder::core
