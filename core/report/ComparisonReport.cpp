#include "core/report/ComparisonReport.h"

#include "core/report/JsonReport.h"
#include "core/report/TextFormat.h"

namespace flowladder::core {

nlohmann::ordered_json comparisonToJson(const Comparison& c)
{
    using nlohmann::ordered_json;
    auto seconds = [](int64_t ns) { return static_cast<double>(ns) / 1e9; };
    auto captureJson = [](const std::string& file, const AnalysisPtr& x) {
        ordered_json j;
        j["file"] = file;
        if (x) {
            j["packets"] = x->capture.packets;
            j["tcp_packets"] = x->capture.tcpPackets;
            j["flows"] = x->flows.size();
            j["start"] = static_cast<double>(x->capture.firstNs) / 1e9;
        }
        return j;
    };
    ordered_json j;
    j["a"] = captureJson(c.fileA, c.a);
    j["b"] = captureJson(c.fileB, c.b);
    j["clock_offset"] = c.clockOffsetSeconds();
    j["clock_offset_estimated"] = c.clockOffsetEstimated;
    j["offset_samples"] = c.offsetSamples;
    j["one_way_delay"] = c.oneWayDelayNs ? ordered_json(seconds(*c.oneWayDelayNs)) : ordered_json(nullptr);
    ordered_json flows = ordered_json::array();
    for (const FlowPair& p : c.pairs) {
        ordered_json f;
        f["a"] = p.a;
        f["b"] = p.b;
        f["matched_by"] = std::string(flowMatchMethodName(p.matchedBy));
        if (c.a && c.b) {
            const Flow& fa = *c.a->flowById(p.a);
            const Flow& fb = *c.b->flowById(p.b);
            f["client_a"] = fa.endpoint(Side::Client).toString();
            f["server_a"] = fa.endpoint(Side::Server).toString();
            f["client_b"] = fb.endpoint(p.bSide(Side::Client)).toString();
            f["server_b"] = fb.endpoint(p.bSide(Side::Server)).toString();
        }
        f["sides_swapped"] = p.sidesSwapped;
        f["near_a"] = p.nearAKnown ? ordered_json(std::string(sideName(p.nearA))) : ordered_json(nullptr);
        f["ip_id_used"] = p.ipIdUsed;
        if (p.seqDelta[0] || p.seqDelta[1])
            f["seq_delta"] = ordered_json{{"client", p.seqDelta[0]}, {"server", p.seqDelta[1]}};
        f["matched"] = p.matched;
        f["one_way_delay"] = p.oneWayDelayNs ? ordered_json(seconds(*p.oneWayDelayNs)) : ordered_json(nullptr);
        f["only_in_a"] = p.onlyInA;
        f["only_in_b"] = p.onlyInB;
        f["a_outside_b"] = p.aOutsideB;
        f["b_outside_a"] = p.bOutsideA;
        f["findings"] = p.findings;
        flows.push_back(std::move(f));
    }
    j["flows"] = std::move(flows);
    j["unmatched_a"] = c.unmatchedA;
    j["unmatched_b"] = c.unmatchedB;
    ordered_json findings = ordered_json::array();
    for (const Finding& f : c.findings)
        findings.push_back(findingToJson(f));
    j["findings"] = std::move(findings);
    return j;
}

void writeComparisonText(const Comparison& c, std::ostream& out)
{
    out << "A: " << c.fileA << " (" << c.a->capture.packets << " packets, " << c.a->flows.size()
        << " TCP connections)\n"
        << "B: " << c.fileB << " (" << c.b->capture.packets << " packets, " << c.b->flows.size()
        << " TCP connections)\n";
    out << "Clock offset: " << formatSignedSeconds(c.clockOffsetNs) << " added to B's times";
    if (c.clockOffsetEstimated)
        out << " (estimated from " << c.offsetSamples << " packets)";
    else
        out << (c.offsetSamples || c.pairs.empty() ? " (given)" : " (nothing to estimate from)");
    if (c.oneWayDelayNs) out << "; one-way delay between the capture points " << formatDuration(*c.oneWayDelayNs);
    out << "\n";

    int problems = 0;
    for (const Finding& f : c.findings)
        if (f.severity != Severity::Info) ++problems;
    out << "\n";
    if (problems == 0) out << "The two captures agree.\n";
    for (int rank = 0; rank < 3; ++rank)
        for (const Finding& f : c.findings) {
            const int r = f.severity == Severity::Error ? 0 : f.severity == Severity::Warning ? 1 : 2;
            if (r != rank || r == 2) continue;
            const PairRef* pr = f.pair();
            out << (r == 0 ? "ERROR   " : "WARNING ") << "flow A" << (pr ? pr->flowA : 0) << "/B"
                << (pr ? pr->flowB : 0) << " " << findingKindName(f.kind) << ": " << f.summary << "\n";
        }

    out << "\nMatched connections:\n";
    for (const FlowPair& p : c.pairs) {
        const Flow& fa = *c.a->flowById(p.a);
        const Flow& fb = *c.b->flowById(p.b);
        out << "  A" << p.a << " " << fa.endpoint(Side::Client).toString() << " -> "
            << fa.endpoint(Side::Server).toString() << "  =  B" << p.b << " "
            << fb.endpoint(p.bSide(Side::Client)).toString() << " -> " << fb.endpoint(p.bSide(Side::Server)).toString()
            << "  (by " << flowMatchMethodName(p.matchedBy) << ")\n";
        out << "    " << p.matched << " packets in both";
        if (p.oneWayDelayNs) out << ", one-way delay " << formatDuration(*p.oneWayDelayNs);
        if (p.nearAKnown) out << ", A is on the " << sideName(p.nearA) << " side";
        out << "\n";
        if (!p.onlyInA.empty()) out << "    only in A: " << formatFrameList(p.onlyInA) << "\n";
        if (!p.onlyInB.empty()) out << "    only in B: " << formatFrameList(p.onlyInB) << "\n";
        if (!p.aOutsideB.empty()) out << "    in A while B was not capturing: " << formatFrameList(p.aOutsideB) << "\n";
        if (!p.bOutsideA.empty()) out << "    in B while A was not capturing: " << formatFrameList(p.bOutsideA) << "\n";
    }
    if (c.pairs.empty()) out << "  none\n";
    if (!c.unmatchedA.empty() || !c.unmatchedB.empty()) {
        out << "\nUnmatched connections:";
        for (uint32_t id : c.unmatchedA)
            out << " A" << id;
        for (uint32_t id : c.unmatchedB)
            out << " B" << id;
        out << "\n";
    }
}

} // namespace flowladder::core
