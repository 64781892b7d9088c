// The live watch's analysis (core::LiveWatch), fed the frames of real captures with the clock the
// test chooses: findings come once a connection has been quiet for the settle time and are the
// findings the file's own analysis gives; those about how a connection ends wait for it to expire
// or for the end of the watch; expired connections give their memory back.

#include "TestPaths.h"
#include "core/capture/CaptureReader.h"
#include "core/live/LiveWatch.h"
#include "core/tcp/Analyzer.h"

#include <gtest/gtest.h>
#include <set>

using namespace flowladder;
using namespace flowladder::core;
using namespace flowladder::testing;

namespace {

struct Frame {
    int dlt;
    int64_t tsNs;
    std::string bytes;
    uint32_t wirelen;
};

std::vector<Frame> readAll(const std::string& rel)
{
    std::string error;
    auto r = CaptureReader::open((sourceDir() / rel).string(), error);
    EXPECT_TRUE(r) << error;
    std::vector<Frame> out;
    RawFrame f;
    while (r && r->next(f) == CaptureReader::Status::Frame)
        out.push_back({f.dlt, f.tsNs, std::string(reinterpret_cast<const char*>(f.data), f.caplen), f.wirelen});
    return out;
}

void feed(LiveWatch& w, const Frame& f)
{
    w.add(f.dlt, f.tsNs, reinterpret_cast<const uint8_t*>(f.bytes.data()), static_cast<uint32_t>(f.bytes.size()),
          f.wirelen);
}

std::set<std::pair<FindingKind, uint32_t>> kindsAndFrames(const std::vector<Finding>& findings)
{
    std::set<std::pair<FindingKind, uint32_t>> out;
    for (const Finding& f : findings)
        out.insert({f.kind, f.frame});
    return out;
}

} // namespace

TEST(LiveWatch, FindingsComeWhenTheConnectionSettlesAndMatchTheFile)
{
    const char* rel = "tests/data/netns/rst-in-window.server.pcap";
    const auto frames = readAll(rel);
    ASSERT_GT(frames.size(), 20u);
    std::string error;
    auto file = analyzeFile((sourceDir() / rel).string(), error);
    ASSERT_TRUE(file);

    LiveOptions options;
    LiveWatch w(options);
    std::vector<Finding> live;
    int64_t rstSeen = 0, rstReported = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        feed(w, frames[i]);
        if (i + 1 == 20) rstSeen = frames[i].tsNs; // frame 20: the forged RST
        // The clock ticks every 100 ms between packets, as the watch polls.
        const int64_t next = i + 1 < frames.size() ? frames[i + 1].tsNs : frames[i].tsNs + 2'000'000'000;
        for (int64_t now = frames[i].tsNs; now < next; now += 100'000'000)
            for (const LiveFinding& lf : w.poll(now)) {
                live.push_back(lf.finding);
                if (lf.finding.kind == FindingKind::RstSeqMismatch) rstReported = now;
                EXPECT_EQ(lf.connection, 1u);
                EXPECT_EQ(lf.server, "10.77.2.2:80");
            }
    }
    ASSERT_GT(rstReported, 0) << "the RST's finding came before the watch ended";
    EXPECT_LE(rstReported - rstSeen, 1'000'000'000) << "within a second";
    for (const Finding& f : live)
        EXPECT_NE(f.kind, FindingKind::LingeringClose) << "how the connection ends is not known yet";
    for (const LiveFinding& lf : w.finish(frames.back().tsNs + 2'000'000'000))
        live.push_back(lf.finding);
    // Everything the file's analysis finds, each once (the usual analysis' findings name their
    // first frame, which does not change as more come).
    EXPECT_EQ(kindsAndFrames(live), kindsAndFrames(file->findings));
    EXPECT_EQ(live.size(), file->findings.size());
    EXPECT_EQ(w.connectionsOpen(), 0u);
    EXPECT_EQ(w.bytesHeld(), 0u);
    const auto expired = w.takeExpiredWithFindings();
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].frames.size(), frames.size()) << "the connection's frames, for --write-flows";
}

TEST(LiveWatch, QuietConnectionsExpireAndMemoryStaysBounded)
{
    const auto frames = readAll("tests/data/netns/clean-close.server.pcap");
    ASSERT_FALSE(frames.empty());
    LiveOptions options;
    options.idleExpireNs = 5'000'000'000;
    options.closedExpireNs = 1'000'000'000;
    options.maxConnections = 4;
    LiveWatch w(options);
    for (const Frame& f : frames)
        feed(w, f);
    EXPECT_EQ(w.connectionsOpen(), 1u);
    EXPECT_GT(w.bytesHeld(), 0u);
    w.poll(frames.back().tsNs + 500'000'000);
    EXPECT_EQ(w.connectionsOpen(), 1u);
    w.poll(frames.back().tsNs + 1'500'000'000); // closed (both FINs), quiet for a second: dropped
    EXPECT_EQ(w.connectionsOpen(), 0u);
    EXPECT_EQ(w.bytesHeld(), 0u);
    EXPECT_TRUE(w.takeExpiredWithFindings().empty()) << "a clean close has nothing to keep";

    // A SYN flood from 100 ports: never more than maxConnections held at once.
    std::string syn = frames.front().bytes; // Linux cooked header (16 bytes), IPv4, TCP
    ASSERT_EQ(frames.front().dlt, 113);
    const size_t sport = 16 + (static_cast<uint8_t>(syn[16]) & 0x0f) * 4u; // the TCP source port
    for (int i = 0; i < 100; ++i) {
        syn[sport] = static_cast<char>(0xc0 + i / 256);
        syn[sport + 1] = static_cast<char>(i % 256);
        w.add(113, frames.front().tsNs + i, reinterpret_cast<const uint8_t*>(syn.data()),
              static_cast<uint32_t>(syn.size()), frames.front().wirelen);
    }
    EXPECT_LE(w.connectionsOpen(), 4u);
    EXPECT_GT(w.connectionsSeen(), 4u);
}
