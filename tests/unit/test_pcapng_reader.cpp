// The built-in pcapng reader: synthetic files from the test CaptureWriter,
// damaged files, and (when present) the public sample captures.

#include "core/capture/PcapngReader.h"
#include "tests/support/CaptureWriter.h"
#include "tests/support/TempDir.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <random>
#include <string>
#include <vector>

using namespace flowladder::core;
using namespace flowladder::testsupport;
namespace fs = std::filesystem;

namespace {

std::string tempPath(const std::string& name)
{
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    return flowladder::testsupport::processTempPath(std::string(info->test_suite_name()) + "_" + info->name() + "_" +
                                                    name);
}

struct ReadAll {
    std::vector<RawFrame> frames;
    std::vector<Bytes> data;
    CaptureReader::Status last = CaptureReader::Status::End;
    std::string error;
    bool truncated = false;
};

ReadAll readAll(CaptureReader& r)
{
    ReadAll out;
    RawFrame f;
    while ((out.last = r.next(f)) == CaptureReader::Status::Frame) {
        out.frames.push_back(f);
        out.data.emplace_back(f.data, f.data + f.caplen);
        if (out.frames.size() > 10'000'000) break; // never loops forever
    }
    out.error = r.error();
    out.truncated = r.truncated();
    return out;
}

std::unique_ptr<CaptureReader> openOk(const std::string& path)
{
    std::string err;
    auto r = openPcapngReader(path, err);
    EXPECT_TRUE(r) << err;
    return r;
}

TcpSegment syn(const std::string& src = "10.0.0.1", const std::string& dst = "10.0.0.2")
{
    TcpSegment s;
    s.src = src;
    s.dst = dst;
    s.flags = 0x02;
    s.seq = 1000;
    s.mss = 1460;
    s.wscale = 7;
    s.sackPerm = true;
    s.tsVal = 12345;
    return s;
}

TcpSegment data(uint32_t seq, uint32_t len, const std::string& src = "10.0.0.1", const std::string& dst = "10.0.0.2")
{
    TcpSegment s;
    s.src = src;
    s.dst = dst;
    s.flags = 0x18;
    s.seq = seq;
    s.ack = 5000;
    s.payloadLen = len;
    return s;
}

constexpr int64_t T0 = 1'700'000'000'123'456'789LL; // a timestamp with ns digits

// Appends a block with a lying/odd header: type, leading length, body bytes, trailing length.
void addLyingBlock(PcapngWriter& w, uint32_t type, uint32_t lead, const Bytes& body, uint32_t trail)
{
    Bytes b;
    w.put32(b, type);
    w.put32(b, lead);
    b.insert(b.end(), body.begin(), body.end());
    w.put32(b, trail);
    w.addRaw(b);
}

} // namespace

TEST(PcapngReader, TwoInterfacesWithDifferentLinkTypes)
{
    PcapngWriter w;
    const uint32_t eth = w.addInterface(1, 9);   // nanoseconds
    const uint32_t raw = w.addInterface(101, 6); // LINKTYPE_RAW, microseconds
    w.addBlock(4, Bytes(8, 0));                  // a Name Resolution Block: skipped
    const Bytes f1 = buildFrame(Link::Ethernet, syn());
    const Bytes f2 = buildFrame(Link::RawIp, data(1001, 100, "2001:db8::1", "2001:db8::2"));
    const Bytes f3 = buildFrame(Link::Ethernet, data(1001, 10));
    w.addPacket(eth, T0, f1);
    w.addPacket(Packet{T0 + 1500, f2, 0, raw}, /*withComment=*/true);
    w.addBlock(5, Bytes(20, 0));         // an Interface Statistics Block: skipped
    w.addBlock(0x40000BAD, Bytes(8, 1)); // a custom block: Wireshark numbers it as a frame
    w.addPacket(eth, T0 + 2'000'000'001, f3);
    const std::string path = tempPath("mixed.pcapng");
    w.write(path);

    auto r = openOk(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->format(), CaptureFormat::PcapNg);
    EXPECT_EQ(r->dlt(), 1);
    EXPECT_EQ(r->fileSize(), w.size());
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.last, CaptureReader::Status::End) << all.error;
    ASSERT_EQ(all.frames.size(), 3u);
    EXPECT_EQ(all.frames[0].frame, 1u);
    EXPECT_EQ(all.frames[1].frame, 2u);
    EXPECT_EQ(all.frames[2].frame, 4u); // frame 3 is the custom block in Wireshark
    EXPECT_EQ(all.frames[0].dlt, 1);
    EXPECT_EQ(all.frames[1].dlt, 12); // LINKTYPE_RAW is reported as DLT_RAW, as libpcap does
    EXPECT_EQ(all.frames[2].dlt, 1);
    EXPECT_EQ(all.frames[0].tsNs, T0);                               // ns resolution keeps every digit
    EXPECT_EQ(all.frames[1].tsNs, (T0 + 1500) - (T0 + 1500) % 1000); // us resolution: truncated to us
    EXPECT_EQ(all.frames[2].tsNs, T0 + 2'000'000'001);
    EXPECT_EQ(all.data[0], f1);
    EXPECT_EQ(all.data[1], f2);
    EXPECT_EQ(all.data[2], f3);
    EXPECT_EQ(all.frames[1].caplen, f2.size());
    EXPECT_EQ(all.frames[1].wirelen, f2.size());
    EXPECT_EQ(r->position(), r->fileSize());
    EXPECT_FALSE(r->truncated());
    // End is sticky.
    RawFrame f;
    EXPECT_EQ(r->next(f), CaptureReader::Status::End);
}

TEST(PcapngReader, BigEndianWithOffsetAndPowerOfTwoResolution)
{
    PcapngWriter w(/*bigEndian=*/true);
    const uint32_t a = w.addInterface(113, 0x80 | 20, 0, /*tsoffset=*/1000); // 2^-20 s, +1000 s
    const uint32_t b = w.addInterface(276, 3);                               // milliseconds
    const Bytes f1 = buildFrame(Link::Sll, syn());
    const Bytes f2 = buildFrame(Link::Sll2, data(1, 1, "10.0.0.2", "10.0.0.1"));
    w.addPacket(a, T0, f1);
    w.addPacket(b, T0, f2);
    w.addObsoletePacket(Packet{T0 + 5'000'000, f2, 0, b});
    const std::string path = tempPath("be.pcapng");
    w.write(path);

    auto r = openOk(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->dlt(), 113);
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.last, CaptureReader::Status::End) << all.error;
    ASSERT_EQ(all.frames.size(), 3u);
    EXPECT_EQ(all.frames[0].dlt, 113);
    EXPECT_EQ(all.frames[1].dlt, 276);
    EXPECT_EQ(all.frames[2].dlt, 276);
    EXPECT_NEAR(static_cast<double>(all.frames[0].tsNs - T0), 0.0, 1000.0); // 2^-20 s is ~954 ns
    EXPECT_LE(all.frames[0].tsNs, T0);
    EXPECT_EQ(all.frames[1].tsNs, T0 - T0 % 1'000'000);
    EXPECT_EQ(all.frames[2].tsNs, T0 + 5'000'000 - T0 % 1'000'000);
    EXPECT_EQ(all.data[0], f1);
    EXPECT_EQ(all.data[1], f2);
    EXPECT_EQ(all.data[2], f2);
}

TEST(PcapngReader, PowerOfTwoTimestampConversionIsExact)
{
    PcapngWriter w;
    w.addInterface(1, 0x80 | 30); // 2^-30 s
    w.addInterface(1, 0x80 | 0);  // whole seconds
    w.addInterface(1, 12);        // picoseconds
    const Bytes f = buildFrame(Link::Ethernet, syn());
    w.addPacket(0, T0, f);
    w.addPacket(1, T0, f);
    const int64_t small = 1'000'000'123; // picoseconds since 1970 overflow 64 bits after ~213 days
    w.addPacket(2, small, f);
    const std::string path = tempPath("res.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.frames.size(), 3u) << all.error;
    const uint64_t ticks = PcapngWriter::toTicks(T0, 0x80 | 30);
    const int64_t expected = static_cast<int64_t>((ticks >> 30) * 1'000'000'000ull +
                                                  (((ticks & ((1ull << 30) - 1)) * 1'000'000'000ull) >> 30));
    EXPECT_EQ(all.frames[0].tsNs, expected);
    EXPECT_EQ(all.frames[1].tsNs, T0 - T0 % 1'000'000'000);
    EXPECT_EQ(all.frames[2].tsNs, small);
}

TEST(PcapngReader, SimplePacketBlockUsesInterfaceZeroAndItsSnaplen)
{
    PcapngWriter w;
    w.addInterface(1, 6, /*snaplen=*/96);
    const Bytes full = buildFrame(Link::Ethernet, data(1, 200));
    const Packet cut = capped(full, 96);
    w.addSimplePacket(cut.data, cut.origLen);
    w.addPacket(Packet{T0, cut.data, cut.origLen, 0});
    const std::string path = tempPath("spb.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.last, CaptureReader::Status::End) << all.error;
    ASSERT_EQ(all.frames.size(), 2u);
    EXPECT_EQ(all.frames[0].frame, 1u);
    EXPECT_EQ(all.frames[0].caplen, 96u);
    EXPECT_EQ(all.frames[0].wirelen, full.size());
    EXPECT_EQ(all.frames[0].tsNs, 0); // a Simple Packet Block has no timestamp
    EXPECT_EQ(all.data[0], Bytes(full.begin(), full.begin() + 96));
    EXPECT_EQ(all.frames[1].caplen, 96u);
    EXPECT_EQ(all.frames[1].wirelen, full.size());
}

TEST(PcapngReader, SimplePacketBlockWithoutSnaplenCapturesWholePacket)
{
    PcapngWriter w;
    w.addInterface(12 + 89); // LINKTYPE_RAW, snaplen 0 = unlimited
    const Bytes ip = buildIpTcp(data(7, 33));
    w.addSimplePacket(ip);
    const std::string path = tempPath("spb0.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.frames.size(), 1u) << all.error;
    EXPECT_EQ(all.frames[0].dlt, 12);
    EXPECT_EQ(all.data[0], ip);
}

TEST(PcapngReader, SimplePacketBlockShorterThanItsPacketIsAnError)
{
    PcapngWriter w;
    w.addInterface(1); // no snaplen: SPB must hold the whole original length
    const Bytes f = buildFrame(Link::Ethernet, syn());
    w.addSimplePacket(f, static_cast<uint32_t>(f.size() + 100));
    const std::string path = tempPath("spbshort.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    EXPECT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_NE(all.error.find("exceeds the block body"), std::string::npos) << all.error;
}

TEST(PcapngReader, SectionsResetInterfacesAndMayChangeByteOrder)
{
    PcapngWriter le;
    le.addInterface(1, 9);
    const Bytes f1 = buildFrame(Link::Ethernet, syn());
    le.addPacket(0, T0, f1);
    PcapngWriter be(/*bigEndian=*/true); // starts with its own SHB
    be.addInterface(113, 6);
    const Bytes f2 = buildFrame(Link::Sll, syn("10.1.1.1", "10.1.1.2"));
    be.addPacket(0, T0 + 1000, f2);
    Bytes both = le.bytes();
    both.insert(both.end(), be.bytes().begin(), be.bytes().end());
    const std::string path = tempPath("sections.pcapng");
    writeFile(path, both);

    auto r = openOk(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->dlt(), 1); // the first interface of the file
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.last, CaptureReader::Status::End) << all.error;
    ASSERT_EQ(all.frames.size(), 2u);
    EXPECT_EQ(all.frames[1].frame, 2u); // numbering continues across sections
    EXPECT_EQ(all.frames[1].dlt, 113);
    EXPECT_EQ(all.frames[1].tsNs, T0 + 1000 - T0 % 1000);
    EXPECT_EQ(all.data[1], f2);
}

TEST(PcapngReader, InterfaceOfAnEarlierSectionIsOutOfRange)
{
    PcapngWriter w;
    w.addInterface(1);
    w.addInterface(113);
    w.newSection();
    w.addInterface(1);
    const Bytes f = buildFrame(Link::Ethernet, syn());
    w.addPacket(0, T0, f);
    w.addPacket(1, T0, f); // interface 1 belonged to the first section
    const std::string path = tempPath("oldiface.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    EXPECT_EQ(all.frames.size(), 1u);
    ASSERT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_FALSE(all.truncated);
    EXPECT_NE(all.error.find("interface id 1 out of range"), std::string::npos) << all.error;
    EXPECT_NE(all.error.find("at offset " + std::to_string(w.packetOffset(1))), std::string::npos) << all.error;
    EXPECT_EQ(all.error.rfind(path + ": ", 0), 0u) << all.error;
}

TEST(PcapngReader, TruncatedInsideABlock)
{
    PcapngWriter w;
    w.addInterface(1, 9);
    for (int i = 0; i < 4; ++i)
        w.addPacket(0, T0 + i, buildFrame(Link::Ethernet, data(1 + 100 * i, 100)));
    const std::string path = tempPath("trunc.pcapng");
    w.writeTruncated(path, w.packetOffset(2) + 40);

    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    EXPECT_EQ(all.frames.size(), 2u); // what came before is kept
    ASSERT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_TRUE(all.truncated);
    EXPECT_NE(all.error.find("file ends inside a block"), std::string::npos) << all.error;
    EXPECT_NE(all.error.find("at offset " + std::to_string(w.packetOffset(2))), std::string::npos) << all.error;
    // The error is sticky.
    RawFrame f;
    EXPECT_EQ(r->next(f), CaptureReader::Status::Error);
    EXPECT_EQ(r->error(), all.error);
}

TEST(PcapngReader, TruncatedInsideABlockHeader)
{
    PcapngWriter w;
    w.addInterface(1, 9);
    for (int i = 0; i < 3; ++i)
        w.addPacket(0, T0 + i, buildFrame(Link::Ethernet, syn()));
    const std::string path = tempPath("trunchdr.pcapng");
    w.writeTruncated(path, w.packetOffset(1) + 5);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    EXPECT_EQ(all.frames.size(), 1u);
    EXPECT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_TRUE(all.truncated);
    EXPECT_NE(all.error.find("block header"), std::string::npos) << all.error;
}

TEST(PcapngReader, EveryPrefixEndsCleanlyOrAsTruncated)
{
    PcapngWriter w;
    w.addInterface(1, 9);
    w.addInterface(101, 6, 96);
    w.addPacket(0, T0, buildFrame(Link::Ethernet, syn()));
    w.addBlock(4, Bytes(8, 0));
    w.addSimplePacket(buildIpTcp(data(1, 20)));
    w.addPacket(Packet{T0 + 1, buildIpTcp(data(21, 20)), 0, 1}, true);
    const Bytes full = w.bytes();
    uint32_t shbLength;
    std::memcpy(&shbLength, full.data() + 4, 4); // little-endian writer on a little-endian host
    const std::string path = tempPath("prefix.pcapng");
    for (size_t len = 0; len <= full.size(); ++len) {
        w.writeTruncated(path, len);
        std::string err;
        auto r = openPcapngReader(path, err);
        if (!r) {
            EXPECT_LT(len, shbLength) << "only a cut inside the first section header may fail to open";
            EXPECT_FALSE(err.empty());
            continue;
        }
        const ReadAll all = readAll(*r);
        EXPECT_LE(all.frames.size(), 3u);
        if (all.last == CaptureReader::Status::Error) {
            EXPECT_TRUE(all.truncated) << len << ": " << all.error;
        }
        if (len == full.size()) {
            EXPECT_EQ(all.last, CaptureReader::Status::End);
            EXPECT_EQ(all.frames.size(), 3u);
        }
        EXPECT_LE(r->position(), len);
    }
}

TEST(PcapngReader, LyingBlockLengths)
{
    struct Case {
        const char* name;
        uint32_t lead;
        size_t bodyBytes;
        uint32_t trail;
        const char* message;
        bool truncated;
    };
    const Case cases[] = {
        {"too small", 8, 0, 8, "is less than 12", false},
        {"not a multiple of 4", 34, 20, 34, "not a multiple of 4", false},
        {"larger than the file", 4000, 20, 4000, "file ends inside a block", true},
        {"larger than the cap", 0x7ffffff0u, 20, 0x7ffffff0u, "256 MiB", false},
        {"trailer mismatch", 32, 20, 36, "does not match", false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        PcapngWriter w;
        w.addInterface(1);
        w.addPacket(0, T0, buildFrame(Link::Ethernet, syn()));
        const size_t badOffset = w.size();
        addLyingBlock(w, 6, c.lead, Bytes(c.bodyBytes, 0), c.trail);
        w.addPacket(0, T0, buildFrame(Link::Ethernet, syn()));
        const std::string path = tempPath("lying.pcapng");
        w.write(path);
        auto r = openOk(path);
        ASSERT_TRUE(r);
        const ReadAll all = readAll(*r);
        EXPECT_EQ(all.frames.size(), 1u);
        ASSERT_EQ(all.last, CaptureReader::Status::Error);
        EXPECT_EQ(all.truncated, c.truncated);
        EXPECT_NE(all.error.find(c.message), std::string::npos) << all.error;
        EXPECT_NE(all.error.find("at offset " + std::to_string(badOffset)), std::string::npos) << all.error;
    }
}

TEST(PcapngReader, CaptureLengthLargerThanTheBlock)
{
    PcapngWriter w;
    w.addInterface(1);
    Bytes body;
    w.put32(body, 0);
    w.put32(body, 0);
    w.put32(body, 0);
    w.put32(body, 1000); // caplen
    w.put32(body, 1000); // orig len
    body.resize(body.size() + 40, 0);
    w.addBlock(6, body);
    const std::string path = tempPath("caplen.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    EXPECT_TRUE(all.frames.empty());
    ASSERT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_FALSE(all.truncated);
    EXPECT_NE(all.error.find("captured length 1000 exceeds"), std::string::npos) << all.error;
}

TEST(PcapngReader, PacketBlockTooShort)
{
    PcapngWriter w;
    w.addInterface(1);
    w.addBlock(6, Bytes(12, 0)); // an EPB needs at least 20 body bytes
    const std::string path = tempPath("short.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_NE(all.error.find("too short"), std::string::npos) << all.error;
}

TEST(PcapngReader, OptionOverrunInInterfaceBlock)
{
    PcapngWriter w;
    Bytes body;
    w.put16(body, 1);
    w.put16(body, 0);
    w.put32(body, 0);
    w.put16(body, 2); // if_name claiming 64 bytes in a block that has 4
    w.put16(body, 64);
    body.resize(body.size() + 4, 'x');
    w.addBlock(1, body);
    w.addPacket(0, T0, buildFrame(Link::Ethernet, syn()));
    const std::string path = tempPath("optoverrun.pcapng");
    w.write(path);
    std::string err;
    auto r = openPcapngReader(path, err);
    ASSERT_TRUE(r) << err; // the damage is reported by next(), not by open
    EXPECT_EQ(r->dlt(), -1);
    const ReadAll all = readAll(*r);
    EXPECT_TRUE(all.frames.empty());
    ASSERT_EQ(all.last, CaptureReader::Status::Error);
    EXPECT_FALSE(all.truncated);
    EXPECT_NE(all.error.find("option 2 (length 64) overruns"), std::string::npos) << all.error;
}

TEST(PcapngReader, OptionOverrunInSectionHeaderFailsToOpen)
{
    PcapngWriter w;
    Bytes shb;
    w.put32(shb, 0x1A2B3C4D);
    w.put16(shb, 1);
    w.put16(shb, 0);
    w.put64(shb, ~0ull);
    w.put16(shb, 3);
    w.put16(shb, 200);
    Bytes bytes;
    {
        Bytes b;
        w.put32(b, 0x0A0D0D0A);
        w.put32(b, static_cast<uint32_t>(12 + shb.size()));
        b.insert(b.end(), shb.begin(), shb.end());
        w.put32(b, static_cast<uint32_t>(12 + shb.size()));
        bytes = b;
    }
    const std::string path = tempPath("shboverrun.pcapng");
    writeFile(path, bytes);
    std::string err;
    EXPECT_FALSE(openPcapngReader(path, err));
    EXPECT_NE(err.find("overruns"), std::string::npos) << err;
    EXPECT_EQ(err.rfind(path, 0), 0u) << err;
}

TEST(PcapngReader, BadByteOrderMagic)
{
    PcapngWriter w;
    w.addInterface(1);
    Bytes bytes = w.bytes();
    bytes[8] ^= 0xff;
    const std::string path = tempPath("magic.pcapng");
    writeFile(path, bytes);
    std::string err;
    EXPECT_FALSE(openPcapngReader(path, err));
    EXPECT_NE(err.find("byte-order magic"), std::string::npos) << err;
}

TEST(PcapngReader, RejectsFilesThatAreNotPcapng)
{
    std::string err;
    EXPECT_FALSE(openPcapngReader(tempPath("does-not-exist"), err));
    EXPECT_NE(err.find("does-not-exist"), std::string::npos);

    PcapWriter classic(1);
    classic.add(T0, buildFrame(Link::Ethernet, syn()));
    const std::string pcap = tempPath("classic.pcap");
    classic.write(pcap);
    err.clear();
    EXPECT_FALSE(openPcapngReader(pcap, err));
    EXPECT_NE(err.find("not a pcapng file"), std::string::npos) << err;

    const std::string empty = tempPath("empty.pcapng");
    writeFile(empty, {});
    err.clear();
    EXPECT_FALSE(openPcapngReader(empty, err));
    EXPECT_NE(err.find("not a pcapng file"), std::string::npos) << err;
}

TEST(PcapngReader, ManyPacketsAcrossBufferRefillsAndAHugeBlock)
{
    PcapngWriter w;
    w.addInterface(1, 9);
    std::vector<Bytes> frames;
    for (uint32_t i = 0; i < 20000; ++i) {
        frames.push_back(buildFrame(Link::Ethernet, data(i * 1000, (i * 37) % 1400)));
        if (i == 10000) frames.back().resize(3u << 20, 0xAB); // a 3 MiB frame: grows the buffer
        w.addPacket(0, T0 + i, frames.back());
    }
    const std::string path = tempPath("many.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    RawFrame f;
    uint32_t n = 0;
    CaptureReader::Status s;
    while ((s = r->next(f)) == CaptureReader::Status::Frame) {
        ASSERT_LT(n, frames.size());
        ASSERT_EQ(f.frame, n + 1);
        ASSERT_EQ(f.tsNs, T0 + n);
        ASSERT_EQ(f.caplen, frames[n].size());
        ASSERT_EQ(std::memcmp(f.data, frames[n].data(), f.caplen), 0) << "frame " << f.frame;
        ++n;
    }
    EXPECT_EQ(s, CaptureReader::Status::End) << r->error();
    EXPECT_EQ(n, frames.size());
    EXPECT_EQ(r->position(), w.size());
}

TEST(PcapngReader, RandomDamageNeverCrashes)
{
    PcapngWriter w;
    w.addInterface(1, 9);
    w.addInterface(101, 0x80 | 10, 64, 5);
    for (int i = 0; i < 6; ++i) {
        w.addPacket(Packet{T0 + i, buildFrame(i % 2 ? Link::RawIp : Link::Ethernet, data(i, 30 * i)), 0,
                           static_cast<uint32_t>(i % 2)},
                    i == 3);
        if (i == 2) w.addSimplePacket(buildFrame(Link::Ethernet, data(9, 9)));
        if (i == 4) w.addObsoletePacket(Packet{T0, buildFrame(Link::Ethernet, syn()), 0, 0});
    }
    const Bytes good = w.bytes();
    std::mt19937 rng(1234);
    const std::string path = tempPath("fuzz.pcapng");
    for (int iter = 0; iter < 1500; ++iter) {
        Bytes bad = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k)
            bad[rng() % bad.size()] = static_cast<uint8_t>(rng());
        if (iter % 3 == 0) bad.resize(rng() % bad.size());
        writeFile(path, bad);
        std::string err;
        auto r = openPcapngReader(path, err);
        if (!r) {
            EXPECT_FALSE(err.empty());
            continue;
        }
        const ReadAll all = readAll(*r);
        for (const RawFrame& f : all.frames)
            EXPECT_LE(f.caplen, bad.size());
        if (all.last == CaptureReader::Status::Error) {
            EXPECT_EQ(all.error.rfind(path + ": ", 0), 0u) << all.error;
            EXPECT_NE(all.error.find(" at offset "), std::string::npos) << all.error;
        }
    }
}

namespace {

// libpcap reads a pcapng whose interfaces share one link type (1.10 even refuses
// two LINKTYPE_RAW interfaces: it compares the second's LINKTYPE with the first's DLT).
void compareWithLibpcap(const std::string& path, int expectedFrames)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* pc = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    ASSERT_TRUE(pc) << errbuf;
    auto r = openOk(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->dlt(), pcap_datalink(pc));
    pcap_pkthdr* h;
    const u_char* d;
    RawFrame f;
    int n = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
        ASSERT_EQ(r->next(f), CaptureReader::Status::Frame) << r->error();
        EXPECT_EQ(f.caplen, h->caplen);
        EXPECT_EQ(f.wirelen, h->len);
        EXPECT_EQ(f.tsNs, int64_t{h->ts.tv_sec} * 1'000'000'000 + h->ts.tv_usec);
        EXPECT_EQ(f.dlt, pcap_datalink(pc));
        EXPECT_EQ(std::memcmp(f.data, d, f.caplen), 0);
        ++n;
    }
    EXPECT_EQ(rc, PCAP_ERROR_BREAK) << pcap_geterr(pc);
    EXPECT_EQ(n, expectedFrames);
    EXPECT_EQ(r->next(f), CaptureReader::Status::End);
    pcap_close(pc);
}

} // namespace

TEST(PcapngReader, AgreesWithLibpcapOnASingleLinkTypeFile)
{
    {
        PcapngWriter w;
        w.addInterface(101, 9, 96); // LINKTYPE_RAW, ns, snaplen 96
        for (int i = 0; i < 10; ++i)
            w.addPacket(capped(buildIpTcp(data(i * 10, 50 * i, "2001:db8::a", "2001:db8::b")), 96, T0 + i * 1001));
        const std::string path = tempPath("raw.pcapng");
        w.write(path);
        compareWithLibpcap(path, 10);
    }
    {
        PcapngWriter w(/*bigEndian=*/true);
        w.addInterface(1, 9);
        w.addInterface(1, 6, 0, -3600);
        for (int i = 0; i < 10; ++i)
            w.addPacket(
                Packet{T0 + i * 1001, buildFrame(Link::Vlan, data(i, 10 * i)), 0, static_cast<uint32_t>(i % 2)});
        const std::string path = tempPath("eth.pcapng");
        w.write(path);
        compareWithLibpcap(path, 10);
    }
}

TEST(PcapngReader, LinktypeToDltFollowsLibpcap)
{
    EXPECT_EQ(linktypeToDlt(101), 12);
    EXPECT_EQ(linktypeToDlt(100), 11);
    EXPECT_EQ(linktypeToDlt(1), 1);
    EXPECT_EQ(linktypeToDlt(0), 0);
    EXPECT_EQ(linktypeToDlt(108), 108);
    EXPECT_EQ(linktypeToDlt(113), 113);
    EXPECT_EQ(linktypeToDlt(276), 276);
    EXPECT_EQ(linktypeToDlt(228), 228);
}

TEST(PcapngReader, CustomBlocksTakeWiresharkFrameNumbers)
{
    PcapngWriter w;
    w.addInterface(1);
    const Bytes f = buildFrame(Link::Ethernet, syn());
    w.addBlock(0xBAD, Bytes(12, 0)); // frame 1 in Wireshark
    w.addPacket(0, T0, f);           // 2
    w.addBlock(4, Bytes(4, 0));      // NRB: not numbered
    w.addBlock(5, Bytes(12, 0));     // ISB: not numbered
    w.addPacket(0, T0, f);           // 3
    w.addBlock(9, Bytes(4, 0));      // systemd journal export: 4
    w.addBlock(0x1234, Bytes(4, 0)); // unknown: not numbered
    w.addSimplePacket(f);            // 5
    const std::string path = tempPath("custom.pcapng");
    w.write(path);
    auto r = openOk(path);
    ASSERT_TRUE(r);
    const ReadAll all = readAll(*r);
    ASSERT_EQ(all.last, CaptureReader::Status::End) << all.error;
    ASSERT_EQ(all.frames.size(), 3u);
    EXPECT_EQ(all.frames[0].frame, 2u);
    EXPECT_EQ(all.frames[1].frame, 3u);
    EXPECT_EQ(all.frames[2].frame, 5u);
}

// ---------------------------------------------------------------- public captures

namespace {

fs::path publicCaptures()
{
    if (const char* env = std::getenv("FLOWLADDER_PUBLIC_CAPTURES")) return env;
#ifdef FLOWLADDER_SOURCE_DIR
    const fs::path source = FLOWLADDER_SOURCE_DIR;
#else
    const fs::path source = fs::path(__FILE__).parent_path().parent_path().parent_path();
#endif
    return source / ".." / "shared" / "captures" / "public";
}

struct TsharkFrame {
    uint32_t len = 0;
    uint32_t caplen = 0;
    std::string epoch; // frame.time_epoch, "seconds.nanoseconds"
};

// tshark's view of every frame, or empty when tshark is absent.
std::vector<TsharkFrame> tsharkFrames(const fs::path& file)
{
    std::vector<TsharkFrame> out;
    if (!fs::exists("/usr/bin/tshark")) return out;
    const std::string cmd = "/usr/bin/tshark -n -r '" + file.string() +
                            "' -T fields -e frame.len -e frame.cap_len -e frame.time_epoch 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    unsigned a, b;
    char epoch[64];
    while (std::fscanf(p, "%u %u %63s", &a, &b, epoch) == 3)
        out.push_back({a, b, epoch});
    pclose(p);
    return out;
}

std::string epochString(int64_t ns)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                  static_cast<long long>(ns % 1'000'000'000));
    return buf;
}

} // namespace

TEST(PcapngReader, PublicMixedLinkTypeCaptures)
{
    const fs::path dir = publicCaptures();
    if (!fs::exists(dir)) GTEST_SKIP() << "no public captures at " << dir;
    struct File {
        const char* name;
        size_t count;
        bool compareTimes; // pcapng-example's timestamps lie beyond the int64 nanosecond range
    };
    const File files[] = {
        {"pcapplusplus/pcapng-example.pcapng", 159, false},
        {"zeek/gap-data-missing.pcapng", 18, true}, // us and ns interfaces
        {"pcapplusplus/many_interfaces-1.pcapng", 64, true},
    };
    for (const auto& [name, count, compareTimes] : files) {
        SCOPED_TRACE(name);
        const fs::path file = dir / name;
        if (!fs::exists(file)) {
            ADD_FAILURE() << "missing " << file;
            continue;
        }
        auto r = openOk(file.string());
        ASSERT_TRUE(r);
        EXPECT_GE(r->dlt(), 0);
        const ReadAll all = readAll(*r);
        EXPECT_EQ(all.last, CaptureReader::Status::End) << all.error;
        EXPECT_EQ(all.frames.size(), count);
        EXPECT_EQ(r->position(), r->fileSize());
        for (size_t i = 0; i < all.frames.size(); ++i)
            EXPECT_EQ(all.frames[i].frame, i + 1);
        const auto ts = tsharkFrames(file);
        if (ts.empty()) continue;
        ASSERT_EQ(ts.size(), all.frames.size());
        for (size_t i = 0; i < ts.size(); ++i) {
            EXPECT_EQ(all.frames[i].wirelen, ts[i].len) << "frame " << i + 1;
            EXPECT_EQ(all.frames[i].caplen, ts[i].caplen) << "frame " << i + 1;
            if (compareTimes) {
                EXPECT_EQ(epochString(all.frames[i].tsNs), ts[i].epoch) << "frame " << i + 1;
            }
        }
    }
}

TEST(PcapngReader, PublicCaptureWithCustomBlocksKeepsWiresharkNumbers)
{
    const fs::path dir = publicCaptures();
    if (!fs::exists(dir)) GTEST_SKIP() << "no public captures at " << dir;
    // tshark 4.0 lists the custom blocks of these files as frames 1, 7 and 10.
    for (const char* name : {"gopacket/le_test202.pcapng", "gopacket/be_test202.pcapng"}) {
        SCOPED_TRACE(name);
        const fs::path file = dir / name;
        if (!fs::exists(file)) GTEST_SKIP() << "missing " << file;
        auto r = openOk(file.string());
        ASSERT_TRUE(r);
        const ReadAll all = readAll(*r);
        EXPECT_EQ(all.last, CaptureReader::Status::End) << all.error;
        std::vector<uint32_t> numbers;
        for (const RawFrame& f : all.frames)
            numbers.push_back(f.frame);
        EXPECT_EQ(numbers, (std::vector<uint32_t>{2, 3, 4, 5, 6, 8, 9, 11}));
    }
}
