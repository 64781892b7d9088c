#pragma once
// Groups decoded TCP packets into connections while the file is read, storing each
// packet's record as it comes (see PacketStore): a flow's first PacketStore::HeadRows
// records in the head part, in the order read, the rest in tail blocks the flow takes as it
// grows. settle() then decides client and server, lists each flow's tail blocks and plans
// where each flow's head goes; groupHeads() moves the head records so that each flow's head
// is consecutive. The TCP analysis runs
// afterwards, flow by flow, over the stored records (see TcpTracker).
//
// Memory is what bounds this on captures of many short connections: per packet, only the
// 28-byte record; per connection, its Flow (built in place while reading), a byte of
// reading-time state and a hash slot.
//
// Until groupHeads(), a head record's `frame` field holds the number of its flow and its
// `marks` field its row in the flow (below PacketStore::HeadRows): the frame number follows
// from the record's position and the frames before it stored elsewhere or not TCP (kept as
// a list of gaps, empty when every frame is TCP and in a head), and is put back when the
// records move. Tail records hold their frame number from the start, and a flow's
// `packets.first` holds its current tail block (once past its head) until settle()
// sets it to where its head goes.
//
// Two tables can read two parts of a file at once, the second then joining the first
// (readsLaterPart, absorb): the result is that of one table reading the whole file.

#include "core/capture/Decoder.h"
#include "core/model/Analysis.h"

#include <functional>
#include <memory>
#include <vector>

namespace flowladder::core {

class FlowTable {
public:
    // The key of the address/port hash. Each table draws its own at random (std::random_device),
    // so a capture cannot be crafted offline to put its connections into one probe chain of the
    // open-addressing table (hash flooding: quadratic time). The key changes only where flows sit
    // in the table, never flow ids or any result. {0, 0} is the unkeyed hash (tests use it).
    struct HashKey {
        uint64_t k0 = 0, k1 = 0;
    };
    static HashKey randomKey();

    explicit FlowTable(Analysis& analysis) : FlowTable(analysis, randomKey()) {}
    FlowTable(Analysis& analysis, HashKey key) : analysis_(analysis), key_(key) {}

    // Reserves address space for as many flows as a file of this size can hold (up to a
    // bound), so the flow arrays never grow by copying. Pages that are never used cost
    // nothing, while every copy on growth would touch them all.
    void reserveFor(uint64_t fileBytes);
    // Tells the table how far reading got (bytes of the file read, file size, and TCP
    // packets stored so far), so its arrays can estimate how many more records will come.
    // Before the first packet (packetsSoFar 0) the estimate is the most the file can hold.
    void noteProgress(uint64_t bytesRead, uint64_t fileBytes, uint64_t packetsSoFar);
    // Stores the packet as a record of its flow (creating the flow when new).
    void add(uint32_t frame, int64_t tsNs, const DecodedPacket& p);
    // After the last add(), in this order, once each:
    // settle() decides client and server, lists each flow's tail blocks (those records are then
    // final) and gives each flow its run of the head part (Flow::packets: `first`, `blocks`).
    void settle();
    // groupHeads() moves the head records to those runs, in place, with their frame numbers.
    // It calls `placedBelow(i)` (when given) as it goes: every head position below i holds its
    // final record; so a flow can be analysed as soon as its run lies below i, while the rest
    // are still being moved. The last call is with headSize().
    void groupHeads(const std::function<void(uint32_t)>& placedBelow);

    size_t flowCount() const { return analysis_.flows.size(); }

    // Reading a file in two parts at once (Analyzer.cpp): a second table reads the later part
    // into an Analysis of its own, then this table takes its flows and records.
    //
    // Whether every flow so far is short (none past its head) and they average at most
    // `packetsPerFlow` packets: the captures whose reading two parts at once speeds up.
    bool shortFlowsOnly(uint32_t packetsPerFlow) const;
    // Makes this table one that reads a later part (before reserveFor): its flow array takes
    // ordinary pages only, so that absorb() can give them back as it copies the flows, and it
    // notes where each flow's first record is.
    void readsLaterPart() { laterPart_ = true; }
    // Once a later part is read: gives back what only reading needs (the hash table), before
    // absorb() is called.
    void partRead();
    // Appends what `part` read (frames numbered from 1 after the `framesBefore` frames this
    // table's reading saw) as if this table had read on: the part's flows follow this table's,
    // a flow that the part's first packet of an address pair continues (by the rules add()
    // follows) takes that flow's records, and the part's records join this table's store. Both
    // tables have had no settle(). Returns false, changing neither, when one of the part's
    // flows would continue a flow here in a way the merge does not follow (past either flow's
    // head, with a SYN in the part's flow, or where a later connection on the same ports
    // followed it): the caller then reads the part again here.
    bool absorb(FlowTable& part, uint32_t framesBefore);
    // Table slots looked at so far, by lookups and by putting the flows in again as the table
    // grows (about one per lookup, and one per flow per growth; a measure of flooding).
    uint64_t probeSteps() const { return probes_; }

private:
    static constexpr uint32_t NoFlow = UINT32_MAX;
    // Reading-time state of one flow that Flow has no place for, a byte per flow (seen_). Until
    // settle(), side 0 of a Flow is "A", the sender of the flow's first packet, and side 1 is
    // "B", and a side's `isn` holds the sequence number of its SYN if one was seen, or else of
    // its first packet (other than a RST): what tells a new connection on the same ports.
    // Bit s of each pair stands for side s.
    static constexpr uint8_t SynSeen = 1u << 0;    // SYN without ACK sent (2 bits)
    static constexpr uint8_t SynAckSeen = 1u << 2; // SYN-ACK sent (2 bits)
    static constexpr uint8_t SeqSeen = 1u << 4;    // a packet other than a RST sent (2 bits)
    static constexpr uint8_t Ended = 1u << 6;      // FIN or RST seen
    static constexpr uint8_t Successor = 1u << 7;  // a SYN started it after another on the same pair
    // A tail block taken by a flow, in the order blocks were taken.
    struct TailBlock {
        uint32_t flow;
        uint32_t first; // index of its first slot
    };
    // A slot of the hash table, 4 bytes: 0 when empty, else the flow's index plus one in its low
    // bits (those of a slot's index: the table holds fewer flows than half its size), and above
    // them the same bits of the low 32 of its address/port pair's hash, a tag compared first, so
    // that a probe reads the table only and not the much larger flow array. (A slot of a flow and
    // a whole 32-bit tag took twice the memory: 0.5 MiB more at the peak of 50,000 connections.)
    // A pair's slot is found from the hash's low bits.
    using Slot = uint32_t;
    uint32_t indexBits() const { return static_cast<uint32_t>(slotCount() - 1); }
    Slot slotOf(uint32_t flow, uint64_t hash) const
    {
        return (static_cast<uint32_t>(hash) & ~indexBits()) | (flow + 1);
    }
    // The flow of the table's slot `i`, or NoFlow.
    uint32_t flowIn(size_t i) const { return slots_[i] == 0 ? NoFlow : (slots_[i] & indexBits()) - 1; }
    // The table's memory (see allocateSlots). A fresh 4 KiB page costs a page fault when first
    // touched (14 us on the VMs this is measured on: the 1 MiB table of 50,000 connections cost
    // 3.6 ms of faults across its growths), and the whole table is written when made (every
    // slot empty). So tables from 64 KiB are mapped with their pages made at once (MAP_POPULATE:
    // one system call, no faults), and tables of 2 MiB or more take 2 MiB pages. (Tables below
    // 2 MiB in a 2 MiB page, as before, cost no fault either but kept a whole 2 MiB resident:
    // 1 MB more at the peak of 50,000 connections.)
    struct FreeSlots {
        size_t count = 0;
        void operator()(Slot* p) const noexcept;
    };
    using SlotArray = std::unique_ptr<Slot[], FreeSlots>; // NOLINT(cppcoreguidelines-avoid-c-arrays)
    static SlotArray allocateSlots(size_t count);

    uint32_t lookup(const DecodedPacket& p, bool& fromB);
    uint32_t newFlow(const DecodedPacket& p, uint64_t hash);
    // Whether a SYN without ACK with sequence number `seq` from side `s` of a flow whose
    // reading-time state is `seen` and whose side `s` has `isn` starts a new connection on the
    // same address pair.
    static bool startsNewConnection(uint8_t seen, uint32_t isn, int s, uint32_t seq);
    // What of a packet the reading-time state takes in.
    struct PacketFacts {
        uint8_t flags = 0;
        uint32_t seq = 0;
        bool hasMss = false;
        uint16_t mss = 0;
        bool hasWscale = false;
        int8_t wscale = -1;
    };
    // Takes a packet from side `s` into its flow's reading-time state (`f`'s sides and count,
    // `seen`) and returns its row in the flow: add() for every packet it stores, absorb() for
    // the packets it decides again.
    static uint32_t notePacket(Flow& f, uint8_t& seen, int s, const PacketFacts& p);
    // Slot of the table holding the latest flow of this address/port pair, or the empty slot
    // where it goes.
    size_t slotFor(const Endpoint& x, const Endpoint& y, uint64_t hash) const;
    void grow();
    // Before the flow array's first `need` bytes are written: see FlowTable.cpp.
    void prepareFlowPages(size_t need);
    void planHeads();
    void listTailBlocks();
    // Frame number of the record stored at `index` while reading.
    uint32_t frameOfRecord(uint32_t index) const;

    uint64_t pairHash(const Endpoint& x, const Endpoint& y) const;

    Analysis& analysis_;
    HashKey key_;
    mutable uint64_t probes_ = 0;
    std::vector<uint8_t> seen_;       // per flow: SynSeen, SynAckSeen, SeqSeen, Ended, Successor
    bool laterPart_ = false;          // readsLaterPart()
    std::vector<uint32_t> firstHead_; // a later part's: per flow, the head index of its first record
    // Bytes of the flow array whose pages are settled (a huge page, or ordinary pages made
    // resident), and the flows the rest of the file is expected to hold (noteProgress).
    size_t flowBytesReady_ = 0;
    uint64_t flowsExpectedMore_ = UINT64_MAX;
    // From record `first` on, frame number = record index + 1 + `skipped` (frames that were
    // not TCP), until the next gap. A gap is noted only where a non-TCP frame came between.
    struct Gap {
        uint32_t first;
        uint32_t skipped;
    };
    std::vector<Gap> gaps_;
    // Head records that absorb() put before a part's so that their pages could move: no packet's,
    // at head indexes from padFirst_ on. planHeads gives them a run of their own after the runs
    // of the first padAfter_ flows, where they were read, so that grouping moves the records of
    // the flows after them no farther than without them. (Sent to the end instead, they shifted
    // every record the part read by up to a thousand places: grouping then followed one long cycle
    // of cache misses, and the analysis that waits on it stalled: 7 -> 40 ms.)
    uint32_t padFirst_ = 0, padding_ = 0, padAfter_ = 0;
    // Runs of the head part that grouping places: one per flow, and the padding's (if any).
    size_t groupedRuns() const { return analysis_.flows.size() + (padding_ > 0 ? 1 : 0); }
    std::vector<TailBlock> blocks_;
    // From settle() to groupHeads(): where each flow's head goes (its packets.first, kept
    // apart as 4 bytes a flow: grouping reads it once per record, and a Flow is 64 bytes),
    // and whether its sides were swapped (its first sender was the server: its records'
    // direction bits turn).
    std::vector<uint32_t> headStart_;
    std::vector<uint8_t> swapped_;
    uint32_t skipped_ = 0;
    // Open-addressing hash table of flows, at most half full; no allocation per connection.
    SlotArray slots_ = allocateSlots(1024);
    size_t slotCount() const { return slots_.get_deleter().count; }
    // Cache of the newest flow by port pair (the ports' XOR picks the entry): the packets of
    // concurrent connections interleave (in a capture of 50,000 short connections, only 8%
    // follow a packet of the same one), and their port pairs differ. An entry keeps the ports
    // too, so that the first packet of a new connection, whose entry holds an older flow of
    // other ports, does not read that flow from memory (one cache miss per connection). A hit
    // costs one compare against the flow, which the packet updates anyway; a miss takes the
    // hash table.
    struct Recent {
        uint32_t flow = NoFlow;
        uint32_t ports = 0; // the lower port in the high half
    };
    static constexpr size_t RecentSize = 4096;
    static size_t recentIndex(const DecodedPacket& p) { return (p.src.port ^ p.dst.port) & (RecentSize - 1); }
    static uint32_t portsOf(const DecodedPacket& p)
    {
        const uint32_t a = p.src.port, b = p.dst.port;
        return a < b ? (a << 16 | b) : (b << 16 | a);
    }
    std::vector<Recent> recent_ = std::vector<Recent>(RecentSize);
};

} // namespace flowladder::core
