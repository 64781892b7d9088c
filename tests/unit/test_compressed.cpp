// Compressed captures (issue 16): gzip, zstd, lz4 and xz found by content, read through the
// libraries' streams, the same analysis as the plain file; damage names the compressed stream
// and where, and keeps what came before it. The compressed files are made here with the real
// command-line tools (gzip, zstd, lz4, xz), as users make them.

#include "TestPaths.h"
#include "core/report/JsonReport.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/CaptureWriter.h"
#include "tests/support/RunCommand.h"
#include "tests/support/TempDir.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace flowladder;
using namespace flowladder::testing;
using namespace flowladder::testsupport;
namespace fs = std::filesystem;

namespace {

struct Tool {
    const char* name;    // as compressionName says
    const char* command; // compresses file $IN into file $OUT
};
constexpr Tool Tools[] = {
    {"gzip", "gzip -c \"$IN\" > \"$OUT\""},
    {"zstd", "zstd -q -c \"$IN\" > \"$OUT\""},
    {"lz4", "lz4 -q -B4 -c \"$IN\" > \"$OUT\""}, // 64 KiB blocks (a block is decoded whole)
    {"xz", "xz -c \"$IN\" > \"$OUT\""},
};

std::string compress(const Tool& t, const fs::path& in, const std::string& outName)
{
    const std::string out = processTempPath(outName);
    const std::string cmd = std::string("IN='") + in.string() + "' OUT='" + out + "'; " + t.command;
    const auto r = runCommand(cmd);
    EXPECT_EQ(r.status, 0) << cmd;
    return out;
}

// The JSON report without what must differ (the file name, the compression).
nlohmann::ordered_json comparable(const core::Analysis& a)
{
    auto j = core::analysisToJson(a);
    j.erase("file");
    j.erase("compression");
    return j;
}

core::AnalysisPtr analyze(const std::string& path)
{
    std::string error;
    auto a = core::analyzeFile(path, error);
    EXPECT_TRUE(a) << error;
    return a;
}

} // namespace

TEST(Compressed, EveryToolGivesTheSameAnalysisAsThePlainFile)
{
    for (const char* rel : {"resources/sample/incident.pcap", "tests/golden/captures/pcapng-mixed-links.pcapng",
                            "tests/data/netns/rst-in-window-vlan.client.pcap"}) {
        const fs::path plain = sourceDir() / rel;
        auto expected = analyze(plain.string());
        ASSERT_TRUE(expected);
        for (const Tool& t : Tools) {
            SCOPED_TRACE(std::string(rel) + " " + t.name);
            // Named without an extension: found by content, not by name.
            const std::string packed = compress(t, plain, std::string("capture-") + t.name);
            auto a = analyze(packed);
            ASSERT_TRUE(a);
            EXPECT_EQ(a->capture.compression, t.name);
            EXPECT_EQ(core::analysisToJson(*a)["compression"], t.name);
            EXPECT_EQ(comparable(*a), comparable(*expected));
            EXPECT_FALSE(a->capture.truncated);
            EXPECT_TRUE(a->capture.errors.empty());
        }
    }
}

TEST(Compressed, ConcatenatedMembersAreOneCapture)
{
    // `cat a.gz b.gz` (and zstd / lz4 / xz frames one after the other) is one stream.
    const fs::path plain = sourceDir() / "resources/sample/incident.pcap";
    const std::string head = processTempPath("head"), tail = processTempPath("tail");
    ASSERT_EQ(runCommand("head -c 1000 '" + plain.string() + "' > '" + head + "' && tail -c +1001 '" + plain.string() +
                         "' > '" + tail + "'")
                  .status,
              0);
    auto expected = analyze(plain.string());
    for (const Tool& t : Tools) {
        SCOPED_TRACE(t.name);
        const std::string a = compress(t, head, std::string("a-") + t.name);
        const std::string b = compress(t, tail, std::string("b-") + t.name);
        const std::string both = processTempPath(std::string("both-") + t.name);
        ASSERT_EQ(runCommand("cat '" + a + "' '" + b + "' > '" + both + "'").status, 0);
        auto got = analyze(both);
        ASSERT_TRUE(got);
        EXPECT_EQ(comparable(*got), comparable(*expected));
    }
}

TEST(Compressed, CutShortKeepsWhatWasReadAndSaysWhere)
{
    // Big enough for several compressed blocks of every format (a block is decoded whole): 20,000
    // connections' SYNs, 1.4 MB.
    PcapWriter w(linktypeOf(Link::Ethernet));
    for (uint32_t i = 0; i < 20000; ++i) {
        TcpSegment seg;
        seg.sport = static_cast<uint16_t>(1024 + i % 60000);
        seg.dport = static_cast<uint16_t>(80 + i / 60000);
        seg.flags = core::tcpflag::SYN;
        seg.seq = i * 2654435761u;
        w.add(int64_t{i} * 1000, buildFrame(Link::Ethernet, seg));
    }
    const fs::path plain = processTempPath("syns.pcap");
    w.write(plain.string());
    for (const Tool& t : Tools) {
        SCOPED_TRACE(t.name);
        const std::string packed = compress(t, plain, std::string("whole-") + t.name);
        const auto size = fs::file_size(packed);
        const std::string cut = processTempPath(std::string("cut-") + t.name);
        fs::copy_file(packed, cut);
        fs::resize_file(cut, size * 2 / 3);
        std::string error;
        auto a = core::analyzeFile(cut, error);
        ASSERT_TRUE(a) << error;
        EXPECT_TRUE(a->capture.truncated);
        ASSERT_FALSE(a->capture.errors.empty());
        const std::string& e = a->capture.errors.front();
        EXPECT_NE(e.find(cut), std::string::npos) << e;
        EXPECT_NE(e.find(std::string(t.name) + " data ends inside a compressed block"), std::string::npos) << e;
        EXPECT_NE(e.find("the capture inside was read up to frame"), std::string::npos) << e;
        EXPECT_GT(a->capture.packets, 1000u) << "what came before the cut is kept";
        EXPECT_LT(a->capture.packets, 20000u);
        EXPECT_EQ(a->flows.size(), a->capture.tcpPackets);
    }
}

TEST(Compressed, DamagedDataNamesTheStreamAndTheByte)
{
    const fs::path plain = sourceDir() / "resources/sample/incident.pcap";
    const std::string packed = compress(Tools[0], plain, "damaged.gz");
    // Overwrite compressed bytes in the middle: inflate stops with an error there.
    {
        std::fstream f(packed, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(fs::file_size(packed) / 2));
        const std::string junk(64, '\xff');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    std::string error;
    auto a = core::analyzeFile(packed, error);
    ASSERT_TRUE(a) << error;
    EXPECT_TRUE(a->capture.truncated);
    ASSERT_FALSE(a->capture.errors.empty());
    const std::string& e = a->capture.errors.front();
    EXPECT_NE(e.find("gzip data"), std::string::npos) << e;
    EXPECT_NE(e.find("compressed byte"), std::string::npos) << e;
}

TEST(Compressed, NotACaptureInsideSaysSo)
{
    const std::string text = processTempPath("notes.txt");
    std::ofstream(text) << "these are notes, not packets\n";
    const std::string packed = compress(Tools[1], text, "notes.zst");
    std::string error;
    EXPECT_FALSE(core::analyzeFile(packed, error));
    EXPECT_NE(error.find(packed + ": zstd-compressed, but what it holds is not a pcap or pcapng capture"),
              std::string::npos)
        << error;
}

TEST(Compressed, FromStandardInputToo)
{
    const fs::path plain = sourceDir() / "resources/sample/incident.pcap";
    const std::string packed = compress(Tools[0], plain, "stdin.gz");
    const auto r = runCli("analyze --json - < '" + packed + "'");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["compression"], "gzip");
    EXPECT_EQ(j["packets"], 35);
}
