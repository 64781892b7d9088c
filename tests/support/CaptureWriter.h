#pragma once
// Test fixtures: build synthetic TCP frames (IPv4/IPv6 + TCP inside a choice of
// link layers) and write them as classic pcap or pcapng files, including files
// that are cut short or deliberately damaged. Used by the core unit tests.
//
// Everything here is deliberately simple and explicit; it is not a general
// capture library. Checksums are computed (IPv4 header and TCP), payloads are
// zero bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowladder::testsupport {

using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------- packets

// One TCP segment. `src`/`dst` are IPv4 ("10.0.0.1") or IPv6 ("2001:db8::1")
// strings; both must be the same family. Flags use core::tcpflag bits.
struct TcpSegment {
    std::string src = "10.0.0.1";
    std::string dst = "10.0.0.2";
    uint16_t sport = 40000;
    uint16_t dport = 80;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0x10; // ACK
    uint16_t window = 65535;
    uint32_t payloadLen = 0;       // zero bytes of payload
    uint8_t ttl = 64;              // TTL (IPv4) or hop limit (IPv6)
    uint16_t ipId = 0;             // IPv4 only
    uint16_t ipFragField = 0x4000; // IPv4 flags + fragment offset field (default DF)
    // TCP options (emitted in Linux's order: MSS, SACK_PERM, TS, WS, padded with NOPs)
    std::optional<uint16_t> mss;
    std::optional<uint8_t> wscale;
    bool sackPerm = false;
    std::optional<uint32_t> tsVal; // with tsEcr: the timestamps option
    uint32_t tsEcr = 0;
};

// IPv4 or IPv6 header + TCP header (+ options) + zero payload. Throws
// std::invalid_argument on an unparsable address or mixed families.
Bytes buildIpTcp(const TcpSegment& seg);
// 4 or 6, from the segment's source address.
int ipVersionOf(const TcpSegment& seg);

// ---------------------------------------------------------------- link layers

enum class Link {
    Ethernet, // DLT/LINKTYPE 1
    Vlan,     // Ethernet + one 802.1Q tag (0x8100)
    QinQ,     // Ethernet + 802.1ad outer tag (0x88a8) + 802.1Q inner tag (0x8100)
    Sll,      // Linux cooked v1, DLT/LINKTYPE 113
    Sll2,     // Linux cooked v2, DLT/LINKTYPE 276
    RawIp,    // LINKTYPE_RAW 101 in files; libpcap reports DLT_RAW 12 on Linux
    Null,     // BSD loopback DLT_NULL 0: 4-byte family in the capturing host's byte order
    Loop,     // OpenBSD loopback DLT_LOOP 108: 4-byte family in network byte order
};

struct LinkOptions {
    uint16_t vlanId = 100;      // Vlan: the tag; QinQ: the inner tag
    uint16_t outerVlanId = 200; // QinQ outer tag
    // Null: family value for IPv6 (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS) and byte order.
    uint32_t nullInet6Family = 24;
    bool nullBigEndian = false;
    uint16_t sllPacketType = 0; // 0 = to us, 4 = outgoing
};

// The value written in a file's link-type field (LINKTYPE_*).
int linktypeOf(Link link);
// The DLT value libpcap reports for such a file on Linux (pcap_datalink).
int dltOf(Link link);
const char* linkName(Link link);
inline constexpr Link AllLinks[] = {Link::Ethernet, Link::Vlan,  Link::QinQ, Link::Sll,
                                    Link::Sll2,     Link::RawIp, Link::Null, Link::Loop};

// Wrap an IP packet (version 4 or 6) in the given link layer.
Bytes wrapLink(Link link, const Bytes& ipPacket, int ipVersion, const LinkOptions& opt = {});
// buildIpTcp + wrapLink.
Bytes buildFrame(Link link, const TcpSegment& seg, const LinkOptions& opt = {});

// ---------------------------------------------------------------- records

struct Packet {
    int64_t tsNs = 0;         // nanoseconds since the epoch
    Bytes data;               // captured bytes
    uint32_t origLen = 0;     // length on the wire; 0 means data.size()
    uint32_t interfaceId = 0; // pcapng only

    uint32_t wireLen() const { return origLen ? origLen : static_cast<uint32_t>(data.size()); }
};

// Keep only the first `snaplen` bytes of a frame (as a capture with that snaplen
// would); the original length stays the full frame length.
Packet capped(Bytes frame, uint32_t snaplen, int64_t tsNs = 0, uint32_t interfaceId = 0);

// Write bytes to a file; throws std::runtime_error on failure.
void writeFile(const std::string& path, const Bytes& bytes);

// ---------------------------------------------------------------- classic pcap

// Little-endian classic pcap (magic a1b2c3d4 for microseconds, a1b23c4d for nanoseconds).
// Records longer than the snaplen are cut to it (as the capture would have);
// their original length stays the full frame length.
class PcapWriter {
public:
    explicit PcapWriter(int linktype, bool nanosecond = false, uint32_t snaplen = 262144);

    void add(const Packet& p);
    void add(int64_t tsNs, const Bytes& frame, uint32_t origLen = 0);

    const Bytes& bytes() const { return out_; }
    size_t size() const { return out_.size(); }
    // Offset of record i (its 16-byte header) in bytes(); useful to cut inside a record.
    size_t recordOffset(size_t i) const { return records_.at(i); }
    size_t recordCount() const { return records_.size(); }

    void write(const std::string& path) const { writeFile(path, out_); }
    // Write only the first `length` bytes (e.g. recordOffset(k) + 20 to cut inside record k).
    void writeTruncated(const std::string& path, size_t length) const;

private:
    Bytes out_;
    std::vector<size_t> records_;
    bool nano_;
    uint32_t snaplen_;
};

// ---------------------------------------------------------------- pcapng

// A pcapng writer. Blocks are appended in call order; the constructor writes
// the first Section Header Block. Little-endian unless bigEndian.
class PcapngWriter {
public:
    explicit PcapngWriter(bool bigEndian = false);

    // Start a new section (SHB): interfaces of earlier sections no longer apply.
    void newSection();
    // Interface Description Block. `tsresol` is the raw if_tsresol byte: n for
    // 10^-n seconds, 0x80|n for 2^-n seconds (6 = microseconds, the default, is
    // written as an option anyway so tests exercise it). `tsoffsetSec` is
    // if_tsoffset. Returns the interface id within the current section.
    uint32_t addInterface(int linktype, uint8_t tsresol = 6, uint32_t snaplen = 0,
                          std::optional<int64_t> tsoffsetSec = std::nullopt);
    // Enhanced Packet Block on interface p.interfaceId; the timestamp is converted
    // to that interface's resolution (and offset). An options list (a comment) is
    // added when `withComment`.
    void addPacket(const Packet& p, bool withComment = false);
    void addPacket(uint32_t interfaceId, int64_t tsNs, const Bytes& frame, uint32_t origLen = 0);
    // Simple Packet Block (interface 0, no timestamp). `frame` is stored as given
    // (the caller caps it to the snaplen of interface 0 if it wants realism).
    void addSimplePacket(const Bytes& frame, uint32_t origLen = 0);
    // Obsolete Packet Block (type 2, 16-bit interface id).
    void addObsoletePacket(const Packet& p);
    // Any block from its type and body (padded to 4 bytes here); lengths are correct.
    void addBlock(uint32_t type, const Bytes& body);
    // Raw bytes appended as they are (for hand-made damaged blocks).
    void addRaw(const Bytes& raw);

    // Helpers to hand-craft blocks in this writer's byte order.
    void put16(Bytes& b, uint16_t v) const;
    void put32(Bytes& b, uint32_t v) const;
    void put64(Bytes& b, uint64_t v) const;

    bool bigEndian() const { return big_; }
    const Bytes& bytes() const { return out_; }
    size_t size() const { return out_.size(); }
    // Offset of the i-th packet block (EPB, SPB or PB) in bytes().
    size_t packetOffset(size_t i) const { return packets_.at(i); }
    size_t packetCount() const { return packets_.size(); }

    void write(const std::string& path) const { writeFile(path, out_); }
    void writeTruncated(const std::string& path, size_t length) const;

    // Convert nanoseconds to ticks of an if_tsresol byte (used by addPacket).
    static uint64_t toTicks(int64_t tsNs, uint8_t tsresol);

private:
    struct Interface {
        uint8_t tsresol;
        int64_t tsoffset;
    };
    Bytes out_;
    std::vector<Interface> ifaces_;
    std::vector<size_t> packets_;
    bool big_;
};

} // namespace flowladder::testsupport
