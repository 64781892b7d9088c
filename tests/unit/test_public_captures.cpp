// Agreement with tshark on the public captures of ../shared/captures/public (skipped when absent):
// the same TCP packets, grouped into the same connections.
//
// Principled differences, allowed below:
// - A frame whose TCP header contradicts itself (data offset below 5, or a header longer than the
//   IP payload) is TCP to tshark, shown as malformed; FlowLadder cannot place it in a sequence
//   space and counts it in `malformed` instead of a flow. So tshark may see up to `malformed`
//   more TCP packets, and only then may the per-connection counts differ.
// - Files neither tool can read yield nothing on both sides.

#include "TestPaths.h"
#include "TsharkAgreement.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/RunCommand.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sstream>

using namespace flowladder;
using namespace flowladder::testing;

namespace {

// tshark's TCP packet count per tcp.stream.
std::vector<uint32_t> tsharkStreamSizes(const std::filesystem::path& file, uint64_t& total)
{
    const std::string out =
        testsupport::runCommand("tshark -n -r '" + file.string() + "' -Y tcp -T fields -e tcp.stream 2>/dev/null").out;
    std::map<std::string, uint32_t> streams;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) ++streams[line];
    std::vector<uint32_t> sizes;
    total = 0;
    for (const auto& [k, v] : streams) {
        sizes.push_back(v);
        total += v;
    }
    std::sort(sizes.begin(), sizes.end());
    return sizes;
}

// The captures MANIFEST.tsv lists (its first column, relative to `dir`).
std::vector<std::string> manifestEntries(const std::filesystem::path& dir)
{
    std::ifstream manifest(dir / "MANIFEST.tsv");
    std::vector<std::string> out;
    std::string line;
    std::getline(manifest, line); // header
    while (std::getline(manifest, line))
        out.push_back(line.substr(0, line.find('\t')));
    return out;
}

} // namespace

TEST(PublicCaptures, FlowsAndPacketCountsAgreeWithTshark)
{
    const auto dir = publicCapturesDir();
    if (dir.empty()) GTEST_SKIP() << "../shared/captures/public is absent";
    if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
    int compared = 0, exact = 0;
    for (const std::string& rel : manifestEntries(dir)) {
        const auto file = dir / rel;
        if (!std::filesystem::exists(file)) continue;
        SCOPED_TRACE(rel);
        uint64_t theirTotal = 0;
        const auto theirs = tsharkStreamSizes(file, theirTotal);
        std::string error;
        const auto a = core::analyzeFile(file.string(), error);
        if (!a) {
            EXPECT_EQ(theirTotal, 0u) << "FlowLadder refused a file tshark reads: " << error;
            EXPECT_NE(error.find(file.string()), std::string::npos) << error;
            continue;
        }
        std::vector<uint32_t> ours;
        uint64_t ourTotal = 0;
        for (const auto& f : a->flows) {
            ours.push_back(f.packetCount());
            ourTotal += f.packetCount();
        }
        std::sort(ours.begin(), ours.end());
        ++compared;
        EXPECT_LE(ourTotal, theirTotal);
        EXPECT_LE(theirTotal - ourTotal, a->capture.malformed) << "TCP packets tshark sees that FlowLadder lost";
        if (a->capture.malformed == 0) {
            EXPECT_EQ(ours, theirs) << "per-connection packet counts differ";
            exact += ours == theirs;
        }
    }
    EXPECT_GT(compared, 50);
    std::printf("compared %d captures with tshark, %d with identical per-connection counts\n", compared, exact);
}

// The per-packet marks against tshark's tcp.analysis flags on every public capture, with the
// principled differences of TsharkAgreement.h. 69 of the 74 comparable captures agree entirely;
// the captures below differ in ways not yet explained (retransmission against out-of-order on
// synthetic or reordered traffic, repeated ACKs tshark does not count): they are open questions,
// listed so that any new divergence fails the test.
TEST(PublicCaptures, AnalysisFlagsAgreeWithTshark)
{
    const std::set<std::string> notYetExplained = {
        "zeek/206_example_b.pcap",
        "arkime/wireshark-retrans.pcap",
        "ndpi/reasm_crash_anon.pcapng",
        "ndpi/heuristic_tcp_ack_payload.pcap",
        "ndpi/fix2.pcap",
    };
    const auto dir = publicCapturesDir();
    if (dir.empty()) GTEST_SKIP() << "../shared/captures/public is absent";
    if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
    size_t compared = 0, principled = 0, withProblems = 0;
    for (const std::string& rel : manifestEntries(dir)) {
        const auto file = dir / rel;
        if (!std::filesystem::exists(file)) continue;
        std::string error;
        const auto a = core::analyzeFile(file.string(), error);
        if (!a || a->flows.empty()) continue;
        ++compared;
        const TsharkComparison c = compareWithTshark(file, *a);
        principled += c.principled;
        if (c.problems.empty()) {
            EXPECT_FALSE(notYetExplained.contains(rel)) << rel << " now agrees with tshark: take it off the list";
            continue;
        }
        ++withProblems;
        for (const std::string& p : c.problems)
            EXPECT_TRUE(notYetExplained.contains(rel)) << rel << ": " << p.substr(0, 300);
    }
    EXPECT_GT(compared, 60u);
    std::printf("compared tcp.analysis flags on %zu captures: %zu principled differences, %zu captures with "
                "differences not yet explained\n",
                compared, principled, withProblems);
}
