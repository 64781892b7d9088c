#pragma once
// Decodes one captured frame (link layer -> IPv4/IPv6 -> TCP) into the fields the
// analysis needs. Every read is bounds-checked against the captured length; a
// damaged or cut-short header yields Malformed with a reason, never a crash.

#include "core/model/Types.h"

#include <cstddef>
#include <cstdint>

namespace flowladder::core {

// Link types by their DLT_ value as libpcap reports them (pcap_datalink).
namespace linktype {
inline constexpr int Null = 0; // BSD loopback, host byte order family
inline constexpr int Ethernet = 1;
inline constexpr int Raw = 12;    // DLT_RAW on Linux (LINKTYPE_RAW 101 maps here)
inline constexpr int RawAlt = 14; // DLT_RAW on some BSDs
inline constexpr int Loop = 108;  // OpenBSD loopback, network byte order family
inline constexpr int LinuxSll = 113;
inline constexpr int LinktypeRaw = 101;
inline constexpr int Ipv4 = 228;
inline constexpr int Ipv6 = 229;
inline constexpr int Nflog = 239;
inline constexpr int LinuxSll2 = 276;
} // namespace linktype

// "EN10MB", "LINUX_SLL", ... (the names libpcap and the JSON contract use).
const char* linktypeName(int dlt);
bool linktypeSupported(int dlt);

enum class DecodeStatus : uint8_t {
    Tcp,         // a TCP segment: DecodedPacket is filled
    NotTcp,      // a valid frame carrying something else (ARP, UDP, ICMP...)
    Fragment,    // an IP fragment: counted, not reassembled
    Malformed,   // a header is damaged or cut short; `error` says which
    Unsupported, // link type not supported
};

struct DecodedPacket {
    Endpoint src;
    Endpoint dst;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint32_t payloadLen = 0; // from the IP length (headers-only captures keep their lengths)
    uint16_t window = 0;
    uint16_t ipId = 0;
    uint8_t flags = 0;
    uint8_t ttl = 0;
    uint8_t ipVersion = 4;
    bool truncated = false; // captured bytes end before the IP packet does
    // TCP options (only the ones the analysis uses)
    bool hasMss = false;
    bool hasWscale = false;
    bool hasSackPerm = false;
    bool hasTimestamp = false;
    uint8_t sackBlocks = 0;
    uint16_t mss = 0;
    uint8_t wscale = 0;
    uint32_t tsVal = 0;
    uint32_t tsEcr = 0;
};

struct DecodeResult {
    DecodeStatus status = DecodeStatus::NotTcp;
    const char* error = nullptr; // static string, set for Malformed / Unsupported
};

DecodeResult decodeFrame(int dlt, const uint8_t* data, size_t caplen, DecodedPacket& out);

} // namespace flowladder::core
