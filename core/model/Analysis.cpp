#include "core/model/Analysis.h"

#include "core/tcp/TcpTracker.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/mman.h>
#include <unistd.h>

namespace flowladder::core {

static_assert(PacketStore::ChunkBytes % detail::HugePageBytes == 0);

namespace {
// What a huge chunk of `bytes` takes: whole 2 MiB pages.
size_t hugeChunkBytes(size_t bytes)
{
    return (bytes + detail::HugePageBytes - 1) & ~(detail::HugePageBytes - 1);
}
} // namespace

void* detail::allocateHugeChunk(size_t bytes, bool huge)
{
    // Mapped here rather than taken from malloc: glibc serves a request this large with a
    // mapping of its own, but freeing one raises its threshold for that, and later requests then
    // come from its heap, which keeps pages freed there resident (measured: a reading dropped
    // early left 2 MB more at the peak of the 77 MB analysis that followed it).
    if (bytes > SIZE_MAX - 2 * HugePageBytes) throw std::bad_alloc();
    bytes = hugeChunkBytes(bytes);
    const size_t span = bytes + HugePageBytes;
    void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    // The part before the first 2 MiB boundary, and what is left after `bytes`, go back.
    const size_t lead =
        (HugePageBytes - (reinterpret_cast<uintptr_t>(raw) & (HugePageBytes - 1))) & (HugePageBytes - 1);
    char* const p = static_cast<char*>(raw) + lead;
    if (lead > 0) ::munmap(raw, lead);
    if (const size_t tail = span - lead - bytes; tail > 0) ::munmap(p + bytes, tail);
    // Hints: fewer page faults where transparent huge pages are enabled, or only what is used resident.
    ::madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    return p;
}

void detail::adviseHuge(void* p, size_t bytes) noexcept
{
    ::madvise(p, bytes, MADV_HUGEPAGE);
}

void detail::populate(void* p, size_t bytes) noexcept
{
#ifdef MADV_POPULATE_WRITE
    // The start rounded down to its page (the end needs no rounding).
    static const auto pageBytes = static_cast<uintptr_t>(detail::pageBytes());
    const size_t into = reinterpret_cast<uintptr_t>(p) & (pageBytes - 1);
    ::madvise(static_cast<char*>(p) - into, bytes + into, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

size_t detail::pageBytes() noexcept
{
    static const auto bytes = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    return bytes;
}

void detail::movePages(void* from, void* to, size_t bytes)
{
#ifdef MREMAP_DONTUNMAP
    // DONTUNMAP: the source stays mapped, empty, so that no other mapping (another thread's) can
    // take its place before its chunk is unmapped whole (Linux 5.7 on; older kernels copy).
    if (::mremap(from, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, to) != MAP_FAILED) return;
#endif
    copyPages(from, to, bytes);
}

void detail::copyPages(void* from, void* to, size_t bytes)
{
    // The destination may be unmapped (a failed MREMAP_FIXED clears it first), so fresh pages are
    // mapped there before the copy.
    if (::mmap(to, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        throw std::bad_alloc();
    std::memcpy(to, from, bytes);
    ::madvise(from, bytes, MADV_DONTNEED);
}

void detail::discard(void* p, size_t bytes) noexcept
{
    static const auto pageBytes = static_cast<uintptr_t>(detail::pageBytes());
    // From the first page boundary at or after p, whole pages only.
    const size_t skip = (pageBytes - (reinterpret_cast<uintptr_t>(p) & (pageBytes - 1))) & (pageBytes - 1);
    if (bytes <= skip) return;
    const size_t whole = (bytes - skip) & ~(pageBytes - 1);
    if (whole > 0) ::madvise(static_cast<char*>(p) + skip, whole, MADV_DONTNEED);
}

void detail::freeHugeChunk(void* p, size_t bytes) noexcept
{
    ::munmap(p, hugeChunkBytes(bytes));
}

void IndexRange::push_back(uint32_t idx)
{
    if (count == 0)
        first = idx;
    else if (idx != first + count)
        throw std::logic_error("IndexRange::push_back: indexes must be consecutive");
    ++count;
}

Endpoint Flow::endpointAt(int i) const
{
    const FlowSide& fs = sides[i];
    Endpoint e;
    e.port = fs.port;
    if (ipv6()) {
        e.addr.version = 6;
        e.addr.bytes = (*v6())[fs.addr & 1];
    } else {
        std::memcpy(e.addr.bytes.data(), &fs.addr, sizeof fs.addr);
    }
    return e;
}

void Analysis::setEndpoints(Flow& f, const Endpoint& side0, const Endpoint& side1)
{
    if (side0.addr.version != side1.addr.version)
        throw std::invalid_argument("Analysis::setEndpoints: an IPv4 and an IPv6 endpoint");
    f.sides[0].port = side0.port;
    f.sides[1].port = side1.port;
    if (side0.addr.version == 6) {
        f.sides[0].addr = 0;
        f.sides[1].addr = 1;
        f.setV6(&ipv6Pairs.emplace_back(Ipv6Pair{side0.addr.bytes, side1.addr.bytes}));
    } else {
        f.setIpv4();
        std::memcpy(&f.sides[0].addr, side0.addr.bytes.data(), sizeof f.sides[0].addr);
        std::memcpy(&f.sides[1].addr, side1.addr.bytes.data(), sizeof f.sides[1].addr);
    }
}

bool FlowPackets::contains(uint32_t idx) const
{
    if (!(idx & PacketStore::TailBit)) return idx - first < headCount();
    const uint32_t n = blockCount();
    const uint32_t* after = std::upper_bound(blocks, blocks + n, idx); // block starts increase
    if (after == blocks) return false;
    const uint32_t offset = idx - after[-1];
    if (offset >= PacketStore::BlockRows) return false;
    const auto block = static_cast<uint32_t>(after - blocks - 1);
    return PacketStore::HeadRows + block * PacketStore::BlockRows + offset < count;
}

PacketRecord& Analysis::appendPacket(Flow& f, uint32_t frame, int64_t tsNs)
{
    const auto stamped = [&](PacketRecord& r) -> PacketRecord& {
        r.frame = frame;
        packets.setTime(r, frame, tsNs);
        return r;
    };
    FlowPackets& fp = f.packets;
    const uint32_t row = fp.count;
    if (row < PacketStore::HeadRows) {
        if (row == 0)
            fp.first = packets.headSize();
        else if (fp.first + row != packets.headSize())
            throw std::logic_error("Analysis::appendPacket: another flow's packets came in between");
        ++fp.count;
        return stamped(packets.appendHead());
    }
    const uint32_t k = row - PacketStore::HeadRows;
    if ((k & (PacketStore::BlockRows - 1)) == 0) {
        const uint32_t own = fp.blockCount();
        if (fp.blocks && fp.blocks + own != tailBlocks.data() + tailBlocks.size())
            throw std::logic_error("Analysis::appendPacket: another flow's blocks came in between");
        const size_t at = tailBlocks.size() - own;
        tailBlocks.push_back(packets.newBlock());
        fp.blocks = tailBlocks.data() + at; // the list may have moved
    }
    ++fp.count;
    return stamped(packets.placeInBlock(fp[row]));
}

FrameOrigin CaptureInfo::origin(uint32_t frame) const
{
    auto it = std::upper_bound(frameRuns.begin(), frameRuns.end(), frame,
                               [](uint32_t fr, const FrameRun& r) { return fr < r.firstFrame; });
    if (it == frameRuns.begin() || frame > packets) return {};
    --it;
    return {it->source, it->sourceFrame + (frame - it->firstFrame)};
}

std::string captureDisplayName(const std::string& first, size_t files)
{
    if (files <= 1) return first;
    const size_t more = files - 1;
    return first + " and " + std::to_string(more) + " more file" + (more == 1 ? "" : "s");
}

std::string CaptureInfo::displayName() const
{
    return captureDisplayName(file, sources.size());
}

std::string_view captureFormatName(CaptureFormat f)
{
    switch (f) {
    case CaptureFormat::Pcap:
        return "pcap";
    case CaptureFormat::PcapNg:
        return "pcapng";
    case CaptureFormat::Unknown:
        break;
    }
    return "unknown";
}

IndexRange Analysis::findingsOf(const Flow& f) const
{
    const uint32_t id = idOf(f);
    const auto lo =
        std::partition_point(findings.begin(), findings.end(), [id](const Finding& x) { return x.flow < id; });
    const auto hi = std::partition_point(lo, findings.end(), [id](const Finding& x) { return x.flow == id; });
    return {static_cast<uint32_t>(lo - findings.begin()), static_cast<uint32_t>(hi - lo)};
}

IndexRange Analysis::findingsOf(const Flow& f, uint32_t& next) const
{
    const uint32_t id = idOf(f);
    while (next < findings.size() && findings[next].flow < id) // findings of no flow (none are made)
        ++next;
    const uint32_t first = next;
    while (next < findings.size() && findings[next].flow == id)
        ++next;
    return {first, next - first};
}

FlowTotals Analysis::totals(const Flow& f) const
{
    FlowTotals t;
    const auto count = [&t](const PacketRecord& p) {
        const int s = sideIndex(p.side());
        ++t.packets[s];
        t.bytes[s] += p.payload();
    };
    const FlowPackets& fp = f.packets;
    for (uint32_t i = 0; i < fp.headCount(); ++i)
        count(packets[fp.first + i]);
    for (uint32_t row = fp.headCount(); row < fp.count; ++row)
        count(packets[fp[row]]);
    return t;
}

int64_t Analysis::rowOfFrame(const Flow& f, uint32_t frame) const
{
    // Packet indexes are in frame order, so the flow's rows are sorted by frame.
    auto it = std::lower_bound(f.packets.begin(), f.packets.end(), frame,
                               [this](uint32_t idx, uint32_t fr) { return packets[idx].frame < fr; });
    if (it == f.packets.end() || packets[*it].frame != frame) return -1;
    return it - f.packets.begin();
}

TcpState StateTimelines::stateAfter(Side side, uint32_t packet) const
{
    const StateChange* c = changeAfter(side, packet);
    return c ? c->state : TcpState::Unknown;
}

const StateChange* StateTimelines::changeAfter(Side side, uint32_t packet) const
{
    const auto& states = sides[sideIndex(side)];
    if (states.empty()) return nullptr;
    auto it = std::upper_bound(states.begin(), states.end(), packet,
                               [](uint32_t i, const StateChange& c) { return i < c.packet; });
    if (it == states.begin()) return &states.front();
    return &*std::prev(it);
}

StateTimelines Analysis::stateTimelines(const Flow& f) const
{
    return replayStates(*this, f);
}

} // namespace flowladder::core
