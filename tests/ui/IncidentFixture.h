#pragma once
// Analyses for the ui tests, made by the core (analyzeFile) from real captures, so the
// findings the views read are the ones the core writes:
// - sampleIncident(): resources/sample/incident.pcap, the INCIDENT.md connection seen on the
//   server: client FIN #18, server ACK #19, data #20-21, forged off-by-one RST #22 (TTL 249)
//   ignored, the server retransmitting #20's data 13 times (#23-#35) in CLOSE-WAIT.
// - netnsCapture(name): a real-kernel capture of tests/data/netns (see its README), e.g.
//   rst-in-window.server.pcap: in-window RST #20 answered by the challenge ACK #21.
// - makeIncidentAnalysis(): three captures of one link type merged into one file, each
//   moved in time to start 1 s after the previous one ends: flow 1 is
//   tests/data/netns/clean-close.server.pcap (frames 1-18, no findings), flow 2 the sample
//   incident (frames 19-53: add IncidentOffset to its own frame numbers), flow 3
//   tests/data/netns/rst-in-window.server.pcap (frames 54-81: add InWindowOffset).
// - makeLargeAnalysis(n): one hand-built flow without findings, for culling and paging.

#include "core/model/Analysis.h"
#include "core/tcp/Analyzer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowladder::test {

using namespace flowladder::core;

inline constexpr uint32_t IncidentOffset = 18; // frames of flow 2 in makeIncidentAnalysis()
inline constexpr uint32_t InWindowOffset = 53; // frames of flow 3 in makeIncidentAnalysis()

inline QString samplePath(const char* name)
{
    return QStringLiteral(FLOWLADDER_SAMPLE_DIR "/") + QLatin1String(name);
}

inline QString netnsPath(const char* name)
{
    return QStringLiteral(FLOWLADDER_NETNS_DIR "/") + QLatin1String(name);
}

// The analysis of a capture; throws (failing the test) when it cannot be read.
inline AnalysisPtr analyze(const QString& path)
{
    std::string error;
    AnalysisPtr a = analyzeFile(path.toStdString(), error);
    if (!a) throw std::runtime_error(error);
    return a;
}

inline AnalysisPtr sampleIncident()
{
    return analyze(samplePath("incident.pcap"));
}

inline AnalysisPtr netnsCapture(const char* name)
{
    return analyze(netnsPath(name));
}

// Concatenates classic little-endian microsecond pcap files of one link type into `out`,
// shifting each file's timestamps so that it starts 1 s after the previous one ended.
inline void mergePcaps(const std::vector<QString>& files, const QString& out)
{
    QByteArray merged;
    int64_t lastUs = 0;
    for (size_t i = 0; i < files.size(); ++i) {
        QFile f(files[i]);
        if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + files[i].toStdString());
        const QByteArray d = f.readAll();
        if (d.size() < 24 || std::memcmp(d.constData(), "\xd4\xc3\xb2\xa1", 4) != 0)
            throw std::runtime_error("not a little-endian microsecond pcap: " + files[i].toStdString());
        if (i == 0) merged.append(d.left(24));
        int64_t shiftUs = 0;
        bool first = true;
        for (qsizetype off = 24; off + 16 <= d.size();) {
            uint32_t rec[4];
            std::memcpy(rec, d.constData() + off, 16);
            int64_t us = int64_t{rec[0]} * 1'000'000 + rec[1];
            if (first && i > 0) shiftUs = lastUs + 1'000'000 - us;
            first = false;
            us += shiftUs;
            lastUs = us;
            rec[0] = static_cast<uint32_t>(us / 1'000'000);
            rec[1] = static_cast<uint32_t>(us % 1'000'000);
            merged.append(reinterpret_cast<const char*>(rec), 16);
            merged.append(d.mid(off + 16, rec[2]));
            off += 16 + rec[2];
        }
    }
    QFile o(out);
    if (!o.open(QIODevice::WriteOnly) || o.write(merged) != merged.size())
        throw std::runtime_error("cannot write " + out.toStdString());
}

// Flow 1 clean, flow 2 the incident, flow 3 an in-window RST with its challenge ACK.
inline AnalysisPtr makeIncidentAnalysis()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("office.pcap"));
    mergePcaps(
        {netnsPath("clean-close.server.pcap"), samplePath("incident.pcap"), netnsPath("rst-in-window.server.pcap")},
        path);
    return analyze(path);
}

inline IpAddress ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    IpAddress ip;
    ip.bytes[0] = a, ip.bytes[1] = b, ip.bytes[2] = c, ip.bytes[3] = d;
    return ip;
}

// One flow with n packets at irregular spacing, every 1000th a retransmission; no findings.
inline std::shared_ptr<Analysis> makeLargeAnalysis(uint32_t n)
{
    auto a = std::make_shared<Analysis>();
    a->capture.file = "/tmp/large.pcap";
    Flow flow; // flow 1: the first of a->flows
    a->setEndpoints(flow, {ip4(192, 0, 2, 1), 50000}, {ip4(192, 0, 2, 2), 443});
    flow.side(Side::Client).isn = flow.side(Side::Server).isn = 1;
    flow.side(Side::Client).isnKnown = flow.side(Side::Server).isnKnown = true;
    flow.setHandshakeSeen(true);
    const int64_t base = 1'700'000'000'000'000'000;
    auto add = [&](double t, Side s, uint8_t flags, uint32_t relSeq, uint32_t relAck, uint32_t len, uint16_t marks) {
        const int64_t ts = base + static_cast<int64_t>(t * 1e9);
        PacketRecord& p = a->appendPacket(flow, ++a->capture.packets, ts);
        a->capture.tcpPackets++;
        p.seq = flow.side(s).isn + relSeq;
        p.ack = (flags & tcpflag::ACK) ? flow.side(otherSide(s)).isn + relAck : 0;
        p.payloadLen = len;
        p.flags = flags;
        p.window = 502;
        p.ttl = 64;
        p.info = s == Side::Server ? pinfo::FromServer : 0;
        p.marks = marks;
        if (a->capture.firstNs == 0) a->capture.firstNs = ts;
        a->capture.lastNs = ts;
    };
    add(0, Side::Client, tcpflag::SYN, 0, 0, 0, 0);
    uint32_t seq = 1;
    double t = 0;
    for (uint32_t i = 1; i < n; ++i) {
        t += (i % 5000 == 0) ? 30.0 : 0.0001 * (1 + i % 7);
        const bool fromServer = i % 2;
        const uint16_t marks = (i % 1000 == 0) ? mark::Retransmission : 0;
        add(t, fromServer ? Side::Server : Side::Client, tcpflag::ACK, fromServer ? seq : 1, fromServer ? 1 : seq,
            fromServer ? 1448 : 0, marks);
        if (fromServer) seq += 1448;
    }
    flow.side(Side::Client).finalState = TcpState::Established;
    flow.side(Side::Server).finalState = TcpState::Established;
    a->flows.push_back(flow);
    return a;
}

} // namespace flowladder::test
