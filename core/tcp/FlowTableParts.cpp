// Reading a file in two parts at once, the table's side (see FlowTable.h and readCapture in
// Analyzer.cpp): a table that read the later part joins the one that read the first, as if that
// one had read on.

#include "core/tcp/FlowTable.h"

#include <algorithm>
#include <array>
#include <sys/mman.h>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flowladder::core {

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
        if (const uint32_t f = flowIn(hashes[i % Ahead] & mask); f != NoFlow) {
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
        const uint32_t here = flowIn(slotFor(e0, e1, hash));
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
                    // The part's pair of addresses (in `addr`) until the flow is kept.
                    cur.sides[0].flowIpv6 = cur.sides[1].flowIpv6 = b.ipv6();
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
    const auto flowsBefore = static_cast<uint32_t>(flows.size()); // the flows the part's records follow
    flowsExpectedMore_ = segments.size();
    for (uint32_t i = 0; i < n; ++i)
        flowsExpectedMore_ += pairHere[i] == Plain ? 1 : 0;
    const auto append = [&](const Flow& from, uint8_t seen) {
        if (const size_t need = (flows.size() + 1) * sizeof(Flow); need > flowBytesReady_) prepareFlowPages(need);
        Flow& f = flows.emplace_back(from);
        --flowsExpectedMore_;
        if (from.ipv6()) f.setV6(&analysis_.ipv6Pairs.emplace_back(*from.v6()));
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
    // tail blocks follow these chunks. Between the head records of the two, a few padding records
    // where that lets the part's pages move rather than be copied (50,000 connections: 3-4 ms
    // less); planHeads gives them their flow and rows, and they stay in the head part between the
    // two tables' flows.
    uint32_t padding = 0;
    const uint32_t tailBase = store.absorb(pa.packets, framesBefore, padding_ == 0, padding, [&](PacketRecord& r) {
        if (r.frame < n) {
            r.frame = target[r.frame];
            return;
        }
        const Retag& t = retags[r.frame - n];
        r.frame = (t.flow & Segment) ? segmentTarget[t.flow & ~Segment] : t.flow;
        r.marks = t.row;
        r.info = static_cast<uint8_t>((r.info & ~pinfo::FromServer) | (t.fromB ? pinfo::FromServer : 0));
    });
    const uint32_t headBefore = store.headSize() - partHeads;
    if (padding > 0) {
        padFirst_ = headBefore - padding;
        padding_ = padding;
        padAfter_ = flowsBefore;
    }
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

} // namespace flowladder::core
