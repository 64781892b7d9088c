// Hash flooding benchmark (issue 13): time to put N connections into the flow table when they
// were crafted to collide under the unkeyed hash (tests/support/HashFlood.h), with that unkeyed
// hash (the table before issue 13) and with the table's random key, against N ordinary
// connections. Prints a Markdown table; median of 5 runs each.
//
//   flowladder-bench-hash-flood [N...]     (default 5000 10000 20000)

#include "core/tcp/FlowTable.h"
#include "tests/support/HashFlood.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace flowladder;
using core::FlowTable;

namespace {

double secondsToAdd(const std::vector<core::Endpoint>& clients, const core::Endpoint& server, FlowTable::HashKey key)
{
    std::vector<double> runs;
    for (int r = 0; r < 5; ++r) {
        core::Analysis a;
        FlowTable table(a, key);
        const auto t0 = std::chrono::steady_clock::now();
        uint32_t frame = 0;
        for (const core::Endpoint& c : clients) {
            ++frame;
            core::DecodedPacket p;
            p.src = c;
            p.dst = server;
            p.flags = core::tcpflag::SYN;
            p.seq = 1000;
            p.ipVersion = 6;
            table.add(frame, int64_t{frame} * 1000, p);
        }
        runs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<size_t> sizes;
    for (int i = 1; i < argc; ++i)
        sizes.push_back(std::strtoul(argv[i], nullptr, 10));
    if (sizes.empty()) sizes = {5000, 10000, 20000};
    constexpr uint64_t ServerLo = 0x0100000000000000ull;
    const core::Endpoint server = testsupport::v6(ServerLo, 443);
    std::mt19937_64 rng(1);
    std::printf("| connections | crafted, unkeyed hash | crafted, random key | ordinary, random key |\n");
    std::printf("|---:|---:|---:|---:|\n");
    for (size_t n : sizes) {
        const auto crafted = testsupport::collidingClients(server, ServerLo, n);
        std::vector<core::Endpoint> ordinary;
        for (size_t i = 0; i < n; ++i)
            ordinary.push_back(testsupport::v6(rng(), static_cast<uint16_t>(1024 + rng() % 60000)));
        const double unkeyed = secondsToAdd(crafted, server, FlowTable::HashKey{});
        const double keyed = secondsToAdd(crafted, server, FlowTable::randomKey());
        const double normal = secondsToAdd(ordinary, server, FlowTable::randomKey());
        std::printf("| %zu | %.3f ms | %.3f ms | %.3f ms |\n", n, unkeyed * 1e3, keyed * 1e3, normal * 1e3);
    }
    return 0;
}
