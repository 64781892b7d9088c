#pragma once
// Where two analyses of the same capture first differ, down to each record of each flow: for the
// tests and the fuzz target that read a file in two parts and compare with one reading.

#include "core/model/Analysis.h"
#include "core/report/JsonReport.h"

#include <string>

namespace flowladder::testing {

// Empty when `want` and `got` agree, else where they differ first.
inline std::string firstDifference(const core::Analysis& want, const core::Analysis& got)
{
    if (core::analysisToJson(want) != core::analysisToJson(got)) return "the JSON documents differ";
    for (size_t i = 0; i < want.flows.size(); ++i) {
        const core::Flow& a = want.flows[i];
        const core::Flow& b = got.flows[i];
        if (a.packets.size() != b.packets.size()) return "flow " + std::to_string(i + 1) + ": packet counts";
        if (a.endpoint(core::Side::Client) != b.endpoint(core::Side::Client) ||
            a.endpoint(core::Side::Server) != b.endpoint(core::Side::Server) || a.handshakeSeen() != b.handshakeSeen())
            return "flow " + std::to_string(i + 1) + ": endpoints or handshake";
        for (int s = 0; s < 2; ++s)
            if (a.sides[s].mss != b.sides[s].mss || a.sides[s].wscale != b.sides[s].wscale ||
                a.sides[s].rttNs != b.sides[s].rttNs || a.sides[s].usualTtl != b.sides[s].usualTtl)
                return "flow " + std::to_string(i + 1) + ": side " + std::to_string(s);
        for (size_t row = 0; row < a.packets.size(); ++row) {
            const core::PacketRecord& x = want.packet(a, static_cast<uint32_t>(row));
            const core::PacketRecord& y = got.packet(b, static_cast<uint32_t>(row));
            if (x.frame != y.frame || want.tsNs(x) != got.tsNs(y) || x.seq != y.seq || x.ack != y.ack ||
                x.flags != y.flags || x.info != y.info || x.marks != y.marks || x.payload() != y.payload() ||
                x.window != y.window)
                return "flow " + std::to_string(i + 1) + " row " + std::to_string(row) + " (frame " +
                       std::to_string(x.frame) + ")";
        }
    }
    return {};
}

} // namespace flowladder::testing
