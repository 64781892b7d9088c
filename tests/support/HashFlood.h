#pragma once
// Connections crafted against FlowTable's hash with the key {0, 0} (the unkeyed hash it had
// before issue 13): every one lands on the same probe chain. Used by the hash-flooding test
// (tests/hostile) and benchmark (bench/hash_flood.cpp); it builds the attack the random key
// defeats.

#include "core/model/Types.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace flowladder::testsupport {

// The table's mixer (MurmurHash3's finaliser) and its inverse: xor-shift by 33 is its own
// inverse, and each multiplier is odd, so it has an inverse modulo 2^64.
inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

inline uint64_t inverseOf(uint64_t odd)
{
    uint64_t x = odd; // Newton's iteration doubles the correct low bits each step
    for (int i = 0; i < 6; ++i)
        x *= 2 - odd * x;
    return x;
}

inline uint64_t unmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= inverseOf(0xc4ceb9fe1a85ec53ull);
    h ^= h >> 33;
    h *= inverseOf(0xff51afd7ed558ccdull);
    return h ^ (h >> 33);
}

constexpr uint64_t AddrMul = 0x9e3779b97f4a7c15ull;
constexpr uint16_t AttackerPort = 40000;

inline core::Endpoint v6(uint64_t lo, uint16_t port)
{
    core::Endpoint e;
    e.addr.version = 6;
    std::memcpy(e.addr.bytes.data(), &lo, 8);
    e.port = port;
    return e;
}

// The unkeyed hash of an IPv6 endpoint whose upper address half is zero.
inline uint64_t unkeyedEndpointHash(uint64_t lo, uint16_t port)
{
    return mix64(lo * AddrMul ^ (uint64_t{port} << 8 | 6));
}

// Clients whose connections to `server` all have the same low 32 bits of the unkeyed pair hash:
// pick the wanted pair hashes, undo the mixer twice and solve for the address.
inline std::vector<core::Endpoint> collidingClients(const core::Endpoint& server, uint64_t serverLo, size_t n)
{
    const uint64_t serverHash = unkeyedEndpointHash(serverLo, server.port);
    std::vector<core::Endpoint> out;
    for (uint64_t i = 1; out.size() < n; ++i) {
        const uint64_t wantedPair = i << 32 | 0x5eed;
        const uint64_t clientHash = unmix64(wantedPair) - serverHash;
        const uint64_t lo = (unmix64(clientHash) ^ (uint64_t{AttackerPort} << 8 | 6)) * inverseOf(AddrMul);
        out.push_back(v6(lo, AttackerPort));
    }
    return out;
}

} // namespace flowladder::testsupport
