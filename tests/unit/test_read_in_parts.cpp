// Reading a pcap file in two parts at once (readCapture in core/tcp/Analyzer.cpp): whatever the
// boundary, the analysis is that of one reading, record for record, and the later part is kept
// (not read again) where the connections crossing the boundary allow it.

#include "Scenario.h"
#include "TestPaths.h"
#include "core/capture/CaptureReader.h"
#include "core/report/JsonReport.h"
#include "core/tcp/Analyzer.h"
#include "core/util/HelperThread.h"
#include "tests/support/AnalysisDiff.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace flowladder;
using namespace flowladder::testing;

namespace {

bool isPlainPcap(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    uint32_t m = 0;
    if (!in.read(reinterpret_cast<char*>(&m), 4)) return false;
    for (const uint32_t magic : {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u})
        if (m == magic || m == __builtin_bswap32(magic)) return true;
    return false;
}

// Analyses `path` in two parts from the first record boundary at or after byte `from`; `joined`
// says whether the later part was kept.
core::AnalysisPtr analyseFrom(const std::string& path, uint64_t from, bool& joined)
{
    core::AnalyzeOptions options;
    options.partBoundaryFrom = from;
    options.partsJoined = &joined;
    std::string error;
    auto a = core::analyzeFile(path, error, options);
    EXPECT_TRUE(a) << path << ": " << error;
    return a;
}

// analyseFrom, checked against `whole`, one reading of the file; returns whether the later part
// was kept.
bool sameInParts(const std::string& path, const core::Analysis& whole, uint64_t from)
{
    bool joined = false;
    const auto parts = analyseFrom(path, from, joined);
    if (!parts) return false;
    EXPECT_EQ(firstDifference(whole, *parts), "") << path << " read in two parts from byte " << from;
    return joined;
}

// sameInParts from each of `points` boundaries spread over the file; returns how many kept the
// later part.
int checkEveryBoundary(const std::string& path, int points)
{
    std::string error;
    const auto whole = core::analyzeFile(path, error);
    if (!whole) return 0;
    const auto size = std::filesystem::file_size(path);
    int joined = 0;
    for (int k = 1; k <= points; ++k)
        joined +=
            sameInParts(path, *whole, size * static_cast<uint64_t>(k) / static_cast<uint64_t>(points + 1)) ? 1 : 0;
    return joined;
}

std::vector<uint8_t> fileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Connections on few ports, many at once, their packets interleaved, and now and then a frame that
// is not a TCP segment (a fragment, a damaged one): ports are reused at once,
// new connections start on the ports of connections that cross a boundary, some without a
// handshake, with retransmitted SYNs, with RSTs; with `withLong`, a few long connections among
// them (from the `longFrom`th connection on), each open for thousands of packets. Without
// `tricky`, no SYN repeats, every connection has a handshake and ports are not reused.
void writeManyConnections(const std::string& path, bool ipv6, unsigned seed, bool withLong, int longFrom = 0,
                          bool tricky = true, uint32_t payloadMax = 400, int connections = 1500,
                          bool clockJumps = false)
{
    Scenario s(1000, 5000, ipv6);
    std::mt19937 rng(seed);
    struct Conn {
        uint16_t port;
        int step = 0;
        int length = 0;
        int kind = 0;
    };
    std::vector<Conn> open;
    uint16_t nextPort = 0;
    for (int started = 0; started < connections || !open.empty();) {
        if (started < connections && (open.size() < 6 || rng() % 4 == 0)) {
            Conn c;
            c.port = static_cast<uint16_t>(30000 + nextPort++ % (tricky ? 40 : 4000)); // tricky: reused, 40 ports
            c.kind = static_cast<int>(rng() % 8);
            if ((c.kind == 7 && (!withLong || started < longFrom)) || ((c.kind == 7 || c.kind == 5) && rng() % 16 != 0))
                c.kind = 6; // long ones and ones without a SYN are few
            if (!tricky && (c.kind == 3 || c.kind == 5)) c.kind = 6;
            c.length = c.kind == 7 ? 300 + static_cast<int>(rng() % 200) : 3 + static_cast<int>(rng() % 12);
            if (c.kind == 7) c.port = static_cast<uint16_t>(50000 + started); // ports of their own
            open.push_back(c);
            ++started;
        }
        const size_t i = rng() % open.size();
        Conn& c = open[i];
        s.clientPort = c.port;
        int64_t gap = 1000 + static_cast<int64_t>(rng() % 50000);
        if (clockJumps && rng() % 32 == 0) { // seconds forwards or back, or to another year (1990-2089)
            if (rng() % 8)
                gap = static_cast<int64_t>(rng() % 40'000'000'000) - 20'000'000'000;
            else
                s.t = 631'152'000'000'000'000 + static_cast<int64_t>(rng() % 3'155'760'000'000'000'000);
        }
        if (rng() % 40 == 0) s.sendOther(rng() % 2 == 0, gap); // frames between that are not TCP segments
        if (c.step == 0) {                                     // each connection its own sequence numbers
            s.seq(Side::Client) = static_cast<uint32_t>(rng());
            s.seq(Side::Server) = static_cast<uint32_t>(rng());
        }
        if (c.step == 0 && c.kind != 5) {
            s.send(Side::Client, tf::SYN, 0, gap);
        } else if (c.step == 1 && c.kind == 3) { // the SYN again, same ISN
            s.sendAt(Side::Client, tf::SYN, s.seq(Side::Client) - 1, 0, gap);
        } else if (c.step == 1 && c.kind != 5) {
            s.send(Side::Server, tf::SYN | tf::ACK, 0, gap);
        } else if (c.step + 1 >= c.length) {
            if (c.kind == 4)
                s.send(Side::Server, tf::RST, 0, gap);
            else
                s.send(rng() % 2 ? Side::Client : Side::Server, tf::FIN | tf::ACK, 0, gap);
        } else {
            s.send(rng() % 3 ? Side::Client : Side::Server, tf::PSH | tf::ACK, rng() % payloadMax, gap);
        }
        if (++c.step >= c.length) open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
    }
    s.writeTo(path);
}

} // namespace

TEST(ReadInParts, ManyShortConnectionsGiveTheSameAnalysisWhereverTheyAreCut)
{
    int joined = 0, points = 0;
    for (const bool ipv6 : {false, true}) {
        for (const unsigned seed : {1u, 2u}) {
            const std::string path = tempPath("parts-" + std::to_string(ipv6) + "-" + std::to_string(seed) + ".pcap");
            writeManyConnections(path, ipv6, seed, false);
            joined += checkEveryBoundary(path, 24);
            points += 24;
            std::filesystem::remove(path);
        }
    }
    // Most boundaries cut a connection that continues, often one whose ports are reused soon
    // after; the merge follows them all but where a SYN repeats or a long connection crosses.
    EXPECT_GE(joined, points / 2) << joined << " of " << points << " boundaries kept the later part";
}

// A record keeps only the lower 32 bits of its time (4.29 s), the store the rest by runs of frames
// (FrameTimes): with a clock that jumps seconds and years, forwards and back, every packet's time
// is still the file's, read in one part or two.
TEST(ReadInParts, EveryPacketKeepsItsTimeWhenTheClockJumps)
{
    for (const unsigned seed : {5u, 6u}) {
        const std::string path = tempPath("parts-clock-" + std::to_string(seed) + ".pcap");
        writeManyConnections(path, seed == 6, seed, seed == 6, 1000, seed == 5, 400, 1500, true);
        std::string error;
        std::unique_ptr<core::CaptureReader> reader = core::CaptureReader::open(path, error);
        ASSERT_TRUE(reader) << error;
        std::vector<int64_t> fileNs{0}; // by frame number
        core::RawFrame frame;
        while (reader->next(frame) == core::CaptureReader::Status::Frame)
            fileNs.push_back(frame.tsNs);
        for (const uint64_t from : {uint64_t{0}, std::filesystem::file_size(path) / 3}) {
            bool joined = false;
            const auto a = from ? analyseFrom(path, from, joined) : core::analyzeFile(path, error);
            ASSERT_TRUE(a) << error;
            size_t checked = 0;
            for (const core::Flow& f : a->flows)
                for (uint32_t row = 0; row < f.packetCount(); ++row, ++checked)
                    ASSERT_EQ(a->tsNs(f, row), fileNs.at(a->packet(f, row).frame))
                        << "frame " << a->packet(f, row).frame << (from ? " read in two parts" : "");
            EXPECT_EQ(checked, a->capture.tcpPackets);
        }
        EXPECT_GT(checkEveryBoundary(path, 8), 0) << "no boundary kept the later part, seed " << seed;
        int64_t backwards = 0;
        for (size_t i = 2; i < fileNs.size(); ++i)
            backwards += fileNs[i] < fileNs[i - 1] ? 1 : 0;
        EXPECT_GT(backwards, 50) << "the clock is to jump back now and then";
        std::filesystem::remove(path);
    }
}

// One reading of `path`: no record boundary lies at or after the file's end, so nothing is split.
core::AnalysisPtr readWhole(const std::string& path)
{
    bool joined = true;
    auto a = analyseFrom(path, std::filesystem::file_size(path), joined);
    EXPECT_FALSE(joined) << path;
    return a;
}

// Left to itself (a pcap file of 8 MiB or more), FlowLadder reads the rest in two parts at once
// only when the first sixteenth holds short connections only: a file of short connections is
// read in two parts, one of a long connection by one thread; either way the analysis is that of
// one reading. So it is when the caller hands in the helper thread, as the CLI does, and uses it
// for two analyses and for their JSON.
TEST(ReadInParts, ALargeFileIsReadInTwoPartsOnlyWhenItsConnectionsAreShort)
{
    const std::string shortPath = tempPath("parts-auto-short.pcap");
    writeManyConnections(shortPath, false, 5, false, 0, false, 1400, 2000);
    ASSERT_GE(std::filesystem::file_size(shortPath), uint64_t{8} << 20) << "below the size that is read in parts";
    const std::string longPath = tempPath("parts-auto-long.pcap");
    {
        Scenario s;
        s.handshake();
        for (int i = 0; i < 8000; ++i)
            s.send(Side::Client, tf::ACK, 1400, 10000);
        s.send(Side::Client, tf::FIN | tf::ACK);
        s.send(Side::Server, tf::FIN | tf::ACK);
        s.send(Side::Client, tf::ACK);
        s.writeTo(longPath);
    }
    ASSERT_GE(std::filesystem::file_size(longPath), uint64_t{8} << 20);
    for (const auto& [path, splits] : {std::pair{shortPath, true}, std::pair{longPath, false}}) {
        const auto whole = readWhole(path);
        ASSERT_TRUE(whole);
        core::AnalyzeOptions options;
        bool joined = !splits;
        options.partsJoined = &joined;
        std::string error;
        const auto read = core::analyzeFile(path, error, options);
        ASSERT_TRUE(read) << error;
        EXPECT_EQ(joined, splits) << path;
        EXPECT_EQ(firstDifference(*whole, *read), "") << path;
        core::HelperThread helper;
        options.helper = &helper;
        std::ostringstream wholeJson;
        core::writeAnalysisJson(*whole, wholeJson);
        for (int run = 0; run < 2; ++run) {
            joined = !splits;
            const auto again = core::analyzeFile(path, error, options);
            ASSERT_TRUE(again) << error;
            EXPECT_EQ(joined, splits) << path;
            EXPECT_EQ(firstDifference(*whole, *again), "") << path << ", the caller's helper thread";
            std::ostringstream json;
            core::writeAnalysisJson(*again, json, &helper);
            EXPECT_EQ(json.str(), wholeJson.str()) << path << ", the caller's helper thread";
        }
        std::filesystem::remove(path);
    }
}

// Long connections cross every boundary: the later part is read again, and the result is still
// that of one reading.
TEST(ReadInParts, LongConnectionsAcrossTheBoundaryGiveTheSameAnalysis)
{
    const std::string path = tempPath("parts-long.pcap");
    writeManyConnections(path, false, 3, true);
    checkEveryBoundary(path, 12);
    std::filesystem::remove(path);
}

// Long connections that start after the boundary take tail blocks in the later part: they keep
// them, with their frame numbers, and the later part is kept.
TEST(ReadInParts, LongConnectionsAfterTheBoundaryKeepTheirBlocks)
{
    const std::string path = tempPath("parts-long-later.pcap");
    writeManyConnections(path, false, 4, true, 1000, false);
    std::string error;
    const auto whole = core::analyzeFile(path, error);
    ASSERT_TRUE(whole) << error;
    uint32_t firstLong = 0; // frame
    for (const auto& f : whole->flows)
        if (f.packets.size() > core::PacketStore::HeadRows && (!firstLong || whole->firstFrame(f) < firstLong))
            firstLong = whole->firstFrame(f);
    ASSERT_GT(firstLong, 0u);
    // Frames are about the same size: boundaries before the first long connection starts.
    const auto before = static_cast<double>(std::filesystem::file_size(path)) * firstLong / whole->capture.packets;
    for (const auto from : {static_cast<uint64_t>(before * 0.2), static_cast<uint64_t>(before * 0.4),
                            static_cast<uint64_t>(before * 0.6)})
        EXPECT_TRUE(sameInParts(path, *whole, from)) << "from byte " << from;
    std::filesystem::remove(path);
}

// Frame numbers count every frame: when the last frames before the boundary are not TCP
// segments, the later part's still follow them (one damaged frame, then the boundary).
TEST(ReadInParts, FramesBeforeTheBoundaryThatAreNotSegmentsStillCount)
{
    Scenario s;
    for (int i = 0; i < 200; ++i) {
        s.clientPort = static_cast<uint16_t>(20000 + i);
        s.handshake();
        s.send(Side::Client, tf::PSH | tf::ACK, 100);
        if (i == 99) {
            s.sendOther(false);
            s.sendOther(true); // cut short: 20 captured bytes, the only such frame
        }
        s.send(Side::Client, tf::FIN | tf::ACK);
        s.send(Side::Server, tf::FIN | tf::ACK);
        s.send(Side::Client, tf::ACK);
    }
    const std::string path = tempPath("parts-not-segments.pcap");
    s.writeTo(path);
    // The boundary: just after the cut frame's record.
    const std::vector<uint8_t> bytes = fileBytes(path);
    uint64_t at = 24, after = 0;
    while (at + 16 <= bytes.size()) {
        uint32_t caplen = 0;
        std::memcpy(&caplen, bytes.data() + at + 8, 4);
        at += 16 + caplen;
        if (caplen == 20) after = at;
    }
    ASSERT_GT(after, 0u);
    std::string error;
    const auto whole = core::analyzeFile(path, error);
    ASSERT_TRUE(whole) << error;
    ASSERT_EQ(whole->capture.malformed, 1u);
    EXPECT_TRUE(sameInParts(path, *whole, after - 1));
    std::filesystem::remove(path);
}

// A packet whose payload holds record headers that chain to the end of its record: the second
// reader takes them for a boundary, the first reads past it (the packet's record began before
// it), and the later part is read again. A file made to mislead must not change the analysis.
TEST(ReadInParts, AFalseBoundaryInsideAPacketIsReadAgain)
{
    Scenario s;
    for (int i = 0; i < 100; ++i) {
        s.clientPort = static_cast<uint16_t>(20000 + i);
        s.handshake();
        s.send(Side::Client, tf::PSH | tf::ACK, 1000);
        s.send(Side::Server, tf::FIN | tf::ACK);
        s.send(Side::Client, tf::FIN | tf::ACK);
        s.send(Side::Server, tf::ACK);
    }
    const std::string path = tempPath("parts-false-boundary.pcap");
    s.writeTo(path);
    std::vector<uint8_t> bytes = fileBytes(path);
    const auto u32 = [&](size_t at) {
        uint32_t v = 0;
        std::memcpy(&v, bytes.data() + at, 4);
        return v;
    };
    const auto put32 = [&](size_t at, uint32_t v) { std::memcpy(bytes.data() + at, &v, 4); };
    // Frame 4 of connection 50 (the one with 1000 bytes of payload), in the middle of the file.
    size_t at = 24;
    for (int frame = 1; frame < 50 * 7 + 4; ++frame)
        at += 16 + u32(at + 8);
    const uint32_t caplen = u32(at + 8), sec = u32(at);
    ASSERT_GT(caplen, 1000u);
    const size_t end = at + 16 + caplen, fake = end - 900;
    size_t p = fake;
    for (int k = 0; k < 9; ++k) {
        const uint32_t c = k < 8 ? 60 : static_cast<uint32_t>(end - p - 16);
        put32(p, sec);
        put32(p + 4, 0);
        put32(p + 8, c);
        put32(p + 12, c);
        p += 16 + c;
    }
    ASSERT_EQ(p, end);
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    std::string error;
    const auto reader = core::CaptureReader::open(path, error);
    ASSERT_TRUE(reader) << error;
    const auto part = reader->openPartFrom(at + 40);
    ASSERT_TRUE(part);
    EXPECT_EQ(part->position(), fake) << "the headers in the payload were taken for a boundary";
    const auto whole = core::analyzeFile(path, error);
    ASSERT_TRUE(whole) << error;
    EXPECT_FALSE(sameInParts(path, *whole, at + 40));
    std::filesystem::remove(path);
}

// A file that ends inside its last record (a capture copied while it was being written), or whose
// later part holds a damaged record: one reading stops there, with a message naming the frame
// before it. Read in two parts, the later part is kept all the same (the first part's reader
// reads the record where the later one stopped again, for that message), and the analysis,
// messages included, is that of one reading. (Before, such a later part was always read again.)
TEST(ReadInParts, AFileCutShortOrDamagedInItsLaterPartKeepsThePart)
{
    const std::string path = tempPath("parts-cut.pcap");
    writeManyConnections(path, false, 8, false, 0, false);
    const std::vector<uint8_t> bytes = fileBytes(path);
    std::vector<size_t> records; // where each record starts
    for (size_t at = 24; at + 16 <= bytes.size();) {
        records.push_back(at);
        uint32_t caplen = 0;
        std::memcpy(&caplen, bytes.data() + at + 8, 4);
        at += 16 + caplen;
    }
    ASSERT_GT(records.size(), 1000u);
    const std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 10);
    std::vector<uint8_t> damaged = bytes;
    const uint32_t lie = 0x7fffffff; // a captured length past any snaplen
    std::memcpy(damaged.data() + records[records.size() * 3 / 4] + 8, &lie, 4);
    for (const auto& [content, words] : {std::pair{cut, "file ends inside a packet record after frame "},
                                         std::pair{damaged, "damaged packet record after frame "}}) {
        {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
        }
        std::string error;
        const auto whole = core::analyzeFile(path, error);
        ASSERT_TRUE(whole) << error;
        EXPECT_TRUE(whole->capture.truncated);
        ASSERT_FALSE(whole->capture.errors.empty()); // (then the count of frames with damaged headers)
        EXPECT_NE(whole->capture.errors.front().find(words), std::string::npos) << whole->capture.errors.front();
        // What the later part's reader stops with, numbered as one reading numbers frames; nothing
        // where a record reads.
        const auto reader = core::CaptureReader::open(path, error);
        ASSERT_TRUE(reader) << error;
        const size_t stop = content.size() == cut.size() ? records.size() - 1 : records.size() * 3 / 4;
        EXPECT_EQ(reader->failureAt(records[stop], static_cast<uint32_t>(stop)), whole->capture.errors.front());
        EXPECT_EQ(reader->failureAt(records[5], 5), "");
        int joined = 0; // boundaries before the damage
        for (uint64_t k = 1; k <= 8; ++k)
            joined += sameInParts(path, *whole, content.size() * k / 12) ? 1 : 0;
        EXPECT_GE(joined, 6) << words;
        EXPECT_FALSE(sameInParts(path, *whole, content.size() * 11 / 12) && content.size() != cut.size())
            << "a boundary after the damage: the first part's reader stops before it";
    }
    std::filesystem::remove(path);
}

TEST(ReadInParts, ProjectAndPublicCapturesGiveTheSameAnalysisWhereverTheyAreCut)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> dirs = {sourceDir() / "tests/data/netns", sourceDir() / "tests/golden/captures",
                                  sourceDir() / "samples"};
    if (const auto pub = publicCapturesDir(); !pub.empty()) dirs.push_back(pub);
    int files = 0;
    for (const fs::path& dir : dirs) {
        if (!fs::is_directory(dir)) continue;
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            if (!e.is_regular_file() || e.file_size() < 1024 || !isPlainPcap(e.path())) continue;
            checkEveryBoundary(e.path().string(), 5);
            ++files;
        }
    }
    EXPECT_GT(files, 20);
}
