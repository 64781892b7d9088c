// Randomized damage with a fixed seed: a valid synthetic capture of 300 packets
// (pcap and pcapng), a few hundred variants cut at random offsets, with random
// bytes flipped and with absurd length fields. Each must be analysed without a
// crash and in bounded time, and refused or partly read with a message naming
// the file. Truncations must keep exactly the records that end before the cut.

#include "HostileSupport.h"
#include "core/report/JsonReport.h"

#include <algorithm>
#include <cstdio>
#include <gtest/gtest.h>
#include <random>

using namespace flowladder::core;
using namespace flowladder::testsupport;
using namespace hostile;

namespace {

constexpr uint32_t Seed = 0x6f1a7dd3; // fixed: failures reproduce
constexpr int VariantsPerFormat = 200;
constexpr int64_t T0 = 1700000000LL * 1000000000LL;

struct Tally {
    int clean = 0, partial = 0, rejected = 0;
    std::chrono::milliseconds slowest{0};
};

enum class Mutation { Truncate, FlipBytes, AbsurdLength, TruncateAndFlip };

struct Capture {
    Bytes bytes;
    std::vector<size_t> recordStarts; // offsets of the packet records / blocks
    bool pcapng = false;
    // Frames whose record ends at or before `cut` (the first block after the last packet starts at size()).
    uint32_t framesBefore(size_t cut) const
    {
        uint32_t n = 0;
        for (size_t i = 0; i < recordStarts.size(); ++i) {
            const size_t end = i + 1 < recordStarts.size() ? recordStarts[i + 1] : bytes.size();
            if (end <= cut) ++n;
        }
        return n;
    }
};

Capture validPcap()
{
    PcapWriter w(linktypeOf(Link::Ethernet));
    int i = 0;
    for (const TcpSegment& s : conversations(25))
        w.add(T0 + (i++) * 250000LL, buildFrame(Link::Ethernet, s));
    Capture c{w.bytes(), {}, false};
    for (size_t k = 0; k < w.recordCount(); ++k)
        c.recordStarts.push_back(w.recordOffset(k));
    return c;
}

Capture validPcapng()
{
    PcapngWriter w;
    w.addInterface(linktypeOf(Link::Ethernet));
    w.addInterface(linktypeOf(Link::Sll2), 9);
    int i = 0;
    for (const TcpSegment& s : conversations(25)) {
        const uint32_t iface = (i / 12) % 2; // whole connections alternate interfaces
        w.addPacket(Packet{T0 + i * 250000LL, buildFrame(iface ? Link::Sll2 : Link::Ethernet, s), 0, iface},
                    i % 50 == 0);
        ++i;
    }
    Capture c{w.bytes(), {}, true};
    for (size_t k = 0; k < w.packetCount(); ++k)
        c.recordStarts.push_back(w.packetOffset(k));
    return c;
}

uint32_t absurdValue(std::mt19937& rng, size_t fileSize)
{
    const uint32_t values[] = {
        0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0u, 1u, 11u, 13u, 262145u, static_cast<uint32_t>(fileSize * 2),
        0x0FFFFFFCu};
    const size_t pick = rng() % (sizeof values / sizeof values[0] + 1);
    return pick < sizeof values / sizeof values[0] ? values[pick] : static_cast<uint32_t>(rng());
}

void runVariants(const Capture& base, const char* ext, Tally& t)
{
    std::mt19937 rng(Seed ^ (base.pcapng ? 1u : 0u));
    const std::string path = tempPath(std::string("variant.") + ext);

    writeFile(path, base.bytes);
    const Outcome clean = analyze(path);
    ASSERT_TRUE(clean.analysis) << clean.error;
    ASSERT_EQ(clean.analysis->capture.packets, base.recordStarts.size());
    ASSERT_EQ(clean.analysis->flows.size(), 25u);
    ASSERT_TRUE(clean.analysis->capture.errors.empty());

    for (int v = 0; v < VariantsPerFormat; ++v) {
        Bytes b = base.bytes;
        const auto m = static_cast<Mutation>(v % 4);
        size_t cut = b.size();
        std::string what;
        if (m == Mutation::FlipBytes || m == Mutation::TruncateAndFlip) {
            const int flips = 1 + static_cast<int>(rng() % 8);
            for (int k = 0; k < flips; ++k) {
                const size_t at = rng() % b.size();
                b[at] ^= static_cast<uint8_t>(1 + rng() % 255);
                what += " flip@" + std::to_string(at);
            }
        }
        if (m == Mutation::AbsurdLength) {
            const size_t rec = base.recordStarts[rng() % base.recordStarts.size()];
            // pcap: caplen (+8) or wire length (+12); pcapng EPB: total length (+4),
            // captured length (+20), or the trailing length.
            size_t at;
            if (!base.pcapng)
                at = rec + (rng() % 2 ? 8 : 12);
            else {
                const size_t pick = rng() % 3;
                at = pick == 0 ? rec + 4 : pick == 1 ? rec + 20 : rec + getLe32(b, rec + 4) - 4;
            }
            const uint32_t value = absurdValue(rng, b.size());
            setLe32(b, at, value);
            what += " set32@" + std::to_string(at) + "=" + std::to_string(value);
        }
        if (m == Mutation::Truncate || m == Mutation::TruncateAndFlip) {
            cut = rng() % b.size();
            b.resize(cut);
            what += " cut@" + std::to_string(cut);
        }
        SCOPED_TRACE("variant " + std::to_string(v) + ":" + what);
        writeFile(path, b);
        const Outcome o = analyze(path);
        t.slowest = std::max(t.slowest, o.elapsed);
        if (!o.analysis) {
            ++t.rejected;
            EXPECT_NE(o.error.find(path), std::string::npos) << o.error;
            continue;
        }
        const CaptureInfo& c = o.analysis->capture;
        for (const std::string& e : c.errors)
            EXPECT_NE(e.find(path), std::string::npos) << e;
        if (c.truncated) {
            EXPECT_FALSE(c.errors.empty());
        }
        if (c.truncated || !c.errors.empty())
            ++t.partial;
        else
            ++t.clean;
        if (m == Mutation::Truncate) {
            // A plain cut: exactly the records that end before it, nothing made up.
            EXPECT_EQ(c.packets, base.framesBefore(cut));
            EXPECT_EQ(c.tcpPackets, c.packets);
            const bool atBoundary =
                cut == base.bytes.size() ||
                std::find(base.recordStarts.begin(), base.recordStarts.end(), cut) != base.recordStarts.end();
            if (!atBoundary && cut > base.recordStarts.front()) {
                EXPECT_TRUE(c.truncated);
            }
        }
        // Whatever was read must be usable by the rest of the program.
        EXPECT_NO_THROW((void)analysisToJson(*o.analysis).dump());
    }
}

void report(const char* format, const Tally& t)
{
    std::printf("[ hostile  ] %s: %d variants: %d partial, %d rejected, %d read without complaint; slowest %lld ms\n",
                format, VariantsPerFormat, t.partial, t.rejected, t.clean, static_cast<long long>(t.slowest.count()));
    testing::Test::RecordProperty(std::string(format) + "_partial", t.partial);
    testing::Test::RecordProperty(std::string(format) + "_rejected", t.rejected);
    testing::Test::RecordProperty(std::string(format) + "_clean", t.clean);
}

} // namespace

TEST(RandomizedDamage, PcapVariants)
{
    Tally t;
    runVariants(validPcap(), "pcap", t);
    report("pcap", t);
    EXPECT_EQ(t.clean + t.partial + t.rejected, VariantsPerFormat);
    EXPECT_GT(t.partial, 0);
}

TEST(RandomizedDamage, PcapngVariants)
{
    Tally t;
    runVariants(validPcapng(), "pcapng", t);
    report("pcapng", t);
    EXPECT_EQ(t.clean + t.partial + t.rejected, VariantsPerFormat);
    EXPECT_GT(t.partial, 0);
}
