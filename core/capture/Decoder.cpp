#include "core/capture/Decoder.h"

#include <cstring>

namespace flowladder::core {

namespace {

inline uint16_t be16(const uint8_t* p)
{
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t be32(const uint8_t* p)
{
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint16_t le16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t le32(const uint8_t* p)
{
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

constexpr uint16_t EtherIpv4 = 0x0800;
constexpr uint16_t EtherIpv6 = 0x86DD;
constexpr uint16_t EtherVlan = 0x8100;
constexpr uint16_t EtherQinQ = 0x88A8;
constexpr uint16_t EtherQinQOld = 0x9100;
constexpr uint16_t EtherPppoeSession = 0x8864;
constexpr uint16_t EtherMpls = 0x8847;
constexpr uint16_t EtherMplsMulticast = 0x8848;
constexpr int MaxVlanTags = 8;
constexpr int MaxMplsLabels = 16;
constexpr int MaxIpv6ExtHeaders = 16;

DecodeResult malformed(const char* why)
{
    return {DecodeStatus::Malformed, why};
}

void parseTcpOptions(const uint8_t* p, size_t len, DecodedPacket& out)
{
    size_t i = 0;
    while (i < len) {
        const uint8_t kind = p[i];
        if (kind == 0) break; // end of option list
        if (kind == 1) {      // no-op
            ++i;
            continue;
        }
        if (i + 1 >= len) break;
        const uint8_t olen = p[i + 1];
        if (olen < 2 || i + olen > len) break; // damaged list: stop, keep what was parsed
        const uint8_t* v = p + i + 2;
        switch (kind) {
        case 2:
            if (olen == 4) {
                out.hasMss = true;
                out.mss = be16(v);
            }
            break;
        case 3:
            if (olen == 3) {
                out.hasWscale = true;
                out.wscale = v[0] > 14 ? 14 : v[0];
            }
            break;
        case 4:
            out.hasSackPerm = true;
            break;
        case 5:
            out.sackBlocks = static_cast<uint8_t>((olen - 2) / 8);
            break;
        case 8:
            if (olen == 10) {
                out.hasTimestamp = true;
                out.tsVal = be32(v);
                out.tsEcr = be32(v + 4);
            }
            break;
        default:
            break;
        }
        i += olen;
    }
}

// `ipPayloadLen` is the length of the TCP segment according to the IP header.
DecodeResult decodeTcp(const uint8_t* p, size_t avail, uint32_t ipPayloadLen, DecodedPacket& out)
{
    if (ipPayloadLen < 20) return malformed("TCP segment shorter than a TCP header");
    if (avail < 20) return malformed("TCP header cut short by the capture");
    out.src.port = be16(p);
    out.dst.port = be16(p + 2);
    out.seq = be32(p + 4);
    out.ack = be32(p + 8);
    const uint32_t hdrLen = (p[12] >> 4) * 4u;
    out.flags = p[13];
    out.window = be16(p + 14);
    if (hdrLen < 20) return malformed("TCP data offset below 5");
    if (hdrLen > ipPayloadLen) return malformed("TCP header longer than the IP payload");
    out.payloadLen = ipPayloadLen - hdrLen;
    const size_t optAvail = (avail < hdrLen ? avail : hdrLen) - 20;
    if (avail < hdrLen) out.truncated = true;
    parseTcpOptions(p + 20, optAvail, out);
    return {DecodeStatus::Tcp, nullptr};
}

DecodeResult decodeIpv4(const uint8_t* p, size_t avail, DecodedPacket& out)
{
    if (avail < 20) return malformed("IPv4 header cut short");
    if ((p[0] >> 4) != 4) return malformed("IPv4 header with another version");
    const uint32_t ihl = (p[0] & 0x0f) * 4u;
    if (ihl < 20) return malformed("IPv4 header length below 20");
    if (avail < ihl) return malformed("IPv4 options cut short");
    uint32_t total = be16(p + 2);
    if (total == 0) total = static_cast<uint32_t>(avail); // TSO / BIG TCP: length left to the capture
    if (total < ihl) return malformed("IPv4 total length below its header length");
    const uint16_t frag = be16(p + 6);
    if ((frag & 0x1fff) != 0 || (frag & 0x2000) != 0) return {DecodeStatus::Fragment, nullptr};
    if (p[9] != 6) return {DecodeStatus::NotTcp, nullptr};
    out.ipVersion = 4;
    out.ttl = p[8];
    out.ipId = be16(p + 4);
    out.src.addr = IpAddress{};
    out.dst.addr = IpAddress{};
    out.src.addr.version = out.dst.addr.version = 4;
    std::memcpy(out.src.addr.bytes.data(), p + 12, 4);
    std::memcpy(out.dst.addr.bytes.data(), p + 16, 4);
    if (avail < total) out.truncated = true;
    const size_t tcpAvail = (avail < total ? avail : total) - ihl;
    return decodeTcp(p + ihl, tcpAvail, total - ihl, out);
}

DecodeResult decodeIpv6(const uint8_t* p, size_t avail, DecodedPacket& out)
{
    if (avail < 40) return malformed("IPv6 header cut short");
    if ((p[0] >> 4) != 6) return malformed("IPv6 header with another version");
    uint32_t payload = be16(p + 4);
    if (payload == 0) payload = static_cast<uint32_t>(avail - 40); // jumbogram / BIG TCP
    out.ipVersion = 6;
    out.ttl = p[7];
    out.ipId = 0;
    out.src.addr.version = out.dst.addr.version = 6;
    std::memcpy(out.src.addr.bytes.data(), p + 8, 16);
    std::memcpy(out.dst.addr.bytes.data(), p + 24, 16);
    uint8_t next = p[6];
    size_t off = 40;              // offset in the captured bytes
    uint32_t remaining = payload; // bytes of IPv6 payload left after extension headers
    for (int n = 0; n < MaxIpv6ExtHeaders; ++n) {
        if (next == 6) {
            const size_t capLeft = avail - off;
            if (capLeft < remaining) out.truncated = true;
            return decodeTcp(p + off, capLeft < remaining ? capLeft : remaining, remaining, out);
        }
        size_t extLen = 0;
        switch (next) {
        case 0:  // hop-by-hop
        case 43: // routing
        case 60: // destination options
            if (avail < off + 2) return malformed("IPv6 extension header cut short");
            extLen = (size_t{p[off + 1]} + 1) * 8;
            break;
        case 44: { // fragment
            if (avail < off + 8) return malformed("IPv6 fragment header cut short");
            const uint16_t fo = be16(p + off + 2);
            if ((fo & 0xfff8) != 0 || (fo & 1) != 0) return {DecodeStatus::Fragment, nullptr};
            extLen = 8;
            break;
        }
        case 51: // authentication header
            if (avail < off + 2) return malformed("IPv6 AH header cut short");
            extLen = (size_t{p[off + 1]} + 2) * 4;
            break;
        default:
            return {DecodeStatus::NotTcp, nullptr};
        }
        if (extLen > remaining) return malformed("IPv6 extension header longer than the payload");
        if (avail < off + extLen) return malformed("IPv6 extension header cut short");
        next = p[off];
        off += extLen;
        remaining -= static_cast<uint32_t>(extLen);
    }
    return malformed("too many IPv6 extension headers");
}

DecodeResult decodeByIpVersion(const uint8_t* p, size_t avail, DecodedPacket& out);

DecodeResult decodeByEthertype(uint16_t type, const uint8_t* p, size_t avail, DecodedPacket& out)
{
    for (int tags = 0; type == EtherVlan || type == EtherQinQ || type == EtherQinQOld; ++tags) {
        if (tags >= MaxVlanTags) return malformed("too many VLAN tags");
        if (avail < 4) return malformed("VLAN tag cut short");
        type = be16(p + 2);
        p += 4;
        avail -= 4;
    }
    if (type == EtherIpv4) return decodeIpv4(p, avail, out);
    if (type == EtherIpv6) return decodeIpv6(p, avail, out);
    if (type == EtherPppoeSession) {
        // PPPoE header (6 bytes) then the PPP protocol number.
        if (avail < 8) return malformed("PPPoE header cut short");
        const uint16_t ppp = be16(p + 6);
        if (ppp == 0x0021) return decodeIpv4(p + 8, avail - 8, out);
        if (ppp == 0x0057) return decodeIpv6(p + 8, avail - 8, out);
        return {DecodeStatus::NotTcp, nullptr};
    }
    if (type == EtherMpls || type == EtherMplsMulticast) {
        // Pop labels to the bottom of the stack; the payload's version nibble tells IPv4 from IPv6.
        for (int labels = 0;; ++labels) {
            if (labels >= MaxMplsLabels) return malformed("too many MPLS labels");
            if (avail < 4) return malformed("MPLS label cut short");
            const bool bottom = p[2] & 1;
            p += 4;
            avail -= 4;
            if (bottom) break;
        }
        return decodeByIpVersion(p, avail, out);
    }
    return {DecodeStatus::NotTcp, nullptr};
}

DecodeResult decodeByIpVersion(const uint8_t* p, size_t avail, DecodedPacket& out)
{
    if (avail < 1) return malformed("empty IP packet");
    switch (p[0] >> 4) {
    case 4:
        return decodeIpv4(p, avail, out);
    case 6:
        return decodeIpv6(p, avail, out);
    default:
        return {DecodeStatus::NotTcp, nullptr};
    }
}

DecodeResult decodeNull(const uint8_t* p, size_t avail, DecodedPacket& out, bool networkOrder)
{
    if (avail < 4) return malformed("loopback header cut short");
    // DLT_NULL stores the family in the capturing host's byte order: accept either.
    const uint32_t fam = networkOrder ? be32(p) : (le32(p) < 0x10000 ? le32(p) : be32(p));
    if (fam == 2) return decodeIpv4(p + 4, avail - 4, out);
    if (fam == 10 || fam == 24 || fam == 28 || fam == 30) return decodeIpv6(p + 4, avail - 4, out);
    return {DecodeStatus::NotTcp, nullptr};
}

DecodeResult decodeNflog(const uint8_t* p, size_t avail, DecodedPacket& out)
{
    if (avail < 4) return malformed("NFLOG header cut short");
    const uint8_t family = p[0];
    size_t off = 4;
    while (off + 4 <= avail) {
        const uint16_t tlvLen = le16(p + off); // NFLOG TLVs are in host (little-endian) order
        const uint16_t tlvType = le16(p + off + 2);
        if (tlvLen < 4) return malformed("NFLOG TLV length below 4");
        if (off + tlvLen > avail) return malformed("NFLOG TLV cut short");
        if (tlvType == 9) { // NFULA_PAYLOAD
            const uint8_t* ip = p + off + 4;
            const size_t ipLen = tlvLen - 4u;
            if (family == 2) return decodeIpv4(ip, ipLen, out);
            if (family == 10) return decodeIpv6(ip, ipLen, out);
            return decodeByIpVersion(ip, ipLen, out);
        }
        off += (tlvLen + 3u) & ~size_t{3};
    }
    return {DecodeStatus::NotTcp, nullptr};
}

} // namespace

const char* linktypeName(int dlt)
{
    switch (dlt) {
    case linktype::Null:
        return "NULL";
    case linktype::Ethernet:
        return "EN10MB";
    case linktype::Raw:
    case linktype::RawAlt:
    case linktype::LinktypeRaw:
        return "RAW";
    case linktype::Loop:
        return "LOOP";
    case linktype::LinuxSll:
        return "LINUX_SLL";
    case linktype::LinuxSll2:
        return "LINUX_SLL2";
    case linktype::Ipv4:
        return "IPV4";
    case linktype::Ipv6:
        return "IPV6";
    case linktype::Nflog:
        return "NFLOG";
    default:
        return "UNSUPPORTED";
    }
}

bool linktypeSupported(int dlt)
{
    return std::strcmp(linktypeName(dlt), "UNSUPPORTED") != 0;
}

DecodeResult decodeFrame(int dlt, const uint8_t* data, size_t caplen, DecodedPacket& out)
{
    out = DecodedPacket{};
    switch (dlt) {
    case linktype::Ethernet:
        if (caplen < 14) return malformed("Ethernet header cut short");
        return decodeByEthertype(be16(data + 12), data + 14, caplen - 14, out);
    case linktype::LinuxSll:
        if (caplen < 16) return malformed("Linux cooked (SLL) header cut short");
        return decodeByEthertype(be16(data + 14), data + 16, caplen - 16, out);
    case linktype::LinuxSll2:
        if (caplen < 20) return malformed("Linux cooked v2 (SLL2) header cut short");
        return decodeByEthertype(be16(data), data + 20, caplen - 20, out);
    case linktype::Raw:
    case linktype::RawAlt:
    case linktype::LinktypeRaw:
        return decodeByIpVersion(data, caplen, out);
    case linktype::Ipv4:
        return decodeIpv4(data, caplen, out);
    case linktype::Ipv6:
        return decodeIpv6(data, caplen, out);
    case linktype::Null:
        return decodeNull(data, caplen, out, false);
    case linktype::Loop:
        return decodeNull(data, caplen, out, true);
    case linktype::Nflog:
        return decodeNflog(data, caplen, out);
    default:
        return {DecodeStatus::Unsupported, "link type not supported"};
    }
}

} // namespace flowladder::core
