#pragma once
// The immutable result of analysing one capture: what the file was, every TCP
// packet as a compact record, the flows with their per-side state timelines, and
// the findings. The CLI, the GUI, annotations and comparison all read this.

#include "core/model/Finding.h"
#include "core/model/PacketRecord.h"
#include "core/model/Types.h"

#include <algorithm>
#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowladder::core {

// A change of one side's inferred TCP state, caused by the packet at `packet`
// (index into Analysis::packets).
struct StateChange {
    uint32_t packet = 0;
    TcpState state = TcpState::Unknown;
    StateBasis basis = StateBasis::Observed; // Assumed: caused by a packet seen heading to that side
    int64_t tsNs = 0;                        // time of that packet
};
static_assert(sizeof(StateChange) == 16);

// Both sides' state timelines of one flow, in packet order; the first entry of each is
// the initial state. Derived data: Analysis::stateTimelines() recomputes them for one
// flow on demand (tens of thousands of flows would otherwise keep ~200 bytes each).
struct StateTimelines {
    std::array<std::vector<StateChange>, 2> sides; // indexed by Side
    const std::vector<StateChange>& side(Side s) const { return sides[sideIndex(s)]; }
    // State of `side` just after the packet with index `packet` (Analysis::packets).
    TcpState stateAfter(Side side, uint32_t packet) const;
    // The entry in force just after that packet (its state and how it is known); nullptr when
    // nothing is known of that side.
    const StateChange* changeAfter(Side side, uint32_t packet) const;
};

// Random-access iterator over the rows of a sequence that reads like a const
// std::vector<uint32_t> (IndexRange, FlowPackets): dereferencing gives (*seq)[row].
template <class Seq> class RowIterator {
public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = uint32_t;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = uint32_t;
    RowIterator() = default;
    RowIterator(const Seq* seq, uint32_t row) : seq_(seq), row_(row) {}
    uint32_t operator*() const { return (*seq_)[row_]; }
    uint32_t operator[](difference_type n) const { return (*seq_)[static_cast<size_t>(row_ + n)]; }
    RowIterator& operator++()
    {
        ++row_;
        return *this;
    }
    RowIterator operator++(int) { return {seq_, row_++}; }
    RowIterator& operator--()
    {
        --row_;
        return *this;
    }
    RowIterator operator--(int) { return {seq_, row_--}; }
    RowIterator& operator+=(difference_type n)
    {
        row_ = static_cast<uint32_t>(row_ + n);
        return *this;
    }
    RowIterator& operator-=(difference_type n)
    {
        row_ = static_cast<uint32_t>(row_ - n);
        return *this;
    }
    friend RowIterator operator+(RowIterator i, difference_type n) { return i += n; }
    friend RowIterator operator+(difference_type n, RowIterator i) { return i += n; }
    friend RowIterator operator-(RowIterator i, difference_type n) { return i -= n; }
    friend difference_type operator-(RowIterator a, RowIterator b)
    {
        return difference_type{a.row_} - difference_type{b.row_};
    }
    friend bool operator==(RowIterator a, RowIterator b) { return a.row_ == b.row_; }
    friend auto operator<=>(RowIterator a, RowIterator b) { return a.row_ <=> b.row_; }

private:
    const Seq* seq_ = nullptr;
    uint32_t row_ = 0;
};

// Consecutive indexes [first, first + count): a flow's findings are stored together, so
// a flow refers to them by the first index and a count. Reads like a const
// std::vector<uint32_t> of those indexes.
struct IndexRange {
    uint32_t first = 0;
    uint32_t count = 0;

    using iterator = RowIterator<IndexRange>;

    size_t size() const { return count; }
    bool empty() const { return count == 0; }
    uint32_t operator[](size_t i) const { return first + static_cast<uint32_t>(i); }
    uint32_t front() const { return first; }
    uint32_t back() const { return first + count - 1; }
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, count}; }
    bool contains(uint32_t idx) const { return idx - first < count; }
    // Extends the range by one index, which must follow its last one.
    void push_back(uint32_t idx);
};

// A flow's packets: indexes into Analysis::packets, in frame order (see PacketStore). The
// first PacketStore::HeadRows are consecutive from `first`; the rest fill blocks of
// PacketStore::BlockRows consecutive indexes, the first index of each listed in `blocks`
// (Analysis::tailBlocks: the flow is valid while its Analysis is). Reads like a const
// std::vector<uint32_t> of those indexes.
struct FlowPackets {
    uint32_t first = 0;
    uint32_t count = 0;
    const uint32_t* blocks = nullptr;

    uint32_t operator[](size_t row) const
    {
        if (row < PacketStore::HeadRows) return first + static_cast<uint32_t>(row);
        const size_t k = row - PacketStore::HeadRows;
        return blocks[k >> PacketStore::BlockBits] + static_cast<uint32_t>(k & (PacketStore::BlockRows - 1));
    }

    using iterator = RowIterator<FlowPackets>;

    size_t size() const { return count; }
    bool empty() const { return count == 0; }
    uint32_t front() const { return (*this)[0]; }
    uint32_t back() const { return (*this)[count - 1]; }
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, count}; }
    // Rows in the head part, and tail blocks.
    uint32_t headCount() const { return std::min(count, PacketStore::HeadRows); }
    uint32_t blockCount() const
    {
        return count <= PacketStore::HeadRows
                   ? 0
                   : (count - PacketStore::HeadRows + PacketStore::BlockRows - 1) >> PacketStore::BlockBits;
    }
    // Whether the packet with this index is one of the flow's.
    bool contains(uint32_t idx) const;
};

// An IPv6 flow's two addresses (Flow::v6()), kept by its Analysis.
using Ipv6Pair = std::array<std::array<uint8_t, 16>, 2>;

// What one side of a connection did, as the capture point saw it: 24 bytes, for 50,000
// connections keep one Flow each (a port scan's flows have one or two packets each, so there
// the Flow is most of the memory). Its address is kept compactly (see Flow::endpoint); the
// round trip shares a word with the MSS, and the flags and states are bit-fields. Its packet
// and byte totals are not kept: they follow from the flow's records (Analysis::totals).
struct FlowSide {
    static constexpr int64_t MaxRttNs = (int64_t{1} << 47) - 1; // longer round trips are clamped (39 h)

    // Round trip from the capture point to this side and back (handshake), -1 if unknown; set
    // with setRtt().
    int64_t rttNs : 48 = -1;
    uint16_t mss = 0; // MSS option of this side's SYN, 0 if none
    uint32_t isn = 0; // base for relative sequence numbers (SYN seq, or first seq seen)
    // IPv4: the address's four bytes as IpAddress::bytes holds them. IPv6: bit 0 says which
    // address of the flow's pair (Flow::v6()) is this side's; the rest holds half of the pair's
    // pointer (see Flow::setV6). Read through Flow::endpoint().
    uint32_t addr = 0;
    uint16_t port = 0;
    int8_t wscale = -1;          // window scale shift from the SYN, -1 if unknown or not negotiated
    uint8_t usualTtl = 0;        // most common TTL / hop limit of this side's non-RST packets
    bool sent : 1 = false;       // this side sent a packet (set by the analysis)
    bool isnKnown : 1 = false;   // a SYN from this side was seen
    bool synAckSent : 1 = false; // this side answered a SYN
    bool finSent : 1 = false;
    bool rstSent : 1 = false;
    // The flow's own flags, kept in both its sides (Flow::handshakeSeen(), Flow::ipv6()), so
    // that a Flow needs no word for them and they hold however the sides are swapped.
    bool flowHandshakeSeen : 1 = false;
    bool flowIpv6 : 1 = false;
    StateBasis finalBasis : 2 = StateBasis::Unknown; // how finalState is known
    TcpState finalState : 4 = TcpState::Unknown;

    // A round trip in nanoseconds, or -1 for unknown.
    void setRtt(int64_t ns) { rttNs = std::clamp(ns, int64_t{-1}, MaxRttNs); }
};
static_assert(sizeof(FlowSide) == 24, "50,000 short connections keep one Flow each");
static_assert(static_cast<int>(TcpState::TimeWait) < 16 && static_cast<int>(StateBasis::Assumed) < 4,
              "FlowSide's state bit-fields hold every value");

// One connection: 64 bytes (a capture of 50,000 short connections keeps 50,000; a port scan's
// of a million, a million). What can be read off its records is not kept: its packet and byte
// totals (Analysis::totals), and its findings, which Analysis::findings holds in flow order
// (Analysis::findingsOf).
struct Flow {
    FlowSide sides[2];   // indexed by Side
    FlowPackets packets; // indexes into Analysis::packets, in frame order
    // Its id is its place in Analysis::flows plus one (Analysis::idOf), in order of first packet.
    // The first and last frame and the start and end time come from the stored packets:
    // Analysis::firstFrame(), lastFrame(), startNs(), endNs(). The endpoints are set by
    // Analysis::setEndpoints().

    const FlowSide& side(Side s) const { return sides[sideIndex(s)]; }
    FlowSide& side(Side s) { return sides[sideIndex(s)]; }

    // SYN or SYN-ACK seen: client/server roles are certain. (The JSON's handshake_seen is
    // stricter: a SYN-ACK was seen, FlowSide::synAckSent.)
    bool handshakeSeen() const { return sides[0].flowHandshakeSeen; }
    void setHandshakeSeen(bool seen) { sides[0].flowHandshakeSeen = sides[1].flowHandshakeSeen = seen; }
    // Whether its addresses are IPv6 ones, a pair: v6().
    bool ipv6() const { return sides[0].flowIpv6; }

    // An IPv6 flow's addresses (its Analysis keeps them), null for IPv4. The pointer is kept in
    // the sides' `addr` words, 30 bits in each above two bits that say which address of the
    // pair is that side's and which half of the pointer the word holds: so it goes with the
    // sides wherever they are copied or swapped, and a Flow needs no word of its own for it
    // (8 bytes less per connection).
    const Ipv6Pair* v6() const
    {
        if (!ipv6()) return nullptr;
        const uint32_t a = sides[0].addr, b = sides[1].addr;
        const uint32_t low = (a & HighHalf) ? b : a, high = (a & HighHalf) ? a : b;
        return std::bit_cast<const Ipv6Pair*>(static_cast<uintptr_t>(uint64_t{low >> 2} | uint64_t{high >> 2} << 30));
    }
    // Makes the flow an IPv6 one whose addresses are `pair`; each side keeps which of the pair
    // is its own (bit 0 of its `addr`).
    void setV6(const Ipv6Pair* pair)
    {
        const auto bits = static_cast<uint64_t>(std::bit_cast<uintptr_t>(pair));
        if (bits >> 60) throw std::length_error("an address beyond 2^60");
        sides[0].addr = static_cast<uint32_t>(bits & ((1u << 30) - 1)) << 2 | (sides[0].addr & 1);
        sides[1].addr = static_cast<uint32_t>(bits >> 30) << 2 | HighHalf | (sides[1].addr & 1);
        sides[0].flowIpv6 = sides[1].flowIpv6 = true;
    }
    // Makes it an IPv4 flow (its sides' `addr` then hold their addresses).
    void setIpv4() { sides[0].flowIpv6 = sides[1].flowIpv6 = false; }
    // A side's address and port (valid while the flow's Analysis is, as `packets`).
    Endpoint endpoint(Side s) const { return endpointAt(sideIndex(s)); }
    Endpoint endpointAt(int i) const;
    // Whether sides[i] is `e`: compares in place, without building an Endpoint.
    bool endpointIs(int i, const Endpoint& e) const
    {
        const FlowSide& fs = sides[i];
        if (fs.port != e.port || ipv6() != (e.addr.version == 6)) return false;
        if (ipv6()) return (*v6())[fs.addr & 1] == e.addr.bytes;
        uint32_t a;
        std::memcpy(&a, e.addr.bytes.data(), sizeof a);
        return fs.addr == a;
    }
    uint32_t packetCount() const { return static_cast<uint32_t>(packets.size()); }

private:
    static constexpr uint32_t HighHalf = 2; // in an IPv6 side's `addr`: it holds the pointer's upper 30 bits
};
static_assert(sizeof(Flow) == 64, "50,000 short connections keep one Flow each");

// What a flow's sides sent, counted from its records (Analysis::totals).
struct FlowTotals {
    uint32_t packets[2] = {0, 0}; // indexed by Side
    uint64_t bytes[2] = {0, 0};   // TCP payload
    uint32_t packetsOf(Side s) const { return packets[sideIndex(s)]; }
    uint64_t bytesOf(Side s) const { return bytes[sideIndex(s)]; }
    uint64_t allBytes() const { return bytes[0] + bytes[1]; }
};

enum class CaptureFormat : uint8_t { Unknown, Pcap, PcapNg };
std::string_view captureFormatName(CaptureFormat f); // "pcap" | "pcapng"

// One of several files read as one capture, merged by time (analyzeFiles).
struct SourceFile {
    std::string path;
    CaptureFormat format = CaptureFormat::Unknown;
    std::string compression; // as CaptureInfo::compression
    uint64_t fileBytes = 0;
    uint32_t packets = 0;   // frames read from it
    bool truncated = false; // it ended or broke inside a record: what came before was kept
};
// Merged frames from `firstFrame` up to the next run's came from file `source` (an index
// into CaptureInfo::sources), as its frames `sourceFrame`, `sourceFrame` + 1, ...
struct FrameRun {
    uint32_t firstFrame = 0;
    uint32_t source = 0;
    uint32_t sourceFrame = 0;
};
// Where a frame of a merged capture came from: a file of CaptureInfo::sources and its frame number there.
struct FrameOrigin {
    uint32_t source = 0;
    uint32_t frame = 0;
};

struct CaptureInfo {
    std::string file;
    CaptureFormat format = CaptureFormat::Unknown;
    std::string compression;            // "gzip", "zstd", "lz4", "xz" when read through a decompressor, else empty
    std::string linktype;               // "EN10MB", "LINUX_SLL", ...; "MIXED" when a pcapng mixes link types
    std::vector<std::string> linktypes; // every link type seen, in order of appearance
    uint64_t fileBytes = 0;
    uint32_t packets = 0;     // frames read
    uint32_t tcpPackets = 0;  // frames that decoded to TCP
    uint32_t ipFragments = 0; // IP fragments (counted, not reassembled)
    uint32_t malformed = 0;   // frames whose headers were damaged or cut short
    uint32_t unsupportedLink = 0;
    bool truncated = false; // the file ended or broke inside a record: what came before was kept
    bool cancelled = false;
    std::vector<std::string> errors; // readable problems met while reading, each naming the file
    int64_t firstNs = 0;
    int64_t lastNs = 0;
    // A capture of several files merged by time: the files (file is the first of them) and
    // where each frame came from. Both empty for one file.
    std::vector<SourceFile> sources;
    std::vector<FrameRun> frameRuns;

    bool merged() const { return !sources.empty(); }
    // The file and in-file frame number of a merged capture's frame (frame 0 of source 0 when
    // the frame is not one of the capture's).
    FrameOrigin origin(uint32_t frame) const;
    // "a.pcap" for one file, "a.pcap and 3 more files" for a merge.
    std::string displayName() const;
};
// What CaptureInfo::displayName says for a capture of `files` files, the first `first`.
std::string captureDisplayName(const std::string& first, size_t files);

class Analysis {
public:
    CaptureInfo capture;
    PacketStore packets;
    // First index of every tail block of every flow, each flow's in order (FlowPackets::blocks).
    std::vector<uint32_t> tailBlocks;
    std::vector<Flow, detail::HugePageAllocator<Flow>> flows; // flow i has id i + 1 (idOf)
    // Every flow's findings: a flow's are together, and flows follow each other in order (their
    // `flow` ids never decrease): findingsOf().
    std::vector<Finding> findings;

    // The addresses of IPv6 flows (Flow::v6()): a deque, so that they stay where they are as it grows.
    std::deque<Ipv6Pair> ipv6Pairs;

    // Sets the addresses and ports of `f`'s sides[0] and sides[1] (the client and the server
    // once roles are settled). Both are IPv4 or both IPv6 (std::invalid_argument otherwise);
    // an IPv6 flow's addresses are kept in ipv6Pairs.
    void setEndpoints(Flow& f, const Endpoint& side0, const Endpoint& side1);

    // Stores a new last packet of `f`, a flow being built by hand (tests, tools): flows are
    // built one after the other, each complete before the next starts, and frame numbers
    // increase. Sets the record's frame and time; the caller fills in the rest.
    PacketRecord& appendPacket(Flow& f, uint32_t frame, int64_t tsNs);

    const Flow* flowById(uint32_t id) const { return id >= 1 && id <= flows.size() ? &flows[id - 1] : nullptr; }
    // The id of `f`, one of `flows`: its place plus one.
    uint32_t idOf(const Flow& f) const
    {
        if (&f < flows.data() || &f >= flows.data() + flows.size())
            throw std::logic_error("Analysis::idOf: a flow that is not one of its flows");
        return static_cast<uint32_t>(&f - flows.data()) + 1;
    }
    // The flow's findings: indexes into `findings` (a binary search).
    IndexRange findingsOf(const Flow& f) const;
    // The same for a reader that goes through flows in order: `next` is the index of the first
    // finding of a flow after the previous one's (findingsOf(f).first for the first flow read,
    // or 0 from the first flow), and is left after `f`'s.
    IndexRange findingsOf(const Flow& f, uint32_t& next) const;
    // The flow's packets and payload bytes by side, counted from its records (O(packets)).
    FlowTotals totals(const Flow& f) const;

    const PacketRecord& packet(const Flow& f, uint32_t row) const { return packets[f.packets[row]]; }
    // A packet's time, nanoseconds since the epoch (PacketStore::tsNs).
    int64_t tsNs(const PacketRecord& p) const { return packets.tsNs(p); }
    int64_t tsNs(const Flow& f, uint32_t row) const { return packets.tsNs(f.packets[row]); }
    // Frame numbers of the flow's first and last packet (0 for a flow without packets).
    uint32_t firstFrame(const Flow& f) const { return f.packets.empty() ? 0 : packets[f.packets.front()].frame; }
    uint32_t lastFrame(const Flow& f) const { return f.packets.empty() ? 0 : packets[f.packets.back()].frame; }
    // Time of the flow's first packet (its relative times count from it) and of its last (0 for
    // a flow without packets).
    int64_t startNs(const Flow& f) const { return f.packets.empty() ? 0 : packets.tsNs(f.packets.front()); }
    int64_t endNs(const Flow& f) const { return f.packets.empty() ? 0 : packets.tsNs(f.packets.back()); }
    double durationSeconds(const Flow& f) const { return static_cast<double>(endNs(f) - startNs(f)) / 1e9; }
    // Seconds from the flow's first packet to tsNs.
    double relativeSeconds(const Flow& f, int64_t tsNs) const { return static_cast<double>(tsNs - startNs(f)) / 1e9; }
    // Row of the flow's packet with this frame number, or -1.
    int64_t rowOfFrame(const Flow& f, uint32_t frame) const;
    // Sequence number relative to the sending side's ISN (what the GUI shows).
    uint32_t relativeSeq(const Flow& f, const PacketRecord& p) const { return p.seq - f.side(p.side()).isn; }
    uint32_t relativeAck(const Flow& f, const PacketRecord& p) const { return p.ack - f.side(otherSide(p.side())).isn; }
    // Both sides' state timelines of the flow, recomputed from its packets (O(packets)):
    // callers that need them more than once keep the result.
    StateTimelines stateTimelines(const Flow& f) const;
};

// A packet marked as a retransmission and the earlier packet of the same side that first
// carried that sequence number.
struct Resend {
    uint32_t row = 0;         // the retransmission (row in the flow)
    uint32_t originalRow = 0; // the first transmission
};

// For every packet of an analysed flow marked as a retransmission, its first transmission:
// the same side's earliest packet whose sequence space holds the retransmitted sequence
// number (the same segment, or a larger one when the retransmission re-segments). Rows
// without one in the capture are left out. Computed on demand, O(n log n), in row order
// (core/tcp/Resends.cpp).
std::vector<Resend> findResends(const Analysis& analysis, const Flow& flow);

using AnalysisPtr = std::shared_ptr<const Analysis>;

} // namespace flowladder::core
