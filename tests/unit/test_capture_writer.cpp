// The test fixture writer itself: its frames have the layout they claim, and
// libpcap and (when installed) tshark read its files back as intended.

#include "tests/support/CaptureWriter.h"
#include "tests/support/TempDir.h"

#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sstream>
#include <string>
#include <vector>

using namespace flowladder::testsupport;
namespace fs = std::filesystem;

namespace {

std::string tempPath(const std::string& name)
{
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    return flowladder::testsupport::processTempPath(std::string(info->test_suite_name()) + "_" + info->name() + "_" +
                                                    name);
}

uint16_t be16at(const Bytes& b, size_t at)
{
    return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}
uint32_t be32at(const Bytes& b, size_t at)
{
    return uint32_t{be16at(b, at)} << 16 | be16at(b, at + 2);
}

constexpr int64_t T0 = 1'700'000'000'123'456'789LL;

TcpSegment synWithOptions(bool v6)
{
    TcpSegment s;
    if (v6) {
        s.src = "2001:db8::1";
        s.dst = "2001:db8::2";
    }
    s.sport = 40001;
    s.dport = 443;
    s.seq = 123456;
    s.ack = 654321;
    s.flags = 0x12; // SYN,ACK
    s.window = 29200;
    s.payloadLen = 10;
    s.ttl = 63;
    s.ipId = 4242;
    s.mss = 1460;
    s.wscale = 7;
    s.sackPerm = true;
    s.tsVal = 77;
    s.tsEcr = 5;
    return s;
}

size_t linkHeaderSize(Link l)
{
    switch (l) {
    case Link::Ethernet:
        return 14;
    case Link::Vlan:
        return 18;
    case Link::QinQ:
        return 22;
    case Link::Sll:
        return 16;
    case Link::Sll2:
        return 20;
    case Link::RawIp:
        return 0;
    case Link::Null:
    case Link::Loop:
        return 4;
    }
    return 0;
}

struct LibpcapFrame {
    int64_t tsNs;
    uint32_t caplen;
    uint32_t len;
    Bytes data;
};

struct LibpcapRead {
    bool opened = false;
    std::string error;
    int dlt = -1;
    std::vector<LibpcapFrame> frames;
    int lastRc = 0;
};

LibpcapRead readWithLibpcap(const std::string& path, bool nano)
{
    LibpcapRead out;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* pc = pcap_open_offline_with_tstamp_precision(
        path.c_str(), nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!pc) {
        out.error = errbuf;
        return out;
    }
    out.opened = true;
    out.dlt = pcap_datalink(pc);
    pcap_pkthdr* h;
    const u_char* d;
    while ((out.lastRc = pcap_next_ex(pc, &h, &d)) == 1) {
        const int64_t frac = nano ? h->ts.tv_usec : int64_t{h->ts.tv_usec} * 1000;
        out.frames.push_back(
            {int64_t{h->ts.tv_sec} * 1'000'000'000 + frac, h->caplen, h->len, Bytes(d, d + h->caplen)});
    }
    if (out.lastRc == PCAP_ERROR) out.error = pcap_geterr(pc);
    pcap_close(pc);
    return out;
}

// tshark -T fields output, one vector of fields per frame; empty when tshark is absent.
std::vector<std::vector<std::string>> tsharkFields(const std::string& path, const std::vector<std::string>& fields)
{
    std::string cmd = "/usr/bin/tshark -n -r '" + path +
                      "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -T fields -E separator='|'";
    for (const std::string& f : fields)
        cmd += " -e " + f;
    cmd += " 2>/dev/null";
    std::vector<std::vector<std::string>> rows;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return rows;
    std::string all;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        all.append(buf, n);
    pclose(p);
    std::istringstream lines(all);
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> row;
        std::string field;
        std::istringstream cells(line);
        while (std::getline(cells, field, '|'))
            row.push_back(field);
        row.resize(fields.size());
        rows.push_back(row);
    }
    return rows;
}

std::string epochString(int64_t ns)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                  static_cast<long long>(ns % 1'000'000'000));
    return buf;
}

bool haveTshark()
{
    return fs::exists("/usr/bin/tshark");
}

} // namespace

// ---------------------------------------------------------------- frame layout

TEST(CaptureWriter, Ipv4TcpLayout)
{
    const Bytes ip = buildIpTcp(synWithOptions(false));
    // IPv4 20 + TCP 20 + options (MSS 4, SACK_PERM+TS 12, NOP+WS 4) + payload 10
    ASSERT_EQ(ip.size(), 20u + 20 + 20 + 10);
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(be16at(ip, 2), ip.size());
    EXPECT_EQ(be16at(ip, 4), 4242);
    EXPECT_EQ(ip[8], 63);
    EXPECT_EQ(ip[9], 6);
    EXPECT_EQ(be16at(ip, 20), 40001);
    EXPECT_EQ(be16at(ip, 22), 443);
    EXPECT_EQ(be32at(ip, 24), 123456u);
    EXPECT_EQ(be32at(ip, 28), 654321u);
    EXPECT_EQ(ip[32] >> 4, 10); // data offset: 40 bytes of TCP header
    EXPECT_EQ(ip[33], 0x12);
    EXPECT_EQ(be16at(ip, 34), 29200);
    EXPECT_EQ(ip[40], 2); // MSS first
    EXPECT_EQ(be16at(ip, 42), 1460);
}

TEST(CaptureWriter, Ipv6TcpLayout)
{
    TcpSegment s;
    s.src = "2001:db8::1";
    s.dst = "2001:db8::2";
    s.payloadLen = 100;
    s.ttl = 55;
    const Bytes ip = buildIpTcp(s);
    ASSERT_EQ(ip.size(), 40u + 20 + 100);
    EXPECT_EQ(ip[0] >> 4, 6);
    EXPECT_EQ(be16at(ip, 4), 120);
    EXPECT_EQ(ip[6], 6);
    EXPECT_EQ(ip[7], 55);
    EXPECT_EQ(ip[8], 0x20);
    EXPECT_EQ(ip[23], 0x01);
    EXPECT_EQ(ip[39], 0x02);
    EXPECT_EQ(ipVersionOf(s), 6);
}

TEST(CaptureWriter, RejectsBadAddresses)
{
    TcpSegment s;
    s.src = "10.0.0.300";
    EXPECT_THROW(buildIpTcp(s), std::invalid_argument);
    s.src = "10.0.0.1";
    s.dst = "::1";
    EXPECT_THROW(buildIpTcp(s), std::invalid_argument);
}

TEST(CaptureWriter, LinkHeaders)
{
    const TcpSegment s = synWithOptions(false);
    const Bytes ip = buildIpTcp(s);
    for (Link l : AllLinks) {
        SCOPED_TRACE(linkName(l));
        const Bytes f = buildFrame(l, s);
        EXPECT_EQ(f.size(), ip.size() + linkHeaderSize(l));
        EXPECT_TRUE(std::equal(ip.begin(), ip.end(), f.end() - static_cast<std::ptrdiff_t>(ip.size())));
    }
    EXPECT_EQ(be16at(buildFrame(Link::Ethernet, s), 12), 0x0800);
    const Bytes vlan = buildFrame(Link::Vlan, s);
    EXPECT_EQ(be16at(vlan, 12), 0x8100);
    EXPECT_EQ(be16at(vlan, 14), 100);
    EXPECT_EQ(be16at(vlan, 16), 0x0800);
    const Bytes qinq = buildFrame(Link::QinQ, s);
    EXPECT_EQ(be16at(qinq, 12), 0x88A8);
    EXPECT_EQ(be16at(qinq, 14), 200);
    EXPECT_EQ(be16at(qinq, 16), 0x8100);
    EXPECT_EQ(be16at(qinq, 18), 100);
    EXPECT_EQ(be16at(buildFrame(Link::Sll, s), 14), 0x0800);
    EXPECT_EQ(be16at(buildFrame(Link::Sll2, synWithOptions(true)), 0), 0x86DD);

    LinkOptions le;
    le.nullInet6Family = 30;
    const Bytes nullV6 = buildFrame(Link::Null, synWithOptions(true), le);
    EXPECT_EQ(Bytes(nullV6.begin(), nullV6.begin() + 4), (Bytes{30, 0, 0, 0}));
    LinkOptions be;
    be.nullBigEndian = true;
    const Bytes nullV4 = buildFrame(Link::Null, s, be);
    EXPECT_EQ(Bytes(nullV4.begin(), nullV4.begin() + 4), (Bytes{0, 0, 0, 2}));
    const Bytes loopV6 = buildFrame(Link::Loop, synWithOptions(true));
    EXPECT_EQ(Bytes(loopV6.begin(), loopV6.begin() + 4), (Bytes{0, 0, 0, 24}));

    EXPECT_EQ(linktypeOf(Link::RawIp), 101);
    EXPECT_EQ(dltOf(Link::RawIp), 12);
}

TEST(CaptureWriter, CappedKeepsOriginalLength)
{
    const Bytes f = buildFrame(Link::Ethernet, synWithOptions(false));
    const Packet p = capped(f, 50, T0, 3);
    EXPECT_EQ(p.data.size(), 50u);
    EXPECT_EQ(p.origLen, f.size());
    EXPECT_EQ(p.wireLen(), f.size());
    EXPECT_EQ(p.interfaceId, 3u);
    EXPECT_EQ(p.data, Bytes(f.begin(), f.begin() + 50));
    const Packet whole = capped(f, 1000);
    EXPECT_EQ(whole.data, f);
}

// ---------------------------------------------------------------- libpcap reads it back

TEST(CaptureWriter, ClassicPcapReadByLibpcapForEveryLink)
{
    for (bool nano : {false, true}) {
        for (Link l : AllLinks) {
            SCOPED_TRACE(std::string(linkName(l)) + (nano ? " ns" : " us"));
            PcapWriter w(linktypeOf(l), nano, 128);
            const Bytes f1 = buildFrame(l, synWithOptions(false));
            const Bytes f2 = buildFrame(l, synWithOptions(true));
            const Bytes big = buildFrame(l, [] {
                TcpSegment s;
                s.payloadLen = 1400;
                return s;
            }());
            w.add(T0, f1);
            w.add(T0 + 1'000'000'000, f2);
            w.add(T0 + 2'000'000'000, big); // cut to the snaplen by the writer
            const std::string path = tempPath(std::string(linkName(l)) + ".pcap");
            w.write(path);

            const LibpcapRead r = readWithLibpcap(path, nano);
            ASSERT_TRUE(r.opened) << r.error;
            EXPECT_EQ(r.dlt, dltOf(l));
            EXPECT_EQ(r.lastRc, PCAP_ERROR_BREAK) << r.error;
            ASSERT_EQ(r.frames.size(), 3u);
            const int64_t unit = nano ? 1 : 1000;
            EXPECT_EQ(r.frames[0].tsNs, T0 - T0 % unit);
            EXPECT_EQ(r.frames[1].tsNs, T0 + 1'000'000'000 - T0 % unit);
            EXPECT_EQ(r.frames[0].data, f1);
            EXPECT_EQ(r.frames[1].data, f2);
            EXPECT_EQ(r.frames[2].caplen, 128u);
            EXPECT_EQ(r.frames[2].len, big.size());
            EXPECT_EQ(r.frames[2].data, Bytes(big.begin(), big.begin() + 128));
        }
    }
}

TEST(CaptureWriter, TruncatedPcapKeepsEarlierRecords)
{
    PcapWriter w(1);
    for (int i = 0; i < 3; ++i)
        w.add(T0 + i * 1000, buildFrame(Link::Ethernet, synWithOptions(false)));
    const std::string path = tempPath("trunc.pcap");
    w.writeTruncated(path, w.recordOffset(2) + 20); // inside the third record's data
    const LibpcapRead r = readWithLibpcap(path, false);
    ASSERT_TRUE(r.opened) << r.error;
    EXPECT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.lastRc, PCAP_ERROR);
    EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(CaptureWriter, PcapngReadByLibpcapInBothByteOrders)
{
    for (bool bigEndian : {false, true}) {
        SCOPED_TRACE(bigEndian ? "big-endian" : "little-endian");
        PcapngWriter w(bigEndian);
        w.addInterface(113, 9);         // ns
        w.addInterface(113, 6, 0, 100); // us with if_tsoffset
        w.addInterface(113, 0x80 | 20); // 2^-20 s (libpcap wants one snaplen for all)
        const Bytes f = buildFrame(Link::Sll, synWithOptions(true));
        w.addPacket(0, T0, f);
        w.addPacket(Packet{T0 + 1, f, 0, 1}, /*withComment=*/true);
        w.addPacket(capped(buildFrame(Link::Sll, synWithOptions(false)), 60, T0, 2));
        w.addObsoletePacket(Packet{T0 + 7, f, 0, 0});
        const std::string path = tempPath("sll.pcapng");
        w.write(path);

        const LibpcapRead r = readWithLibpcap(path, true);
        ASSERT_TRUE(r.opened) << r.error;
        EXPECT_EQ(r.dlt, 113);
        EXPECT_EQ(r.lastRc, PCAP_ERROR_BREAK) << r.error;
        ASSERT_EQ(r.frames.size(), 4u);
        EXPECT_EQ(r.frames[0].tsNs, T0);
        EXPECT_EQ(r.frames[1].tsNs, T0 + 1 - (T0 + 1) % 1000);
        EXPECT_NEAR(static_cast<double>(r.frames[2].tsNs - T0), 0.0, 1000.0);
        EXPECT_EQ(r.frames[2].caplen, 60u);
        EXPECT_EQ(r.frames[3].tsNs, T0 + 7);
        EXPECT_EQ(r.frames[0].data, f);
        EXPECT_EQ(r.frames[3].data, f);
    }
}

// ---------------------------------------------------------------- tshark reads it back

TEST(CaptureWriter, TsharkDecodesEveryLinkAndBothIpVersions)
{
    if (!haveTshark()) GTEST_SKIP() << "no /usr/bin/tshark";
    PcapngWriter w;
    struct Expect {
        Link link;
        bool v6;
        LinkOptions opt;
    };
    std::vector<Expect> expects;
    for (Link l : AllLinks)
        for (bool v6 : {false, true})
            expects.push_back({l, v6, {}});
    LinkOptions freebsd;
    freebsd.nullInet6Family = 28;
    LinkOptions macos;
    macos.nullInet6Family = 30;
    LinkOptions bigNull;
    bigNull.nullBigEndian = true;
    expects.push_back({Link::Null, true, freebsd});
    expects.push_back({Link::Null, true, macos});
    expects.push_back({Link::Null, false, bigNull});
    for (size_t i = 0; i < expects.size(); ++i) {
        w.addInterface(linktypeOf(expects[i].link), 9);
        w.addPacket(static_cast<uint32_t>(i), T0 + static_cast<int64_t>(i),
                    buildFrame(expects[i].link, synWithOptions(expects[i].v6), expects[i].opt));
    }
    // A frame capped to 96 bytes keeps its original length.
    w.addInterface(1, 6, 96);
    const Bytes big = buildFrame(Link::Ethernet, [] {
        TcpSegment s;
        s.payloadLen = 1000;
        return s;
    }());
    w.addPacket(capped(big, 96, T0, static_cast<uint32_t>(expects.size())));
    const std::string path = tempPath("all.pcapng");
    w.write(path);

    const auto rows = tsharkFields(path, {"frame.number",
                                          "frame.len",
                                          "frame.cap_len",
                                          "frame.time_epoch",
                                          "ip.src",
                                          "ipv6.src",
                                          "tcp.srcport",
                                          "tcp.dstport",
                                          "tcp.seq_raw",
                                          "tcp.ack_raw",
                                          "tcp.flags",
                                          "tcp.window_size_value",
                                          "tcp.len",
                                          "ip.ttl",
                                          "ipv6.hlim",
                                          "ip.id",
                                          "tcp.options.mss_val",
                                          "tcp.options.wscale.shift",
                                          "tcp.option_kind",
                                          "tcp.options.timestamp.tsval",
                                          "ip.checksum.status",
                                          "tcp.checksum.status"});
    ASSERT_EQ(rows.size(), expects.size() + 1);
    for (size_t i = 0; i < expects.size(); ++i) {
        SCOPED_TRACE(std::string(linkName(expects[i].link)) + (expects[i].v6 ? " v6 #" : " v4 #") + std::to_string(i));
        const auto& r = rows[i];
        const bool v6 = expects[i].v6;
        EXPECT_EQ(r[0], std::to_string(i + 1));
        EXPECT_EQ(r[3], epochString(T0 + static_cast<int64_t>(i)));
        EXPECT_EQ(r[4], v6 ? "" : "10.0.0.1");
        EXPECT_EQ(r[5], v6 ? "2001:db8::1" : "");
        EXPECT_EQ(r[6], "40001");
        EXPECT_EQ(r[7], "443");
        EXPECT_EQ(r[8], "123456");
        EXPECT_EQ(r[9], "654321");
        EXPECT_EQ(r[10], "0x0012");
        EXPECT_EQ(r[11], "29200");
        EXPECT_EQ(r[12], "10");
        EXPECT_EQ(r[13], v6 ? "" : "63");
        EXPECT_EQ(r[14], v6 ? "63" : "");
        EXPECT_EQ(r[15], v6 ? "" : "0x1092");
        EXPECT_EQ(r[16], "1460");
        EXPECT_EQ(r[17], "7");
        EXPECT_EQ(r[18], "2,4,8,1,3");
        EXPECT_EQ(r[19], "77");
        EXPECT_EQ(r[20], v6 ? "" : "1"); // 1 = good checksum
        EXPECT_EQ(r[21], "1");
    }
    const auto& last = rows.back();
    EXPECT_EQ(last[1], std::to_string(big.size()));
    EXPECT_EQ(last[2], "96");
    EXPECT_EQ(last[12], "1000");
}

TEST(CaptureWriter, TsharkReadsNanosecondPcapAndVlanTags)
{
    if (!haveTshark()) GTEST_SKIP() << "no /usr/bin/tshark";
    PcapWriter w(1, /*nanosecond=*/true);
    LinkOptions opt;
    opt.vlanId = 42;
    opt.outerVlanId = 7;
    w.add(T0, buildFrame(Link::Vlan, synWithOptions(false), opt));
    w.add(T0 + 1, buildFrame(Link::QinQ, synWithOptions(true), opt));
    const std::string path = tempPath("ns.pcap");
    w.write(path);
    const auto rows = tsharkFields(path, {"frame.time_epoch", "vlan.id", "ieee8021ad.id", "tcp.srcport"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "1700000000.123456789");
    EXPECT_EQ(rows[0][1], "42");
    EXPECT_EQ(rows[0][3], "40001");
    EXPECT_EQ(rows[1][0], "1700000000.123456790");
    EXPECT_EQ(rows[1][1], "42");
    EXPECT_EQ(rows[1][2], "7");
    EXPECT_EQ(rows[1][3], "40001");
}
