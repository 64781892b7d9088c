// Analyzer findings on synthetic conversations: each test builds what each side
// sends and checks what FlowLadder concludes about it.

#include "Scenario.h"
#include "core/model/Analysis.h"
#include "core/report/JsonReport.h"

using namespace flowladder;
using namespace flowladder::testing;
using core::FindingKind;
using core::FlowSide;
using core::StateBasis;
using core::TcpState;

namespace {

// The incident of INCIDENT.md: client FIN, server ACKs it and keeps sending (CLOSE-WAIT),
// a RST from the client's address one below RCV.NXT (forged: TTL 255), then the server
// retransmits into silence with exponential backoff.
struct Incident {
    Scenario s;
    uint32_t finFrame = 0, rstFrame = 0, dataFrame = 0;
    uint32_t rstSeq = 0;
    int retransmits = 6;

    core::AnalysisPtr build()
    {
        s.handshake();
        s.send(Side::Client, tf::PSH | tf::ACK, 275);
        s.send(Side::Server, tf::ACK, 1448);
        finFrame = s.send(Side::Client, tf::FIN | tf::ACK);
        rstSeq = s.seq(Side::Client) - 1; // the FIN's own sequence number: RCV.NXT - 1
        s.send(Side::Server, tf::ACK);    // acknowledges the FIN: server in CLOSE-WAIT
        const uint32_t dataSeq = s.seq(Side::Server);
        dataFrame = s.send(Side::Server, tf::PSH | tf::ACK, 1448);
        rstFrame = s.sendAt(Side::Client, tf::RST, rstSeq, 0, 2'000'000, 255);
        int64_t rto = 200'000'000;
        for (int i = 0; i < retransmits; ++i) {
            s.sendAt(Side::Server, tf::PSH | tf::ACK, dataSeq, 1448, rto);
            rto *= 2;
        }
        return s.analyze("incident");
    }
};

} // namespace

TEST(Analyzer, IncidentOffByOneRstIgnoredServerStuckInCloseWait)
{
    Incident inc;
    auto a = inc.build();
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), 1u);
    const core::Flow& f = a->flows[0];
    EXPECT_EQ(f.endpoint(Side::Client).toString(), "10.0.0.1:40000");
    EXPECT_EQ(f.endpoint(Side::Server).toString(), "10.0.0.2:80");
    EXPECT_EQ(f.side(Side::Server).finalState, TcpState::CloseWait);

    auto rst = findingsOf(*a, FindingKind::RstSeqMismatch);
    ASSERT_EQ(rst.size(), 1u);
    EXPECT_EQ(rst[0]->frame, inc.rstFrame);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).cls, core::RstClass::OffByOneAfterFin);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).outcome, core::RstOutcome::Ignored);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).delta, -1);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).rstSeq, inc.rstSeq);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).expectedSeq, inc.rstSeq + 1);
    EXPECT_EQ(rst[0]->severity, core::Severity::Error);
    EXPECT_NE(rst[0]->summary.find("Server ignored RST #" + std::to_string(inc.rstFrame)), std::string::npos)
        << rst[0]->summary;
    EXPECT_NE(rst[0]->summary.find("CLOSE_WAIT"), std::string::npos) << rst[0]->summary;

    auto fp = findingsOf(*a, FindingKind::RstFingerprintMismatch);
    ASSERT_EQ(fp.size(), 1u);
    EXPECT_EQ(detailOf<core::RstFingerprintMismatch>(fp[0]).ttl, 255);
    EXPECT_EQ(detailOf<core::RstFingerprintMismatch>(fp[0]).usualTtl, 64);

    auto linger = findingsOf(*a, FindingKind::LingeringClose);
    ASSERT_EQ(linger.size(), 1u);
    EXPECT_EQ(detailOf<core::LingeringClose>(linger[0]).side, Side::Server);
    EXPECT_EQ(detailOf<core::LingeringClose>(linger[0]).state, TcpState::CloseWait);
    EXPECT_EQ(detailOf<core::LingeringClose>(linger[0]).retransmits, static_cast<uint32_t>(inc.retransmits));
    EXPECT_EQ(linger[0]->frame, inc.finFrame + 1); // the server's ACK of the FIN
    EXPECT_TRUE(detailOf<core::LingeringClose>(linger[0]).unresolvedAtEnd);

    // One RST, one error: its rst_seq_mismatch says it was ignored; no separate rst_ignored.
    EXPECT_TRUE(findingsOf(*a, FindingKind::RstIgnored).empty());
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).framesAfter, static_cast<uint32_t>(inc.retransmits));
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).count, 1u);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).ignored, 1u);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(rst[0]).noChallengeReason, core::NoChallengeReason::OutOfWindow);

    // The retransmissions are marked on the packets and come after the RST.
    const auto& last = a->packet(f, f.packetCount() - 1);
    EXPECT_TRUE(last.marked(core::mark::Retransmission));
    EXPECT_TRUE(last.marked(core::mark::AfterRst));
    // State bands: the server entered CLOSE-WAIT at its ACK of the FIN.
    const core::StateTimelines states = a->stateTimelines(f);
    EXPECT_EQ(states.stateAfter(Side::Server, f.packets[inc.finFrame]), TcpState::CloseWait);
    EXPECT_EQ(states.stateAfter(Side::Server, f.packets[2]), TcpState::Established);
}

TEST(Analyzer, InWindowRstAnsweredByChallengeAckIsNotDupAck)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::PSH | tf::ACK, 100);
    s.send(Side::Server, tf::ACK);
    const uint32_t rst = s.sendAt(Side::Client, tf::RST, s.seq(Side::Client) + 1000);
    const uint32_t challenge = s.send(Side::Server, tf::ACK, 0, 50'000);
    s.send(Side::Server, tf::PSH | tf::ACK, 10);
    auto a = s.analyze("challenge");
    ASSERT_TRUE(a);
    auto m = findingsOf(*a, FindingKind::RstSeqMismatch);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0]->frame, rst);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).cls, core::RstClass::InWindow);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).delta, 1000);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).challengeAckFrame, challenge);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).outcome, core::RstOutcome::Ignored);
    auto c = findingsOf(*a, FindingKind::ChallengeAck);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0]->frame, challenge);
    EXPECT_EQ(detailOf<core::ChallengeAck>(c[0]).rstFrame, rst);
    EXPECT_TRUE(findingsOf(*a, FindingKind::DupAck).empty());
    const auto& f = a->flows[0];
    EXPECT_TRUE(a->packet(f, challenge - 1).marked(core::mark::ChallengeAck));
    EXPECT_FALSE(a->packet(f, challenge - 1).marked(core::mark::DupAck));
}

TEST(Analyzer, OutOfWindowRstIsClassifiedAndExactRstTakesEffect)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::PSH | tf::ACK, 100);
    s.send(Side::Server, tf::ACK);
    s.sendAt(Side::Client, tf::RST, s.seq(Side::Client) + 10'000'000);
    const uint32_t exact = s.sendAt(Side::Client, tf::RST, s.seq(Side::Client), 0, 5'000'000);
    s.sendAt(Side::Client, tf::ACK, s.seq(Side::Client), 0, 2'000'000'000); // capture goes on
    auto a = s.analyze("oow");
    ASSERT_TRUE(a);
    auto m = findingsOf(*a, FindingKind::RstSeqMismatch);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).cls, core::RstClass::OutOfWindow);
    // The exact RST is no mismatch; the server went silent after it: closed.
    for (const auto* x : m)
        EXPECT_NE(x->frame, exact);
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::Closed);
}

TEST(Analyzer, RstTookEffectWhenReceiverGoesSilent)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::FIN | tf::ACK);
    s.send(Side::Server, tf::ACK);
    const uint32_t rst = s.sendAt(Side::Client, tf::RST, s.seq(Side::Client) - 1);
    s.send(Side::Client, tf::ACK, 0, 3'000'000'000); // the capture continues 3 s: server silent
    auto a = s.analyze("took");
    ASSERT_TRUE(a);
    auto m = findingsOf(*a, FindingKind::RstSeqMismatch);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0]->frame, rst);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).outcome, core::RstOutcome::TookEffect);
    EXPECT_NE(m[0]->summary.find("Linux accepts"), std::string::npos) << m[0]->summary;
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::Closed);
}

TEST(Analyzer, RstOutcomeUnknownWhenCaptureEnds)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::PSH | tf::ACK, 10);
    s.send(Side::Server, tf::ACK);
    s.sendAt(Side::Client, tf::RST, s.seq(Side::Client) + 5);
    auto a = s.analyze("unknown");
    ASSERT_TRUE(a);
    auto m = findingsOf(*a, FindingKind::RstSeqMismatch);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(detailOf<core::RstSeqMismatch>(m[0]).outcome, core::RstOutcome::Unknown);
}

TEST(Analyzer, CleanCloseHasNoFindingsAndEndsInTimeWaitAndClosed)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::PSH | tf::ACK, 100);
    s.send(Side::Server, tf::PSH | tf::ACK, 2000);
    s.send(Side::Client, tf::FIN | tf::ACK);
    s.send(Side::Server, tf::FIN | tf::ACK);
    s.send(Side::Client, tf::ACK);
    auto a = s.analyze("clean");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->findings.empty()) << a->findings[0].summary;
    const auto& f = a->flows[0];
    EXPECT_EQ(f.side(Side::Client).finalState, TcpState::TimeWait);
    EXPECT_EQ(f.side(Side::Server).finalState, TcpState::Closed);
    EXPECT_TRUE(f.handshakeSeen());
    EXPECT_EQ(f.side(Side::Client).mss, 1460);
    EXPECT_EQ(f.side(Side::Client).wscale, 7);
    EXPECT_EQ(a->totals(f).allBytes(), 2100u);
}

// A side's round trip is kept in 48 bits (FlowSide): one longer than that (here a SYN-ACK 50
// years after its SYN, a broken clock) is clamped, never wrapped into a negative or small value;
// the other side's, and both sides' flags and states in the same bit-fields, stay as measured.
TEST(Analyzer, ARoundTripBeyondFortyEightBitsIsClampedNotWrapped)
{
    constexpr int64_t fiftyYearsNs = int64_t{50} * 365 * 24 * 3600 * 1'000'000'000;
    static_assert(fiftyYearsNs > FlowSide::MaxRttNs);
    Scenario s;
    s.send(Side::Client, tf::SYN);
    s.send(Side::Server, tf::SYN | tf::ACK, 0, fiftyYearsNs);
    s.send(Side::Client, tf::ACK, 0, 3'000);
    s.send(Side::Client, tf::PSH | tf::ACK, 100);
    s.send(Side::Server, tf::FIN | tf::ACK);
    auto a = s.analyze("long-rtt");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), 1u);
    const auto& f = a->flows[0];
    EXPECT_EQ(f.side(Side::Server).rttNs, FlowSide::MaxRttNs);
    EXPECT_EQ(f.side(Side::Client).rttNs, 3'000);
    EXPECT_TRUE(f.side(Side::Server).synAckSent);
    EXPECT_FALSE(f.side(Side::Client).synAckSent);
    EXPECT_TRUE(f.side(Side::Server).finSent);
    EXPECT_FALSE(f.side(Side::Client).rstSent);
    EXPECT_EQ(f.side(Side::Server).finalState, TcpState::FinWait1);
    EXPECT_EQ(f.side(Side::Server).finalBasis, StateBasis::Observed);
    EXPECT_EQ(a->totals(f).bytesOf(Side::Client), 100u);
}

// A flow's totals are counted from its records, by side, through its head and its tail blocks
// (a flow past PacketStore::HeadRows packets), and a side that sent nothing counts nothing.
TEST(FlowTotals, CountEachSidesPacketsAndBytesFromTheRecords)
{
    core::Analysis a;
    a.appendPacket(a.flows.emplace_back(), 1, 1'000).payloadLen = 0; // a SYN nobody answered
    core::Flow& busy = a.flows.emplace_back();
    constexpr uint32_t Packets = 3 * core::PacketStore::HeadRows + 5;
    core::FlowTotals expected;
    for (uint32_t i = 0; i < Packets; ++i) {
        core::PacketRecord& p = a.appendPacket(busy, 2 + i, 2'000 + i);
        const bool server = i % 3 == 0;
        p.info = server ? core::pinfo::FromServer : 0;
        p.payloadLen = server ? 1448 : i % 7;
        ++expected.packets[server ? 1 : 0];
        expected.bytes[server ? 1 : 0] += p.payloadLen;
    }
    ASSERT_GT(busy.packets.blockCount(), 0u);
    const core::FlowTotals q = a.totals(a.flows[0]);
    EXPECT_EQ(q.packetsOf(Side::Client), 1u);
    EXPECT_EQ(q.packetsOf(Side::Server), 0u);
    EXPECT_EQ(q.allBytes(), 0u);
    const core::FlowTotals t = a.totals(a.flows[1]);
    EXPECT_EQ(t.packetsOf(Side::Client), expected.packets[0]);
    EXPECT_EQ(t.packetsOf(Side::Server), expected.packets[1]);
    EXPECT_EQ(t.packets[0] + t.packets[1], Packets);
    EXPECT_EQ(t.bytesOf(Side::Client), expected.bytes[0]);
    EXPECT_EQ(t.bytesOf(Side::Server), expected.bytes[1]);
    EXPECT_EQ(t.allBytes(), expected.bytes[0] + expected.bytes[1]);
}

TEST(Analyzer, FinRetransmitsIntoSilence)
{
    Scenario s;
    s.handshake();
    const uint32_t fin = s.send(Side::Client, tf::FIN | tf::ACK);
    const uint32_t finSeq = s.seq(Side::Client) - 1;
    for (int i = 0; i < 3; ++i)
        s.sendAt(Side::Client, tf::FIN | tf::ACK, finSeq, 0, 300'000'000LL << i);
    auto a = s.analyze("finretx");
    ASSERT_TRUE(a);
    auto r = findingsOf(*a, FindingKind::FinRetransmit);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(detailOf<core::FinRetransmit>(r[0]).originalFrame, fin);
    EXPECT_EQ(detailOf<core::FinRetransmit>(r[0]).count, 3u);
    auto l = findingsOf(*a, FindingKind::LingeringClose);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(detailOf<core::LingeringClose>(l[0]).state, TcpState::FinWait1);
    EXPECT_EQ(a->flows[0].side(Side::Client).finalState, TcpState::FinWait1);
}

TEST(Analyzer, SequenceWraparoundIsNotRetransmission)
{
    Scenario s(0xFFFFFF00u, 0xFFFFFFF0u);
    s.handshake();
    for (int i = 0; i < 4; ++i)
        s.send(Side::Client, tf::ACK, 100);
    s.send(Side::Server, tf::ACK);
    for (int i = 0; i < 2; ++i)
        s.send(Side::Server, tf::ACK, 50);
    auto a = s.analyze("wrap");
    ASSERT_TRUE(a);
    EXPECT_TRUE(findingsOf(*a, FindingKind::Retransmission).empty());
    EXPECT_TRUE(findingsOf(*a, FindingKind::SegmentNotCaptured).empty());
    const auto& f = a->flows[0];
    // Relative sequence numbers continue across 2^32.
    const auto& last = a->packet(f, 6);
    EXPECT_EQ(a->relativeSeq(f, last), 301u);
}

TEST(Analyzer, RetransmissionAndDupAcksAreCounted)
{
    Scenario s;
    s.handshake();
    const uint32_t seq0 = s.seq(Side::Client);
    s.send(Side::Client, tf::ACK, 1000);
    s.send(Side::Client, tf::ACK, 1000);
    s.send(Side::Client, tf::ACK, 1000);
    s.ack(Side::Server) = seq0 + 1000; // the second segment was lost
    s.send(Side::Server, tf::ACK);
    s.send(Side::Server, tf::ACK);
    s.send(Side::Server, tf::ACK);
    s.sendAt(Side::Client, tf::ACK, seq0 + 1000, 1000, 5'000'000);
    auto a = s.analyze("retx");
    ASSERT_TRUE(a);
    auto r = findingsOf(*a, FindingKind::Retransmission);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(detailOf<core::MarkedPackets>(r[0]).count, 1u);
    auto d = findingsOf(*a, FindingKind::DupAck);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(detailOf<core::MarkedPackets>(d[0]).count, 2u);
    const auto& f = a->flows[0];
    EXPECT_TRUE(a->packet(f, f.packetCount() - 1).marked(core::mark::FastRetransmission));
}

TEST(Analyzer, ZeroWindowAndKeepAlive)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::ACK, 100);
    // Keep-alive: one byte below the next sequence number.
    s.sendAt(Side::Client, tf::ACK, s.seq(Side::Client) - 1, 0, 1'000'000'000);
    auto a = s.analyze("ka");
    ASSERT_TRUE(a);
    EXPECT_EQ(findingsOf(*a, FindingKind::KeepAlive).size(), 1u);
    EXPECT_TRUE(findingsOf(*a, FindingKind::Retransmission).empty());
}

TEST(Analyzer, PortReuseWithNewIsnIsANewFlow)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::FIN | tf::ACK);
    s.send(Side::Server, tf::FIN | tf::ACK);
    s.send(Side::Client, tf::ACK);
    s.seq(Side::Client) += 100000;
    s.seq(Side::Server) += 900000;
    s.handshake();
    s.send(Side::Client, tf::ACK, 10);
    auto a = s.analyze("reuse");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), 2u);
    EXPECT_EQ(a->flows[0].packetCount(), 6u);
    EXPECT_EQ(a->flows[1].packetCount(), 4u);
    EXPECT_EQ(a->firstFrame(a->flows[1]), 7u);
    EXPECT_EQ(a->flows[1].side(Side::Client).isn, a->packets[a->flows[1].packets[0]].seq);
}

TEST(Analyzer, RetransmittedSynStaysInTheSameFlow)
{
    Scenario s;
    s.send(Side::Client, tf::SYN);
    s.sendAt(Side::Client, tf::SYN, s.seq(Side::Client) - 1, 0, 1'000'000'000);
    s.send(Side::Server, tf::SYN | tf::ACK);
    s.send(Side::Client, tf::ACK);
    auto a = s.analyze("synretx");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->flows.size(), 1u);
    EXPECT_EQ(a->flows[0].side(Side::Client).finalState, TcpState::Established);
    EXPECT_EQ(a->flows[0].side(Side::Server).finalState, TcpState::Established);
}

TEST(Analyzer, MidStreamCaptureTakesEphemeralPortAsClient)
{
    Scenario s;
    s.clientPort = 51234;
    s.serverPort = 443;
    s.send(Side::Server, tf::ACK, 500); // first packet seen comes from the server
    s.send(Side::Client, tf::ACK);
    auto a = s.analyze("midstream");
    ASSERT_TRUE(a);
    const auto& f = a->flows[0];
    EXPECT_FALSE(f.handshakeSeen());
    EXPECT_EQ(f.endpoint(Side::Client).port, 51234);
    EXPECT_EQ(f.endpoint(Side::Server).port, 443);
    EXPECT_EQ(a->packet(f, 0).side(), Side::Server);
    EXPECT_EQ(f.side(Side::Client).finalState, TcpState::Established);
}

TEST(Analyzer, ConnectionRefused)
{
    Scenario s;
    s.send(Side::Client, tf::SYN);
    s.sendAt(Side::Server, tf::RST | tf::ACK, 0);
    auto a = s.analyze("refused");
    ASSERT_TRUE(a);
    EXPECT_EQ(findingsOf(*a, FindingKind::ConnectionRefused).size(), 1u);
    EXPECT_TRUE(findingsOf(*a, FindingKind::RstSeqMismatch).empty());
}

TEST(Analyzer, Ipv6EndpointsAndHopLimit)
{
    Scenario s(1, 2, true);
    s.ttl[0] = 57;
    s.handshake();
    s.send(Side::Client, tf::ACK, 10);
    auto a = s.analyze("v6");
    ASSERT_TRUE(a);
    const auto& f = a->flows[0];
    EXPECT_EQ(f.endpoint(Side::Client).toString(), "[2001:db8::1]:40000");
    EXPECT_EQ(f.side(Side::Client).usualTtl, 57);
    auto j = core::analysisToJson(*a);
    EXPECT_EQ(j["flows"][0]["client"], "[2001:db8::1]:40000");
}

// A flow keeps an IPv4 address in its sides and an IPv6 flow's two addresses in its Analysis
// (Analysis::ipv6Pairs, which grows as flows come): every endpoint must read back as decoded,
// also where the capture starts at the server's packet and the sides are swapped when settled.
TEST(Analyzer, ManyIpv6ConnectionsKeepTheirEndpointsWhenSidesAreSwapped)
{
    constexpr uint16_t Connections = 3000;
    Scenario s(1, 2, true);
    for (uint16_t i = 0; i < Connections; ++i) {
        s.clientPort = static_cast<uint16_t>(20000 + i);
        if (i % 2 == 0) {
            s.handshake();
            s.send(Side::Client, tf::PSH | tf::ACK, 10);
        } else { // mid-connection: the server's data first, no SYN
            s.send(Side::Server, tf::PSH | tf::ACK, 10);
            s.send(Side::Client, tf::ACK);
        }
    }
    auto a = s.analyze("v6-many");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), Connections);
    EXPECT_EQ(a->ipv6Pairs.size(), Connections);
    for (uint16_t i = 0; i < Connections; ++i) {
        const core::Flow& f = a->flows[i];
        ASSERT_EQ(f.endpoint(Side::Client).toString(), "[2001:db8::1]:" + std::to_string(20000 + i));
        ASSERT_EQ(f.endpoint(Side::Server).toString(), "[2001:db8::2]:80");
        ASSERT_TRUE(f.endpointIs(0, f.endpoint(Side::Client)));
        ASSERT_FALSE(f.endpointIs(1, f.endpoint(Side::Client)));
    }
}

TEST(Analysis, SetEndpointsKeepsBothVersionsAndRefusesAMix)
{
    core::Analysis a;
    core::Flow v4, v6;
    core::Endpoint c4, s4, c6, s6;
    c4.addr.bytes = {192, 0, 2, 1};
    c4.port = 50000;
    s4.addr.bytes = {192, 0, 2, 2};
    s4.port = 443;
    c6.addr.version = s6.addr.version = 6;
    c6.addr.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    s6.addr.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    c6.port = 1;
    s6.port = 2;
    a.setEndpoints(v4, c4, s4);
    a.setEndpoints(v6, c6, s6);
    EXPECT_EQ(v4.endpoint(Side::Client), c4);
    EXPECT_EQ(v4.endpoint(Side::Server), s4);
    EXPECT_EQ(v4.v6(), nullptr);
    EXPECT_EQ(v6.endpoint(Side::Client), c6);
    EXPECT_EQ(v6.endpoint(Side::Server), s6);
    EXPECT_FALSE(v6.endpointIs(0, c4)); // another port and version
    c4.port = 1;
    EXPECT_FALSE(v6.endpointIs(0, c4));  // the same port, another version
    std::swap(v6.sides[0], v6.sides[1]); // as FlowTable::settle() swaps them
    EXPECT_EQ(v6.endpoint(Side::Client), s6);
    EXPECT_EQ(v6.endpoint(Side::Server), c6);
    core::Flow mixed;
    EXPECT_THROW(a.setEndpoints(mixed, c4, s6), std::invalid_argument);
}

TEST(Analyzer, EveryLinkTypeDecodesTheSameConversation)
{
    for (auto link : testsupport::AllLinks) {
        for (bool v6 : {false, true}) {
            Scenario s(7, 9, v6);
            s.link = link;
            s.handshake();
            s.send(Side::Client, tf::PSH | tf::ACK, 42);
            auto a = s.analyze(std::string("link-") + testsupport::linkName(link));
            ASSERT_TRUE(a) << testsupport::linkName(link);
            EXPECT_EQ(a->capture.tcpPackets, 4u) << testsupport::linkName(link) << " v6=" << v6;
            ASSERT_EQ(a->flows.size(), 1u);
            EXPECT_EQ(a->totals(a->flows[0]).allBytes(), 42u);
        }
    }
}

// Past 100,000 packets the flows are analysed on two threads, in chunks, while the first thread
// still groups the records (Analyzer.cpp, groupAndAnalyse): each flow must still get exactly its
// own findings, and the findings must stay in flow order across the chunks.
TEST(Analyzer, ManyConnectionsOnTwoThreadsKeepEachFlowsFindings)
{
    constexpr uint16_t Connections = 12'000; // 9 or 10 packets each: past the two-thread threshold
    constexpr uint16_t Every = 97;           // every 97th ends with an off-by-one RST
    Scenario s;
    for (uint16_t i = 0; i < Connections; ++i) {
        s.clientPort = static_cast<uint16_t>(1024 + i);
        s.seq(Side::Client) = 1000u + 7u * i;
        s.seq(Side::Server) = 900'000u + 13u * i;
        s.handshake();
        if (i % Every == 0) {
            s.send(Side::Client, tf::FIN | tf::ACK);
            s.send(Side::Server, tf::ACK);
            s.sendAt(Side::Client, tf::RST, s.seq(Side::Client) - 1);
            s.send(Side::Server, tf::ACK, 100, 200'000'000);
        } else {
            s.send(Side::Client, tf::PSH | tf::ACK, 32);
            s.send(Side::Server, tf::PSH | tf::ACK, 200);
            s.send(Side::Server, tf::FIN | tf::ACK);
            s.send(Side::Client, tf::ACK);
            s.send(Side::Client, tf::FIN | tf::ACK);
            s.send(Side::Server, tf::ACK);
        }
    }
    auto a = s.analyze("many-connections");
    ASSERT_TRUE(a);
    ASSERT_GT(a->capture.tcpPackets, 100'000u);
    ASSERT_EQ(a->flows.size(), Connections);
    uint32_t nextFinding = 0;
    for (uint16_t i = 0; i < Connections; ++i) {
        const core::Flow& f = a->flows[i];
        ASSERT_EQ(f.endpoint(Side::Client).port, 1024 + i);
        // Findings in flow order: each flow's range starts where the previous one's ended, and the
        // search finds the range the walk in order does.
        const core::IndexRange found = a->findingsOf(f);
        const core::IndexRange walked = a->findingsOf(f, nextFinding);
        EXPECT_EQ(found.first, walked.first) << "flow " << i + 1;
        EXPECT_EQ(found.count, walked.count) << "flow " << i + 1;
        EXPECT_EQ(walked.first + walked.count, nextFinding) << "flow " << i + 1;
        bool mismatch = false;
        for (uint32_t k : found) {
            ASSERT_LT(k, a->findings.size());
            EXPECT_EQ(a->findings[k].flow, a->idOf(f));
            mismatch = mismatch || a->findings[k].kind == core::FindingKind::RstSeqMismatch;
        }
        EXPECT_EQ(mismatch, i % Every == 0) << "flow " << i + 1;
        EXPECT_EQ(a->startNs(f), a->tsNs(f, 0));
        EXPECT_EQ(f.side(Side::Server).finalState,
                  i % Every == 0 ? core::TcpState::CloseWait : core::TcpState::TimeWait)
            << "flow " << i + 1;
    }
    EXPECT_EQ(nextFinding, a->findings.size());
}
