#include "core/compare/Comparison.h"

#include "core/compare/ComparisonInternal.h"
#include "core/tcp/Analyzer.h"

#include <utility>

namespace flowladder::core {

std::string_view flowMatchMethodName(FlowMatchMethod m)
{
    switch (m) {
    case FlowMatchMethod::Tuple:
        return "tuple";
    case FlowMatchMethod::Isn:
        return "isn";
    case FlowMatchMethod::Seq:
        return "seq";
    case FlowMatchMethod::IpId:
        return "ip_id";
    case FlowMatchMethod::PayloadSizes:
        return "payload_sizes";
    }
    return "tuple";
}

const FlowPair* Comparison::pairForA(uint32_t flowIdA) const
{
    for (const FlowPair& p : pairs)
        if (p.a == flowIdA) return &p;
    return nullptr;
}

const FlowPair* Comparison::pairForB(uint32_t flowIdB) const
{
    for (const FlowPair& p : pairs)
        if (p.b == flowIdB) return &p;
    return nullptr;
}

namespace {

Comparison compareImpl(const Analysis& A, const Analysis& B, const CompareOptions& options)
{
    using namespace compare_detail;
    Comparison c;
    c.fileA = A.capture.file;
    c.fileB = B.capture.file;

    auto stop = [&] {
        if (!options.cancel || !options.cancel->load(std::memory_order_relaxed)) return false;
        c = Comparison{};
        c.fileA = A.capture.file;
        c.fileB = B.capture.file;
        c.cancelled = true;
        return true;
    };
    std::vector<PairWork> work;
    for (FlowPair& p : matchFlows(A, B))
        work.push_back(buildPairWork(A, B, std::move(p)));
    if (stop()) return c;

    const int64_t delay = estimateClock(work, options, c);
    guessNearSides(A, B, work, c.clockOffsetNs, delay);

    std::vector<uint8_t> aMatched(A.flows.size(), 0), bMatched(B.flows.size(), 0);
    for (PairWork& w : work) {
        if (stop()) return c;
        aMatched[w.pair.a - 1] = bMatched[w.pair.b - 1] = 1;
        matchPackets(A, B, w, c.clockOffsetNs, delay);
        c.pairs.push_back(std::move(w.pair));
    }
    // Both directions gave the estimate, or the user set the offset: delays mean something.
    // (estimateClock set c.oneWayDelayNs only when it had both directions.)
    settleOneWayDelays(c, c.oneWayDelayNs.has_value() || options.clockOffsetSeconds.has_value());
    for (uint32_t i = 0; i < A.flows.size(); ++i)
        if (!aMatched[i]) c.unmatchedA.push_back(i + 1);
    for (uint32_t i = 0; i < B.flows.size(); ++i)
        if (!bMatched[i]) c.unmatchedB.push_back(i + 1);

    addFindings(A, B, c);
    return c;
}

} // namespace

Comparison compareAnalyses(const Analysis& a, const Analysis& b, const CompareOptions& options)
{
    return compareImpl(a, b, options);
}

Comparison compareAnalyses(AnalysisPtr a, AnalysisPtr b, const CompareOptions& options)
{
    Comparison c = compareImpl(*a, *b, options);
    c.a = std::move(a);
    c.b = std::move(b);
    return c;
}

std::optional<Comparison> compareFiles(const std::string& pathA, const std::string& pathB, std::string& error,
                                       const CompareOptions& options)
{
    AnalyzeOptions analyze;
    analyze.cancel = options.cancel;
    AnalysisPtr a = analyzeFile(pathA, error, analyze);
    if (!a) return std::nullopt;
    AnalysisPtr b = analyzeFile(pathB, error, analyze);
    if (!b) return std::nullopt;
    return compareAnalyses(std::move(a), std::move(b), options);
}

} // namespace flowladder::core
