// Writes the seed corpora of the fuzz targets (run by scripts/fuzz.sh; nothing
// it writes is committed).
//
//   fuzz_make_seeds DECODER_DIR FILE_DIR [CAPTURE...]
//
// Synthetic captures made with the test CaptureWriter (every link layer, IPv4
// and IPv6, pcap and pcapng in both byte orders, mixed link types, SPB / obsolete
// packet blocks, TCP options, truncated files) go to FILE_DIR; each of their
// frames, prefixed with its link-type index (fuzz/LinkTypes.h), goes to
// DECODER_DIR, with hand-made frames for what CaptureWriter does not build
// (NFLOG, IPv6 extension headers, MPLS, PPPoE, damaged option lists).
// Each CAPTURE (the project's own fixtures) is copied to FILE_DIR, cut to
// 64 KiB (the -max_len of fuzz_capture_file), and its first frames are added
// to DECODER_DIR.

#include "core/capture/CaptureReader.h"
#include "core/model/Types.h"
#include "fuzz/LinkTypes.h"
#include "tests/support/CaptureWriter.h"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace flowladder;
using namespace flowladder::testsupport;
namespace fs = std::filesystem;

namespace {

constexpr size_t MaxFileSeed = 65536;
constexpr size_t MaxDecoderSeed = 4096;
constexpr int FramesPerCapture = 64;

fs::path decoderDir, fileDir;
int decoderSeeds = 0, fileSeeds = 0;

void put(const fs::path& p, const Bytes& b)
{
    writeFile(p.string(), b);
}

void decoderSeed(int dlt, const Bytes& frame)
{
    const int idx = fuzz::linkTypeIndex(dlt);
    if (idx < 0) return;
    Bytes b;
    b.push_back(static_cast<uint8_t>(idx));
    b.insert(b.end(), frame.begin(),
             frame.begin() + static_cast<std::ptrdiff_t>(std::min(frame.size(), MaxDecoderSeed - 1)));
    put(decoderDir / ("syn-" + std::to_string(decoderSeeds++)), b);
}

void fileSeed(const std::string& name, Bytes b)
{
    if (b.size() > MaxFileSeed) b.resize(MaxFileSeed);
    put(fileDir / name, b);
    ++fileSeeds;
}

void be16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void le16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
}

// A short connection with the incident's shape: handshake with options, data,
// FIN from the server, an off-by-one RST from the client, a challenge ACK,
// the FIN retransmitted into silence.
std::vector<TcpSegment> conversation(const std::string& c, const std::string& s, uint16_t sport)
{
    using namespace core::tcpflag;
    std::vector<TcpSegment> out;
    auto seg = [&](bool fromClient, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len = 0) {
        TcpSegment t;
        t.src = fromClient ? c : s;
        t.dst = fromClient ? s : c;
        t.sport = fromClient ? sport : 443;
        t.dport = fromClient ? 443 : sport;
        t.seq = seq;
        t.ack = ack;
        t.flags = flags;
        t.payloadLen = len;
        t.ttl = fromClient ? 64 : 57;
        t.ipId = static_cast<uint16_t>(out.size() * 7);
        t.tsVal = 1000 + static_cast<uint32_t>(out.size());
        t.tsEcr = 900;
        out.push_back(t);
        return &out.back();
    };
    TcpSegment* syn = seg(true, 1000, 0, SYN);
    syn->mss = 1460;
    syn->wscale = 7;
    syn->sackPerm = true;
    TcpSegment* synack = seg(false, 5000, 1001, SYN | ACK);
    synack->mss = 1400;
    synack->wscale = 9;
    synack->sackPerm = true;
    seg(true, 1001, 5001, ACK);
    seg(true, 1001, 5001, PSH | ACK, 100);
    seg(false, 5001, 1101, ACK);
    seg(false, 5001, 1101, PSH | ACK, 300);
    seg(true, 1101, 5301, ACK);
    seg(false, 5301, 1101, FIN | ACK);
    seg(true, 1101, 5302, ACK);
    seg(true, 1100, 0, RST);           // seq = expected - 1 after FIN
    seg(false, 5302, 1101, ACK);       // challenge ACK
    seg(false, 5301, 1101, FIN | ACK); // retransmitted FIN
    seg(false, 5301, 1101, FIN | ACK);
    TcpSegment* zw = seg(true, 1101, 5302, ACK);
    zw->window = 0;
    return out;
}

struct Built {
    int linktype;
    int dlt;
    std::vector<Bytes> frames;
};

Built build(Link link, bool v6, uint16_t sport)
{
    Built b{linktypeOf(link), dltOf(link), {}};
    const auto segs =
        v6 ? conversation("2001:db8::1", "2001:db8::2", sport) : conversation("10.0.0.1", "10.0.0.2", sport);
    LinkOptions opt;
    for (const TcpSegment& s : segs)
        b.frames.push_back(buildFrame(link, s, opt));
    return b;
}

void synthetic()
{
    const int64_t t0 = 1700000000LL * 1000000000LL;
    for (Link link : AllLinks) {
        for (bool v6 : {false, true}) {
            const Built b = build(link, v6, v6 ? 40006 : 40004);
            const std::string tag = std::string(linkName(link)) + (v6 ? "-v6" : "-v4");
            for (const Bytes& f : b.frames)
                decoderSeed(b.dlt, f);

            PcapWriter pw(b.linktype, v6);
            for (size_t i = 0; i < b.frames.size(); ++i)
                pw.add(t0 + static_cast<int64_t>(i) * 1000000, b.frames[i]);
            fileSeed("pcap-" + tag, pw.bytes());
            // Cut inside the last record's header and inside its data.
            const size_t last = pw.recordOffset(pw.recordCount() - 1);
            fileSeed("pcap-cut-header-" + tag,
                     Bytes(pw.bytes().begin(), pw.bytes().begin() + static_cast<std::ptrdiff_t>(last + 8)));
            fileSeed("pcap-cut-data-" + tag,
                     Bytes(pw.bytes().begin(), pw.bytes().begin() + static_cast<std::ptrdiff_t>(last + 30)));

            PcapngWriter nw(v6); // big-endian for the IPv6 variants
            nw.addInterface(b.linktype, v6 ? 9 : 6, 0, v6 ? std::optional<int64_t>(5) : std::nullopt);
            for (size_t i = 0; i < b.frames.size(); ++i)
                nw.addPacket(Packet{t0 + static_cast<int64_t>(i) * 1000000, b.frames[i], 0, 0}, i == 2);
            fileSeed("pcapng-" + tag, nw.bytes());
        }
    }
    // Many short connections, five at a time, their packets interleaved, the file ending on a
    // whole record: the shape read in two parts at once (fuzz_read_in_parts), where the join
    // keeps the later part only when the file does not end inside a record.
    for (const bool v6 : {false, true}) {
        const int Connections = v6 ? 30 : 40, AtOnce = 5;
        PcapWriter pw(linktypeOf(Link::Ethernet), v6);
        int64_t t = t0;
        for (int first = 0; first < Connections; first += AtOnce) {
            std::vector<std::vector<TcpSegment>> open;
            for (int c = first; c < first + AtOnce; ++c) {
                const auto port = static_cast<uint16_t>(41000 + c);
                open.push_back(v6 ? conversation("2001:db8::1", "2001:db8::2", port)
                                  : conversation("10.0.0.1", "10.0.0.2", port));
            }
            for (size_t k = 0; k < open.front().size(); ++k)
                for (const auto& segs : open)
                    pw.add(t += 250'000, buildFrame(Link::Ethernet, segs[k]));
        }
        if (pw.bytes().size() <= MaxFileSeed) fileSeed(v6 ? "pcap-many-short-v6" : "pcap-many-short-v4", pw.bytes());
    }
    // Short snaplen: headers only.
    {
        const Built b = build(Link::Ethernet, false, 40100);
        PcapWriter pw(b.linktype, false, 54);
        for (size_t i = 0; i < b.frames.size(); ++i)
            pw.add(t0 + static_cast<int64_t>(i) * 1000, b.frames[i]);
        fileSeed("pcap-snaplen54", pw.bytes());
    }
    // Mixed link types in one pcapng (libpcap refuses it: the built-in reader reads it),
    // several sections, simple and obsolete packet blocks, binary tsresol, unknown blocks.
    for (bool big : {false, true}) {
        const Built a = build(Link::Ethernet, false, 40200);
        const Built r = build(Link::RawIp, true, 40201);
        const Built s2 = build(Link::Sll2, false, 40202);
        PcapngWriter nw(big);
        nw.addInterface(a.linktype);
        nw.addInterface(r.linktype, 0x80 | 20);
        nw.addInterface(s2.linktype, 3, 128);
        for (size_t i = 0; i < a.frames.size(); ++i) {
            nw.addPacket(0, t0 + static_cast<int64_t>(i), a.frames[i]);
            nw.addPacket(1, t0 + static_cast<int64_t>(i), r.frames[i]);
            nw.addPacket(capped(s2.frames[i], 128, t0 + static_cast<int64_t>(i), 2));
            if (i == 3) nw.addBlock(0x00000BAD, Bytes{1, 2, 3, 4, 5});
            if (i == 5) nw.addBlock(5, Bytes(16, 0)); // interface statistics
        }
        fileSeed(big ? "pcapng-mixed-be" : "pcapng-mixed-le", nw.bytes());

        PcapngWriter sp(big);
        sp.addInterface(a.linktype, 6, 96);
        for (const Bytes& f : a.frames)
            sp.addSimplePacket(f);
        sp.newSection();
        sp.addInterface(r.linktype);
        sp.addInterface(a.linktype);
        for (size_t i = 0; i < a.frames.size(); ++i)
            sp.addObsoletePacket(Packet{t0, a.frames[i], 0, 1});
        fileSeed(big ? "pcapng-spb-pb-be" : "pcapng-spb-pb-le", sp.bytes());
        fileSeed(big ? "pcapng-cut-be" : "pcapng-cut-le",
                 Bytes(sp.bytes().begin(), sp.bytes().begin() + static_cast<std::ptrdiff_t>(sp.packetOffset(3) + 10)));
    }

    // Frames CaptureWriter does not build.
    TcpSegment v6seg;
    v6seg.src = "2001:db8::1";
    v6seg.dst = "2001:db8::2";
    v6seg.flags = core::tcpflag::SYN;
    v6seg.mss = 1440;
    v6seg.tsVal = 7;
    const Bytes v6 = buildIpTcp(v6seg);
    TcpSegment v4seg = v6seg;
    v4seg.src = "192.0.2.1";
    v4seg.dst = "192.0.2.2";
    const Bytes v4 = buildIpTcp(v4seg);

    // NFLOG: family, version, resource id, then TLVs (little-endian), payload type 9.
    for (const Bytes* ip : {&v4, &v6}) {
        Bytes f{static_cast<uint8_t>(ip == &v4 ? 2 : 10), 0, 0, 1};
        le16(f, 8);
        le16(f, 1); // NFULA_PACKET_HDR
        f.insert(f.end(), {0x08, 0x00, 0x03, 0x00});
        le16(f, static_cast<uint16_t>(4 + ip->size()));
        le16(f, 9);
        f.insert(f.end(), ip->begin(), ip->end());
        while (f.size() % 4)
            f.push_back(0);
        decoderSeed(core::linktype::Nflog, f);
    }
    // IPv6 with hop-by-hop, routing, destination options, fragment (offset 0) and AH headers.
    {
        Bytes p = v6;
        const Bytes tcp(p.begin() + 40, p.end());
        p.resize(40);
        const uint8_t chain[] = {0, 43, 60, 44, 51};
        p[6] = chain[0];
        Bytes ext;
        for (size_t i = 0; i < sizeof chain; ++i) {
            const uint8_t next = i + 1 < sizeof chain ? chain[i + 1] : 6;
            if (chain[i] == 51)
                ext.insert(ext.end(), {next, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}); // AH: (1+2)*4 = 12
            else
                ext.insert(ext.end(), {next, 0, 0, 0, 0, 0, 0, 0});
        }
        p.insert(p.end(), ext.begin(), ext.end());
        p.insert(p.end(), tcp.begin(), tcp.end());
        const uint16_t plen = static_cast<uint16_t>(p.size() - 40);
        p[4] = static_cast<uint8_t>(plen >> 8);
        p[5] = static_cast<uint8_t>(plen);
        decoderSeed(core::linktype::Ipv6, p);
        decoderSeed(core::linktype::Raw, p);
    }
    // Ethernet + MPLS (two labels) + IPv4; Ethernet + PPPoE session + IPv6.
    {
        Bytes f(12, 0x02);
        be16(f, 0x8847);
        f.insert(f.end(), {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40});
        f.insert(f.end(), v4.begin(), v4.end());
        decoderSeed(core::linktype::Ethernet, f);
        Bytes g(12, 0x02);
        be16(g, 0x8864);
        g.insert(g.end(), {0x11, 0x00, 0x00, 0x01});
        be16(g, static_cast<uint16_t>(v6.size() + 2));
        be16(g, 0x0057);
        g.insert(g.end(), v6.begin(), v6.end());
        decoderSeed(core::linktype::Ethernet, g);
    }
    // TCP option lists: zero-length option, option running past the header, all NOPs.
    for (const Bytes& opts : {Bytes{2, 0, 1, 1}, Bytes{8, 40, 1, 1}, Bytes{1, 1, 1, 1}, Bytes{5, 34, 0, 0}}) {
        Bytes p = v4;
        p.resize(40); // IPv4 + TCP base header
        p.insert(p.end(), opts.begin(), opts.end());
        p[32] = static_cast<uint8_t>(((20 + opts.size()) / 4) << 4);
        p[2] = 0;
        p[3] = static_cast<uint8_t>(p.size());
        decoderSeed(core::linktype::Raw, p);
    }
}

Bytes readPrefix(const fs::path& p, size_t max)
{
    std::ifstream in(p, std::ios::binary);
    Bytes b(max);
    in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(max));
    b.resize(static_cast<size_t>(in.gcount()));
    return b;
}

void fromCapture(const fs::path& path)
{
    fileSeed("fixture-" + path.filename().string(), readPrefix(path, MaxFileSeed));
    std::string error;
    auto reader = core::CaptureReader::open(path.string(), error);
    if (!reader) return;
    core::RawFrame f;
    for (int i = 0; i < FramesPerCapture && reader->next(f) == core::CaptureReader::Status::Frame; ++i)
        decoderSeed(f.dlt, Bytes(f.data, f.data + f.caplen));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DECODER_DIR FILE_DIR [CAPTURE...]\n", argv[0]);
        return 2;
    }
    try {
        decoderDir = argv[1];
        fileDir = argv[2];
        fs::create_directories(decoderDir);
        fs::create_directories(fileDir);
        synthetic();
        for (int i = 3; i < argc; ++i)
            fromCapture(argv[i]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_seeds: %s\n", e.what());
        return 1;
    }
    std::printf("fuzz_make_seeds: %d decoder seeds in %s, %d file seeds in %s\n", decoderSeeds, decoderDir.c_str(),
                fileSeeds, fileDir.c_str());
    return 0;
}
