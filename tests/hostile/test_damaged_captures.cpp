// Hostile captures, one class of damage at a time (issue 6: never crash, never
// hang, say what is wrong). For each: either the file is refused with a message
// naming it (and the position, where the reader knows one), or the analysis of
// what could be read comes back with capture.truncated / capture.errors set and
// the frames before the damage kept.

#include "HostileSupport.h"
#include "core/capture/Decoder.h"
#include "core/capture/PcapngReader.h"
#include "core/report/JsonReport.h"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

using namespace flowladder::core;
using namespace flowladder::testsupport;
using namespace hostile;

namespace {

constexpr int64_t T0 = 1700000000LL * 1000000000LL;

std::vector<Bytes> goodFrames(int n, Link link = Link::Ethernet)
{
    std::vector<Bytes> out;
    for (const TcpSegment& s : conversations(4)) {
        if (static_cast<int>(out.size()) == n) break;
        out.push_back(buildFrame(link, s));
    }
    return out;
}

PcapWriter goodPcap(int n, uint32_t snaplen = 262144)
{
    PcapWriter w(linktypeOf(Link::Ethernet), false, snaplen);
    int i = 0;
    for (const Bytes& f : goodFrames(n))
        w.add(T0 + (i++) * 1000000LL, f);
    return w;
}

// A pcapng with one Ethernet interface and `n` good EPBs.
PcapngWriter goodPcapng(int n)
{
    PcapngWriter w;
    w.addInterface(linktypeOf(Link::Ethernet));
    int i = 0;
    for (const Bytes& f : goodFrames(n))
        w.addPacket(0, T0 + (i++) * 1000000LL, f);
    return w;
}

// A raw pcap record header (little-endian, microseconds).
Bytes pcapRecordHeader(uint32_t caplen, uint32_t wirelen)
{
    Bytes b;
    putLe32(b, 1700000100);
    putLe32(b, 0);
    putLe32(b, caplen);
    putLe32(b, wirelen);
    return b;
}

// A raw pcapng block whose header and trailer lengths can lie.
Bytes rawBlock(uint32_t type, uint32_t totalLength, const Bytes& body, uint32_t trailer)
{
    Bytes b;
    putLe32(b, type);
    putLe32(b, totalLength);
    b.insert(b.end(), body.begin(), body.end());
    putLe32(b, trailer);
    return b;
}

// An EPB body on interface 0 claiming `caplen` but holding `data`.
Bytes epbBody(uint32_t caplen, const Bytes& data)
{
    Bytes b;
    putLe32(b, 0);
    putLe32(b, 0x00060000);
    putLe32(b, 0x12345678);
    putLe32(b, caplen);
    putLe32(b, static_cast<uint32_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
    while (b.size() % 4)
        b.push_back(0);
    return b;
}

Bytes concat(Bytes a, const Bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::string write(const std::string& name, const Bytes& bytes)
{
    const std::string path = tempPath(name);
    writeFile(path, bytes);
    return path;
}

void expectRejected(const Outcome& o, const std::string& path, const std::string& what = "")
{
    EXPECT_FALSE(o.analysis) << "expected " << path << " to be refused";
    EXPECT_NE(o.error.find(path), std::string::npos) << "message does not name the file: " << o.error;
    EXPECT_GT(o.error.size(), path.size() + 8) << "message does not say what is wrong: " << o.error;
    if (!what.empty()) {
        EXPECT_NE(o.error.find(what), std::string::npos) << o.error;
    }
}

// A partial result: `kept` frames read and an error naming the file (and saying
// `what`). When the file ends inside a record, capture.truncated must be set too.
enum class Cut { FileEnds, Damage };
void expectPartial(const Outcome& o, const std::string& path, uint32_t kept, const std::string& what = "",
                   Cut cut = Cut::FileEnds)
{
    ASSERT_TRUE(o.analysis) << "expected a partial result, got: " << o.error;
    const CaptureInfo& c = o.analysis->capture;
    if (cut == Cut::FileEnds) {
        EXPECT_TRUE(c.truncated);
    }
    ASSERT_FALSE(c.errors.empty());
    EXPECT_NE(c.errors.front().find(path), std::string::npos) << c.errors.front();
    if (!what.empty()) {
        EXPECT_NE(c.errors.front().find(what), std::string::npos) << c.errors.front();
    }
    EXPECT_EQ(c.packets, kept) << c.errors.front();
    EXPECT_EQ(c.tcpPackets, kept);
}

// ====================================================================== pcap record lengths

TEST(PcapRecordLength, CaplenAllOnesEndsTheReadableFileAfterTheGoodFrames)
{
    Bytes b = goodPcap(5).bytes();
    b = concat(b, pcapRecordHeader(0xFFFFFFFFu, 60));
    b.resize(b.size() + 64, 0xAB);
    const std::string path = write("caplen-ffffffff.pcap", b);
    expectPartial(analyze(path), path, 5, "after frame 5", Cut::Damage);
}

TEST(PcapRecordLength, CaplenAboveTheMaximumSnaplen)
{
    Bytes b = goodPcap(5).bytes();
    b = concat(b, pcapRecordHeader(16u * 1024 * 1024, 60)); // 16 MiB, with 100 bytes behind it
    b.resize(b.size() + 100, 0);
    const std::string path = write("caplen-16mib.pcap", b);
    expectPartial(analyze(path), path, 5, "after frame 5", Cut::Damage);
}

TEST(PcapRecordLength, CaplenAboveTheFileSnaplenIsCutToTheSnaplen)
{
    // libpcap reads such a record (old Solaris files have them) and cuts it to the
    // file's snaplen: the frame is kept, cut short, and reading goes on.
    PcapWriter w = goodPcap(4, 128);
    Bytes b = w.bytes();
    const Bytes big = goodFrames(16)[12]; // a data segment, longer than 128 bytes
    ASSERT_GT(big.size(), 128u);
    b = concat(b, pcapRecordHeader(static_cast<uint32_t>(big.size()), static_cast<uint32_t>(big.size())));
    b = concat(b, big);
    const std::string path = write("caplen-above-snaplen.pcap", b);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.packets, 5u);
    EXPECT_EQ(o.analysis->capture.tcpPackets, 5u);
    EXPECT_FALSE(o.analysis->capture.truncated);
}

TEST(PcapRecordLength, CaplenAboveWireLengthAndZeroCaplen)
{
    PcapWriter w = goodPcap(3);
    Bytes b = w.bytes();
    b = concat(b, pcapRecordHeader(0, 1514)); // nothing captured of a full frame
    const Bytes f = goodFrames(4)[3];
    b = concat(b, pcapRecordHeader(static_cast<uint32_t>(f.size()), 20)); // wire length below caplen
    b = concat(b, f);
    const std::string path = write("caplen-odd.pcap", b);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.packets, 5u);
    EXPECT_GE(o.analysis->capture.tcpPackets, 3u);
    EXPECT_GE(o.analysis->capture.malformed, 1u); // the empty frame
    ASSERT_FALSE(o.analysis->capture.errors.empty());
    EXPECT_NE(o.analysis->capture.errors.front().find(path), std::string::npos);
}

TEST(PcapRecordLength, AbsurdSnaplenInTheFileHeader)
{
    Bytes b = goodPcap(6).bytes();
    setLe32(b, 16, 0xFFFFFFFFu);
    const std::string path = write("snaplen-ffffffff.pcap", b);
    const Outcome o = analyze(path);
    if (o.analysis) {
        EXPECT_EQ(o.analysis->capture.packets, 6u);
    } else {
        expectRejected(o, path);
    }
}

TEST(PcapRecordLength, UnsupportedLinkTypeIsReported)
{
    Bytes b = goodPcap(3).bytes();
    setLe32(b, 20, 147); // LINKTYPE_USER0
    const std::string path = write("user0.pcap", b);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.packets, 3u);
    EXPECT_EQ(o.analysis->capture.tcpPackets, 0u);
    ASSERT_FALSE(o.analysis->capture.errors.empty());
    EXPECT_NE(o.analysis->capture.errors.front().find("not supported"), std::string::npos);
    EXPECT_NE(o.analysis->capture.errors.front().find(path), std::string::npos);
}

// ====================================================================== truncation

TEST(Truncated, InsideTheFileHeader)
{
    const PcapWriter w = goodPcap(3);
    const Bytes& full = w.bytes();
    const std::string path = write("cut-file-header.pcap", Bytes(full.begin(), full.begin() + 10));
    expectRejected(analyze(path), path);
}

TEST(Truncated, InsideARecordHeader)
{
    const PcapWriter w = goodPcap(10);
    for (size_t cut : {size_t{1}, size_t{8}, size_t{15}}) {
        const std::string path = tempPath("cut-record-header-" + std::to_string(cut) + ".pcap");
        w.writeTruncated(path, w.recordOffset(7) + cut);
        expectPartial(analyze(path), path, 7, "after frame 7");
    }
}

TEST(Truncated, InsideRecordData)
{
    const PcapWriter w = goodPcap(10);
    const std::string path = tempPath("cut-record-data.pcap");
    w.writeTruncated(path, w.recordOffset(9) + 16 + 20);
    expectPartial(analyze(path), path, 9, "after frame 9");
}

TEST(Truncated, AtARecordBoundaryIsAShorterValidFile)
{
    const PcapWriter w = goodPcap(10);
    const std::string path = tempPath("cut-at-boundary.pcap");
    w.writeTruncated(path, w.recordOffset(6));
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.packets, 6u);
    EXPECT_FALSE(o.analysis->capture.truncated);
    EXPECT_TRUE(o.analysis->capture.errors.empty());
}

TEST(Truncated, PcapngInsideABlockHeaderAndInsideABlock)
{
    const PcapngWriter w = goodPcapng(8);
    const std::string header = tempPath("cut-block-header.pcapng");
    w.writeTruncated(header, w.packetOffset(5) + 6);
    expectPartial(analyze(header), header, 5, "offset " + std::to_string(w.packetOffset(5)));
    const std::string body = tempPath("cut-block-body.pcapng");
    w.writeTruncated(body, w.packetOffset(5) + 40);
    expectPartial(analyze(body), body, 5, "offset " + std::to_string(w.packetOffset(5)));
}

TEST(Truncated, PcapngInsideTheSectionHeader)
{
    const PcapngWriter w = goodPcapng(2);
    const std::string path = tempPath("cut-shb.pcapng");
    w.writeTruncated(path, 10);
    expectRejected(analyze(path), path);
}

// ====================================================================== pcapng block lengths

struct LyingBlock {
    const char* name;
    uint32_t totalLength;
    uint32_t trailer; // 0: same as totalLength
    size_t bodyBytes;
    bool truncated; // the file ends inside the block as its length tells (else: damaged)
};

class PcapngBlockLength : public testing::TestWithParam<LyingBlock> {};

TEST_P(PcapngBlockLength, FramesBeforeTheBadBlockAreKept)
{
    const LyingBlock& c = GetParam();
    PcapngWriter w = goodPcapng(4);
    const size_t badOffset = w.size();
    const Bytes body = epbBody(static_cast<uint32_t>(c.bodyBytes > 20 ? c.bodyBytes - 20 : 0),
                               Bytes(c.bodyBytes > 20 ? c.bodyBytes - 20 : 0, 0x45));
    w.addRaw(rawBlock(6, c.totalLength, body, c.trailer ? c.trailer : c.totalLength));
    // Good packets after the damage must not be read as if nothing happened.
    for (const Bytes& f : goodFrames(2))
        w.addPacket(0, T0, f);
    const std::string path = write(std::string(c.name) + ".pcapng", w.bytes());

    const Outcome o = analyze(path);
    expectPartial(o, path, 4, "offset " + std::to_string(badOffset), c.truncated ? Cut::FileEnds : Cut::Damage);

    // The built-in reader directly: the same error, frames 1-4, then Error for good.
    std::string err;
    auto r = openPcapngReader(path, err);
    ASSERT_TRUE(r) << err;
    RawFrame f;
    int frames = 0;
    CaptureReader::Status s;
    while ((s = r->next(f)) == CaptureReader::Status::Frame)
        ++frames;
    EXPECT_EQ(frames, 4);
    EXPECT_EQ(s, CaptureReader::Status::Error);
    EXPECT_EQ(r->next(f), CaptureReader::Status::Error);
    if (c.truncated) {
        EXPECT_TRUE(r->truncated()) << r->error();
    }
}

INSTANTIATE_TEST_SUITE_P(Lies, PcapngBlockLength,
                         testing::Values(LyingBlock{"total-length-0", 0, 0, 40, false},
                                         LyingBlock{"total-length-8", 8, 0, 40, false},
                                         LyingBlock{"total-length-11", 11, 0, 40, false},
                                         LyingBlock{"total-length-not-multiple-of-4", 62, 0, 40, false},
                                         LyingBlock{"total-length-larger-than-file", 0x00100000u, 0, 40, true},
                                         LyingBlock{"total-length-ffffffc", 0xFFFFFFFCu, 0, 40, false},
                                         LyingBlock{"trailing-length-mismatch", 72, 76, 60, false}),
                         [](const auto& info) {
                             std::string n = info.param.name;
                             for (char& ch : n)
                                 if (ch == '-') ch = '_';
                             return n;
                         });

TEST(PcapngBlocks, CaplenLargerThanTheBlockBody)
{
    PcapngWriter w = goodPcapng(3);
    const size_t badOffset = w.size();
    const Bytes data(40, 0x11);
    const Bytes body = epbBody(0xFFFFFFF0u, data);
    w.addRaw(rawBlock(6, static_cast<uint32_t>(body.size() + 12), body, static_cast<uint32_t>(body.size() + 12)));
    const std::string path = write("epb-caplen-huge.pcapng", w.bytes());
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.packets, 3u);
    ASSERT_FALSE(o.analysis->capture.errors.empty());
    EXPECT_NE(o.analysis->capture.errors.front().find("offset " + std::to_string(badOffset)), std::string::npos)
        << o.analysis->capture.errors.front();
}

TEST(PcapngBlocks, InterfaceIdOutOfRange)
{
    PcapngWriter w = goodPcapng(3);
    Bytes body = epbBody(40, Bytes(40, 0x22));
    setLe32(body, 0, 7);
    w.addRaw(rawBlock(6, static_cast<uint32_t>(body.size() + 12), body, static_cast<uint32_t>(body.size() + 12)));
    const std::string path = write("epb-bad-interface.pcapng", w.bytes());
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.packets, 3u);
    ASSERT_FALSE(o.analysis->capture.errors.empty());
    EXPECT_NE(o.analysis->capture.errors.front().find("interface"), std::string::npos)
        << o.analysis->capture.errors.front();
}

TEST(PcapngBlocks, OptionOverrunningItsBlock)
{
    PcapngWriter w;
    Bytes body;
    putLe16(body, 1); // Ethernet
    putLe16(body, 0);
    putLe32(body, 0); // snaplen
    putLe16(body, 9); // if_tsresol claiming 200 bytes
    putLe16(body, 200);
    putLe32(body, 6);
    w.addRaw(rawBlock(1, static_cast<uint32_t>(body.size() + 12), body, static_cast<uint32_t>(body.size() + 12)));
    w.addPacket(0, T0, goodFrames(1)[0]);
    const std::string path = write("idb-option-overrun.pcapng", w.bytes());
    const Outcome o = analyze(path);
    if (o.analysis) {
        ASSERT_FALSE(o.analysis->capture.errors.empty());
        EXPECT_NE(o.analysis->capture.errors.front().find(path), std::string::npos);
        EXPECT_NE(o.analysis->capture.errors.front().find("offset"), std::string::npos);
    } else {
        expectRejected(o, path);
    }
}

TEST(PcapngBlocks, DamagedFirstSectionHeaderIsRefused)
{
    for (uint32_t len : {0u, 8u, 13u, 0x7FFFFFFCu}) {
        Bytes b;
        putLe32(b, 0x0A0D0D0Au);
        putLe32(b, len);
        putLe32(b, 0x1A2B3C4Du);
        putLe16(b, 1);
        putLe16(b, 0);
        b.resize(28, 0xFF);
        setLe32(b, 24, 28);
        const std::string path = write("bad-shb-" + std::to_string(len) + ".pcapng", b);
        expectRejected(analyze(path), path);
    }
}

TEST(PcapngBlocks, BadByteOrderMagicIsRefused)
{
    Bytes b = goodPcapng(2).bytes();
    setLe32(b, 8, 0xDEADBEEFu);
    const std::string path = write("bad-bom.pcapng", b);
    expectRejected(analyze(path), path, "byte-order");
}

TEST(PcapngBlocks, PacketBeforeAnyInterface)
{
    PcapngWriter w; // SHB only
    const Bytes body = epbBody(40, Bytes(40, 0x33));
    w.addRaw(rawBlock(6, static_cast<uint32_t>(body.size() + 12), body, static_cast<uint32_t>(body.size() + 12)));
    const std::string path = write("epb-without-idb.pcapng", w.bytes());
    const Outcome o = analyze(path);
    if (o.analysis) {
        EXPECT_EQ(o.analysis->capture.packets, 0u);
        ASSERT_FALSE(o.analysis->capture.errors.empty());
        EXPECT_NE(o.analysis->capture.errors.front().find(path), std::string::npos);
    } else {
        expectRejected(o, path);
    }
}

// ====================================================================== IP / TCP header lengths

// IPv4 + TCP (no options, no payload) from the fixture writer: 40 bytes.
Bytes plainIpv4Tcp()
{
    TcpSegment s;
    s.flags = tcpflag::ACK;
    return buildIpTcp(s);
}

Bytes plainIpv6Tcp()
{
    TcpSegment s;
    s.src = "2001:db8::1";
    s.dst = "2001:db8::2";
    s.flags = tcpflag::ACK;
    return buildIpTcp(s);
}

void setBe16(Bytes& b, size_t at, uint16_t v)
{
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}

struct HeaderDamage {
    const char* name;
    Bytes ip; // a raw IP packet (DLT_RAW)
    DecodeStatus expected;
    const char* reasonPart; // part of the decoder's reason, for Malformed
};

std::vector<HeaderDamage> headerDamages()
{
    std::vector<HeaderDamage> v;
    {
        Bytes p = plainIpv4Tcp();
        p[0] = 0x4F; // IHL 60 bytes in a 40-byte packet
        v.push_back({"ipv4_ihl_past_packet", p, DecodeStatus::Malformed, "IPv4"});
    }
    {
        Bytes p = plainIpv4Tcp();
        p[0] = 0x43; // IHL 12
        v.push_back({"ipv4_ihl_below_20", p, DecodeStatus::Malformed, "IPv4"});
    }
    {
        Bytes p = plainIpv4Tcp();
        setBe16(p, 2, 16); // total length below the header
        v.push_back({"ipv4_total_below_header", p, DecodeStatus::Malformed, "IPv4"});
    }
    {
        Bytes p = plainIpv4Tcp();
        setBe16(p, 2, 30); // TCP segment of 10 bytes
        v.push_back({"ipv4_total_cuts_tcp_header", p, DecodeStatus::Malformed, "TCP"});
    }
    {
        Bytes p = plainIpv4Tcp();
        p[32] = 0xF0; // TCP data offset 60 bytes in a 20-byte segment
        v.push_back({"tcp_data_offset_past_segment", p, DecodeStatus::Malformed, "TCP"});
    }
    {
        Bytes p = plainIpv4Tcp();
        p[32] = 0x20; // data offset 8 bytes
        v.push_back({"tcp_data_offset_below_5", p, DecodeStatus::Malformed, "TCP"});
    }
    {
        Bytes p = plainIpv4Tcp();
        p.resize(30); // capture ends inside the TCP header
        v.push_back({"tcp_header_cut_by_capture", p, DecodeStatus::Malformed, "TCP"});
    }
    {
        Bytes p = plainIpv4Tcp();
        p.resize(12);
        v.push_back({"ipv4_header_cut_by_capture", p, DecodeStatus::Malformed, "IPv4"});
    }
    {
        Bytes p = plainIpv6Tcp();
        setBe16(p, 4, 8); // payload length 8: the TCP header does not fit
        v.push_back({"ipv6_payload_cuts_tcp_header", p, DecodeStatus::Malformed, "TCP"});
    }
    {
        Bytes p = plainIpv6Tcp();
        p.resize(33);
        v.push_back({"ipv6_header_cut_by_capture", p, DecodeStatus::Malformed, "IPv6"});
    }
    {
        Bytes p = plainIpv4Tcp();
        setBe16(p, 2, 60000); // IP says 60000 bytes; 40 captured: a snaplen cut, still TCP
        v.push_back({"ipv4_total_beyond_capture", p, DecodeStatus::Tcp, nullptr});
    }
    return v;
}

TEST(HeaderLengths, DecoderSaysWhatIsWrong)
{
    for (const HeaderDamage& d : headerDamages()) {
        SCOPED_TRACE(d.name);
        // An exact-size heap copy so a sanitizer build catches any overread.
        std::vector<uint8_t> exact(d.ip.begin(), d.ip.end());
        DecodedPacket out;
        const DecodeResult r = decodeFrame(linktype::Raw, exact.data(), exact.size(), out);
        EXPECT_EQ(r.status, d.expected) << (r.error ? r.error : "");
        if (d.expected == DecodeStatus::Malformed) {
            ASSERT_NE(r.error, nullptr);
            EXPECT_NE(std::string(r.error).find(d.reasonPart), std::string::npos) << r.error;
        } else {
            EXPECT_TRUE(out.truncated);
        }
        // Inside every other link layer too.
        for (Link link : AllLinks) {
            const Bytes f = wrapLink(link, d.ip, (d.ip[0] >> 4) == 6 ? 6 : 4);
            std::vector<uint8_t> ex(f.begin(), f.end());
            EXPECT_EQ(decodeFrame(dltOf(link), ex.data(), ex.size(), out).status, d.expected) << linkName(link);
        }
    }
}

TEST(HeaderLengths, DamagedFramesAreCountedAndTheRestAnalysed)
{
    const std::vector<HeaderDamage> damages = headerDamages();
    const std::vector<Bytes> good = goodFrames(24);
    PcapWriter w(linktypeOf(Link::Ethernet));
    uint32_t frame = 0, firstBad = 0, bad = 0;
    for (size_t i = 0; i < good.size(); ++i) {
        w.add(T0 + static_cast<int64_t>(++frame), good[i]);
        if (i >= 4 && i - 4 < damages.size() && damages[i - 4].expected == DecodeStatus::Malformed) {
            const HeaderDamage& d = damages[i - 4];
            w.add(T0 + static_cast<int64_t>(++frame), wrapLink(Link::Ethernet, d.ip, (d.ip[0] >> 4) == 6 ? 6 : 4));
            if (!firstBad) firstBad = frame;
            ++bad;
        }
    }
    const std::string path = tempPath("damaged-headers.pcap");
    w.write(path);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    const CaptureInfo& c = o.analysis->capture;
    EXPECT_EQ(c.packets, frame);
    EXPECT_EQ(c.malformed, bad);
    EXPECT_EQ(c.tcpPackets, good.size());
    EXPECT_FALSE(c.truncated);
    ASSERT_EQ(c.errors.size(), 1u);
    EXPECT_NE(c.errors[0].find(path), std::string::npos);
    EXPECT_NE(c.errors[0].find("first: frame " + std::to_string(firstBad)), std::string::npos) << c.errors[0];
    EXPECT_EQ(o.analysis->flows.size(), 4u); // the good connections are all there
}

// ====================================================================== TCP options

// IPv4 + TCP with the given option bytes (padded to 4 with EOL) and a claimed
// data offset (0: the real one).
Bytes withOptions(Bytes opts, uint8_t dataOffsetWords = 0)
{
    while (opts.size() % 4)
        opts.push_back(0);
    Bytes p = plainIpv4Tcp();
    p.insert(p.end(), opts.begin(), opts.end());
    p[32] = static_cast<uint8_t>((dataOffsetWords ? dataOffsetWords : (20 + opts.size()) / 4) << 4);
    setBe16(p, 2, static_cast<uint16_t>(p.size()));
    return p;
}

TEST(TcpOptions, LoopingAndOverrunningListsStopAndKeepWhatWasParsed)
{
    struct Case {
        const char* name;
        Bytes opts;
        bool mssKept;
    };
    const std::vector<Case> cases = {
        {"zero_length_option", {2, 4, 0x05, 0xb4, 8, 0, 1, 1}, true}, // would loop on i += 0
        {"length_one_option", {2, 4, 0x05, 0xb4, 3, 1, 1, 1}, true},  // ... or i += 1
        {"option_past_header", {2, 4, 0x05, 0xb4, 8, 40, 0, 0}, true},
        {"length_255", {2, 4, 0x05, 0xb4, 5, 255, 0, 0}, true},
        {"kind_without_length_byte", {1, 1, 1, 2}, false},
        {"forty_nops", Bytes(40, 1), false},
        {"eol_then_garbage", {0, 2, 0, 0, 8, 0, 0, 0}, false},
        {"unknown_kinds_chain", {99, 2, 99, 2, 99, 2, 254, 6, 0, 0, 0, 0, 2, 4, 1, 0}, true},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const Bytes p = withOptions(c.opts);
        ASSERT_LE(p.size(), 80u);
        std::vector<uint8_t> exact(p.begin(), p.end());
        DecodedPacket out;
        const DecodeResult r = decodeFrame(linktype::Raw, exact.data(), exact.size(), out);
        EXPECT_EQ(r.status, DecodeStatus::Tcp) << (r.error ? r.error : "");
        EXPECT_EQ(out.hasMss, c.mssKept);
    }
}

TEST(TcpOptions, DataOffsetClaimsOptionsThatAreNotCaptured)
{
    // Data offset 15 (40 bytes of options) with an IP length to match, but the
    // capture stops after 4 option bytes: decoded as a cut-short TCP segment.
    Bytes p = withOptions({2, 4, 0x05, 0xb4}, 15);
    setBe16(p, 2, 20 + 60);
    std::vector<uint8_t> exact(p.begin(), p.end());
    DecodedPacket out;
    const DecodeResult r = decodeFrame(linktype::Raw, exact.data(), exact.size(), out);
    EXPECT_EQ(r.status, DecodeStatus::Tcp);
    EXPECT_TRUE(out.truncated);
    EXPECT_TRUE(out.hasMss);
}

// ====================================================================== IPv6 extension headers

// IPv6 + `chain` extension headers (each 8 bytes, next-header values as given,
// the last one pointing at `final`) + TCP.
Bytes ipv6Chain(const std::vector<uint8_t>& chain, uint8_t finalNext = 6, uint8_t extLenField = 0)
{
    const Bytes base = plainIpv6Tcp();
    Bytes p(base.begin(), base.begin() + 40);
    p[6] = chain.empty() ? finalNext : chain[0];
    for (size_t i = 0; i < chain.size(); ++i) {
        p.push_back(i + 1 < chain.size() ? chain[i + 1] : finalNext);
        p.push_back(extLenField);
        p.resize(p.size() + 6 + extLenField * 8u, 0);
    }
    p.insert(p.end(), base.begin() + 40, base.end());
    setBe16(p, 4, static_cast<uint16_t>(p.size() - 40));
    return p;
}

TEST(Ipv6ExtensionHeaders, LongLoopingAndOverrunningChains)
{
    struct Case {
        const char* name;
        Bytes ip;
        DecodeStatus expected;
    };
    std::vector<Case> cases;
    cases.push_back({"fifteen_headers_then_tcp", ipv6Chain(std::vector<uint8_t>(15, 60)), DecodeStatus::Tcp});
    cases.push_back({"mixed_chain", ipv6Chain({0, 43, 60, 44, 60}), DecodeStatus::Tcp});
    cases.push_back({"forty_headers", ipv6Chain(std::vector<uint8_t>(40, 60)), DecodeStatus::Malformed});
    cases.push_back({"hop_by_hop_forever", ipv6Chain(std::vector<uint8_t>(200, 0), 0), DecodeStatus::Malformed});
    {
        // Every header says "next: routing", up to the end of the packet: no TCP ever.
        Bytes p = ipv6Chain(std::vector<uint8_t>(6, 43), 43);
        cases.push_back({"chain_running_off_the_packet", p, DecodeStatus::Malformed});
    }
    {
        // Header extension length 255 (2 KiB) inside a 36-byte payload.
        Bytes p = ipv6Chain({60});
        p[41] = 255;
        cases.push_back({"ext_length_past_payload", p, DecodeStatus::Malformed});
    }
    {
        // Payload length claims the chain, the capture stops inside it.
        Bytes p = ipv6Chain({0, 60, 43}, 6, 4);
        p.resize(40 + 20);
        cases.push_back({"chain_cut_by_capture", p, DecodeStatus::Malformed});
    }
    {
        Bytes p = ipv6Chain({44});
        p[42] = 0x01; // fragment offset != 0
        cases.push_back({"later_fragment", p, DecodeStatus::Fragment});
    }
    {
        Bytes p = ipv6Chain({51});
        p[41] = 200; // AH length (200 + 2) * 4
        cases.push_back({"ah_length_past_payload", p, DecodeStatus::Malformed});
    }
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        std::vector<uint8_t> exact(c.ip.begin(), c.ip.end());
        DecodedPacket out;
        const DecodeResult r = decodeFrame(linktype::Ipv6, exact.data(), exact.size(), out);
        EXPECT_EQ(r.status, c.expected) << (r.error ? r.error : "");
        if (r.status == DecodeStatus::Malformed) {
            ASSERT_NE(r.error, nullptr);
            EXPECT_NE(std::string(r.error).find("IPv6"), std::string::npos) << r.error;
        }
    }
}

// ====================================================================== not captures at all

TEST(ForeignFiles, ZeroLengthFile)
{
    const std::string path = write("empty.pcap", {});
    expectRejected(analyze(path), path, "empty");
}

TEST(ForeignFiles, TooShortForAHeader)
{
    const std::string path = write("three-bytes.pcap", {0xd4, 0xc3, 0xb2});
    expectRejected(analyze(path), path);
}

TEST(ForeignFiles, PngImage)
{
    const Bytes png = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I',  'H',  'D',  'R', 0,
                       0,    0,   1,   0,   0,    0,    1,    8,    6, 0, 0, 0,  0x1f, 0x15, 0xc4, 0x89};
    const std::string path = write("picture.pcap", png);
    expectRejected(analyze(path), path, "not a pcap or pcapng");
}

TEST(ForeignFiles, TextFile)
{
    const std::string text = "tcpdump: listening on eth0, link-type EN10MB\n10:00:00.000 IP a > b: Flags [S]\n";
    const std::string path = write("notes.pcap", Bytes(text.begin(), text.end()));
    expectRejected(analyze(path), path, "not a pcap or pcapng");
}

TEST(ForeignFiles, ElfExecutable)
{
    std::ifstream self("/proc/self/exe", std::ios::binary);
    ASSERT_TRUE(self);
    Bytes elf(8192);
    self.read(reinterpret_cast<char*>(elf.data()), static_cast<std::streamsize>(elf.size()));
    elf.resize(static_cast<size_t>(self.gcount()));
    ASSERT_EQ(elf[0], 0x7f);
    const std::string path = write("program.pcapng", elf);
    expectRejected(analyze(path), path, "not a pcap or pcapng");
}

TEST(ForeignFiles, PcapMagicFollowedByGarbage)
{
    Bytes b = {0xd4, 0xc3, 0xb2, 0xa1};
    for (int i = 0; i < 40; ++i)
        b.push_back(static_cast<uint8_t>(i * 37));
    const std::string path = write("magic-garbage.pcap", b);
    const Outcome o = analyze(path);
    if (o.analysis) {
        EXPECT_TRUE(o.analysis->capture.truncated || !o.analysis->capture.errors.empty());
    } else {
        expectRejected(o, path);
    }
}

TEST(ForeignFiles, PcapngMagicFollowedByGarbage)
{
    Bytes b = {0x0a, 0x0d, 0x0d, 0x0a};
    for (int i = 0; i < 60; ++i)
        b.push_back(static_cast<uint8_t>(i * 53 + 1));
    const std::string path = write("magic-garbage.pcapng", b);
    expectRejected(analyze(path), path);
}

TEST(ForeignFiles, ADirectory)
{
    const std::string path = tempPath("a-directory.pcap");
    fs::create_directories(path);
    expectRejected(analyze(path), path, "directory");
}

TEST(ForeignFiles, AMissingFile)
{
    const std::string path = tempPath("does-not-exist.pcap");
    expectRejected(analyze(path), path);
}

TEST(ForeignFiles, DevNull)
{
    expectRejected(analyze("/dev/null"), "/dev/null");
}

TEST(ForeignFiles, HeaderOnlyFilesAreEmptyCaptures)
{
    const PcapWriter pcap(1);
    const std::string p1 = write("header-only.pcap", pcap.bytes());
    const Outcome o1 = analyze(p1);
    ASSERT_TRUE(o1.analysis) << o1.error;
    EXPECT_EQ(o1.analysis->capture.packets, 0u);
    EXPECT_FALSE(o1.analysis->capture.truncated);

    const PcapngWriter ng;
    const std::string p2 = write("shb-only.pcapng", ng.bytes());
    const Outcome o2 = analyze(p2);
    ASSERT_TRUE(o2.analysis) << o2.error;
    EXPECT_EQ(o2.analysis->capture.packets, 0u);
    EXPECT_FALSE(o2.analysis->capture.truncated);
}

// ====================================================================== bounded time

// KNOWN HANG (issue 6, found by the hostile review): TcpTracker::judgeRstOutcomes
// scans forward from every RST while packets are no later than the RST plus the
// RTT ("crossing"), so a flow of N RSTs with equal timestamps costs O(N^2):
// 20,000 RSTs (1.4 MB) take ~50 s and 40,000 ~150 s in the ASan build. Enable
// this test once that scan is linear.
TEST(BoundedTime, RstFloodWithEqualTimestamps)
{
    PcapWriter w(linktypeOf(Link::Ethernet));
    TcpSegment s;
    s.flags = tcpflag::PSH | tcpflag::ACK;
    s.payloadLen = 10;
    w.add(T0, buildFrame(Link::Ethernet, s));
    s.flags = tcpflag::RST;
    s.payloadLen = 0;
    for (uint32_t i = 0; i < 20000; ++i) {
        s.seq = 2000 + i;
        w.add(T0, buildFrame(Link::Ethernet, s));
    }
    const std::string path = tempPath("rst-flood.pcap");
    w.write(path);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    EXPECT_EQ(o.analysis->capture.tcpPackets, 20001u);
}

} // namespace

// A pcapng timestamp far outside any real capture (64-bit ticks allow them) is clamped to 2^62 ns after the epoch (year
// 2116) and reported, so durations and reports never overflow.
TEST(PcapngTimestamps, AbsurdTimestampIsClampedAndReported)
{
    PcapngWriter w = goodPcapng(3);
    Bytes body;
    putLe32(body, 0);                                  // interface 0
    const uint64_t ticks = 5'000'000'000'000'000ull;   // microseconds: 5e18 ns, the year 2128
    putLe32(body, static_cast<uint32_t>(ticks >> 32)); // timestamp, high word
    putLe32(body, static_cast<uint32_t>(ticks));       // timestamp, low word
    const Bytes frame = goodFrames(1).front();
    putLe32(body, static_cast<uint32_t>(frame.size()));
    putLe32(body, static_cast<uint32_t>(frame.size()));
    body.insert(body.end(), frame.begin(), frame.end());
    while (body.size() % 4)
        body.push_back(0);
    w.addBlock(6, body);
    const std::string path = tempPath("absurd-ts.pcapng");
    w.write(path);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    const auto& c = o.analysis->capture;
    EXPECT_EQ(c.packets, 4u);
    EXPECT_GE(c.firstNs, 0);
    EXPECT_EQ(c.lastNs, (int64_t{1} << 62) - 1);
    ASSERT_FALSE(c.errors.empty());
    EXPECT_NE(c.errors.back().find("clamped (first: frame 4)"), std::string::npos) << c.errors.back();
    EXPECT_NO_THROW((void)flowladder::core::analysisToJson(*o.analysis).dump());
    std::remove(path.c_str());
}

// A clock that runs backwards across the handshake (here the SYN at the clamp limit in 2116,
// its SYN-ACK in 2001) gives no round-trip time: it stays unknown instead of a huge negative
// value that later arithmetic (the challenge-ACK wait, four round trips) would overflow.
TEST(PcapngTimestamps, HandshakeAgainstTheClockGivesNoRoundTrip)
{
    PcapngWriter w;
    w.addInterface(linktypeOf(Link::Ethernet), 6); // microseconds
    const auto epb = [&w](uint64_t ticks, const TcpSegment& seg) {
        Bytes body;
        const Bytes frame = buildFrame(Link::Ethernet, seg);
        putLe32(body, 0);
        putLe32(body, static_cast<uint32_t>(ticks >> 32));
        putLe32(body, static_cast<uint32_t>(ticks));
        putLe32(body, static_cast<uint32_t>(frame.size()));
        putLe32(body, static_cast<uint32_t>(frame.size()));
        body.insert(body.end(), frame.begin(), frame.end());
        while (body.size() % 4)
            body.push_back(0);
        w.addBlock(6, body);
    };
    TcpSegment c, sv;
    sv.src = c.dst;
    sv.dst = c.src;
    sv.sport = c.dport;
    sv.dport = c.sport;
    const uint64_t y2001 = 1'000'000'000'000'000ull, y2128 = 5'000'000'000'000'000ull;
    c.flags = tcpflag::SYN, c.seq = 100;
    epb(y2128, c);
    sv.flags = tcpflag::SYN | tcpflag::ACK, sv.seq = 500, sv.ack = 101;
    epb(y2001, sv);
    c.flags = tcpflag::ACK, c.seq = 101, c.ack = 501;
    epb(y2001 + 1, c);
    c.flags = tcpflag::RST, c.seq = 150; // inside the window, not RCV.NXT: a challenge is due
    epb(y2001 + 2, c);
    sv.flags = tcpflag::ACK, sv.seq = 501, sv.ack = 101; // the challenge ACK
    epb(y2001 + 3, sv);
    const std::string path = tempPath("backwards-handshake.pcapng");
    w.write(path);
    const Outcome o = analyze(path);
    ASSERT_TRUE(o.analysis) << o.error;
    ASSERT_EQ(o.analysis->flows.size(), 1u);
    const Flow& f = o.analysis->flows[0];
    EXPECT_EQ(f.side(Side::Server).rttNs, -1);
    EXPECT_EQ(f.side(Side::Client).rttNs, 1000); // SYN-ACK to ACK: 1 us, forwards
    EXPECT_NO_THROW((void)flowladder::core::analysisToJson(*o.analysis).dump());
    std::remove(path.c_str());
}
