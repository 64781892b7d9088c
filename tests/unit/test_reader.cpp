// Reading whole files: timestamps, link types per interface, truncation, files that are not captures.

#include "Scenario.h"
#include "TestPaths.h"
#include "core/capture/CaptureReader.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/CaptureWriter.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sys/mman.h>
#include <unistd.h>

using namespace flowladder;
using namespace flowladder::testing;
using namespace flowladder::testsupport;

namespace {

Bytes synFrame(Link link, const std::string& src, const std::string& dst, uint16_t sport)
{
    TcpSegment s;
    s.src = src;
    s.dst = dst;
    s.sport = sport;
    s.flags = core::tcpflag::SYN;
    s.seq = 100;
    return buildFrame(link, s);
}

core::AnalysisPtr analyzePath(const std::string& path, std::string& error)
{
    auto a = core::analyzeFile(path, error);
    std::filesystem::remove(path);
    return a;
}

} // namespace

TEST(Reader, NanosecondTimestampsArePreserved)
{
    PcapWriter w(linktypeOf(Link::Ethernet), true);
    w.add(1'700'000'000'123'456'789, synFrame(Link::Ethernet, "10.0.0.1", "10.0.0.2", 1000));
    const auto path = tempPath("ns.pcap");
    w.write(path);
    std::string error;
    auto a = analyzePath(path, error);
    ASSERT_TRUE(a) << error;
    EXPECT_EQ(a->packets.tsNs(0), 1'700'000'000'123'456'789);
    EXPECT_EQ(a->capture.format, core::CaptureFormat::Pcap);
    EXPECT_EQ(a->capture.linktype, "EN10MB");
}

TEST(Reader, PcapngWithTwoInterfacesOfDifferentLinkTypes)
{
    PcapngWriter w;
    const uint32_t eth = w.addInterface(linktypeOf(Link::Ethernet), 9); // nanoseconds
    const uint32_t sll = w.addInterface(linktypeOf(Link::Sll), 6);      // microseconds
    w.addPacket(eth, 1'000'000'000'000'000'001, synFrame(Link::Ethernet, "10.0.0.1", "10.0.0.2", 1000));
    w.addPacket(sll, 1'000'000'000'000'001'000, synFrame(Link::Sll, "10.0.0.3", "10.0.0.4", 2000));
    w.addPacket(eth, 1'000'000'000'000'002'000, synFrame(Link::Ethernet, "10.0.0.1", "10.0.0.2", 1001));
    const auto path = tempPath("two-if.pcapng");
    w.write(path);
    std::string error;
    auto a = analyzePath(path, error);
    ASSERT_TRUE(a) << error;
    EXPECT_EQ(a->capture.format, core::CaptureFormat::PcapNg);
    EXPECT_EQ(a->capture.linktype, "MIXED");
    EXPECT_EQ(a->capture.tcpPackets, 3u);
    EXPECT_EQ(a->flows.size(), 3u);
    EXPECT_EQ(a->packets.tsNs(0), 1'000'000'000'000'000'001);
    EXPECT_EQ(a->packets[1].frame, 2u);
}

// While reading, records are stored in arrival order and their frame numbers are derived from
// their position and the non-TCP frames between them; grouping by flow must give every packet
// its own frame number back, in frame order within each flow.
TEST(Reader, FrameNumbersSurviveGroupingAroundNonTcpFrames)
{
    Bytes arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    PcapWriter w(linktypeOf(Link::Ethernet));
    // frame: 1 A, 2 B, 3 arp, 4 arp, 5 C, 6 A, 7 arp, 8 B, 9 C, 10 A, 11 arp, 12 arp, 13 arp, 14 B
    const char* plan = "AB..CA.BCA...B";
    std::map<char, std::vector<uint32_t>> framesOf;
    int64_t ts = 1'700'000'000'000'000'000;
    for (uint32_t i = 0; plan[i]; ++i, ts += 1'000'000) {
        const char c = plan[i];
        if (c == '.') {
            w.add(ts, arp);
            continue;
        }
        TcpSegment seg;
        seg.sport = static_cast<uint16_t>(40000 + (c - 'A'));
        seg.seq = 1000 + i;
        seg.flags = core::tcpflag::ACK;
        w.add(ts, buildFrame(Link::Ethernet, seg));
        framesOf[c].push_back(i + 1);
    }
    const auto path = tempPath("gaps.pcap");
    w.write(path);
    std::string error;
    auto a = analyzePath(path, error);
    ASSERT_TRUE(a) << error;
    EXPECT_EQ(a->capture.packets, 14u);
    ASSERT_EQ(a->flows.size(), 3u);
    for (const core::Flow& f : a->flows) {
        const char c = static_cast<char>('A' + (f.endpoint(Side::Client).port - 40000));
        std::vector<uint32_t> frames;
        for (uint32_t idx : f.packets)
            frames.push_back(a->packets[idx].frame);
        EXPECT_EQ(frames, framesOf[c]) << "flow " << c;
        EXPECT_EQ(a->firstFrame(f), framesOf[c].front());
        EXPECT_EQ(a->lastFrame(f), framesOf[c].back());
    }
}

// Flows longer than the head part (PacketStore::HeadRows) continue in tail blocks taken as they
// grow: interleaved with each other, with non-TCP frames and a short flow between, each long
// flow's rows must still be exactly its frames in order, every index of a flow must be found by
// contains() and by its frame, and a flow whose first packet came from the server must have
// every packet's direction turned, head and tail alike.
TEST(Reader, LongInterleavedFlowsKeepTheirFramesInOrder)
{
    using core::PacketStore;
    Bytes arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    PcapWriter w(linktypeOf(Link::Ethernet));
    const uint32_t longRows = PacketStore::HeadRows + 3 * PacketStore::BlockRows + 17; // a partial last block
    std::map<uint16_t, std::vector<uint32_t>> framesOf;                                // by client port
    int64_t ts = 1'700'000'000'000'000'000;
    uint32_t frame = 0;
    auto add = [&](uint16_t clientPort, bool fromServer, uint32_t i) {
        TcpSegment seg;
        seg.src = fromServer ? "10.0.0.2" : "10.0.0.1";
        seg.dst = fromServer ? "10.0.0.1" : "10.0.0.2";
        seg.sport = fromServer ? 443 : clientPort;
        seg.dport = fromServer ? clientPort : 443;
        seg.seq = 1000 + 10 * i;
        seg.payloadLen = 10;
        seg.flags = core::tcpflag::ACK;
        w.add(ts += 1000, buildFrame(Link::Ethernet, seg));
        framesOf[clientPort].push_back(++frame);
    };
    for (uint32_t i = 0; i < longRows; ++i) {
        add(40000, false, i);
        add(40001, true, i); // this flow's first packet comes from the server (port 443)
        if (i % 7 == 0) {
            w.add(ts += 1000, arp);
            ++frame;
        }
        if (i == 300) add(40002, false, 0); // a short flow among the long ones
    }
    const auto path = tempPath("long-flows.pcap");
    w.write(path);
    std::string error;
    auto a = analyzePath(path, error);
    ASSERT_TRUE(a) << error;
    ASSERT_EQ(a->flows.size(), 3u);
    for (const core::Flow& f : a->flows) {
        const uint16_t port = f.endpoint(Side::Client).port;
        SCOPED_TRACE(port);
        std::vector<uint32_t> frames;
        for (uint32_t idx : f.packets)
            frames.push_back(a->packets[idx].frame);
        EXPECT_EQ(frames, framesOf[port]);
        for (uint32_t row = 0; row < f.packetCount(); ++row) {
            const uint32_t idx = f.packets[row];
            ASSERT_TRUE(a->packets.holds(idx)) << row;
            ASSERT_TRUE(f.packets.contains(idx)) << row;
            ASSERT_EQ(a->rowOfFrame(f, a->packets[idx].frame), row);
            ASSERT_EQ(a->packets[idx].side(), port == 40001 ? Side::Server : Side::Client) << row;
            for (const core::Flow& other : a->flows) {
                if (&other != &f) {
                    ASSERT_FALSE(other.packets.contains(idx)) << row;
                }
            }
        }
    }
    EXPECT_EQ(a->flows[0].packetCount(), longRows);
    EXPECT_EQ(a->flows[0].packets.blockCount(), 4u);
    EXPECT_EQ(a->flows[2].packets.blockCount(), 0u); // the short flow lives in the head part
}

TEST(Reader, TruncatedFileKeepsWhatCameBefore)
{
    Scenario s;
    s.handshake();
    for (int i = 0; i < 5; ++i)
        s.send(Side::Client, tf::ACK, 100);
    PcapWriter w(linktypeOf(Link::Ethernet));
    TcpSegment seg;
    for (uint32_t i = 0; i < 8; ++i) {
        seg.seq = 1000 + i * 100;
        seg.payloadLen = 100;
        w.add(1'000'000'000LL * (i + 1), buildFrame(Link::Ethernet, seg));
    }
    const auto path = tempPath("trunc.pcap");
    w.writeTruncated(path, w.recordOffset(6) + 30); // inside record 7's data
    std::string error;
    auto a = analyzePath(path, error);
    ASSERT_TRUE(a) << error;
    EXPECT_TRUE(a->capture.truncated);
    EXPECT_EQ(a->capture.packets, 6u);
    EXPECT_EQ(a->flows.size(), 1u);
    ASSERT_FALSE(a->capture.errors.empty());
    EXPECT_NE(a->capture.errors[0].find(path), std::string::npos);
    EXPECT_NE(a->capture.errors[0].find("after frame 6"), std::string::npos) << a->capture.errors[0];
}

// A read error ends the file for good: libpcap itself would go on after a record it could not
// read, from a position that is no record boundary (found by fuzz_capture_parse).
TEST(Reader, AReadErrorIsSticky)
{
    PcapWriter w(linktypeOf(Link::Ethernet));
    TcpSegment seg;
    for (uint32_t i = 0; i < 3; ++i)
        w.add(1'000'000'000LL * (i + 1), buildFrame(Link::Ethernet, seg));
    for (const size_t cut : {w.recordOffset(2) + 1, w.recordOffset(2) + 20}) { // in a header, in data
        const auto path = tempPath("sticky.pcap");
        w.writeTruncated(path, cut);
        std::string error;
        auto reader = core::CaptureReader::open(path, error);
        ASSERT_TRUE(reader) << error;
        core::RawFrame frame;
        EXPECT_EQ(reader->next(frame), core::CaptureReader::Status::Frame);
        EXPECT_EQ(reader->next(frame), core::CaptureReader::Status::Frame);
        EXPECT_EQ(reader->next(frame), core::CaptureReader::Status::Error);
        const std::string first = reader->error();
        EXPECT_NE(first.find("after frame 2"), std::string::npos) << first;
        for (int again = 0; again < 3; ++again)
            EXPECT_EQ(reader->next(frame), core::CaptureReader::Status::Error) << "cut at " << cut;
        EXPECT_EQ(reader->error(), first);
        reader.reset();
        std::filesystem::remove(path);
    }
}

TEST(Reader, UnreadableFilesGiveAnErrorNamingTheFile)
{
    struct Case {
        std::string name;
        std::string content;
        const char* expect;
    };
    const std::vector<Case> cases = {
        {"empty.pcap", "", "empty"},
        {"text.pcap", "hello, this is not a capture\n", "not a pcap or pcapng"},
        {"png.pcap", "\x89PNG\r\n\x1a\n0000000000000000", "not a pcap or pcapng"},
        {"short.pcap", "\xd4\xc3", "too short"},
    };
    for (const auto& c : cases) {
        const auto path = tempPath(c.name);
        std::ofstream(path, std::ios::binary) << c.content;
        std::string error;
        auto a = analyzePath(path, error);
        EXPECT_FALSE(a) << c.name;
        EXPECT_NE(error.find(path), std::string::npos) << error;
        EXPECT_NE(error.find(c.expect), std::string::npos) << error;
    }
    std::string error;
    EXPECT_FALSE(core::analyzeFile("/nonexistent/dir/x.pcap", error));
    EXPECT_NE(error.find("/nonexistent/dir/x.pcap"), std::string::npos);
    EXPECT_NE(error.find("No such file"), std::string::npos) << error;
    EXPECT_FALSE(core::analyzeFile(testsupport::processTempDir().string(), error));
    EXPECT_NE(error.find("directory"), std::string::npos) << error;
}

TEST(Reader, ProgressIsReportedAndCancelStopsEarly)
{
    PcapWriter w(linktypeOf(Link::Ethernet));
    TcpSegment seg;
    for (uint32_t i = 0; i < 20000; ++i) {
        seg.seq = i * 10;
        seg.payloadLen = 10;
        w.add(1'000'000LL * (i + 1), buildFrame(Link::Ethernet, seg));
    }
    const auto path = tempPath("progress.pcap");
    w.write(path);
    std::vector<double> seen;
    core::AnalyzeOptions opt;
    opt.progress = [&](double f) { seen.push_back(f); };
    std::string error;
    auto a = core::analyzeFile(path, error, opt);
    ASSERT_TRUE(a);
    ASSERT_GE(seen.size(), 2u);
    EXPECT_DOUBLE_EQ(seen.back(), 1.0);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

    std::atomic<bool> cancel{true};
    core::AnalyzeOptions copt;
    copt.cancel = &cancel;
    auto c = core::analyzeFile(path, error, copt);
    std::filesystem::remove(path);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->capture.cancelled);
    EXPECT_LT(c->capture.packets, 20000u);
}

namespace {

// In the 2 MiB page at `page`, of which the first `usedBytes` are used: the used pages are
// resident, and beyond them at most the one window made resident ahead (mincore).
void expectOnlyUsedResident(const void* page, size_t usedBytes)
{
    const auto pageBytes = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> resident(core::detail::HugePageBytes / pageBytes);
    ASSERT_EQ(::mincore(const_cast<void*>(page), core::detail::HugePageBytes, resident.data()), 0);
    size_t pages = 0;
    for (unsigned char r : resident)
        pages += r & 1;
    const size_t usedPages = (usedBytes + pageBytes - 1) / pageBytes;
    const size_t windowPages = core::detail::PopulateWindowBytes / pageBytes;
    EXPECT_GE(pages, usedPages);
    EXPECT_LE(pages, usedPages + windowPages);
}

} // namespace

// The record store's chunks: one expected to fill takes a huge page; one that is not (the last
// of a capture, by the reader's estimate) gets ordinary pages made resident a window at a time,
// so what is resident follows what is used. Values must read back whatever the chunk's kind,
// across windows, chunks and blocks reserved whole.
TEST(ChunkedArray, AChunkNotExpectedToFillKeepsOnlyWhatIsUsedResident)
{
    using Array = core::ChunkedArray<uint64_t>;
    Array a;
    for (uint32_t i = 0; i < Array::ChunkSize; ++i) // no estimate: the first chunk is expected to fill
        a.append() = i * 7;
    constexpr uint32_t Tail = Array::ChunkSize / 8 * 5; // more than half: once a huge page, all resident
    a.expectMore(Tail);
    const uint32_t block = a.appendUninitialised(256); // a block reserved whole, as tail blocks are
    for (uint32_t k = 0; k < 256; ++k)
        a[block + k] = (block + k) * 7;
    for (uint32_t i = 256; i < Tail; ++i)
        a.append() = (Array::ChunkSize + i) * 7;
    ASSERT_EQ(a.size(), Array::ChunkSize + Tail);
    for (uint32_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(a[i], uint64_t{i} * 7) << i;
    EXPECT_EQ(a.memoryBytes(), 2 * Array::ChunkBytes);

    static_assert(Array::ChunkBytes == core::detail::HugePageBytes);
    expectOnlyUsedResident(&a[Array::ChunkSize], Tail * sizeof(uint64_t));
}

// The flow array is reserved for the most flows a file can hold and takes huge pages as it
// fills; the page the last flows land in, which the reader expects them not to fill, gets
// ordinary pages instead, so that only what the flows use of it is resident.
TEST(Reader, TheFlowArraysLastPageKeepsOnlyWhatIsUsedResident)
{
    const size_t huge = core::detail::HugePageBytes;
    const auto flows = static_cast<uint32_t>(huge * 3 / 2 / sizeof(core::Flow)); // half of the second page
    PcapWriter w(linktypeOf(Link::Ethernet));
    int64_t ts = 1'700'000'000'000'000'000;
    for (uint32_t i = 0; i < flows; ++i)
        w.add(ts += 1000, synFrame(Link::Ethernet, i % 2 ? "10.0.0.1" : "10.0.0.3", "10.0.0.2",
                                   static_cast<uint16_t>(1024 + i / 2)));
    const auto path = tempPath("many-flows.pcap");
    w.write(path);
    std::string error;
    auto a = analyzePath(path, error);
    ASSERT_TRUE(a) << error;
    ASSERT_EQ(a->flows.size(), flows);

    expectOnlyUsedResident(reinterpret_cast<const char*>(a->flows.data()) + huge, flows * sizeof(core::Flow) - huge);
}
