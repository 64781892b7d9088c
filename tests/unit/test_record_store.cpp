// The packet store's parts: FrameTimes (the upper halves of the records' times, by frame) and
// ChunkedArray (records in chunks that fill whole 2 MiB pages, joined without copies).

#include "core/model/PacketRecord.h"

#include <cstdint>
#include <gtest/gtest.h>
#include <random>
#include <type_traits>
#include <vector>

using namespace flowladder;

namespace {

struct Noted {
    uint32_t frame;
    int64_t tsNs;
};

// Frames in increasing order, with gaps (frames that are not stored), whose clock runs in small
// steps, jumps forwards and backwards across the 4.29 s boundaries of the lower 32 bits (by
// seconds and by years, before 1970 too), and for a while changes its upper half every frame.
std::vector<Noted> clockThatJumps(unsigned seed, uint32_t firstFrame, size_t count)
{
    std::mt19937_64 rng(seed);
    std::vector<Noted> out;
    uint32_t frame = firstFrame;
    int64_t t = 1'700'000'000'000'000'000;
    for (size_t i = 0; i < count; ++i) {
        frame += 1 + (rng() % 8 == 0 ? static_cast<uint32_t>(rng() % 9000) : 0); // some gaps span a block
        const uint64_t kind = rng() % 100;
        if (kind < 80)
            t += static_cast<int64_t>(rng() % 2'000'000); // up to 2 ms
        else if (kind < 90)
            t += static_cast<int64_t>(rng() % 20'000'000'000) - 5'000'000'000; // -5 s .. +15 s
        else if (kind < 92)
            t = -static_cast<int64_t>(rng() % 4'000'000'000'000'000'000); // before 1970 (to 1843)
        else if (kind < 94)
            t = 1'700'000'000'000'000'000 + static_cast<int64_t>(rng() % 100'000'000'000'000'000);
        else if (i > count / 2 && i < count / 2 + 300)
            t += (i % 2 ? 1 : -1) * (int64_t{1} << 32); // the upper half alternates
        out.push_back({frame, t});
    }
    return out;
}

} // namespace

TEST(FrameTimes, EveryNotedFrameReadsBackItsTime)
{
    for (const unsigned seed : {1u, 2u, 3u}) {
        const std::vector<Noted> noted = clockThatJumps(seed, 1, 40'000);
        core::FrameTimes times;
        for (const Noted& n : noted)
            times.note(n.frame, n.tsNs);
        for (const Noted& n : noted)
            ASSERT_EQ(times.tsNs(n.frame, static_cast<uint32_t>(n.tsNs)), n.tsNs)
                << "frame " << n.frame << ", seed " << seed;
        EXPECT_LT(times.runs(), noted.size()); // runs, not a time per frame
        // Through a cursor: in frame order (as the analysis reads), and in any order.
        core::FrameTimes::Cursor inOrder, anyOrder;
        std::mt19937 rng(seed);
        for (const Noted& n : noted) {
            ASSERT_EQ(times.tsNs(n.frame, static_cast<uint32_t>(n.tsNs), inOrder), n.tsNs) << "frame " << n.frame;
            const Noted& m = noted[rng() % noted.size()];
            ASSERT_EQ(times.tsNs(m.frame, static_cast<uint32_t>(m.tsNs), anyOrder), m.tsNs) << "frame " << m.frame;
        }
    }
}

// A later part's times, numbered from its own first frame, follow this one's: append() raises
// their frame numbers by the frames before them, and both parts' frames read back their times.
TEST(FrameTimes, AppendedFramesFollowWithTheirTimes)
{
    const std::vector<Noted> first = clockThatJumps(7, 1, 10'000);
    const std::vector<Noted> later = clockThatJumps(8, 1, 10'000);
    const uint32_t before = first.back().frame + 3; // three frames between that are not stored
    core::FrameTimes a, b;
    for (const Noted& n : first)
        a.note(n.frame, n.tsNs);
    for (const Noted& n : later)
        b.note(n.frame, n.tsNs);
    a.append(b, before);
    for (const Noted& n : first)
        ASSERT_EQ(a.tsNs(n.frame, static_cast<uint32_t>(n.tsNs)), n.tsNs) << "frame " << n.frame;
    for (const Noted& n : later)
        ASSERT_EQ(a.tsNs(before + n.frame, static_cast<uint32_t>(n.tsNs)), n.tsNs) << "later frame " << n.frame;
    a.note(before + later.back().frame + 1, 5); // it goes on from there
    EXPECT_EQ(a.tsNs(before + later.back().frame + 1, 5), 5);
}

namespace {

// A value of PacketRecord's size (28 bytes: a chunk is 2^19 of them, seven 2 MiB pages).
struct Wide {
    uint32_t lo, hi;
    uint32_t pad[5];
};
static_assert(sizeof(Wide) == sizeof(core::PacketRecord));

uint64_t get(uint64_t x)
{
    return x;
}
uint64_t get(const Wide& x)
{
    return uint64_t{x.hi} << 32 | x.lo;
}
void set(uint64_t& x, uint64_t v)
{
    x = v;
}
void set(Wide& x, uint64_t v)
{
    x.lo = static_cast<uint32_t>(v);
    x.hi = static_cast<uint32_t>(v >> 32);
}

// ChunkedArray::absorb moves the other array's values to follow this one's, each once (fix):
// whole chunks when this array's last chunk is full; their pages when it ends on a page (with
// `padFirst`, each of `mineSizes` is first raised to that: padToPage); else down into that chunk
// and, chunk by chunk, down within the other's.
template <class T>
void absorbKeepsEveryValue(const std::vector<uint32_t>& mineSizes, bool manyTheirs, bool padFirst = false)
{
    using Array = core::ChunkedArray<T>;
    constexpr uint32_t C = Array::ChunkSize;
    constexpr uint64_t Mark = uint64_t{1} << 63;
    for (uint32_t mine : mineSizes) {
        if (padFirst) {
            Array probe;
            for (uint32_t i = 0; i < mine; ++i)
                probe.append();
            mine += probe.padToPage();
            if (mine % C != 0) {
                ASSERT_EQ(mine * sizeof(T) % 4096, 0u) << mine;
            }
        }
        std::vector<uint32_t> theirsSizes{0u, 1u, C - mine % C, C - mine % C + 1, C + 5};
        if (manyTheirs) theirsSizes.insert(theirsSizes.end(), {C / 2, 2 * C + 7});
        for (const uint32_t theirs : theirsSizes) {
            Array a, b;
            for (uint32_t i = 0; i < mine; ++i)
                set(a.append(), i);
            for (uint32_t i = 0; i < theirs; ++i)
                set(b.append(), uint64_t{mine} + i);
            uint64_t fixed = 0;
            a.absorb(b, [&](T& x) {
                ASSERT_FALSE(get(x) & Mark) << "a value fixed twice";
                set(x, get(x) | Mark);
                ++fixed;
            });
            ASSERT_EQ(a.size(), mine + theirs) << mine << " + " << theirs;
            EXPECT_EQ(b.size(), 0u);
            EXPECT_EQ(fixed, theirs);
            for (uint32_t i = 0; i < mine + theirs; ++i)
                ASSERT_EQ(get(a[i]), i < mine ? uint64_t{i} : (uint64_t{i} | Mark))
                    << mine << " + " << theirs << " at " << i;
            set(a.append(), 42); // it grows on as before
            EXPECT_EQ(get(a[mine + theirs]), 42u);
        }
    }
}

} // namespace

TEST(ChunkedArray, AbsorbKeepsEveryValueInOrderWhateverTheSizes)
{
    using Array = core::ChunkedArray<uint64_t>;
    constexpr uint32_t C = Array::ChunkSize;
    static_assert(Array::ChunkBytes == 2u << 20);
    absorbKeepsEveryValue<uint64_t>({0u, 1u, C / 2 - 1, C / 2, C / 2 + 1, C - 1, C, C + 3, 2 * C + C / 3}, true);
}

TEST(ChunkedArray, AbsorbKeepsEveryValueOfAChunkOfSevenPages)
{
    using Array = core::ChunkedArray<Wide>;
    constexpr uint32_t C = Array::ChunkSize;
    static_assert(C == 1u << 19 && Array::ChunkBytes == 14u << 20);
    absorbKeepsEveryValue<Wide>({0u, 1u, C / 2 + 1, C - 1, C, C + 3}, false);
}

// Padded to a page (1,024 values of 28 bytes: seven 4 KiB pages), an array takes the other's
// pages as they are, in pieces that cross its chunks and the other's 2 MiB pages anywhere.
TEST(ChunkedArray, AbsorbMovesThePagesOfTheOtherAfterPadding)
{
    using Array = core::ChunkedArray<Wide>;
    constexpr uint32_t C = Array::ChunkSize;
    Array a;
    for (int i = 0; i < 3; ++i)
        a.append();
    EXPECT_EQ(a.padToPage(), 1021u);
    Array empty;
    EXPECT_EQ(empty.padToPage(), 0u);
    absorbKeepsEveryValue<Wide>({1u, 1023u, 1024u, 74'899u, C / 2 + 1, C - 1, C + 3, 2 * C + 1000}, true, true);
    absorbKeepsEveryValue<uint64_t>({1u, 3'000u, core::ChunkedArray<uint64_t>::ChunkSize - 700}, true, true);
}
namespace {

// movePages moves whole pages, also from a range that two kinds of page advice split (which
// the kernel may refuse to move: the bytes are then copied, as by copyPages, which older kernels
// always take), and leaves the source reading zeros.
template <class Move> void movesWholePages(Move&& move)
{
    constexpr size_t Huge = core::detail::HugePageBytes;
    const size_t page = core::detail::pageBytes();
    auto* from = static_cast<unsigned char*>(core::detail::allocateHugeChunk(2 * Huge, false));
    auto* to = static_cast<unsigned char*>(core::detail::allocateHugeChunk(2 * Huge, false));
    core::detail::adviseHuge(from, Huge); // the first 2 MiB page of a kind of its own
    for (const size_t at : {size_t{0}, Huge - 2 * page}) {
        const size_t bytes = (at == 0 ? 3 : 4) * page;
        for (size_t i = 0; i < bytes; ++i)
            from[at + i] = static_cast<unsigned char>(i * 7 + at);
        move(from + at, to + Huge + page, bytes);
        for (size_t i = 0; i < bytes; ++i) {
            ASSERT_EQ(to[Huge + page + i], static_cast<unsigned char>(i * 7 + at)) << at << " + " << i;
            ASSERT_EQ(from[at + i], 0u) << at << " + " << i;
        }
    }
    core::detail::freeHugeChunk(from, 2 * Huge);
    core::detail::freeHugeChunk(to, 2 * Huge);
}

} // namespace

TEST(ChunkedArray, MovePagesMovesAcrossMappingsOfTwoKinds)
{
    movesWholePages(core::detail::movePages);
}

TEST(ChunkedArray, CopyPagesDoesWhatMovePagesDoes)
{
    movesWholePages(core::detail::copyPages);
}

// appendChunks keeps the other array's values where they are, after this one's last chunk.
TEST(ChunkedArray, AppendChunksStartsTheOtherAtAChunk)
{
    using Array = core::ChunkedArray<uint64_t>;
    constexpr uint32_t C = Array::ChunkSize;
    for (const uint32_t mine : {0u, 5u, C, C + 1}) {
        Array a, b;
        for (uint32_t i = 0; i < mine; ++i)
            a.append() = i;
        for (uint32_t i = 0; i < 300; ++i)
            b.append() = 1000000 + i;
        const uint32_t base = a.appendChunks(b);
        EXPECT_EQ(base % C, 0u);
        EXPECT_GE(base, mine);
        EXPECT_EQ(a.size(), base + 300);
        for (uint32_t i = 0; i < mine; ++i)
            ASSERT_EQ(a[i], i);
        for (uint32_t i = 0; i < 300; ++i)
            ASSERT_EQ(a[base + i], 1000000u + i);
    }
}
