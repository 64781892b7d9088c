#include "core/tcp/FlowTable.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <sys/mman.h>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace flowladder::core {

namespace {

// Client by convention when no SYN was seen: the side with the ephemeral (higher,
// or non-well-known) port.
bool looksLikeClient(uint16_t port, uint16_t otherPort)
{
    const bool wellKnown = port < 1024, otherWellKnown = otherPort < 1024;
    if (wellKnown != otherWellKnown) return !wellKnown;
    return port > otherPort;
}

// A SYN whose ISN lies this close to what was already seen belongs to the same connection
// (handshake packets captured out of order).
constexpr int32_t SameConnectionSeqSpan = 1 << 20;

} // namespace

namespace {

// The address as two words (IPv4 uses the first four bytes; the rest are zero).
struct AddrWords {
    uint64_t lo, hi;
};
AddrWords words(const IpAddress& a)
{
    AddrWords w;
    std::memcpy(&w.lo, a.bytes.data(), 8);
    std::memcpy(&w.hi, a.bytes.data() + 8, 8);
    return w;
}

uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

// The key enters before the multiplications and both mixing rounds, so without it the
// attacker can neither invert the hash nor search for collisions offline.
uint64_t endpointHash(const Endpoint& e, const FlowTable::HashKey& k)
{
    const AddrWords w = words(e.addr);
    return mix64((w.lo ^ k.k0) * 0x9e3779b97f4a7c15ull ^ (w.hi ^ k.k1) * 0xc2b2ae3d27d4eb4full ^
                 (uint64_t{e.port} << 8 | e.addr.version));
}

// Whether the flow is between x and y, either way round (this runs for every packet).
bool holdsPair(const Flow& f, const Endpoint& x, const Endpoint& y)
{
    return (f.endpointIs(0, x) && f.endpointIs(1, y)) || (f.endpointIs(0, y) && f.endpointIs(1, x));
}

} // namespace

FlowTable::HashKey FlowTable::randomKey()
{
    std::random_device rd;
    auto word = [&] { return uint64_t{rd()} << 32 | rd(); };
    HashKey k;
    k.k0 = word();
    k.k1 = word();
    return k;
}

// Independent of direction: the sum of the two endpoints' hashes, mixed again with the key.
uint64_t FlowTable::pairHash(const Endpoint& x, const Endpoint& y) const
{
    return mix64(endpointHash(x, key_) + endpointHash(y, key_) + key_.k1);
}

namespace {
// How a slot table of this many bytes is allocated (see FlowTable.h).
enum class SlotMemory { Heap, Populated, Huge };
SlotMemory slotMemory(size_t bytes)
{
    if (bytes >= detail::HugePageBytes) return SlotMemory::Huge;
    if (bytes >= (size_t{64} << 10)) return SlotMemory::Populated;
    return SlotMemory::Heap;
}
} // namespace

void FlowTable::FreeSlots::operator()(Slot* p) const noexcept
{
    const size_t bytes = count * sizeof(Slot);
    switch (slotMemory(bytes)) {
    case SlotMemory::Huge:
        detail::freeHugeChunk(p);
        break;
    case SlotMemory::Populated:
        ::munmap(p, bytes);
        break;
    case SlotMemory::Heap:
        ::operator delete(p);
        break;
    }
}

FlowTable::SlotArray FlowTable::allocateSlots(size_t count)
{
    if (count > SIZE_MAX / 2 / sizeof(Slot)) throw std::bad_alloc();
    const size_t bytes = count * sizeof(Slot);
    void* p = nullptr;
    switch (slotMemory(bytes)) {
    case SlotMemory::Huge:
        p = detail::allocateHugeChunk((bytes + detail::HugePageBytes - 1) & ~(detail::HugePageBytes - 1), true);
        break;
    case SlotMemory::Populated:
        p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        break;
    case SlotMemory::Heap:
        p = ::operator new(bytes);
        break;
    }
    auto* slots = static_cast<Slot*>(p);
    std::uninitialized_fill_n(slots, count, Slot{NoFlow, 0});
    return SlotArray(slots, FreeSlots{count});
}

// The table index is the hash's low bits, as the tag is its low 32 (tables stay below 2^32 slots).
size_t FlowTable::slotFor(const Endpoint& x, const Endpoint& y, uint64_t hash) const
{
    const size_t mask = slotCount() - 1;
    const auto& flows = analysis_.flows;
    const auto tag = static_cast<uint32_t>(hash);
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
        ++probes_;
        const Slot slot = slots_[i];
        if (slot.flow == NoFlow) return i;
        const Flow& f = flows[slot.flow];
        if (slot.tag == tag && holdsPair(f, x, y)) return i;
    }
}

void FlowTable::grow()
{
    const size_t oldCount = slotCount();
    if (oldCount >= (size_t{1} << 32)) throw std::length_error("more than 2 147 483 648 connections");
    SlotArray old = std::exchange(slots_, allocateSlots(2 * oldCount));
    // Every flow in the table has its own address/port pair: no comparisons, only the
    // stored tag to find an empty slot.
    const size_t mask = slotCount() - 1;
    for (size_t k = 0; k < oldCount; ++k) {
        const Slot slot = old[k];
        if (slot.flow == NoFlow) continue;
        size_t i = slot.tag & mask;
        while (slots_[i].flow != NoFlow)
            i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

bool FlowTable::startsNewConnection(uint8_t seen, uint32_t isn, int s, uint32_t seq)
{
    if (seen & (SynSeen << s)) return isn != seq; // same ISN: a retransmitted SYN (isn: see seen_)
    if (seen & (SeqSeen << s)) return std::abs(seqDiff(seq, isn)) > SameConnectionSeqSpan;
    // Only the other side was seen so far: new if that connection had ended.
    return (seen & Ended) != 0;
}

namespace {
// Every TCP packet takes at least this much of a file: a 16-byte record header and 40
// bytes of IP and TCP headers. So does every connection (it has at least one packet).
constexpr uint64_t MinBytesPerPacket = 56;
} // namespace

void FlowTable::reserveFor(uint64_t fileBytes)
{
    constexpr uint64_t MaxReserved = uint64_t{1} << 22;
    const auto n = static_cast<size_t>(std::min(fileBytes / MinBytesPerPacket + 1, MaxReserved));
    analysis_.flows.reserve(n);
    seen_.reserve(n);
    if (laterPart_) firstHead_.reserve(n);
}

void FlowTable::noteProgress(uint64_t bytesRead, uint64_t fileBytes, uint64_t packetsSoFar)
{
    if (bytesRead > fileBytes) return;
    // Before the first packet, the most the rest of the file can hold.
    const double perByte = packetsSoFar == 0 || bytesRead == 0
                               ? 1.0 / static_cast<double>(MinBytesPerPacket)
                               : static_cast<double>(packetsSoFar) / static_cast<double>(bytesRead);
    const auto more = static_cast<uint64_t>(static_cast<double>(fileBytes - bytesRead) * perByte);
    analysis_.packets.expectMore(more);
    const size_t flows = analysis_.flows.size();
    flowsExpectedMore_ = packetsSoFar == 0 || bytesRead == 0
                             ? UINT64_MAX
                             : static_cast<uint64_t>(static_cast<double>(fileBytes - bytesRead) *
                                                     static_cast<double>(flows) / static_cast<double>(bytesRead));
}

// The flow array is one huge-page allocation (detail::HugePageAllocator), reserved for the most
// flows the file can hold: each 2 MiB page of it is resident whole once touched. So when the
// flows reach a new page that the flows still expected will not fill (the last), that page gets
// ordinary pages instead, made resident a window at a time, as ChunkedArray does for records:
// 50,000 connections: 0.8 MiB less at the peak.
void FlowTable::prepareFlowPages(size_t need)
{
    auto& flows = analysis_.flows;
    const size_t allocated = flows.capacity() * sizeof(Flow);
    // Not a huge-page allocation, or about to grow into a new one (which starts over).
    if (allocated < detail::HugePageBytes || need > allocated) return;
    auto* base = reinterpret_cast<char*>(flows.data());
    while (flowBytesReady_ < need) {
        const size_t page = flowBytesReady_ & ~(detail::HugePageBytes - 1);
        if (flowBytesReady_ == page) { // entering a page that nothing has touched yet
            const uint64_t expected = flowsExpectedMore_ > UINT64_MAX / sizeof(Flow)
                                          ? UINT64_MAX
                                          : flowsExpectedMore_ * sizeof(Flow) + (need - page);
            if (expected >= detail::HugePageBytes && !laterPart_) {
                flowBytesReady_ = page + detail::HugePageBytes; // a huge page, as allocated
                continue;
            }
            ::madvise(base + page, detail::HugePageBytes, MADV_NOHUGEPAGE);
        }
        flowBytesReady_ = page + detail::populateAhead(base + page, flowBytesReady_ - page, need - page);
    }
}

uint32_t FlowTable::newFlow(const DecodedPacket& p, uint64_t hash)
{
    auto& flows = analysis_.flows;
    if (flows.size() >= UINT32_MAX - 1) throw std::length_error("more than 4 294 967 294 connections");
    const auto idx = static_cast<uint32_t>(flows.size());
    if (const size_t need = (flows.size() + 1) * sizeof(Flow); need > flowBytesReady_) prepareFlowPages(need);
    Flow& f = flows.emplace_back();
    analysis_.setEndpoints(f, p.src, p.dst);
    seen_.push_back(0);
    if (laterPart_) firstHead_.push_back(analysis_.packets.headSize());
    if (2 * flows.size() > slotCount()) grow();
    // The newest flow of an address/port pair takes its slot (port reuse).
    slots_[slotFor(p.src, p.dst, hash)] = Slot{idx, static_cast<uint32_t>(hash)};
    return idx;
}

uint32_t FlowTable::lookup(const DecodedPacket& p, bool& fromB)
{
    const auto& flows = analysis_.flows;
    uint32_t idx;
    Recent& recent = recent_[recentIndex(p)];
    const uint32_t ports = portsOf(p);
    if (recent.flow != NoFlow && recent.ports == ports && holdsPair(flows[recent.flow], p.src, p.dst)) {
        idx = recent.flow;
    } else {
        const uint64_t h = pairHash(p.src, p.dst);
        const uint32_t found = slots_[slotFor(p.src, p.dst, h)].flow;
        idx = found == NoFlow ? newFlow(p, h) : found;
    }
    fromB = !flows[idx].endpointIs(0, p.src);
    const bool pureSyn = (p.flags & (tcpflag::SYN | tcpflag::ACK | tcpflag::RST)) == tcpflag::SYN;
    const int s = fromB ? 1 : 0;
    if (pureSyn && flows[idx].packets.count > 0 && startsNewConnection(seen_[idx], flows[idx].sides[s].isn, s, p.seq)) {
        idx = newFlow(p, pairHash(p.src, p.dst));
        seen_[idx] |= Successor;
        fromB = false;
    }
    recent = Recent{idx, ports}; // the newest flow of the pair, also after port reuse
    return idx;
}

uint32_t FlowTable::notePacket(Flow& f, uint8_t& seen, int s, const PacketFacts& p)
{
    const bool syn = p.flags & tcpflag::SYN, ackf = p.flags & tcpflag::ACK;
    if (syn) {
        // Options of the side's (last) SYN: what the analysis scales windows by.
        FlowSide& fs = f.sides[s];
        if (p.hasMss) fs.mss = p.mss;
        fs.wscale = p.hasWscale ? p.wscale : int8_t{-1};
        if (!ackf && !(seen & (SynSeen << s))) {
            seen |= SynSeen << s;
            fs.isn = p.seq;
        }
        if (ackf) seen |= SynAckSeen << s;
    }
    if (!(seen & (SeqSeen << s)) && !(p.flags & tcpflag::RST)) {
        seen |= SeqSeen << s;
        if (!(seen & (SynSeen << s))) f.sides[s].isn = p.seq;
    }
    if (p.flags & (tcpflag::FIN | tcpflag::RST)) seen |= Ended;
    if (f.packets.count == UINT32_MAX) throw std::length_error("a connection with more than 4 294 967 295 packets");
    const uint32_t row = f.packets.count++;
    return row;
}

void FlowTable::add(uint32_t frame, int64_t tsNs, const DecodedPacket& p)
{
    bool fromB = false;
    const uint32_t idx = lookup(p, fromB);
    Flow& f = analysis_.flows[idx];
    const uint32_t row = notePacket(f, seen_[idx], fromB ? 1 : 0,
                                    PacketFacts{p.flags, p.seq, p.hasMss, p.mss, p.hasWscale,
                                                p.hasWscale ? static_cast<int8_t>(p.wscale) : int8_t{-1}});

    PacketStore& store = analysis_.packets;
    PacketRecord* rp;
    if (row < PacketStore::HeadRows) {
        const uint32_t index = store.headSize();
        if (frame != index + 1 + skipped_) {
            skipped_ = frame - index - 1; // frames arrive in increasing order, from 1
            gaps_.push_back({index, skipped_});
        }
        rp = &store.appendHead();
        rp->frame = idx;                        // the flow, until groupHeads() (see the header)
        rp->marks = static_cast<uint16_t>(row); // its row in the flow, until groupHeads()
    } else {
        const uint32_t k = row - PacketStore::HeadRows;
        uint32_t& block = f.packets.first; // the current tail block, until settle() (see the header)
        if ((k & (PacketStore::BlockRows - 1)) == 0) {
            block = store.newBlock();
            blocks_.push_back({idx, block});
        }
        rp = &store.placeInBlock(block + (k & (PacketStore::BlockRows - 1)));
        rp->frame = frame;
    }
    PacketRecord& r = *rp;
    r.tsNs = tsNs;
    r.seq = p.seq;
    r.ack = p.ack;
    r.payloadLen = std::min(p.payloadLen, PacketRecord::MaxPayloadLen);
    r.window = p.window;
    r.ipId = p.ipId;
    r.flags = p.flags;
    r.ttl = p.ttl;
    r.info = (fromB ? pinfo::FromServer : 0) | (p.ipVersion == 4 ? pinfo::HasIpId : 0) |
             (p.hasMss ? pinfo::HasMss : 0) | (p.hasWscale ? pinfo::HasWscale : 0) |
             (p.hasSackPerm ? pinfo::HasSackPerm : 0) | (p.sackBlocks ? pinfo::HasSack : 0) |
             (p.hasTimestamp ? pinfo::HasTimestamp : 0) | (p.truncated ? pinfo::Truncated : 0);
}

bool FlowTable::shortFlowsOnly(uint32_t packetsPerFlow) const
{
    const uint64_t flows = analysis_.flows.size();
    return blocks_.empty() && flows > 0 && analysis_.packets.size() <= flows * packetsPerFlow;
}

void FlowTable::partRead()
{
    slots_.reset();
    std::vector<Recent>().swap(recent_);
}

bool FlowTable::absorb(FlowTable& part, uint32_t framesBefore)
{
    static_assert(std::is_trivially_copyable_v<Flow>);
    Analysis& pa = part.analysis_;
    auto& flows = analysis_.flows;
    const auto n = static_cast<uint32_t>(pa.flows.size());
    PacketStore& store = analysis_.packets;
    const uint32_t partHeads = pa.packets.headSize();
    if (flows.size() >= (1u << 31)) return false; // see Segment below

    // Decided first, changing nothing: where each of the part's flows and records goes.
    //
    // Connections are told apart by address pair (add(): lookup). The part's flows of a pair
    // that has no flow here are as the part read them; so are those of a pair whose first flow
    // in the part starts with a SYN that add() would call a new connection. The packets of the
    // first flow in the part of any other pair that has a flow here are decided again as add()
    // would have met them, after that flow: they may continue it, and where a SYN starts a new
    // connection depends on what was seen of the pair here too. They must all lie in the flow's
    // head (a short connection), and the part's next connection on the pair, if any, must be a
    // new one to one reading too; otherwise the part is dropped and read again.
    constexpr uint32_t Plain = UINT32_MAX;
    std::vector<uint32_t> pairHere(n, Plain);       // the flow here of a pair decided again
    std::unordered_map<uint32_t, uint32_t> groupOf; // flow here -> its group (pairs decided again)
    std::vector<uint32_t> groupHere;                // per pair decided again: its flow here
    std::vector<uint32_t> nextOf;                   // and the part's next connection on it (Plain: none)
    // Each lookup waits for memory three times (the table's slot, the flow here it holds, the
    // part's first record): the slot and the record are fetched Ahead flows early, the flow
    // here half as early once its slot has come (50,000 connections: 3.0-3.5 -> 1.7-2.1 ms).
    constexpr uint32_t Ahead = 16;
    std::array<uint64_t, Ahead> hashes{};
    const size_t mask = slotCount() - 1;
    const auto fetch = [&](uint32_t i) {
        const Flow& b = pa.flows[i];
        hashes[i % Ahead] = pairHash(b.endpointAt(0), b.endpointAt(1));
        __builtin_prefetch(&slots_[hashes[i % Ahead] & mask]);
        __builtin_prefetch(&pa.packets[part.firstHead_[i]]);
    };
    const auto fetchFlow = [&](uint32_t i) {
        if (const uint32_t f = slots_[hashes[i % Ahead] & mask].flow; f != NoFlow) {
            __builtin_prefetch(&flows[f]);
            __builtin_prefetch(reinterpret_cast<const char*>(&flows[f]) + 64);
        }
    };
    for (uint32_t i = 0; i < std::min(n, Ahead); ++i)
        fetch(i);
    for (uint32_t i = 0; i < n; ++i) {
        const uint64_t hash = hashes[i % Ahead];
        if (i + Ahead / 2 < n) fetchFlow(i + Ahead / 2);
        if (i + Ahead < n) fetch(i + Ahead);
        const Flow& b = pa.flows[i];
        const uint8_t seen = part.seen_[i];
        const Endpoint e0 = b.endpointAt(0), e1 = b.endpointAt(1);
        const uint32_t here = slots_[slotFor(e0, e1, hash)].flow;
        if (here == NoFlow) continue;
        if (seen & Successor) { // a later connection of the pair in the part: see below
            if (const auto g = groupOf.find(here); g != groupOf.end() && nextOf[g->second] == Plain)
                nextOf[g->second] = i;
            continue;
        }
        const Flow& a = flows[here];
        const int s = a.endpointIs(0, e0) ? 0 : 1; // the side here that sent the part's first packet
        const PacketRecord& first = pa.packets[part.firstHead_[i]];
        const bool pureSyn = (first.flags & (tcpflag::SYN | tcpflag::ACK | tcpflag::RST)) == tcpflag::SYN;
        if (pureSyn && a.packets.count > 0 && startsNewConnection(seen_[here], a.sides[s].isn, s, first.seq)) continue;
        pairHere[i] = here;
        groupOf.emplace(here, static_cast<uint32_t>(groupHere.size()));
        groupHere.push_back(here);
        nextOf.push_back(Plain);
    }

    // The packets of the flows decided again, in the order read, each as add() takes it: a new
    // connection where it would be one.
    struct Retag {
        uint32_t flow; // a flow here, or Segment + an index into `segments`
        uint16_t row;
        bool fromB;
    };
    constexpr uint32_t Segment = 1u << 31;
    struct NewFlow {
        uint32_t firstHead; // head index in the part of its first record
        Flow flow;
        uint8_t seen;
    };
    std::vector<uint32_t> retagAt; // head indexes in the part, in order, of the records decided again
    std::vector<Retag> retags;
    std::vector<NewFlow> segments;
    std::vector<std::pair<Flow, uint8_t>> continued(groupHere.size()); // the flows here as they end
    if (!groupHere.empty()) {
        // Their records, found in the part's head (its records in the order read) as far as the
        // last of them: the connections that cross the boundary end soon after it.
        uint64_t left = 0;
        for (uint32_t i = 0; i < n; ++i)
            left += pairHere[i] != Plain ? pa.flows[i].packets.headCount() : 0;
        std::vector<std::vector<uint32_t>> records(groupHere.size());
        for (uint32_t h = 0; h < partHeads && left > 0; ++h) {
            const uint32_t here = pairHere[pa.packets[h].frame]; // the flow, until groupHeads()
            if (here == Plain) continue;
            records[groupOf[here]].push_back(h);
            --left;
        }
        // A SYN's options are not in its record: the part's flow keeps those of each side's last
        // SYN (its MSS, of the last SYN that had one). A flow decided again takes them when its
        // own last SYN of a side is such a one, and is not followed otherwise.
        std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> lastSyn; // flow and side -> last SYN, last with MSS
        for (const auto& list : records) {
            for (const uint32_t h : list) {
                const PacketRecord& r = pa.packets[h];
                if (!(r.flags & tcpflag::SYN)) continue;
                auto& last = lastSyn
                                 .try_emplace(uint64_t{r.frame} << 1 | (r.info & pinfo::FromServer ? 1u : 0u),
                                              UINT32_MAX, UINT32_MAX)
                                 .first->second;
                last.first = h;
                if (r.info & pinfo::HasMss) last.second = h;
            }
        }
        for (size_t g = 0; g < groupHere.size(); ++g) {
            Flow cur = flows[groupHere[g]];
            uint8_t curSeen = seen_[groupHere[g]];
            uint32_t curId = groupHere[g];
            std::array<uint8_t, 2> optionsUnknown{}; // per side: 1 MSS, 2 window scale
            const auto finish = [&] {
                if (optionsUnknown[0] || optionsUnknown[1]) return false;
                if (curId & Segment)
                    segments[curId & ~Segment] = {segments[curId & ~Segment].firstHead, cur, curSeen};
                else
                    continued[g] = {cur, curSeen};
                return true;
            };
            for (const uint32_t h : records[g]) {
                const PacketRecord& r = pa.packets[h];
                const Flow& b = pa.flows[r.frame];
                if (b.packets.count > PacketStore::HeadRows) return false; // records in tail blocks
                const int from = (r.info & pinfo::FromServer) ? 1 : 0;     // the sender, a side of b
                int s = cur.endpointIs(0, b.endpointAt(from)) ? 0 : 1;
                const bool pureSyn = (r.flags & (tcpflag::SYN | tcpflag::ACK | tcpflag::RST)) == tcpflag::SYN;
                if (pureSyn && cur.packets.count > 0 && startsNewConnection(curSeen, cur.sides[s].isn, s, r.seq)) {
                    if (!finish()) return false;
                    cur = Flow{};
                    cur.v6 = b.v6; // the part's pair of addresses until the flow is kept
                    cur.sides[0].addr = b.sides[from].addr;
                    cur.sides[0].port = b.sides[from].port;
                    cur.sides[1].addr = b.sides[1 - from].addr;
                    cur.sides[1].port = b.sides[1 - from].port;
                    curSeen = Successor;
                    curId = Segment | static_cast<uint32_t>(segments.size());
                    segments.push_back({h, cur, curSeen});
                    optionsUnknown = {};
                    s = 0;
                }
                const FlowSide& bs = b.sides[from];
                const bool hasMss = (r.info & pinfo::HasMss) != 0;
                if (r.flags & tcpflag::SYN) {
                    const auto& last = lastSyn.at(uint64_t{r.frame} << 1 | static_cast<uint64_t>(from));
                    if (hasMss) optionsUnknown[s] = (optionsUnknown[s] & ~1u) | (last.second == h ? 0 : 1);
                    const bool wscaleUnknown = (r.info & pinfo::HasWscale) && last.first != h;
                    optionsUnknown[s] = (optionsUnknown[s] & ~2u) | (wscaleUnknown ? 2 : 0);
                }
                const uint32_t row = notePacket(
                    cur, curSeen, s,
                    PacketFacts{r.flags, r.seq, hasMss, bs.mss, (r.info & pinfo::HasWscale) != 0, bs.wscale});
                if (row >= PacketStore::HeadRows) return false;
                retagAt.push_back(h);
                retags.push_back({curId, static_cast<uint16_t>(row), s == 1});
            }
            if (!finish()) return false;
            // The part's next connection on the pair began with a SYN that add() weighed against
            // what the part alone had seen of the pair. If one reading calls it a new connection
            // too, that flow and those after it stand as read; otherwise the part is read again.
            if (const uint32_t next = nextOf[g]; next != Plain) {
                const Flow& b = pa.flows[next];
                const PacketRecord& r = pa.packets[part.firstHead_[next]]; // a SYN without ACK, from side 0
                const int s = cur.endpointIs(0, b.endpointAt(0)) ? 0 : 1;
                if (cur.packets.count == 0 || !startsNewConnection(curSeen, cur.sides[s].isn, s, r.seq)) return false;
            }
        }
    }
    if (uint64_t{flows.size()} + n + segments.size() >= UINT32_MAX - 1) return false;

    // The part's tail records hold their frame numbers within the part.
    if (!part.blocks_.empty()) {
        std::vector<uint32_t> rowsLeft(n);
        for (uint32_t i = 0; i < n; ++i)
            rowsLeft[i] = pa.flows[i].packets.count > PacketStore::HeadRows
                              ? pa.flows[i].packets.count - PacketStore::HeadRows
                              : 0;
        for (const TailBlock& tb : part.blocks_) {
            const uint32_t rows = std::min(rowsLeft[tb.flow], PacketStore::BlockRows);
            for (uint32_t k = 0; k < rows; ++k)
                pa.packets[tb.first + k].frame += framesBefore;
            rowsLeft[tb.flow] -= rows;
        }
    }
    // The flows: the part's, and the new connections found again, in the order of their first
    // packets; flows here that the part continues take their new state.
    std::vector<uint32_t> target(n, Plain);
    std::vector<uint32_t> segmentTarget(segments.size());
    part.partRead();
    for (size_t g = 0; g < groupHere.size(); ++g) {
        flows[groupHere[g]] = continued[g].first;
        seen_[groupHere[g]] = continued[g].second;
    }
    // The part's flow array is given back as it is copied (ordinary pages: readsLaterPart), so
    // both arrays are never whole at once.
    auto* const partBase = reinterpret_cast<char*>(pa.flows.data());
    const bool giveBack = pa.flows.capacity() * sizeof(Flow) >= detail::HugePageBytes;
    size_t givenBack = 0;
    flowsExpectedMore_ = segments.size();
    for (uint32_t i = 0; i < n; ++i)
        flowsExpectedMore_ += pairHere[i] == Plain ? 1 : 0;
    const auto append = [&](const Flow& from, uint8_t seen) {
        if (const size_t need = (flows.size() + 1) * sizeof(Flow); need > flowBytesReady_) prepareFlowPages(need);
        Flow& f = flows.emplace_back(from);
        --flowsExpectedMore_;
        if (from.v6) f.v6 = &analysis_.ipv6Pairs.emplace_back(*from.v6);
        seen_.push_back(seen);
        return static_cast<uint32_t>(flows.size() - 1);
    };
    // Segments are in the order of their first records within each pair, not across pairs.
    size_t nextSegment = 0;
    std::vector<uint32_t> segmentOrder(segments.size());
    for (uint32_t k = 0; k < segmentOrder.size(); ++k)
        segmentOrder[k] = k;
    std::sort(segmentOrder.begin(), segmentOrder.end(),
              [&](uint32_t x, uint32_t y) { return segments[x].firstHead < segments[y].firstHead; });
    for (uint32_t i = 0; i < n; ++i) {
        if (pairHere[i] != Plain) continue;
        while (nextSegment < segmentOrder.size() &&
               segments[segmentOrder[nextSegment]].firstHead < part.firstHead_[i]) {
            const NewFlow& nf = segments[segmentOrder[nextSegment]];
            segmentTarget[segmentOrder[nextSegment++]] = append(nf.flow, nf.seen);
        }
        target[i] = append(pa.flows[i], part.seen_[i]);
        if (giveBack) {
            const size_t done = (size_t{i} + 1) * sizeof(Flow) & ~(detail::PopulateWindowBytes - 1);
            if (done > givenBack) {
                ::madvise(partBase + givenBack, done - givenBack, MADV_DONTNEED);
                givenBack = done;
            }
        }
    }
    while (nextSegment < segmentOrder.size()) {
        const NewFlow& nf = segments[segmentOrder[nextSegment]];
        segmentTarget[segmentOrder[nextSegment++]] = append(nf.flow, nf.seen);
    }

    // The head records decided again name their place from here on as n + their index in
    // `retags` (a part's flow index is below n).
    for (size_t k = 0; k < retagAt.size(); ++k)
        pa.packets[retagAt[k]].frame = n + static_cast<uint32_t>(k);

    // The records: the part's head records follow these, naming their flow and row here; its
    // tail blocks follow these chunks.
    const uint32_t headBefore = store.headSize();
    const uint32_t tailBase = store.absorb(pa.packets, [&](PacketRecord& r) {
        if (r.frame < n) {
            r.frame = target[r.frame];
            return;
        }
        const Retag& t = retags[r.frame - n];
        r.frame = (t.flow & Segment) ? segmentTarget[t.flow & ~Segment] : t.flow;
        r.marks = t.row;
        r.info = static_cast<uint8_t>((r.info & ~pinfo::FromServer) | (t.fromB ? pinfo::FromServer : 0));
    });
    for (uint32_t i = 0; i < n; ++i) {
        if (target[i] == Plain || flows[target[i]].packets.count <= PacketStore::HeadRows) continue;
        uint32_t& block = flows[target[i]].packets.first; // the current tail block (see the header)
        block = ((block & ~PacketStore::TailBit) + tailBase) | PacketStore::TailBit;
    }
    for (const TailBlock& tb : part.blocks_)
        blocks_.push_back({target[tb.flow], ((tb.first & ~PacketStore::TailBit) + tailBase) | PacketStore::TailBit});
    // Frame numbers of head records: the part's record j is frame framesBefore + its own.
    const uint32_t lift = framesBefore - headBefore; // frames here not in the head part
    const uint32_t current = gaps_.empty() ? 0 : gaps_.back().skipped;
    if (lift != current && (part.gaps_.empty() || part.gaps_.front().first != 0)) gaps_.push_back({headBefore, lift});
    for (const Gap& g : part.gaps_)
        gaps_.push_back({headBefore + g.first, lift + g.skipped});
    skipped_ = lift + part.skipped_;
    std::vector<TailBlock>().swap(part.blocks_);
    std::vector<Gap>().swap(part.gaps_);
    std::vector<uint8_t>().swap(part.seen_);
    std::vector<uint32_t>().swap(part.firstHead_);
    return true;
}

uint32_t FlowTable::frameOfRecord(uint32_t index) const
{
    if (gaps_.empty()) return index + 1;
    auto it = std::upper_bound(gaps_.begin(), gaps_.end(), index, [](uint32_t i, const Gap& g) { return i < g.first; });
    return index + 1 + (it == gaps_.begin() ? 0 : std::prev(it)->skipped);
}

// Gives each flow its run of the head part (flows in id order). Each head record already
// knows its destination there: the run's start plus its row (see add()).
void FlowTable::planHeads()
{
    auto& flows = analysis_.flows;
    headStart_.resize(flows.size());
    uint32_t next = 0;
    for (size_t f = 0; f < flows.size(); ++f) {
        flows[f].packets.first = next;
        headStart_[f] = next;
        next += flows[f].packets.headCount();
    }
}

// Moves every head record to its destination (planHeads): a counting sort done in place, so no
// second copy of the records exists at any time.
void FlowTable::groupHeads(const std::function<void(uint32_t)>& placedBelow)
{
    auto& store = analysis_.packets;
    const uint32_t n = store.headSize();
    // Follow each cycle of the permutation: every swap puts one record in its place, where
    // it gets its frame number back and its direction turned if its flow's first sender was
    // the server. A position not yet placed holds the record that was read there (cycles
    // only touch their own positions), so where each record came from, and so its frame
    // number, is known when it is placed.
    std::vector<uint64_t> placed((n + 63) / 64, 0);
    const auto destination = [&](const PacketRecord& r) { return headStart_[r.frame] + r.marks; };
    const auto place = [&](uint32_t at, uint32_t from) {
        PacketRecord& r = store[at];
        if (swapped_[r.frame]) r.info ^= pinfo::FromServer;
        r.frame = frameOfRecord(from);
        r.marks = 0;
        placed[at >> 6] |= uint64_t{1} << (at & 63);
    };
    constexpr uint32_t ReportEvery = 4096;
    // Records are read in prefetches this far ahead of i: where flows interleave, a cycle hops
    // a few hundred records ahead of it, farther than the hardware prefetcher looks.
    constexpr uint32_t PrefetchAhead = 512;
    for (uint32_t i = 0; i < n; ++i) {
        // Every position below i is placed: cycles are followed whole, from their first position.
        if (placedBelow && i % ReportEvery == 0) placedBelow(i);
        if (i + PrefetchAhead < n) __builtin_prefetch(&store[i + PrefetchAhead], 1);
        if (placed[i >> 6] >> (i & 63) & 1) continue;
        uint32_t from = i; // where the record now at i was read
        for (uint32_t d = destination(store[i]); d != i; d = destination(store[i])) {
            std::swap(store[i], store[d]);
            place(d, from);
            from = d;
        }
        place(i, from);
    }
    std::vector<Gap>().swap(gaps_);
    std::vector<uint32_t>().swap(headStart_);
    std::vector<uint8_t>().swap(swapped_);
    if (placedBelow) placedBelow(n);
}

// Lists each flow's tail blocks together, in the order the flow took them (a stable counting
// sort of the blocks by flow), and points each flow at its list. Tail records already hold
// their frame numbers; those of flows whose first sender was the server change direction.
void FlowTable::listTailBlocks()
{
    auto& flows = analysis_.flows;
    auto& store = analysis_.packets;
    std::vector<uint32_t>& list = analysis_.tailBlocks;
    list.assign(blocks_.size(), 0);
    std::vector<uint32_t> at(flows.size() + 1, 0);
    for (const TailBlock& tb : blocks_)
        ++at[tb.flow + 1];
    for (size_t f = 0; f < flows.size(); ++f)
        at[f + 1] += at[f];
    for (size_t f = 0; f < flows.size(); ++f)
        if (at[f + 1] > at[f]) flows[f].packets.blocks = list.data() + at[f];
    for (const TailBlock& tb : blocks_)
        list[at[tb.flow]++] = tb.first;
    std::vector<TailBlock>().swap(blocks_);
    for (size_t f = 0; f < flows.size(); ++f) {
        if (!swapped_[f]) continue;
        const FlowPackets& fp = flows[f].packets;
        for (uint32_t row = PacketStore::HeadRows; row < fp.count; ++row)
            store[fp[row]].info ^= pinfo::FromServer;
    }
}

void FlowTable::settle()
{
    slots_.reset();
    std::vector<Recent>().swap(recent_);
    auto& flows = analysis_.flows;
    // Decide roles: the SYN sender is the client; without a SYN, the receiver of a
    // SYN-ACK; without either, the side with the ephemeral port.
    swapped_.assign(flows.size(), 0);
    for (size_t i = 0; i < flows.size(); ++i) {
        const uint8_t seen = seen_[i];
        Flow& f = flows[i];
        const bool synA = seen & SynSeen, synB = seen & (SynSeen << 1);
        const bool synAckA = seen & SynAckSeen, synAckB = seen & (SynAckSeen << 1);
        bool aIsClient;
        if (synA != synB)
            aIsClient = synA;
        else if (synAckA != synAckB)
            aIsClient = synAckB;
        else
            aIsClient = looksLikeClient(f.sides[0].port, f.sides[1].port);
        f.id = static_cast<uint32_t>(i + 1);
        f.handshakeSeen = (seen & (SynSeen * 3 | SynAckSeen * 3)) != 0;
        for (FlowSide& fs : f.sides)
            fs.isn = 0; // trackFlow settles ISNs
        if (!aIsClient) {
            std::swap(f.sides[0], f.sides[1]);
            swapped_[i] = 1;
        }
    }
    std::vector<uint8_t>().swap(seen_); // reading-time state is no longer needed
    planHeads();
    listTailBlocks();
}

} // namespace flowladder::core
