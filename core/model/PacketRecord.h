#pragma once
// The compact per-packet record kept for every TCP packet of a capture, and the
// chunked store that holds them. Sized for tens of millions of packets: 28 bytes
// a record, no per-packet allocation, no reallocation copies (chunks never move).

#include "core/model/FrameTimes.h"
#include "core/model/Types.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <new>
#include <numeric>
#include <stdexcept>
#include <type_traits>
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
inline constexpr uint16_t ZeroWindowProbe = 1u << 15; // keep-alive-shaped segment into a zero window
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
    static constexpr uint32_t MaxPayloadLen =
        (1u << 24) - 1; // longer payloads are clamped (none exist: IP lengths are 16 bits, jumbograms aside)

    // The capture timestamp's lower 32 bits (nanoseconds since the epoch); its store keeps the
    // upper ones by frame number: the whole time is PacketStore::tsNs(record).
    uint32_t tsLow = 0;
    uint32_t frame = 0;           // 1-based frame number in file order (Wireshark's numbering)
    uint32_t seq = 0;             // absolute sequence number
    uint32_t ack = 0;             // absolute acknowledgment number (meaningful when ACK is set)
    uint32_t payloadLen : 24 = 0; // TCP payload length from the IP length, not the captured length
    uint32_t info : 8 = 0;        // pinfo bits
    uint16_t window = 0;          // raw window field, unscaled
    uint16_t ipId = 0;
    uint8_t flags = 0;  // tcpflag bits
    uint8_t ttl = 0;    // TTL or hop limit
    uint16_t marks = 0; // mark bits

    Side side() const { return (info & pinfo::FromServer) ? Side::Server : Side::Client; }
    bool has(uint8_t flag) const { return (flags & flag) != 0; }
    bool marked(uint16_t m) const { return (marks & m) != 0; }
    uint32_t payload() const { return payloadLen; }
    // Sequence space this segment occupies: payload plus one for SYN and one for FIN.
    uint32_t seqLen() const
    {
        return payload() + ((flags & tcpflag::SYN) ? 1u : 0u) + ((flags & tcpflag::FIN) ? 1u : 0u);
    }
    uint32_t endSeq() const { return seq + seqLen(); }
};
static_assert(sizeof(PacketRecord) == 28, "PacketRecord is sized for tens of millions of packets");

namespace detail {
// `bytes` rounded up to a multiple of 2 MiB, 2 MiB-aligned, a mapping of its own; MADV_HUGEPAGE
// when `huge`, else MADV_NOHUGEPAGE: see ChunkedArray. Given back with freeHugeChunk(p, the same
// `bytes`).
void* allocateHugeChunk(size_t bytes, bool huge);
void freeHugeChunk(void* p, size_t bytes) noexcept;
// Asks for huge pages for [p, p + bytes) (MADV_HUGEPAGE), 2 MiB-aligned, not yet touched.
void adviseHuge(void* p, size_t bytes) noexcept;
// Makes the pages of [p, p + bytes) resident in one system call (MADV_POPULATE_WRITE), so
// that writing them takes no page faults. A hint: kernels before 5.14 fault them in as usual.
void populate(void* p, size_t bytes) noexcept;
// Gives back the whole pages within [p, p + bytes) (their contents are lost: they read as zeros).
void discard(void* p, size_t bytes) noexcept;
// The system's page size.
size_t pageBytes() noexcept;
// Moves the pages of [from, from + bytes) to [to, to + bytes), both page-aligned, each range within
// one mapping made by allocateHugeChunk (and of one kind of page advice): what was at `to` is
// replaced, and [from, from + bytes) stays mapped but reads as zeros. The kernel moves the pages
// (mremap), so nothing is copied and nothing is resident twice; where it cannot (a kernel before
// 5.7, too many mappings), the bytes are copied and the source given back instead (copyPages).
// Throws std::bad_alloc when not even that can be done (the source is then unchanged).
void movePages(void* from, void* to, size_t bytes);
void copyPages(void* from, void* to, size_t bytes);
inline constexpr size_t HugePageBytes = size_t{2} << 20;
// How much of an array of ordinary pages is made resident at a time (populate()) as it fills.
inline constexpr size_t PopulateWindowBytes = size_t{64} << 10;
// In `limit` bytes of ordinary pages starting at `page` (by default one 2 MiB page), of which
// the first `ready` bytes are resident: makes them resident up to `need` and a window beyond,
// within the limit. Returns the new `ready` (at most `limit`).
inline size_t populateAhead(void* page, size_t ready, size_t need, size_t limit = HugePageBytes) noexcept
{
    const size_t to = std::min(limit, std::max(ready, need) + PopulateWindowBytes);
    populate(static_cast<char*>(page) + ready, to - ready);
    return to;
}

// Allocator for large arrays that fill from the front (the flows): an allocation of 2 MiB
// or more is 2 MiB-aligned and asks for huge pages, so filling it takes a page fault per
// 2 MiB instead of per 4 KiB (a fault costs 3-18 us on the VMs this is measured on).
// Reserved but untouched pages cost nothing; the page being filled is resident whole.
// An allocation of `MappedFrom` bytes or more (below 2 MiB) is a mapping of its own too, with
// ordinary pages: given back to the system when freed, where malloc keeps a freed block of the
// middle of its heap resident.
template <class T, size_t MappedFrom = HugePageBytes> struct HugePageAllocator {
    static_assert(MappedFrom <= HugePageBytes);
    using value_type = T;
    template <class U> struct rebind {
        using other = HugePageAllocator<U, MappedFrom>;
    };
    HugePageAllocator() = default;
    template <class U> HugePageAllocator(const HugePageAllocator<U, MappedFrom>&) noexcept {}
    T* allocate(size_t n)
    {
        if (n > (SIZE_MAX - HugePageBytes) / sizeof(T)) throw std::bad_alloc();
        const size_t bytes = n * sizeof(T);
        if (bytes < MappedFrom) return static_cast<T*>(::operator new(bytes));
        return static_cast<T*>(allocateHugeChunk(bytes, bytes >= HugePageBytes));
    }
    void deallocate(T* p, size_t n) noexcept
    {
        if (n * sizeof(T) < MappedFrom)
            ::operator delete(p);
        else
            freeHugeChunk(p, n * sizeof(T));
    }
    friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};
} // namespace detail

// Append-only array of trivially copyable values in fixed chunks: indexes are stable,
// appending never copies earlier values, and peak memory stays at the data size (a
// growing std::vector briefly holds both its old and new copy). A chunk is a power of two of
// values that fills whole 2 MiB pages (one page for values of a power-of-two size; seven for
// 28-byte records), a mapping of its own, aligned and not written before use, so the kernel can
// back its pages with huge pages: page faults dominate the cost of storing millions of records
// otherwise. A huge page is resident as a whole, though, so a 2 MiB page that is not expected
// to fill (the last, or the only one of a small capture: see expectMore()) gets ordinary pages,
// made resident detail::PopulateWindowBytes at a time as values reach them (one system call
// each, no page faults): about as fast as a huge page for a page two-thirds full, and only what
// is used is resident (50,000 connections: 0.7 MiB less at the peak).
template <class T> class ChunkedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    // The largest power of two that divides sizeof(T): a chunk of HugePageBytes / it values
    // fills whole 2 MiB pages.
    static constexpr size_t SizeTwos = sizeof(T) & (~sizeof(T) + 1);
    static_assert(SizeTwos <= detail::HugePageBytes / 2);

public:
    static constexpr uint32_t ChunkBits = static_cast<uint32_t>(std::countr_zero(detail::HugePageBytes / SizeTwos));
    static constexpr uint32_t ChunkSize = 1u << ChunkBits;
    static constexpr size_t ChunkBytes = size_t{ChunkSize} * sizeof(T); // a multiple of HugePageBytes

    ChunkedArray() = default;
    ChunkedArray(const ChunkedArray&) = delete;
    ChunkedArray& operator=(const ChunkedArray&) = delete;
    ChunkedArray(ChunkedArray&&) noexcept = default;
    ChunkedArray& operator=(ChunkedArray&&) noexcept = default;

    uint32_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    // How many more values the caller expects to append (an estimate; unknown by default).
    void expectMore(uint64_t n) { expectedMore_ = n; }

    T& append()
    {
        T* slot = reserve(1);
        return *new (slot) T();
    }
    // Reserves `n` consecutive slots, which must fit in what is left of the current chunk or in
    // a new one (a power of two that divides ChunkSize always does), and returns the first
    // index. The slots are not initialised: the caller writes each before reading it.
    uint32_t appendUninitialised(uint32_t n)
    {
        const uint32_t first = size_;
        (void)reserve(n);
        return first;
    }
    const T& operator[](uint32_t i) const { return chunks_[i >> ChunkBits][i & (ChunkSize - 1)]; }
    T& operator[](uint32_t i) { return chunks_[i >> ChunkBits][i & (ChunkSize - 1)]; }
    size_t memoryBytes() const { return chunks_.size() * ChunkBytes; }

    // How many values to append before absorb() so that `other`'s pages can move into this array
    // instead of being copied: what takes the last value to a page boundary (0 when the array is
    // empty or ends a chunk, where absorb() moves whole chunks anyway, or pages are not 4 KiB).
    uint32_t padToPage() const
    {
        const uint32_t used = size_ & (ChunkSize - 1);
        if (used == 0 || detail::pageBytes() != PageBytes) return 0;
        return (PageUnit - used % PageUnit) % PageUnit;
    }

    // Appends `other`'s values after this array's and empties `other`, never holding a second
    // copy of either, and calls `fix(value)` on each value of `other`. Where this array's last
    // value ends a chunk, `other`'s chunks join this array's; where it ends a page (padToPage()),
    // their pages move to follow it (movePages); otherwise their values move down within them
    // (and into the rest of this array's last chunk) to follow it.
    template <class Fix> void absorb(ChunkedArray& other, Fix&& fix)
    {
        const uint32_t n = other.size_;
        if (size_ > UINT32_MAX - n) throw std::length_error("more than 4 294 967 295 packets");
        const uint32_t used = size_ & (ChunkSize - 1); // values in this array's last chunk, 0 when full
        if (used == 0) {
            for (uint32_t i = 0; i < n; ++i)
                fix(other[i]);
            for (uint64_t k = 0; uint64_t{k} << ChunkBits < n; ++k)
                chunks_.push_back(std::move(other.chunks_[k]));
        } else if (n > 0 && used % PageUnit == 0 && detail::pageBytes() == PageBytes) {
            movePagesFrom(other);
            for (uint64_t i = size_; i < uint64_t{size_} + n;) { // fixed a chunk's run at a time
                T* run = &(*this)[static_cast<uint32_t>(i)];
                const uint64_t end = std::min<uint64_t>(uint64_t{size_} + n, (i | (ChunkSize - 1)) + 1);
                for (uint64_t j = i; j < end; ++j)
                    fix(run[j - i]);
                i = end;
            }
        } else if (n > 0) {
            // Each of `other`'s chunks in turn: its first values fill the room left in the chunk
            // before (this array's last, at first), the rest move down to its front, and it joins
            // this array. The room's pages are made resident a window at a time as values reach
            // them, and a chunk that empties gives its pages back as they are read, so the move
            // never holds much more than the values (a chunk is up to 14 MiB).
            T* to = chunks_.back().get() + used; // where the next value goes
            const uint32_t room = ChunkSize - used;
            // Values a window: at least detail::PopulateWindowBytes, and whole 4 KiB pages of
            // values, so that a chunk (2 MiB-aligned) is given back page by page, every page once.
            constexpr uint32_t Window =
                (static_cast<uint32_t>(detail::PopulateWindowBytes / sizeof(T)) + PageUnit - 1) / PageUnit * PageUnit;
            for (uint64_t k = 0; k << ChunkBits < n; ++k) {
                T* chunk = other.chunks_[k].get();
                const auto count = static_cast<uint32_t>(std::min<uint64_t>(ChunkSize, n - (k << ChunkBits)));
                const uint32_t moved = std::min(room, count);
                const uint32_t rest = count - moved;
                // The pages from here on are read, and not written again by the move down.
                const uint32_t keep = (rest + PageUnit - 1) / PageUnit * PageUnit;
                for (uint32_t j = 0; j < moved; j += Window) {
                    const uint32_t w = std::min(Window, moved - j);
                    detail::populate(to + j, size_t{w} * sizeof(T));
                    for (uint32_t i = j; i < j + w; ++i) {
                        to[i] = chunk[i];
                        fix(to[i]);
                    }
                    if (const uint32_t from = std::max(j, keep); j + w > from)
                        detail::discard(chunk + from, size_t{j + w - from} * sizeof(T));
                }
                if (rest == 0) { // the last chunk, emptied
                    other.chunks_[k].reset();
                    break;
                }
                for (uint32_t j = 0; j < rest; ++j) { // down within the chunk: each read before written
                    chunk[j] = chunk[moved + j];
                    fix(chunk[j]);
                }
                to = chunk + rest;
                chunks_.push_back(std::move(other.chunks_[k]));
            }
        }
        size_ += n;
        // The last chunk's pages beyond its last value, resident from before the move, go back.
        if (const uint32_t last = size_ & (ChunkSize - 1); last != 0 && n > 0)
            detail::discard(chunks_.back().get() + last, size_t{ChunkSize - last} * sizeof(T));
        ready_ = size_; // every slot below holds a value, so its page is resident
        other.chunks_.clear();
        other.size_ = 0;
        other.ready_ = 0;
    }
    // Appends `other`'s chunks after this array's, leaving the rest of this array's last chunk
    // unused, and empties `other`: its value i becomes value base + i, where base (returned) is a
    // multiple of ChunkSize.
    uint32_t appendChunks(ChunkedArray& other)
    {
        const uint64_t base = uint64_t{chunks_.size()} << ChunkBits;
        if (base + other.size_ > UINT32_MAX) throw std::length_error("more than 4 294 967 295 packets");
        for (auto& chunk : other.chunks_)
            chunks_.push_back(std::move(chunk));
        if (other.size_ > 0) {
            size_ = static_cast<uint32_t>(base + other.size_);
            ready_ = base + other.ready_;
        }
        other.chunks_.clear();
        other.size_ = 0;
        other.ready_ = 0;
        return static_cast<uint32_t>(base);
    }

private:
    static constexpr size_t PageBytes = 4096;
    // Values that fill whole 4 KiB pages: a run of them starting on a page boundary ends on one.
    static constexpr uint32_t PageUnit = static_cast<uint32_t>(std::lcm(sizeof(T), PageBytes) / sizeof(T));
    static_assert(ChunkSize % PageUnit == 0);

    // absorb()'s moving of pages: `other`'s values, whole pages of them, go after this array's
    // last value (which ends a page within the last chunk), in pieces that each lie within a 2 MiB
    // page of `other` (a mapping keeps one kind of page advice per 2 MiB page: see makeReady) and
    // within a chunk of this array, which gains chunks as needed. Sizes are absorb()'s to set.
    void movePagesFrom(ChunkedArray& other)
    {
        const uint32_t n = other.size_;
        const uint64_t start = uint64_t{size_} * sizeof(T); // where `other`'s first value goes, in bytes
        for (uint64_t k = 0; k << ChunkBits < n; ++k) {
            char* const from = static_cast<char*>(static_cast<void*>(other.chunks_[k].get()));
            const uint64_t count = std::min<uint64_t>(ChunkSize, n - (k << ChunkBits));
            const uint64_t bytes = (count * sizeof(T) + PageBytes - 1) & ~uint64_t{PageBytes - 1};
            for (uint64_t done = 0; done < bytes;) {
                const uint64_t at = start + k * ChunkBytes + done;
                const uint64_t chunk = at / ChunkBytes, offset = at % ChunkBytes;
                if (chunk == chunks_.size())
                    chunks_.push_back(Chunk(static_cast<T*>(detail::allocateHugeChunk(ChunkBytes, false))));
                const uint64_t piece =
                    std::min({bytes - done, ChunkBytes - offset, detail::HugePageBytes - done % detail::HugePageBytes});
                char* const to = static_cast<char*>(static_cast<void*>(chunks_[chunk].get()));
                detail::movePages(from + done, to + offset, piece);
                done += piece;
            }
            other.chunks_[k].reset(); // what is left of it (a huge page's rest) goes back now
        }
    }

    T* reserve(uint32_t n)
    {
        if (size_ > UINT32_MAX - n) throw std::length_error("more than 4 294 967 295 packets");
        if (size_ + n > ready_) makeReady(n);
        T* slot = chunks_.back().get() + (size_ & (ChunkSize - 1));
        size_ += n;
        return slot;
    }
    // Slow path of reserve(): a new chunk, or the next pages of the current one. A chunk's 2 MiB
    // pages are made ready one at a time, as values reach them: a page that the values still
    // expected will fill is given a huge page, any other is made resident a window at a time.
    // `n` values at size_ must fit in what is left of the current chunk or in a new one.
    void makeReady(uint32_t n)
    {
        if ((size_ & (ChunkSize - 1)) == 0) {
            chunks_.push_back(Chunk(static_cast<T*>(detail::allocateHugeChunk(ChunkBytes, false))));
            ready_ = size_;
        }
        const uint64_t chunkStart = size_ & ~uint64_t{ChunkSize - 1};
        char* const base = static_cast<char*>(static_cast<void*>(chunks_.back().get()));
        auto ready = static_cast<size_t>(ready_ - chunkStart) * sizeof(T);
        const auto need = static_cast<size_t>(size_ + n - chunkStart) * sizeof(T);
        while (ready < need) { // a value may straddle two pages: both are made ready before it is written
            const size_t page = ready & ~(detail::HugePageBytes - 1);
            if (ready == page && expectedMore_ >= detail::HugePageBytes / sizeof(T)) {
                detail::adviseHuge(base + page, detail::HugePageBytes);
                ready = page + detail::HugePageBytes;
            } else {
                ready = page + detail::populateAhead(base + page, ready - page, need - page);
            }
        }
        ready_ = chunkStart + ready / sizeof(T);
    }

    struct FreeChunk {
        void operator()(T* p) const noexcept { detail::freeHugeChunk(p, ChunkBytes); }
    };
    using Chunk = std::unique_ptr<T[], FreeChunk>;

    std::vector<Chunk> chunks_;
    uint32_t size_ = 0;
    uint64_t ready_ = 0; // values below this index have their slot's pages made (or a huge page)
    uint64_t expectedMore_ = UINT64_MAX;
};

// Every TCP packet's record, stored as it is read, in two parts, so that each flow's records
// end up together without moving most of them (moving every record of an interleaved capture
// to its flow's place took over half of the analysis: one cache miss per record).
//
// - The head part holds each flow's first HeadRows records, in the order they were read;
//   FlowTable::groupHeads() groups them by flow, so a flow's head is consecutive. Most
//   connections never leave it (50,000 short connections: all of them).
// - The tail part holds the records beyond those, in blocks of BlockRows consecutive slots
//   that a flow takes one at a time as it grows, so a long flow's records are consecutive
//   block by block as they are read, interleaved or not. A flow's last block is left
//   partly empty (at most BlockRows - 1 slots, 8 KiB, per long flow).
//
// An index names a record in either part: a tail index has TailBit set. Within a flow,
// indexes increase with frame numbers (heads come before tails; blocks are taken in order).
class PacketStore {
public:
    static constexpr uint32_t TailBit = 1u << 31;
    static constexpr uint32_t HeadRows = 256;
    static constexpr uint32_t BlockBits = 8;
    static constexpr uint32_t BlockRows = 1u << BlockBits;
    static_assert(ChunkedArray<PacketRecord>::ChunkSize % BlockRows == 0, "a block never straddles two chunks");
    static constexpr size_t ChunkBytes = ChunkedArray<PacketRecord>::ChunkBytes;

    const PacketRecord& operator[](uint32_t i) const { return (i & TailBit) ? tail_[i & ~TailBit] : head_[i]; }
    PacketRecord& operator[](uint32_t i) { return (i & TailBit) ? tail_[i & ~TailBit] : head_[i]; }

    // A stored record's timestamp, nanoseconds since the epoch (once its `frame` holds its frame
    // number: from FlowTable::groupHeads() on for head records read from a file).
    int64_t tsNs(const PacketRecord& r) const { return times_.tsNs(r.frame, r.tsLow); }
    int64_t tsNs(uint32_t i) const { return tsNs((*this)[i]); }
    // The same, for a reader that goes through records in frame order (FrameTimes::Cursor).
    int64_t tsNs(const PacketRecord& r, FrameTimes::Cursor& c) const { return times_.tsNs(r.frame, r.tsLow, c); }
    // Gives `r`, the record of frame `frame`, its time. Frames come in increasing order.
    void setTime(PacketRecord& r, uint32_t frame, int64_t tsNs)
    {
        times_.note(frame, tsNs);
        r.tsLow = static_cast<uint32_t>(tsNs);
    }

    // Whether `i` names a slot of either part (a tail slot may be one of a block's empty ones).
    bool holds(uint32_t i) const { return (i & TailBit) ? (i & ~TailBit) < tail_.size() : i < head_.size(); }
    // Records stored (both parts; the empty slots of tail blocks are not counted).
    uint32_t size() const { return records_; }
    bool empty() const { return records_ == 0; }
    // Records in the head part, with absorb()'s padding: head indexes are 0 .. headSize() - 1.
    uint32_t headSize() const { return head_.size(); }

    // A new record at the end of the head part; its index is headSize() - 1 after the call.
    PacketRecord& appendHead()
    {
        if (head_.size() == TailBit - 1) throw std::length_error("more than 2 147 483 647 packets in flow heads");
        ++records_;
        return head_.append();
    }
    // Takes a block of BlockRows tail slots and returns the index of its first.
    uint32_t newBlock()
    {
        if (tail_.size() > (TailBit - 1) - BlockRows)
            throw std::length_error("more than 2 147 483 647 packets in long flows");
        return tail_.appendUninitialised(BlockRows) | TailBit;
    }
    // Writes a record into a slot of a block taken with newBlock().
    PacketRecord& placeInBlock(uint32_t index)
    {
        ++records_;
        return *new (&(*this)[index]) PacketRecord();
    }

    // Appends `other`'s records and empties it (see ChunkedArray::absorb and appendChunks): its
    // head records follow these, `fixHead(record)` called on each as it moves; its tail blocks
    // keep their slots, their indexes raised by the value returned. Its frames follow this store's
    // last: their numbers are raised by `frameShift` (the caller fixes the records' `frame`).
    // When `mayPad`, its head records may come after `padding` (set) empty records that are no
    // packet's: what lets the pages of the head records move rather than be copied
    // (ChunkedArray::padToPage; fewer than 1,024 records). They are not counted in size(); the
    // caller keeps them out of every flow.
    // Throws std::length_error (changing nothing) when the parts together would hold more than
    // their indexes can name.
    template <class Fix>
    uint32_t absorb(PacketStore& other, uint32_t frameShift, bool mayPad, uint32_t& padding, Fix&& fixHead)
    {
        const uint64_t tailChunks = (uint64_t{tail_.size()} + ChunkedArray<PacketRecord>::ChunkSize - 1) >>
                                    ChunkedArray<PacketRecord>::ChunkBits;
        padding = mayPad && !other.head_.empty() ? head_.padToPage() : 0;
        if (uint64_t{head_.size()} + padding + other.head_.size() > TailBit - 1 ||
            (tailChunks << ChunkedArray<PacketRecord>::ChunkBits) + other.tail_.size() > TailBit - 1)
            throw std::length_error("more than 2 147 483 647 packets in flow heads or long flows");
        for (uint32_t k = 0; k < padding; ++k)
            head_.append();
        head_.absorb(other.head_, fixHead);
        const uint32_t base = tail_.appendChunks(other.tail_);
        times_.append(other.times_, frameShift);
        other.times_ = FrameTimes();
        records_ += other.records_;
        other.records_ = 0;
        return base;
    }

    // How many more records the caller expects (an estimate): see ChunkedArray::expectMore.
    void expectMore(uint64_t n)
    {
        head_.expectMore(n);
        tail_.expectMore(n);
    }
    size_t memoryBytes() const { return head_.memoryBytes() + tail_.memoryBytes() + times_.memoryBytes(); }

private:
    ChunkedArray<PacketRecord> head_;
    ChunkedArray<PacketRecord> tail_;
    FrameTimes times_;
    uint32_t records_ = 0;
};

} // namespace flowladder::core
