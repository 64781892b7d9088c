#include "core/Comparison.h"

#include "core/Analyzer.h"
#include "core/ComparisonInternal.h"
#include "core/JsonReport.h"

#include <utility>

namespace flowladder::core {

std::string_view flowMatchMethodName(FlowMatchMethod m) {
    switch (m) {
    case FlowMatchMethod::Tuple: return "tuple";
    case FlowMatchMethod::Isn: return "isn";
    case FlowMatchMethod::Seq: return "seq";
    case FlowMatchMethod::IpId: return "ip_id";
    case FlowMatchMethod::PayloadSizes: return "payload_sizes";
    }
    return "tuple";
}

const FlowPair* Comparison::pairForA(uint32_t flowIdA) const {
    for (const FlowPair& p : pairs)
        if (p.a == flowIdA) return &p;
    return nullptr;
}

const FlowPair* Comparison::pairForB(uint32_t flowIdB) const {
    for (const FlowPair& p : pairs)
        if (p.b == flowIdB) return &p;
    return nullptr;
}

namespace {

Comparison compareImpl(const Analysis& A, const Analysis& B, const CompareOptions& options) {
    using namespace compare_detail;
    Comparison c;
    c.fileA = A.capture.file;
    c.fileB = B.capture.file;

    std::vector<PairWork> work;
    for (FlowPair& p : matchFlows(A, B)) work.push_back(buildPairWork(A, B, std::move(p)));

    const int64_t delay = estimateClock(work, options, c);
    guessNearSides(A, B, work, c.clockOffsetNs, delay);

    std::vector<uint8_t> aMatched(A.flows.size(), 0), bMatched(B.flows.size(), 0);
    for (PairWork& w : work) {
        aMatched[w.pair.a - 1] = bMatched[w.pair.b - 1] = 1;
        matchPackets(A, B, w, c.clockOffsetNs, delay);
        c.pairs.push_back(std::move(w.pair));
    }
    for (const Flow& f : A.flows)
        if (!aMatched[f.id - 1]) c.unmatchedA.push_back(f.id);
    for (const Flow& f : B.flows)
        if (!bMatched[f.id - 1]) c.unmatchedB.push_back(f.id);

    addFindings(A, B, c);
    return c;
}

} // namespace

Comparison compareAnalyses(const Analysis& a, const Analysis& b, const CompareOptions& options) {
    return compareImpl(a, b, options);
}

Comparison compareAnalyses(AnalysisPtr a, AnalysisPtr b, const CompareOptions& options) {
    Comparison c = compareImpl(*a, *b, options);
    c.a = std::move(a);
    c.b = std::move(b);
    return c;
}

std::optional<Comparison> compareFiles(const std::string& pathA, const std::string& pathB, std::string& error,
                                       const CompareOptions& options) {
    AnalysisPtr a = analyzeFile(pathA, error);
    if (!a) return std::nullopt;
    AnalysisPtr b = analyzeFile(pathB, error);
    if (!b) return std::nullopt;
    return compareAnalyses(std::move(a), std::move(b), options);
}

nlohmann::ordered_json comparisonToJson(const Comparison& c) {
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
            f["client_a"] = fa.side(Side::Client).endpoint.toString();
            f["server_a"] = fa.side(Side::Server).endpoint.toString();
            f["client_b"] = fb.side(p.bSide(Side::Client)).endpoint.toString();
            f["server_b"] = fb.side(p.bSide(Side::Server)).endpoint.toString();
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
    for (const Finding& f : c.findings) findings.push_back(findingToJson(f));
    j["findings"] = std::move(findings);
    return j;
}

} // namespace flowladder::core
