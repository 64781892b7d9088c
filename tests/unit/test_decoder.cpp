// Link, IP and TCP decoding of single frames, including cut-short and damaged headers.

#include "core/capture/Decoder.h"
#include "tests/support/CaptureWriter.h"

#include <gtest/gtest.h>

using namespace flowladder;
using namespace flowladder::testsupport;
using core::DecodeStatus;

namespace {

TcpSegment sampleSegment(bool v6 = false)
{
    TcpSegment s;
    if (v6) {
        s.src = "2001:db8::10";
        s.dst = "2001:db8::20";
    }
    s.sport = 51234;
    s.dport = 443;
    s.seq = 0xDEADBEEF;
    s.ack = 0x01020304;
    s.flags = core::tcpflag::SYN | core::tcpflag::ACK;
    s.window = 29200;
    s.payloadLen = 100;
    s.ttl = 57;
    s.ipId = 4242;
    s.mss = 1400;
    s.wscale = 9;
    s.sackPerm = true;
    s.tsVal = 111;
    s.tsEcr = 222;
    return s;
}

} // namespace

TEST(Decoder, AllFieldsOnEveryLinkType)
{
    for (Link link : AllLinks) {
        for (bool v6 : {false, true}) {
            const TcpSegment seg = sampleSegment(v6);
            const Bytes frame = buildFrame(link, seg);
            core::DecodedPacket p;
            const auto r = core::decodeFrame(dltOf(link), frame.data(), frame.size(), p);
            ASSERT_EQ(r.status, DecodeStatus::Tcp) << linkName(link) << (r.error ? r.error : "");
            EXPECT_EQ(p.src.toString(), v6 ? "[2001:db8::10]:51234" : "10.0.0.1:51234");
            EXPECT_EQ(p.dst.port, 443);
            EXPECT_EQ(p.seq, 0xDEADBEEFu);
            EXPECT_EQ(p.ack, 0x01020304u);
            EXPECT_EQ(p.flags, seg.flags);
            EXPECT_EQ(p.window, 29200);
            EXPECT_EQ(p.payloadLen, 100u);
            EXPECT_EQ(p.ttl, 57);
            EXPECT_EQ(p.ipVersion, v6 ? 6 : 4);
            if (!v6) {
                EXPECT_EQ(p.ipId, 4242);
            }
            EXPECT_TRUE(p.hasMss);
            EXPECT_EQ(p.mss, 1400);
            EXPECT_TRUE(p.hasWscale);
            EXPECT_EQ(p.wscale, 9);
            EXPECT_TRUE(p.hasSackPerm);
            EXPECT_TRUE(p.hasTimestamp);
            EXPECT_EQ(p.tsVal, 111u);
            EXPECT_EQ(p.tsEcr, 222u);
            EXPECT_FALSE(p.truncated);
        }
    }
}

TEST(Decoder, HeadersOnlyCaptureKeepsPayloadLengthFromIpLength)
{
    TcpSegment seg = sampleSegment();
    seg.payloadLen = 1448;
    const Bytes frame = buildFrame(Link::Ethernet, seg);
    core::DecodedPacket p;
    const auto r = core::decodeFrame(core::linktype::Ethernet, frame.data(), 96, p); // tcpdump -s 96
    ASSERT_EQ(r.status, DecodeStatus::Tcp);
    EXPECT_EQ(p.payloadLen, 1448u);
    EXPECT_TRUE(p.truncated);
}

TEST(Decoder, IpFragmentsAreCountedNotDecoded)
{
    TcpSegment seg = sampleSegment();
    seg.ipFragField = 0x2000; // more fragments
    const Bytes frame = buildFrame(Link::Ethernet, seg);
    core::DecodedPacket p;
    EXPECT_EQ(core::decodeFrame(core::linktype::Ethernet, frame.data(), frame.size(), p).status,
              DecodeStatus::Fragment);
}

TEST(Decoder, CutShortAndDamagedHeadersAreMalformedNotCrashes)
{
    const Bytes frame = buildFrame(Link::Ethernet, sampleSegment());
    core::DecodedPacket p;
    // Every prefix of the frame: never reads past the end.
    for (size_t len = 0; len < 14 + 20 + 20; ++len) {
        const auto r = core::decodeFrame(core::linktype::Ethernet, frame.data(), len, p);
        EXPECT_EQ(r.status, DecodeStatus::Malformed) << len;
        EXPECT_NE(r.error, nullptr);
    }
    Bytes bad = frame;
    bad[14] = 0x43; // IHL 3
    EXPECT_EQ(core::decodeFrame(core::linktype::Ethernet, bad.data(), bad.size(), p).status, DecodeStatus::Malformed);
    bad = frame;
    bad[14 + 20 + 12] = 0x30; // TCP data offset 3
    EXPECT_EQ(core::decodeFrame(core::linktype::Ethernet, bad.data(), bad.size(), p).status, DecodeStatus::Malformed);
    bad = frame;
    bad[14 + 2] = 0; // IP total length 30: shorter than IP + TCP headers
    bad[14 + 3] = 30;
    EXPECT_EQ(core::decodeFrame(core::linktype::Ethernet, bad.data(), bad.size(), p).status, DecodeStatus::Malformed);
}

TEST(Decoder, OptionListThatOverrunsIsStoppedNotFollowed)
{
    TcpSegment seg = sampleSegment();
    Bytes frame = buildFrame(Link::Ethernet, seg);
    // First option after the fixed header: claim a length running past the header.
    frame[14 + 20 + 20] = 2;
    frame[14 + 20 + 21] = 200;
    core::DecodedPacket p;
    ASSERT_EQ(core::decodeFrame(core::linktype::Ethernet, frame.data(), frame.size(), p).status, DecodeStatus::Tcp);
    EXPECT_FALSE(p.hasMss);
}

TEST(Decoder, NonTcpAndUnsupportedLinks)
{
    Bytes arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    core::DecodedPacket p;
    EXPECT_EQ(core::decodeFrame(core::linktype::Ethernet, arp.data(), arp.size(), p).status, DecodeStatus::NotTcp);
    EXPECT_EQ(core::decodeFrame(127, arp.data(), arp.size(), p).status, DecodeStatus::Unsupported);
    EXPECT_STREQ(core::linktypeName(core::linktype::LinuxSll2), "LINUX_SLL2");
}
