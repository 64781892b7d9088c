// Hash flooding (issue 13): a capture crafted so that its connections share one probe chain of
// the flow table's open addressing makes reading quadratic (20,000 such connections took 50x an
// ordinary capture of the same size). The table's hash is keyed with a random key per table, so
// connections crafted against the unkeyed hash (or any one key) spread out. Measured in probe
// steps, not seconds: deterministic, and the same under sanitizers.

#include "core/tcp/FlowTable.h"
#include "tests/support/HashFlood.h"

#include <gtest/gtest.h>

using namespace flowladder::core;
using namespace flowladder::testsupport;

namespace {

uint64_t probesFor(const std::vector<Endpoint>& clients, const Endpoint& server, FlowTable::HashKey key)
{
    Analysis a;
    FlowTable table(a, key);
    uint32_t frame = 0;
    for (const Endpoint& c : clients) {
        ++frame;
        DecodedPacket p;
        p.src = c;
        p.dst = server;
        p.flags = tcpflag::SYN;
        p.seq = 1000;
        p.ipVersion = 6;
        table.add(frame, int64_t{frame} * 1000, p);
    }
    EXPECT_EQ(table.flowCount(), clients.size());
    return table.probeSteps();
}

} // namespace

TEST(HashFlooding, CraftedConnectionsDoNotShareAProbeChain)
{
    constexpr size_t N = 4000;
    constexpr uint64_t ServerLo = 0x0100000000000000ull;
    const Endpoint server = v6(ServerLo, 443);
    const auto clients = collidingClients(server, ServerLo, N);

    // Against the unkeyed hash the crafted connections really do collide: each new one walks the
    // whole chain, N^2 / 2 steps in all. This is the attack.
    const uint64_t unkeyed = probesFor(clients, server, FlowTable::HashKey{});
    EXPECT_GT(unkeyed, uint64_t{N} * N / 4);

    // With the table's own random key they spread like any connections: a few steps each (the
    // lookups, and each flow put in again as the table doubles: at most twice in all).
    const uint64_t keyed = probesFor(clients, server, FlowTable::randomKey());
    EXPECT_LT(keyed, uint64_t{N} * 6);
    std::printf("%zu crafted connections: %llu probe steps unkeyed, %llu with a random key\n", N,
                static_cast<unsigned long long>(unkeyed), static_cast<unsigned long long>(keyed));
}

TEST(HashFlooding, EachTableDrawsItsOwnKey)
{
    const FlowTable::HashKey a = FlowTable::randomKey(), b = FlowTable::randomKey();
    EXPECT_FALSE(a.k0 == b.k0 && a.k1 == b.k1);
}
