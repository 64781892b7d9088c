// flowladder-cli on damaged files (DESIGN.md, "The CLI contract"): exit 1 with a
// message naming the file when it cannot be read; exit 0 with a warning on
// stderr (naming the file) when it was read only in part.

#include "HostileSupport.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

#ifndef FLOWLADDER_CLI
#error "FLOWLADDER_CLI must be the path of the flowladder-cli binary"
#endif

using namespace flowladder::testsupport;
using namespace hostile;

namespace {

constexpr int64_t T0 = 1700000000LL * 1000000000LL;

struct CliRun {
    int exitCode = -1;
    std::string out, err;
};

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string quote(const std::string& s)
{
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

CliRun cli(const std::string& capture, bool json = false)
{
    const std::string out = tempPath("cli.stdout"), err = tempPath("cli.stderr");
    const std::string cmd = quote(FLOWLADDER_CLI) + " analyze " + quote(capture) + (json ? " --json" : "") + " >" +
                            quote(out) + " 2>" + quote(err);
    const int status = std::system(cmd.c_str());
    CliRun r;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

PcapWriter pcapOf(int packets)
{
    PcapWriter w(linktypeOf(Link::Ethernet));
    int i = 0;
    for (const TcpSegment& s : conversations(3)) {
        if (i == packets) break;
        w.add(T0 + (i++) * 1000000LL, buildFrame(Link::Ethernet, s));
    }
    return w;
}

void expectUnreadable(const std::string& path)
{
    const CliRun r = cli(path);
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliOnDamagedFiles, MissingFile)
{
    expectUnreadable(tempPath("missing.pcap"));
}

TEST(CliOnDamagedFiles, EmptyFile)
{
    const std::string path = tempPath("empty.pcap");
    writeFile(path, {});
    expectUnreadable(path);
}

TEST(CliOnDamagedFiles, TextFile)
{
    const std::string path = tempPath("readme.pcap");
    const std::string text = "this is not a capture\n";
    writeFile(path, Bytes(text.begin(), text.end()));
    expectUnreadable(path);
}

TEST(CliOnDamagedFiles, Directory)
{
    const std::string path = tempPath("dir.pcapng");
    fs::create_directories(path);
    expectUnreadable(path);
}

TEST(CliOnDamagedFiles, TruncatedPcapIsReadInPartWithAWarning)
{
    const PcapWriter w = pcapOf(30);
    const std::string path = tempPath("cut.pcap");
    w.writeTruncated(path, w.recordOffset(20) + 30);
    const CliRun r = cli(path, true);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j.value("truncated", false), true);
    EXPECT_EQ(j.value("packets", 0), 20);
    ASSERT_TRUE(j.contains("errors") && j["errors"].is_array() && !j["errors"].empty());
}

TEST(CliOnDamagedFiles, PcapngBlockWithALyingLengthIsReadInPartWithAWarning)
{
    PcapngWriter w;
    w.addInterface(linktypeOf(Link::Ethernet));
    int i = 0;
    for (const TcpSegment& s : conversations(1)) {
        if (i == 6) break;
        w.addPacket(0, T0 + (i++) * 1000LL, buildFrame(Link::Ethernet, s));
    }
    const size_t bad = w.size();
    Bytes raw;
    putLe32(raw, 6);
    putLe32(raw, 9); // not a multiple of 4
    putLe32(raw, 0);
    putLe32(raw, 9);
    w.addRaw(raw);
    const std::string path = tempPath("lying.pcapng");
    w.write(path);
    const CliRun r = cli(path);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("offset " + std::to_string(bad)), std::string::npos) << r.err;
    EXPECT_FALSE(r.out.empty());
}

TEST(CliOnDamagedFiles, DamagedHeadersAreAWarning)
{
    PcapWriter w = pcapOf(10);
    TcpSegment s;
    Bytes ip = buildIpTcp(s);
    ip[0] = 0x4F; // IHL past the packet
    w.add(T0 + 99, wrapLink(Link::Ethernet, ip, 4));
    const std::string path = tempPath("bad-header.pcap");
    w.write(path);
    const CliRun r = cli(path);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("frame 11"), std::string::npos) << r.err;
}

} // namespace
