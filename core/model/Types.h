#pragma once
// Basic value types shared by the whole core: addresses, endpoints, TCP flags,
// sequence-number arithmetic and TCP states.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace flowladder::core {

// An IPv4 or IPv6 address. IPv4 is stored in the first four bytes.
struct IpAddress {
    std::array<uint8_t, 16> bytes{};
    uint8_t version = 4; // 4 or 6

    bool operator==(const IpAddress&) const = default;
    std::string toString() const;
};

struct Endpoint {
    IpAddress addr;
    uint16_t port = 0;

    bool operator==(const Endpoint&) const = default;
    // "10.0.0.1:80" or "[2001:db8::1]:443", as the CLI contract writes endpoints.
    std::string toString() const;
};

namespace tcpflag {
inline constexpr uint8_t FIN = 0x01;
inline constexpr uint8_t SYN = 0x02;
inline constexpr uint8_t RST = 0x04;
inline constexpr uint8_t PSH = 0x08;
inline constexpr uint8_t ACK = 0x10;
inline constexpr uint8_t URG = 0x20;
inline constexpr uint8_t ECE = 0x40;
inline constexpr uint8_t CWR = 0x80;
} // namespace tcpflag

// "SYN,ACK" style rendering of a flags byte (empty string for no flags).
std::string flagsToString(uint8_t flags);

// a + b and a - b saturated at the int64_t limits: a timestamp plus a difference or an
// offset read from a hostile file must not overflow.
inline int64_t satAdd(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}
inline int64_t satSub(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_sub_overflow(a, b, &r) ? (b < 0 ? INT64_MAX : INT64_MIN) : r;
}

// RFC 1982 serial arithmetic on 32-bit sequence numbers.
inline int32_t seqDiff(uint32_t a, uint32_t b)
{
    return static_cast<int32_t>(a - b);
}
inline bool seqLt(uint32_t a, uint32_t b)
{
    return seqDiff(a, b) < 0;
}
inline bool seqLe(uint32_t a, uint32_t b)
{
    return seqDiff(a, b) <= 0;
}
inline bool seqGt(uint32_t a, uint32_t b)
{
    return seqDiff(a, b) > 0;
}
inline bool seqGe(uint32_t a, uint32_t b)
{
    return seqDiff(a, b) >= 0;
}
inline uint32_t seqMax(uint32_t a, uint32_t b)
{
    return seqGe(a, b) ? a : b;
}

// The states of RFC 793 as the capture point can infer them for one side.
enum class TcpState : uint8_t {
    Unknown,
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
};

// "CLOSE_WAIT" etc., the spelling of the JSON contract.
std::string_view tcpStateName(TcpState s);

// How a side's state is known (DESIGN.md, "Acceptance before state"):
//  Observed: that side's own packets at the capture point show it;
//  Assumed:  it follows only if packets seen heading to that side arrived;
//  Unknown:  no packet of that side was ever seen.
enum class StateBasis : uint8_t { Unknown, Observed, Assumed };
std::string_view stateBasisName(StateBasis b); // "unknown" | "observed" | "assumed"

// Which side of a connection: the client sent the SYN (or, mid-stream, owns the ephemeral port).
enum class Side : uint8_t { Client = 0, Server = 1 };
inline Side otherSide(Side s)
{
    return s == Side::Client ? Side::Server : Side::Client;
}
inline int sideIndex(Side s)
{
    return static_cast<int>(s);
}
std::string_view sideName(Side s); // "client" / "server"

} // namespace flowladder::core
