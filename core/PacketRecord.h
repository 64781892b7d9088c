#pragma once
// The compact per-packet record kept for every TCP packet of a capture, and the
// chunked store that holds them. Sized for tens of millions of packets: 40 bytes
// a record, no per-packet allocation, no reallocation copies (chunks never move).

#include "core/Types.h"

#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace flowladder::core {

// Bits of PacketRecord::marks: what the analysis concluded about this one packet.
namespace mark {
inline constexpr uint16_t Retransmission = 1u << 0;
inline constexpr uint16_t FastRetransmission = 1u << 1; // retransmission after >= 2 duplicate ACKs
inline constexpr uint16_t DupAck = 1u << 2;
inline constexpr uint16_t ZeroWindow = 1u << 3;
inline constexpr uint16_t KeepAlive = 1u << 4;
inline constexpr uint16_t KeepAliveAck = 1u << 5;
inline constexpr uint16_t WindowUpdate = 1u << 6;
inline constexpr uint16_t ChallengeAck = 1u << 7;   // ACK answering an inexact RST (RFC 5961 3.2)
inline constexpr uint16_t RstSeqMismatch = 1u << 8; // RST whose seq is not the receiver's RCV.NXT
inline constexpr uint16_t FinRetransmit = 1u << 9;
inline constexpr uint16_t SegmentNotCaptured = 1u << 10; // seq jumps past what the sender was seen sending
inline constexpr uint16_t AckedUnseen = 1u << 11;        // acknowledges data the capture never saw
inline constexpr uint16_t RstFingerprint = 1u << 12;     // RST whose TTL / IP ID does not fit its sender
inline constexpr uint16_t AfterRst = 1u << 13;           // sent by a side after it received a RST
inline constexpr uint16_t OutOfOrder = 1u << 14;
} // namespace mark

// Bits of PacketRecord::info.
namespace pinfo {
inline constexpr uint8_t FromServer = 1u << 0; // direction: set when the server sent it
inline constexpr uint8_t HasIpId = 1u << 1;    // IPv4 (IPv6 has no IP ID)
inline constexpr uint8_t HasMss = 1u << 2;
inline constexpr uint8_t HasWscale = 1u << 3;
inline constexpr uint8_t HasSackPerm = 1u << 4;
inline constexpr uint8_t HasSack = 1u << 5;
inline constexpr uint8_t HasTimestamp = 1u << 6;
inline constexpr uint8_t Truncated = 1u << 7; // captured length shorter than the packet (snaplen)
} // namespace pinfo

struct PacketRecord {
    int64_t tsNs = 0;        // capture timestamp, nanoseconds since the epoch
    uint32_t frame = 0;      // 1-based frame number in file order (Wireshark's numbering)
    uint32_t flow = 0;       // index into Analysis::flows
    uint32_t seq = 0;        // absolute sequence number
    uint32_t ack = 0;        // absolute acknowledgment number (meaningful when ACK is set)
    uint32_t payloadLen = 0; // TCP payload length from the IP length, not the captured length
    uint16_t window = 0;     // raw window field, unscaled
    uint16_t ipId = 0;
    uint8_t flags = 0; // tcpflag bits
    uint8_t ttl = 0;   // TTL or hop limit
    uint8_t info = 0;  // pinfo bits
    uint8_t wscale = 0; // window scale option value on SYNs (valid with pinfo::HasWscale)
    uint16_t marks = 0; // mark bits
    uint16_t mss = 0;   // MSS option value on SYNs (valid with pinfo::HasMss)

    Side side() const { return (info & pinfo::FromServer) ? Side::Server : Side::Client; }
    bool has(uint8_t flag) const { return (flags & flag) != 0; }
    bool marked(uint16_t m) const { return (marks & m) != 0; }
    // Sequence space this segment occupies: payload plus one for SYN and one for FIN.
    uint32_t seqLen() const {
        return payloadLen + ((flags & tcpflag::SYN) ? 1u : 0u) + ((flags & tcpflag::FIN) ? 1u : 0u);
    }
    uint32_t endSeq() const { return seq + seqLen(); }
};
static_assert(sizeof(PacketRecord) == 40, "PacketRecord is sized for tens of millions of packets");

// Append-only storage of PacketRecords in fixed chunks: indexes are stable,
// appending never copies earlier records, and peak memory stays at the data size.
// A chunk is exactly five 2 MiB pages, allocated aligned and not zero-filled, so the
// kernel can back it with huge pages: page faults dominate the cost of storing
// millions of records otherwise.
class PacketStore {
public:
    static constexpr uint32_t ChunkBits = 18;
    static constexpr uint32_t ChunkSize = 1u << ChunkBits;
    static constexpr size_t ChunkBytes = size_t{ChunkSize} * sizeof(PacketRecord);

    PacketStore() = default;
    PacketStore(const PacketStore&) = delete;
    PacketStore& operator=(const PacketStore&) = delete;
    PacketStore(PacketStore&&) noexcept = default;
    PacketStore& operator=(PacketStore&&) noexcept = default;

    uint32_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    PacketRecord& append() {
        if ((size_ & (ChunkSize - 1)) == 0) chunks_.push_back(allocateChunk());
        PacketRecord* slot = chunks_.back().get() + (size_++ & (ChunkSize - 1));
        return *new (slot) PacketRecord();
    }
    const PacketRecord& operator[](uint32_t i) const { return chunks_[i >> ChunkBits][i & (ChunkSize - 1)]; }
    PacketRecord& operator[](uint32_t i) { return chunks_[i >> ChunkBits][i & (ChunkSize - 1)]; }
    size_t memoryBytes() const { return chunks_.size() * ChunkBytes; }

private:
    struct FreeChunk {
        void operator()(PacketRecord* p) const noexcept;
    };
    using Chunk = std::unique_ptr<PacketRecord[], FreeChunk>;
    static Chunk allocateChunk();

    std::vector<Chunk> chunks_;
    uint32_t size_ = 0;
};

} // namespace flowladder::core
