// Findings on the real captures of tests/data/netns (Linux 6.18 stacks in network namespaces,
// see its README.md) and on the bundled sample incident: frames, classes, outcomes, states.

#include "Scenario.h"
#include "TestPaths.h"
#include "core/tcp/Analyzer.h"
#include "core/tcp/TcpTracker.h"

#include <algorithm>
#include <filesystem>

using namespace flowladder;
using namespace flowladder::testing;
using core::FindingKind;
using core::TcpState;

namespace {

core::AnalysisPtr load(const std::string& rel)
{
    std::string error;
    auto a = core::analyzeFile((sourceDir() / rel).string(), error);
    EXPECT_TRUE(a) << error;
    return a;
}

const core::Finding* only(const core::Analysis& a, FindingKind kind)
{
    auto v = findingsOf(a, kind);
    EXPECT_EQ(v.size(), 1u) << core::findingKindName(kind);
    return v.size() == 1 ? v[0] : nullptr;
}

void expectServerIgnoredRst(const std::string& file, const char* cls, bool challenge)
{
    SCOPED_TRACE(file);
    auto a = load("tests/data/netns/" + file);
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), 1u);
    EXPECT_EQ(a->capture.linktype, "LINUX_SLL");
    const auto* m = only(*a, FindingKind::RstSeqMismatch);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->frame, 20u);
    EXPECT_EQ(m->stringField("class"), cls);
    EXPECT_EQ(m->stringField("outcome"), "ignored");
    EXPECT_EQ(m->intField("expected_seq_relative"), 98);
    if (challenge) {
        EXPECT_EQ(m->intField("challenge_ack_frame"), 21);
    } else {
        EXPECT_TRUE(std::holds_alternative<std::monostate>(*m->field("challenge_ack_frame")));
    }
    EXPECT_EQ(findingsOf(*a, FindingKind::ChallengeAck).size(), challenge ? 1u : 0u);
    const auto* fp = only(*a, FindingKind::RstFingerprintMismatch);
    ASSERT_TRUE(fp);
    EXPECT_EQ(fp->intField("ttl"), 255);
    EXPECT_EQ(fp->intField("usual_ttl"), 63);
    const auto* l = only(*a, FindingKind::LingeringClose);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->stringField("side"), "server");
    EXPECT_EQ(l->stringField("state"), "CLOSE_WAIT");
    EXPECT_EQ(l->intField("retransmits"), 6);
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::CloseWait);
    EXPECT_TRUE(findingsOf(*a, FindingKind::DupAck).empty()) << "the challenge ACK is not a duplicate ACK";
}

} // namespace

TEST(NetnsCaptures, InWindowRstChallengeAckedAndIgnored)
{
    expectServerIgnoredRst("rst-in-window.server.pcap", "in_window", true);
    expectServerIgnoredRst("rst-in-window-v6.server.pcap", "in_window", true);
}

TEST(NetnsCaptures, OutOfWindowRstDroppedSilently)
{
    expectServerIgnoredRst("rst-out-of-window.server.pcap", "out_of_window", false);
}

TEST(NetnsCaptures, OffByOneRstAcceptedByLinuxCaptureEndsAtIt)
{
    auto a = load("tests/data/netns/rst-off-by-one.server.pcap");
    ASSERT_TRUE(a);
    const auto* m = only(*a, FindingKind::RstSeqMismatch);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->frame, 20u);
    EXPECT_EQ(m->stringField("class"), "off_by_one_after_fin");
    EXPECT_EQ(m->intField("delta"), -1);
    EXPECT_EQ(m->intField("rst_seq_relative"), 97);
    EXPECT_EQ(m->stringField("receiver_state"), "CLOSE_WAIT");
    // The server went silent, but the capture ends with the RST: no proof either way.
    EXPECT_EQ(m->stringField("outcome"), "unknown");
    EXPECT_TRUE(findingsOf(*a, FindingKind::RstIgnored).empty());
}

TEST(NetnsCaptures, ExactRstResetsTheServer)
{
    auto a = load("tests/data/netns/rst-exact.server.pcap");
    ASSERT_TRUE(a);
    EXPECT_TRUE(findingsOf(*a, FindingKind::RstSeqMismatch).empty());
    EXPECT_TRUE(findingsOf(*a, FindingKind::LingeringClose).empty());
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::Closed);
    EXPECT_EQ(findingsOf(*a, FindingKind::RstFingerprintMismatch).size(), 1u);
}

TEST(NetnsCaptures, BlackholeAfterFinWithoutRst)
{
    auto a = load("tests/data/netns/blackhole-after-fin.server.pcap");
    ASSERT_TRUE(a);
    EXPECT_TRUE(findingsOf(*a, FindingKind::RstSeqMismatch).empty());
    const auto* l = only(*a, FindingKind::LingeringClose);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->stringField("state"), "CLOSE_WAIT");
    EXPECT_EQ(l->intField("since_frame"), 21);
    EXPECT_EQ(l->intField("retransmits"), 5);

    auto c = load("tests/data/netns/blackhole-after-fin.client.pcap");
    ASSERT_TRUE(c);
    const auto* fin = only(*c, FindingKind::FinRetransmit);
    ASSERT_TRUE(fin);
    EXPECT_EQ(fin->intField("original_frame"), 20);
    EXPECT_EQ(fin->intField("count"), 7);
    EXPECT_EQ(c->flows[0].side(Side::Client).finalState, TcpState::FinWait1);
}

TEST(NetnsCaptures, CleanCloseAndNatHaveNoFindings)
{
    for (const char* f : {"clean-close.server.pcap", "clean-close.client.pcap", "nat.server.pcap", "nat.client.pcap"}) {
        SCOPED_TRACE(f);
        auto a = load(std::string("tests/data/netns/") + f);
        ASSERT_TRUE(a);
        EXPECT_TRUE(a->findings.empty());
        ASSERT_EQ(a->flows.size(), 1u);
        EXPECT_EQ(a->flows[0].side(Side::Client).finalState, TcpState::TimeWait);
        EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::Closed);
    }
}

TEST(NetnsCaptures, PortReuseGivesTwoFlows)
{
    auto a = load("tests/data/netns/port-reuse.server.pcap");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), 2u);
    EXPECT_EQ(a->flows[0].packetCount(), 13u);
    EXPECT_EQ(a->firstFrame(a->flows[1]), 14u);
    EXPECT_EQ(a->flows[1].side(Side::Client).isn, 748802316u);
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::TimeWait);
}

TEST(SampleIncident, ServerIgnoredTheOffByOneRstAndStayedInCloseWait)
{
    auto a = load("resources/sample/incident.pcap");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), 1u);
    const auto* m = only(*a, FindingKind::RstSeqMismatch);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->frame, 22u);
    EXPECT_EQ(m->intField("rst_seq_relative"), 276);
    EXPECT_EQ(m->intField("expected_seq_relative"), 277);
    EXPECT_EQ(m->stringField("class"), "off_by_one_after_fin");
    EXPECT_EQ(m->stringField("outcome"), "ignored");
    EXPECT_EQ(m->severity, core::Severity::Error);
    const auto* l = only(*a, FindingKind::LingeringClose);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->stringField("state"), "CLOSE_WAIT");
    EXPECT_EQ(l->intField("retransmits"), 13);
    EXPECT_GT(std::get<double>(*l->field("duration")), 590.0);
    EXPECT_EQ(only(*a, FindingKind::RstFingerprintMismatch)->intField("usual_ttl"), 57);
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::CloseWait);
}

// State timelines are not stored: Analysis::stateTimelines() replays the tracker over one
// flow. The replay must agree with what the analysis concluded: each side's timeline ends in
// its final state, starts at the flow's first packet, and every lingering_close finding
// starts at a change of its side's timeline.
TEST(NetnsCaptures, ReplayedStateTimelinesAgreeWithTheAnalysis)
{
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(sourceDir() / "tests/data/netns"))
        if (e.path().extension() == ".pcap" || e.path().extension() == ".pcapng")
            files.push_back("tests/data/netns/" + e.path().filename().string());
    files.push_back("resources/sample/incident.pcap");
    ASSERT_GE(files.size(), 10u);
    size_t lingering = 0;
    for (const auto& file : files) {
        SCOPED_TRACE(file);
        auto a = load(file);
        ASSERT_TRUE(a);
        for (const core::Flow& f : a->flows) {
            const core::StateTimelines t = a->stateTimelines(f);
            for (Side s : {Side::Client, Side::Server}) {
                ASSERT_FALSE(t.side(s).empty());
                EXPECT_EQ(t.side(s).front().packet, f.packets.front());
                EXPECT_EQ(t.side(s).back().state, f.side(s).finalState);
                EXPECT_EQ(t.stateAfter(s, f.packets.back()), f.side(s).finalState);
            }
            for (uint32_t i : f.findings) {
                const core::Finding& x = a->findings[i];
                if (x.kind != FindingKind::LingeringClose) continue;
                ++lingering;
                const Side s = x.stringField("side") == "server" ? Side::Server : Side::Client;
                const auto& states = t.side(s);
                const auto since = static_cast<uint32_t>(x.intField("since_frame"));
                EXPECT_TRUE(std::any_of(states.begin(), states.end(),
                                        [&](const core::StateChange& c) {
                                            return a->packets[c.packet].frame == since &&
                                                   c.tsNs == a->packets[c.packet].tsNs;
                                        }))
                    << "since_frame " << since;
            }
        }
    }
    EXPECT_GT(lingering, 0u);
}

// Every retransmission links to the first packet that carried its data: on the sample, the
// server's 13 retransmissions all send again what #20 sent first.
TEST(SampleIncident, RetransmissionsLinkToTheirFirstTransmission)
{
    auto a = load("resources/sample/incident.pcap");
    ASSERT_TRUE(a);
    const core::Flow& f = a->flows[0];
    const auto resends = core::findResends(*a, f);
    ASSERT_EQ(resends.size(), 13u);
    for (const core::Resend& r : resends)
        EXPECT_EQ(a->packet(f, r.originalRow).frame, 20u);
}

TEST(NetnsCaptures, ResendsPointBackToTheSameSidesEarlierData)
{
    size_t linked = 0, marked = 0;
    for (const auto& e : std::filesystem::directory_iterator(sourceDir() / "tests/data/netns")) {
        if (e.path().extension() != ".pcap") continue;
        SCOPED_TRACE(e.path().filename().string());
        auto a = load("tests/data/netns/" + e.path().filename().string());
        ASSERT_TRUE(a);
        for (const core::Flow& f : a->flows) {
            for (uint32_t row = 0; row < f.packetCount(); ++row)
                if (a->packet(f, row).marked(core::mark::Retransmission)) ++marked;
            for (const core::Resend& r : core::findResends(*a, f)) {
                ++linked;
                const core::PacketRecord& x = a->packet(f, r.row);
                const core::PacketRecord& o = a->packet(f, r.originalRow);
                EXPECT_LT(r.originalRow, r.row);
                EXPECT_EQ(x.side(), o.side());
                EXPECT_FALSE(o.marked(core::mark::Retransmission));
                EXPECT_TRUE(core::seqLe(o.seq, x.seq) && core::seqLt(x.seq, o.endSeq()))
                    << "#" << x.frame << " from #" << o.frame;
            }
        }
    }
    EXPECT_GT(linked, 0u);
    EXPECT_EQ(linked, marked) << "every retransmission's first transmission is in these captures";
}
