#include "tests/support/CaptureWriter.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdio>
#include <stdexcept>

namespace flowladder::testsupport {

namespace {

void be16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void be32(Bytes& b, uint32_t v)
{
    be16(b, static_cast<uint16_t>(v >> 16));
    be16(b, static_cast<uint16_t>(v));
}
void le16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
}
void le32(Bytes& b, uint32_t v)
{
    le16(b, static_cast<uint16_t>(v));
    le16(b, static_cast<uint16_t>(v >> 16));
}
void setBe16(Bytes& b, size_t at, uint16_t v)
{
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}
void append(Bytes& b, const Bytes& more)
{
    b.insert(b.end(), more.begin(), more.end());
}

struct Addr {
    int version = 4;
    uint8_t bytes[16]{};
};

Addr parseAddr(const std::string& s)
{
    Addr a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes) == 1) {
        a.version = 4;
    } else if (inet_pton(AF_INET6, s.c_str(), a.bytes) == 1) {
        a.version = 6;
    } else {
        throw std::invalid_argument("CaptureWriter: bad IP address '" + s + "'");
    }
    return a;
}

// One's-complement sum over 16-bit big-endian words.
uint32_t sum16(const uint8_t* p, size_t n, uint32_t acc = 0)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) acc += static_cast<uint32_t>(p[n - 1] << 8);
    return acc;
}
uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<uint16_t>(~acc);
}

Bytes tcpOptions(const TcpSegment& s)
{
    Bytes o;
    if (s.mss) {
        o.push_back(2);
        o.push_back(4);
        be16(o, *s.mss);
    }
    if (s.sackPerm && s.tsVal) {
        o.push_back(4); // SACK_PERM
        o.push_back(2);
    } else if (s.sackPerm) {
        o.push_back(1);
        o.push_back(1);
        o.push_back(4);
        o.push_back(2);
    } else if (s.tsVal) {
        o.push_back(1);
        o.push_back(1);
    }
    if (s.tsVal) {
        o.push_back(8);
        o.push_back(10);
        be32(o, *s.tsVal);
        be32(o, s.tsEcr);
    }
    if (s.wscale) {
        o.push_back(1);
        o.push_back(3);
        o.push_back(3);
        o.push_back(*s.wscale);
    }
    return o; // always a multiple of 4 by construction
}

} // namespace

int ipVersionOf(const TcpSegment& seg)
{
    return parseAddr(seg.src).version;
}

Bytes buildIpTcp(const TcpSegment& s)
{
    const Addr src = parseAddr(s.src);
    const Addr dst = parseAddr(s.dst);
    if (src.version != dst.version) throw std::invalid_argument("CaptureWriter: mixed IPv4/IPv6 addresses");

    const Bytes opts = tcpOptions(s);
    Bytes tcp;
    be16(tcp, s.sport);
    be16(tcp, s.dport);
    be32(tcp, s.seq);
    be32(tcp, s.ack);
    tcp.push_back(static_cast<uint8_t>(((20 + opts.size()) / 4) << 4));
    tcp.push_back(s.flags);
    be16(tcp, s.window);
    be16(tcp, 0); // checksum, filled below
    be16(tcp, 0); // urgent pointer
    append(tcp, opts);
    tcp.resize(tcp.size() + s.payloadLen, 0);
    const uint32_t tcpLen = static_cast<uint32_t>(tcp.size());

    const size_t addrLen = src.version == 4 ? 4 : 16;
    uint32_t pseudo = sum16(src.bytes, addrLen);
    pseudo = sum16(dst.bytes, addrLen, pseudo);
    pseudo += 6 + (tcpLen >> 16) + (tcpLen & 0xffff);
    setBe16(tcp, 16, fold(sum16(tcp.data(), tcp.size(), pseudo)));

    Bytes ip;
    if (src.version == 4) {
        ip.push_back(0x45);
        ip.push_back(0);
        be16(ip, static_cast<uint16_t>(20 + tcpLen));
        be16(ip, s.ipId);
        be16(ip, s.ipFragField);
        ip.push_back(s.ttl);
        ip.push_back(6);
        be16(ip, 0);
        ip.insert(ip.end(), src.bytes, src.bytes + 4);
        ip.insert(ip.end(), dst.bytes, dst.bytes + 4);
        setBe16(ip, 10, fold(sum16(ip.data(), ip.size())));
    } else {
        be32(ip, 0x60000000u);
        be16(ip, static_cast<uint16_t>(tcpLen));
        ip.push_back(6);
        ip.push_back(s.ttl);
        ip.insert(ip.end(), src.bytes, src.bytes + 16);
        ip.insert(ip.end(), dst.bytes, dst.bytes + 16);
    }
    append(ip, tcp);
    return ip;
}

int linktypeOf(Link link)
{
    switch (link) {
    case Link::Ethernet:
    case Link::Vlan:
    case Link::QinQ:
        return 1;
    case Link::Sll:
        return 113;
    case Link::Sll2:
        return 276;
    case Link::RawIp:
        return 101;
    case Link::Null:
        return 0;
    case Link::Loop:
        return 108;
    }
    return -1;
}

int dltOf(Link link)
{
    return link == Link::RawIp ? 12 : linktypeOf(link);
}

const char* linkName(Link link)
{
    switch (link) {
    case Link::Ethernet:
        return "Ethernet";
    case Link::Vlan:
        return "Vlan";
    case Link::QinQ:
        return "QinQ";
    case Link::Sll:
        return "Sll";
    case Link::Sll2:
        return "Sll2";
    case Link::RawIp:
        return "RawIp";
    case Link::Null:
        return "Null";
    case Link::Loop:
        return "Loop";
    }
    return "?";
}

Bytes wrapLink(Link link, const Bytes& ip, int ipVersion, const LinkOptions& opt)
{
    const uint16_t ethertype = ipVersion == 6 ? 0x86DD : 0x0800;
    static const uint8_t dstMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    static const uint8_t srcMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    Bytes f;
    switch (link) {
    case Link::Ethernet:
    case Link::Vlan:
    case Link::QinQ:
        f.insert(f.end(), dstMac, dstMac + 6);
        f.insert(f.end(), srcMac, srcMac + 6);
        if (link == Link::QinQ) {
            be16(f, 0x88A8);
            be16(f, opt.outerVlanId & 0x0fff);
        }
        if (link != Link::Ethernet) {
            be16(f, 0x8100);
            be16(f, opt.vlanId & 0x0fff);
        }
        be16(f, ethertype);
        break;
    case Link::Sll:
        be16(f, opt.sllPacketType);
        be16(f, 1); // ARPHRD_ETHER
        be16(f, 6);
        f.insert(f.end(), srcMac, srcMac + 6);
        be16(f, 0); // address padded to 8 bytes
        be16(f, ethertype);
        break;
    case Link::Sll2:
        be16(f, ethertype);
        be16(f, 0); // reserved
        be32(f, 2); // interface index
        be16(f, 1); // ARPHRD_ETHER
        f.push_back(static_cast<uint8_t>(opt.sllPacketType));
        f.push_back(6);
        f.insert(f.end(), srcMac, srcMac + 6);
        be16(f, 0);
        break;
    case Link::RawIp:
        break;
    case Link::Null: {
        const uint32_t family = ipVersion == 6 ? opt.nullInet6Family : 2;
        if (opt.nullBigEndian)
            be32(f, family);
        else
            le32(f, family);
        break;
    }
    case Link::Loop:
        be32(f, ipVersion == 6 ? 24 : 2);
        break;
    }
    append(f, ip);
    return f;
}

Bytes buildFrame(Link link, const TcpSegment& seg, const LinkOptions& opt)
{
    return wrapLink(link, buildIpTcp(seg), ipVersionOf(seg), opt);
}

Packet capped(Bytes frame, uint32_t snaplen, int64_t tsNs, uint32_t interfaceId)
{
    Packet p;
    p.tsNs = tsNs;
    p.interfaceId = interfaceId;
    p.origLen = static_cast<uint32_t>(frame.size());
    if (frame.size() > snaplen) frame.resize(snaplen);
    p.data = std::move(frame);
    return p;
}

void writeFile(const std::string& path, const Bytes& bytes)
{
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("CaptureWriter: cannot create " + path);
    const size_t n = bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), f);
    const bool ok = n == bytes.size() && std::fclose(f) == 0;
    if (!ok) throw std::runtime_error("CaptureWriter: cannot write " + path);
}

// ---------------------------------------------------------------- classic pcap

PcapWriter::PcapWriter(int linktype, bool nanosecond, uint32_t snaplen) : nano_(nanosecond), snaplen_(snaplen)
{
    le32(out_, nanosecond ? 0xa1b23c4du : 0xa1b2c3d4u);
    le16(out_, 2);
    le16(out_, 4);
    le32(out_, 0); // thiszone
    le32(out_, 0); // sigfigs
    le32(out_, snaplen);
    le32(out_, static_cast<uint32_t>(linktype));
}

void PcapWriter::add(const Packet& p)
{
    records_.push_back(out_.size());
    const int64_t sec = p.tsNs >= 0 ? p.tsNs / 1000000000 : (p.tsNs - 999999999) / 1000000000;
    const int64_t ns = p.tsNs - sec * 1000000000;
    le32(out_, static_cast<uint32_t>(sec));
    le32(out_, static_cast<uint32_t>(nano_ ? ns : ns / 1000));
    const size_t caplen = std::min<size_t>(p.data.size(), snaplen_ ? snaplen_ : p.data.size());
    le32(out_, static_cast<uint32_t>(caplen));
    le32(out_, p.wireLen());
    out_.insert(out_.end(), p.data.begin(), p.data.begin() + static_cast<std::ptrdiff_t>(caplen));
}

void PcapWriter::add(int64_t tsNs, const Bytes& frame, uint32_t origLen)
{
    add(Packet{tsNs, frame, origLen, 0});
}

void PcapWriter::writeTruncated(const std::string& path, size_t length) const
{
    writeFile(path, Bytes(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(std::min(length, out_.size()))));
}

// ---------------------------------------------------------------- pcapng

void PcapngWriter::put16(Bytes& b, uint16_t v) const
{
    big_ ? be16(b, v) : le16(b, v);
}
void PcapngWriter::put32(Bytes& b, uint32_t v) const
{
    big_ ? be32(b, v) : le32(b, v);
}
void PcapngWriter::put64(Bytes& b, uint64_t v) const
{
    // pcapng 64-bit fields in options are in the section's byte order as a whole.
    if (big_) {
        be32(b, static_cast<uint32_t>(v >> 32));
        be32(b, static_cast<uint32_t>(v));
    } else {
        le32(b, static_cast<uint32_t>(v));
        le32(b, static_cast<uint32_t>(v >> 32));
    }
}

PcapngWriter::PcapngWriter(bool bigEndian) : big_(bigEndian)
{
    newSection();
}

void PcapngWriter::newSection()
{
    ifaces_.clear();
    Bytes body;
    put32(body, 0x1A2B3C4Du);
    put16(body, 1);
    put16(body, 0);
    put64(body, ~uint64_t{0}); // section length unknown
    // shb_userappl option, to exercise option parsing
    const std::string app = "flowladder tests";
    put16(body, 4);
    put16(body, static_cast<uint16_t>(app.size()));
    body.insert(body.end(), app.begin(), app.end());
    while (body.size() % 4)
        body.push_back(0);
    put16(body, 0);
    put16(body, 0);
    addBlock(0x0A0D0D0Au, body);
}

uint32_t PcapngWriter::addInterface(int linktype, uint8_t tsresol, uint32_t snaplen, std::optional<int64_t> tsoffsetSec)
{
    Bytes body;
    put16(body, static_cast<uint16_t>(linktype));
    put16(body, 0);
    put32(body, snaplen);
    put16(body, 9); // if_tsresol
    put16(body, 1);
    body.push_back(tsresol);
    body.push_back(0);
    body.push_back(0);
    body.push_back(0);
    if (tsoffsetSec) {
        put16(body, 14); // if_tsoffset
        put16(body, 8);
        put64(body, static_cast<uint64_t>(*tsoffsetSec));
    }
    put16(body, 0);
    put16(body, 0);
    addBlock(1, body);
    ifaces_.push_back({tsresol, tsoffsetSec.value_or(0)});
    return static_cast<uint32_t>(ifaces_.size() - 1);
}

uint64_t PcapngWriter::toTicks(int64_t tsNs, uint8_t tsresol)
{
    const unsigned n = tsresol & 0x7f;
    const uint64_t ns = static_cast<uint64_t>(tsNs);
    if (tsresol & 0x80) {
        const uint64_t sec = ns / 1000000000, frac = ns % 1000000000;
        return (sec << n) + ((frac << n) / 1000000000);
    }
    uint64_t scale = 1;
    if (n <= 9) {
        for (unsigned i = n; i < 9; ++i)
            scale *= 10;
        return ns / scale;
    }
    for (unsigned i = 9; i < n; ++i)
        scale *= 10;
    return ns * scale;
}

void PcapngWriter::addPacket(const Packet& p, bool withComment)
{
    const Interface iface = p.interfaceId < ifaces_.size() ? ifaces_[p.interfaceId] : Interface{6, 0};
    const uint64_t ticks = toTicks(p.tsNs - iface.tsoffset * 1000000000, iface.tsresol);
    Bytes body;
    put32(body, p.interfaceId);
    put32(body, static_cast<uint32_t>(ticks >> 32));
    put32(body, static_cast<uint32_t>(ticks));
    put32(body, static_cast<uint32_t>(p.data.size()));
    put32(body, p.wireLen());
    append(body, p.data);
    while (body.size() % 4)
        body.push_back(0);
    if (withComment) {
        const std::string c = "synthetic";
        put16(body, 1);
        put16(body, static_cast<uint16_t>(c.size()));
        body.insert(body.end(), c.begin(), c.end());
        while (body.size() % 4)
            body.push_back(0);
        put16(body, 0);
        put16(body, 0);
    }
    packets_.push_back(out_.size());
    addBlock(6, body);
}

void PcapngWriter::addPacket(uint32_t interfaceId, int64_t tsNs, const Bytes& frame, uint32_t origLen)
{
    addPacket(Packet{tsNs, frame, origLen, interfaceId});
}

void PcapngWriter::addSimplePacket(const Bytes& frame, uint32_t origLen)
{
    Bytes body;
    put32(body, origLen ? origLen : static_cast<uint32_t>(frame.size()));
    append(body, frame);
    packets_.push_back(out_.size());
    addBlock(3, body);
}

void PcapngWriter::addObsoletePacket(const Packet& p)
{
    const Interface iface = p.interfaceId < ifaces_.size() ? ifaces_[p.interfaceId] : Interface{6, 0};
    const uint64_t ticks = toTicks(p.tsNs - iface.tsoffset * 1000000000, iface.tsresol);
    Bytes body;
    put16(body, static_cast<uint16_t>(p.interfaceId));
    put16(body, 0); // drops count
    put32(body, static_cast<uint32_t>(ticks >> 32));
    put32(body, static_cast<uint32_t>(ticks));
    put32(body, static_cast<uint32_t>(p.data.size()));
    put32(body, p.wireLen());
    append(body, p.data);
    packets_.push_back(out_.size());
    addBlock(2, body);
}

void PcapngWriter::addBlock(uint32_t type, const Bytes& body)
{
    Bytes padded = body;
    while (padded.size() % 4)
        padded.push_back(0);
    const uint32_t total = static_cast<uint32_t>(12 + padded.size());
    put32(out_, type);
    put32(out_, total);
    append(out_, padded);
    put32(out_, total);
}

void PcapngWriter::addRaw(const Bytes& raw)
{
    append(out_, raw);
}

void PcapngWriter::writeTruncated(const std::string& path, size_t length) const
{
    writeFile(path, Bytes(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(std::min(length, out_.size()))));
}

} // namespace flowladder::testsupport
