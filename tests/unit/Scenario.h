#pragma once
// Builds a synthetic TCP conversation packet by packet, keeping each side's
// sequence numbers, and writes it as a capture; then analyses it. Keeps the
// analyzer tests short and readable: each test says what each side sends.

#include "core/model/Types.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/CaptureWriter.h"
#include "tests/support/TempDir.h"

#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

namespace flowladder::testing {

using core::Side;
using testsupport::TcpSegment;
namespace tf = core::tcpflag;

class Scenario {
public:
    explicit Scenario(uint32_t clientIsn = 1000, uint32_t serverIsn = 5000, bool ipv6 = false) : ipv6_(ipv6)
    {
        seq_[0] = clientIsn;
        seq_[1] = serverIsn;
    }

    std::string clientAddr() const { return ipv6_ ? "2001:db8::1" : "10.0.0.1"; }
    std::string serverAddr() const { return ipv6_ ? "2001:db8::2" : "10.0.0.2"; }
    uint16_t clientPort = 40000;
    uint16_t serverPort = 80;
    uint8_t ttl[2] = {64, 64};
    int64_t t = 1'700'000'000'000'000'000; // ns
    testsupport::Link link = testsupport::Link::Ethernet;

    // Next sequence number each side will use; what each side acknowledges.
    uint32_t& seq(Side s) { return seq_[core::sideIndex(s)]; }
    uint32_t& ack(Side s) { return ack_[core::sideIndex(s)]; }

    // Sends a segment from `from`; advances its sequence by the space it occupies and, unless
    // `lost`, the peer's ACK point. Returns the frame number.
    uint32_t send(Side from, uint8_t flags, uint32_t len = 0, int64_t afterNs = 1'000'000)
    {
        t += afterNs;
        TcpSegment s = segment(from, flags, seq(from), len);
        const uint32_t space = len + ((flags & tf::SYN) ? 1 : 0) + ((flags & tf::FIN) ? 1 : 0);
        if (flags & tf::SYN) {
            s.mss = 1460;
            s.wscale = 7;
            s.sackPerm = true;
        }
        seq(from) += space;
        if (!(flags & tf::RST)) ack(core::otherSide(from)) = seq(from);
        return push(s);
    }
    // A segment with explicit seq (retransmits, forged RSTs).
    uint32_t sendAt(Side from, uint8_t flags, uint32_t seqNo, uint32_t len = 0, int64_t afterNs = 1'000'000,
                    int ttlOverride = -1)
    {
        t += afterNs;
        TcpSegment s = segment(from, flags, seqNo, len);
        if (ttlOverride >= 0) s.ttl = static_cast<uint8_t>(ttlOverride);
        return push(s);
    }
    // A frame of this connection that the analysis does not take as a TCP segment: an IPv4
    // fragment (not the first), or (`cut`, and always for IPv6) one cut short inside its IP
    // header, which counts as malformed.
    void sendOther(bool cut, int64_t afterNs = 1'000'000)
    {
        t += afterNs;
        TcpSegment s = segment(Side::Client, tf::ACK, seq(Side::Client), 0);
        if (!cut && !ipv6_) s.ipFragField = 0x0010; // offset 128 bytes
        testsupport::Packet p;
        p.tsNs = t;
        p.data = testsupport::buildFrame(link, s);
        if (cut || ipv6_) {
            p.origLen = static_cast<uint32_t>(p.data.size());
            p.data.resize(20); // 14 of Ethernet, 6 of the IP header
        }
        packets_.push_back(std::move(p));
    }
    void handshake()
    {
        send(Side::Client, tf::SYN);
        send(Side::Server, tf::SYN | tf::ACK);
        send(Side::Client, tf::ACK);
    }

    void writeTo(const std::string& path) const
    {
        testsupport::PcapWriter w(testsupport::linktypeOf(link), true);
        for (const auto& p : packets_)
            w.add(p);
        w.write(path);
    }

    core::AnalysisPtr analyze(const std::string& name)
    {
        const auto path = testsupport::processTempDir() / (name + ".pcap");
        writeTo(path.string());
        std::string error;
        auto a = core::analyzeFile(path.string(), error);
        EXPECT_TRUE(a) << error;
        std::filesystem::remove(path);
        return a;
    }

private:
    TcpSegment segment(Side from, uint8_t flags, uint32_t seqNo, uint32_t len)
    {
        const bool c = from == Side::Client;
        TcpSegment s;
        s.src = c ? clientAddr() : serverAddr();
        s.dst = c ? serverAddr() : clientAddr();
        s.sport = c ? clientPort : serverPort;
        s.dport = c ? serverPort : clientPort;
        s.seq = seqNo;
        s.flags = flags;
        s.ack = (flags & tf::ACK) ? ack(from) : 0;
        s.window = 502;
        s.payloadLen = len;
        s.ttl = ttl[core::sideIndex(from)];
        s.ipId = static_cast<uint16_t>(ipId_[core::sideIndex(from)]++);
        return s;
    }
    uint32_t push(const TcpSegment& s)
    {
        testsupport::Packet p;
        p.tsNs = t;
        p.data = testsupport::buildFrame(link, s);
        packets_.push_back(std::move(p));
        return static_cast<uint32_t>(packets_.size());
    }

    bool ipv6_;
    uint32_t seq_[2] = {0, 0};
    uint32_t ack_[2] = {0, 0};
    uint32_t ipId_[2] = {100, 7000};
    std::vector<testsupport::Packet> packets_;
};

// The findings of `kind` in flow 1.
inline std::vector<const core::Finding*> findingsOf(const core::Analysis& a, core::FindingKind kind)
{
    std::vector<const core::Finding*> out;
    for (const auto& f : a.findings)
        if (f.kind == kind) out.push_back(&f);
    return out;
}

// The typed detail of a finding; a null finding or one of another kind fails the test
// (gtest reports the exception).
template <class T> const T& detailOf(const core::Finding* f)
{
    const T* d = f ? f->as<T>() : nullptr;
    if (!d) throw std::logic_error("finding missing or of another kind");
    return *d;
}

} // namespace flowladder::testing
