#pragma once
// Hand-made Analyses for the ui tests: the INCIDENT.md connection (off-by-one RST from
// a middlebox, ignored, server stuck in CLOSE-WAIT retransmitting), a clean flow,
// and a large flow for culling and benchmarks. Built directly, no capture file.

#include "core/model/Analysis.h"

#include <memory>

namespace flowladder::test {

using namespace flowladder::core;

inline IpAddress ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    IpAddress ip;
    ip.bytes[0] = a, ip.bytes[1] = b, ip.bytes[2] = c, ip.bytes[3] = d;
    return ip;
}

class FlowBuilder {
public:
    FlowBuilder(Analysis& a, Endpoint client, Endpoint server, uint32_t cIsn, uint32_t sIsn) : a_(a)
    {
        Flow f;
        f.id = static_cast<uint32_t>(a.flows.size()) + 1;
        f.side(Side::Client).endpoint = client;
        f.side(Side::Server).endpoint = server;
        f.side(Side::Client).isn = cIsn;
        f.side(Side::Server).isn = sIsn;
        f.side(Side::Client).isnKnown = f.side(Side::Server).isnKnown = true;
        f.side(Side::Client).usualTtl = 52;
        f.side(Side::Server).usualTtl = 64;
        f.handshakeSeen = true;
        a.flows.push_back(f);
        id_ = f.id;
    }
    Flow& flow() { return a_.flows[id_ - 1]; }
    // Appends a packet; seq/ack are relative to the sender's / receiver's ISN.
    uint32_t add(double t, Side s, uint8_t flags, uint32_t relSeq, uint32_t relAck, uint32_t len, uint16_t marks = 0,
                 uint16_t win = 502)
    {
        Flow& f = flow();
        PacketRecord& p = a_.packets.append();
        const uint32_t idx = a_.packets.size() - 1;
        p.tsNs = base_ + static_cast<int64_t>(t * 1e9);
        p.frame = ++a_.capture.packets;
        a_.capture.tcpPackets++;
        p.seq = f.side(s).isn + relSeq;
        p.ack = (flags & tcpflag::ACK) ? f.side(otherSide(s)).isn + relAck : 0;
        p.payloadLen = len;
        p.flags = flags;
        p.window = win;
        p.ttl = s == Side::Client ? 52 : 64;
        p.info = (s == Side::Server ? pinfo::FromServer : 0) | pinfo::HasIpId;
        p.ipId = static_cast<uint16_t>(idx * 7);
        p.marks = marks;
        if (flags & tcpflag::SYN) {
            p.info |= pinfo::HasMss | pinfo::HasWscale;
            f.side(s).mss = 1460;
            f.side(s).wscale = 7;
        }
        f.packets.push_back(idx);
        f.side(s).packets++;
        f.side(s).payloadBytes += len;
        if (f.packets.size() == 1) f.startNs = p.tsNs;
        if (a_.capture.firstNs == 0) a_.capture.firstNs = p.tsNs;
        a_.capture.lastNs = p.tsNs;
        return p.frame;
    }
    // The state a side ends in (what the flow table shows). The state timelines are not
    // set by hand: Analysis::stateTimelines() derives them from the packets.
    void finalState(Side s, TcpState st) { flow().side(s).finalState = st; }
    uint32_t finding(FindingKind k, Severity sev, uint32_t frame, std::string summary)
    {
        Finding fi;
        fi.kind = k;
        fi.severity = sev;
        fi.flow = id_;
        fi.frame = frame;
        fi.summary = std::move(summary);
        a_.findings.push_back(std::move(fi));
        const auto idx = static_cast<uint32_t>(a_.findings.size() - 1);
        flow().findings.push_back(idx);
        return idx;
    }
    Finding& last() { return a_.findings.back(); }
    void setBase(int64_t ns) { base_ = ns; }

private:
    Analysis& a_;
    uint32_t id_ = 0;
    int64_t base_ = 1'700'000'000'000'000'000;
};

// Flow 1: a clean HTTP exchange. Flow 2: the incident. Flow 3: a FIN retransmitted.
inline std::shared_ptr<Analysis> makeIncidentAnalysis()
{
    auto a = std::make_shared<Analysis>();
    a->capture.file = "/tmp/office.pcap";
    a->capture.format = CaptureFormat::Pcap;
    a->capture.linktype = "LINUX_SLL";
    using namespace tcpflag;
    const Side C = Side::Client, S = Side::Server;
    {
        FlowBuilder b(*a, {ip4(198, 51, 100, 23), 51000}, {ip4(203, 0, 113, 10), 80}, 1000, 5000);
        b.add(0.000, C, SYN, 0, 0, 0, 0, 65535);
        b.add(0.040, S, SYN | ACK, 0, 1, 0, 0, 65535);
        b.add(0.080, C, ACK, 1, 1, 0);
        b.add(0.081, C, PSH | ACK, 1, 1, 120);
        b.add(0.082, S, PSH | ACK, 1, 121, 300);
        b.add(0.120, C, FIN | ACK, 121, 301, 0);
        b.add(0.121, S, FIN | ACK, 301, 122, 0);
        b.add(0.160, C, ACK, 122, 302, 0);
        b.finalState(C, TcpState::TimeWait);
        b.finalState(S, TcpState::Closed);
        b.flow().side(C).rttNs = 80'000'000;
        b.flow().side(S).rttNs = 1'000'000;
    }
    {
        FlowBuilder b(*a, {ip4(198, 51, 100, 23), 51234}, {ip4(203, 0, 113, 10), 80}, 7000, 90000);
        b.setBase(1'700'000'000'500'000'000);
        b.add(0.000, C, SYN, 0, 0, 0, 0, 65535);                                                              // 9
        b.add(0.0001, S, SYN | ACK, 0, 1, 0, 0, 65535);                                                       // 10
        b.add(0.080, C, ACK, 1, 1, 0);                                                                        // 11
        b.add(0.081, C, PSH | ACK, 1, 1, 275);                                                                // 12
        b.add(0.082, S, ACK, 1, 276, 1448);                                                                   // 13
        b.add(0.083, S, ACK, 1449, 276, 1448);                                                                // 14
        b.add(0.170, C, ACK, 276, 2897, 0);                                                                   // 15
        b.add(0.171, S, PSH | ACK, 2897, 276, 1448);                                                          // 16
        const uint32_t fin = b.add(1.842, C, FIN | ACK, 276, 4345, 0);                                        // 17
        b.add(1.8421, S, ACK, 4345, 277, 0);                                                                  // 18
        const uint32_t data = b.add(1.850, S, ACK, 4345, 277, 1448);                                          // 19
        const uint32_t rst = b.add(1.905, C, RST, 276, 0, 0, mark::RstSeqMismatch | mark::RstFingerprint, 0); // 20
        a->packets[a->packets.size() - 1].ttl = 243; // forged by the firewall
        a->packets[a->packets.size() - 1].ipId = 0;
        const uint32_t chal = b.add(1.9051, S, ACK, 5793, 277, 0, mark::ChallengeAck); // 21
        double t = 1.905, rto = 0.21;
        uint32_t firstRetx = 0;
        for (int i = 0; i < 10; ++i) {
            t += rto;
            const uint32_t f = b.add(t, S, ACK, 4345, 277, 1448, mark::Retransmission | mark::AfterRst);
            if (!firstRetx) firstRetx = f;
            rto = std::min(rto * 2, 120.0);
        }
        b.add(601.3, S, RST | ACK, 5793, 277, 0, mark::AfterRst);
        b.finalState(C, TcpState::Closed);
        b.finalState(S, TcpState::Closed);
        b.flow().side(C).rttNs = 80'000'000;
        b.flow().side(S).rttNs = 200'000;
        b.finding(FindingKind::RstSeqMismatch, Severity::Error, rst,
                  "Client's RST #20 carried seq 276, one less than the server expected (277, after the client's FIN): "
                  "the server ignored it and kept sending.");
        RstSeqMismatch m;
        m.side = C;
        m.rstSeq = 7000 + 276;
        m.expectedSeq = 7000 + 277;
        m.delta = -1;
        m.cls = RstClass::OffByOneAfterFin;
        m.outcome = RstOutcome::Ignored;
        m.challengeAckFrame = chal;
        b.last().detail = m;
        b.finding(FindingKind::ChallengeAck, Severity::Info, chal, "Server answered RST #20 with a challenge ACK.");
        b.last().detail = ChallengeAck{S, rst};
        b.finding(FindingKind::RstFingerprintMismatch, Severity::Warning, rst,
                  "RST #20 has TTL 243 where the client's packets have 52: probably forged by a box in the path.");
        b.last().detail = RstFingerprintMismatch{C, 243, 52, uint16_t{0}, 0, true, false};
        b.finding(FindingKind::RstIgnored, Severity::Error, rst,
                  "Server kept sending after RST #20: 11 more packets over 599.4 s.");
        b.last().detail = RstIgnored{S, rst, 11, {rst}};
        b.finding(FindingKind::LingeringClose, Severity::Error, fin,
                  "Server stayed in CLOSE-WAIT for 599.5 s after the client's FIN #17, retransmitting 10 times.");
        b.last().detail = LingeringClose{S, TcpState::CloseWait, fin, 10, 599'500'000'000, true, true};
        b.finding(FindingKind::Retransmission, Severity::Warning, firstRetx, "Server retransmitted 10 segments.");
        (void)data;
    }
    {
        FlowBuilder b(*a, {ip4(10, 0, 0, 7), 40000}, {ip4(10, 0, 0, 1), 443}, 300, 600);
        b.setBase(1'700'000'002'000'000'000);
        b.add(0.0, C, SYN, 0, 0, 0);
        b.add(0.01, S, SYN | ACK, 0, 1, 0);
        b.add(0.02, C, ACK, 1, 1, 0);
        const uint32_t fin = b.add(0.5, C, FIN | ACK, 1, 1, 0);
        const uint32_t r1 = b.add(0.7, C, FIN | ACK, 1, 1, 0, mark::FinRetransmit | mark::Retransmission);
        const uint32_t r2 = b.add(1.1, C, FIN | ACK, 1, 1, 0, mark::FinRetransmit | mark::Retransmission);
        b.finalState(C, TcpState::FinWait1);
        b.finalState(S, TcpState::Established);
        b.finding(FindingKind::FinRetransmit, Severity::Warning, r1, "Client sent its FIN #36 2 more times.");
        b.last().detail = FinRetransmit{C, fin, 2, false, {r1, r2}};
    }
    return a;
}

// One flow with n packets at irregular spacing, every 1000th a retransmission.
inline std::shared_ptr<Analysis> makeLargeAnalysis(uint32_t n)
{
    auto a = std::make_shared<Analysis>();
    a->capture.file = "/tmp/large.pcap";
    FlowBuilder b(*a, {ip4(192, 0, 2, 1), 50000}, {ip4(192, 0, 2, 2), 443}, 1, 1);
    b.add(0, Side::Client, tcpflag::SYN, 0, 0, 0);
    uint32_t seq = 1;
    double t = 0;
    for (uint32_t i = 1; i < n; ++i) {
        t += (i % 5000 == 0) ? 30.0 : 0.0001 * (1 + i % 7);
        const bool fromServer = i % 2;
        const uint16_t marks = (i % 1000 == 0) ? mark::Retransmission : 0;
        b.add(t, fromServer ? Side::Server : Side::Client, tcpflag::ACK, fromServer ? seq : 1, fromServer ? 1 : seq,
              fromServer ? 1448 : 0, marks);
        if (fromServer) seq += 1448;
    }
    b.finalState(Side::Client, TcpState::Established);
    b.finalState(Side::Server, TcpState::Established);
    return a;
}

} // namespace flowladder::test
