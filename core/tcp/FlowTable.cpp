#include "core/tcp/FlowTable.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <sys/mman.h>
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
        detail::freeHugeChunk(p, bytes);
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
        p = detail::allocateHugeChunk(bytes, true);
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
    std::uninitialized_fill_n(slots, count, Slot{0});
    return SlotArray(slots, FreeSlots{count});
}

// The table index is the hash's low bits (tables stay below 2^32 slots); the tag is the bits of
// its low 32 above them.
size_t FlowTable::slotFor(const Endpoint& x, const Endpoint& y, uint64_t hash) const
{
    const size_t mask = slotCount() - 1;
    const uint32_t low = indexBits();
    const auto& flows = analysis_.flows;
    const auto tag = static_cast<uint32_t>(hash) & ~low;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        ++probes_;
        const Slot slot = slots_[i];
        if (slot == 0) return i;
        if ((slot & ~low) == tag && holdsPair(flows[(slot & low) - 1], x, y)) return i;
    }
}

// A slot keeps too little of its flow's hash to place it in a larger table, so the flows are put
// in again, in order, each hashed again (reading the flow array in order, where going through
// the old table would read it at random): a flow takes the slot of an earlier one of its pair,
// as in newFlow (the newest flow of a pair is the one in the table). Each flow's slot is fetched
// a few flows ahead (500,000 refused connections: a third of the time of growing).
void FlowTable::grow()
{
    const size_t oldCount = slotCount();
    if (oldCount >= (size_t{1} << 32)) throw std::length_error("more than 2 147 483 648 connections");
    slots_ = allocateSlots(2 * oldCount);
    const auto& flows = analysis_.flows;
    const auto n = static_cast<uint32_t>(flows.size());
    const size_t mask = slotCount() - 1;
    constexpr uint32_t Ahead = 8;
    std::array<uint64_t, Ahead> hashes{};
    const auto fetch = [&](uint32_t f) {
        hashes[f % Ahead] = pairHash(flows[f].endpointAt(0), flows[f].endpointAt(1));
        __builtin_prefetch(&slots_[hashes[f % Ahead] & mask], 1);
    };
    for (uint32_t f = 0; f < std::min(n, Ahead); ++f)
        fetch(f);
    for (uint32_t f = 0; f < n; ++f) {
        const uint64_t hash = hashes[f % Ahead];
        if (f + Ahead < n) fetch(f + Ahead);
        slots_[slotFor(flows[f].endpointAt(0), flows[f].endpointAt(1), hash)] = slotOf(f, hash);
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
// 50,000 connections: 0.8 MiB less at the peak. The first page is entered with the first
// packet, before any estimate: it too gets ordinary pages (a part of 25,000 connections fills
// 1.5 MiB of it: 0.5 MiB less at the peak).
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
            // Unknown (no packet read yet: the first page) counts as not filling it.
            const uint64_t expected =
                flowsExpectedMore_ >= UINT64_MAX / sizeof(Flow) ? 0 : flowsExpectedMore_ * sizeof(Flow) + (need - page);
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
    slots_[slotFor(p.src, p.dst, hash)] = slotOf(idx, hash);
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
        const uint32_t found = flowIn(slotFor(p.src, p.dst, h));
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
    store.setTime(r, frame, tsNs);
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
    headStart_.resize(groupedRuns()); // the padding's too: see below
    uint32_t next = 0, padStart = 0;
    for (size_t f = 0; f <= flows.size(); ++f) {
        if (padding_ > 0 && f == padAfter_) { // absorb()'s padding, a flow of its own: see the header
            padStart = next;
            next += padding_;
        }
        if (f == flows.size()) break;
        flows[f].packets.first = next;
        headStart_[f] = next;
        next += flows[f].packets.headCount();
    }
    if (padding_ > 0) { // (headStart_ and swapped_ have room for it: growing them costs 0.2 MB at the peak)
        const auto padFlow = static_cast<uint32_t>(flows.size());
        headStart_[padFlow] = padStart;
        for (uint32_t k = 0; k < padding_; ++k) {
            PacketRecord& r = analysis_.packets[padFirst_ + k];
            r.frame = padFlow;
            r.marks = static_cast<uint16_t>(k);
        }
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
    padding_ = 0; // the padding records stay where they were placed, in no flow
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
    swapped_.assign(groupedRuns(), 0);
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
        f.setHandshakeSeen((seen & (SynSeen * 3 | SynAckSeen * 3)) != 0);
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
