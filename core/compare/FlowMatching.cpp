#include "core/compare/ComparisonInternal.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace flowladder::core::compare_detail {

namespace {

std::string tupleKey(const Flow& f)
{
    std::string x = f.endpointAt(0).toString(), y = f.endpointAt(1).toString();
    if (y < x) std::swap(x, y);
    return x + "|" + y;
}

// ISNs of the two flows do not contradict each other under this side mapping.
bool isnsConsistent(const Flow& fa, const Flow& fb, bool swapped)
{
    for (Side s : {Side::Client, Side::Server}) {
        const FlowSide& x = fa.side(s);
        const FlowSide& y = fb.side(swapped ? otherSide(s) : s);
        if (x.isnKnown && y.isnKnown && x.isn != y.isn) return false;
    }
    return true;
}

bool sameSpan(const Flow& f)
{
    return !f.packets.empty();
}

// The flows of A and B paired so far.
struct Matching {
    const Analysis& A;
    const Analysis& B;
    std::vector<uint32_t> aToB; // per flow index of A: the id of its flow in B, 0 while unmatched
    std::vector<uint8_t> bUsed; // per flow index of B
    std::vector<FlowPair> pairs;

    Matching(const Analysis& a, const Analysis& b) : A(a), B(b), aToB(a.flows.size(), 0), bUsed(b.flows.size(), 0) {}

    // Pairs flow index i of A with flow index j of B.
    void pair(uint32_t i, uint32_t j, FlowMatchMethod method, bool swapped)
    {
        FlowPair p;
        p.a = i + 1; // ids
        p.b = j + 1;
        p.matchedBy = method;
        p.sidesSwapped = swapped;
        aToB[i] = p.b;
        bUsed[j] = 1;
        pairs.push_back(std::move(p));
    }
};

// Votes of A's unmatched flows for B's unmatched flows: packets with the same signature.
template <typename SigFn> void voteMatch(Matching& mt, FlowMatchMethod method, SigFn sig)
{
    const Analysis& A = mt.A;
    const Analysis& B = mt.B;
    // signature -> (B flow index, B side) list
    std::unordered_map<uint64_t, std::vector<std::pair<uint32_t, Side>>> index;
    for (uint32_t j = 0; j < B.flows.size(); ++j) {
        if (mt.bUsed[j]) continue;
        const Flow& f = B.flows[j];
        const size_t n = std::min<size_t>(f.packets.size(), SampleLimit);
        for (size_t r = 0; r < n; ++r) {
            const PacketRecord& p = B.packets[f.packets[r]];
            if (auto k = sig(p)) index[*k].emplace_back(j, p.side());
        }
    }
    if (index.empty()) return;
    for (uint32_t i = 0; i < A.flows.size(); ++i) {
        if (mt.aToB[i] != 0) continue;
        const Flow& f = A.flows[i];
        std::map<std::pair<uint32_t, bool>, uint32_t> votes;
        uint32_t considered = 0;
        const size_t n = std::min<size_t>(f.packets.size(), SampleLimit);
        for (size_t r = 0; r < n; ++r) {
            const PacketRecord& p = A.packets[f.packets[r]];
            auto k = sig(p);
            if (!k) continue;
            ++considered;
            auto it = index.find(*k);
            if (it == index.end()) continue;
            for (const auto& [j, bs] : it->second)
                if (!mt.bUsed[j]) ++votes[{j, bs != p.side()}];
        }
        const std::pair<const std::pair<uint32_t, bool>, uint32_t>* best = nullptr;
        for (const auto& v : votes)
            if (!best || v.second > best->second) best = &v;
        if (!best) continue;
        const uint32_t need = std::max<uint32_t>(2, std::min<uint32_t>(4, considered / 2));
        if (best->second < need) continue;
        mt.pair(i, best->first.first, method, best->first.second);
    }
}

// Longest common subsequence length of two short sequences.
size_t lcs(const std::vector<uint64_t>& x, const std::vector<uint64_t>& y)
{
    std::vector<size_t> prev(y.size() + 1, 0), cur(y.size() + 1, 0);
    for (size_t i = 1; i <= x.size(); ++i) {
        for (size_t j = 1; j <= y.size(); ++j)
            cur[j] = x[i - 1] == y[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
        std::swap(prev, cur);
    }
    return prev[y.size()];
}

std::vector<uint64_t> sizeSequence(const Analysis& X, const Flow& f, bool swapSides)
{
    std::vector<uint64_t> seq;
    constexpr uint8_t control = tcpflag::SYN | tcpflag::FIN | tcpflag::RST;
    for (uint32_t idx : f.packets) {
        const PacketRecord& p = X.packets[idx];
        if (p.payloadLen == 0 && !(p.flags & control)) continue;
        const Side s = swapSides ? otherSide(p.side()) : p.side();
        seq.push_back(uint64_t{p.payloadLen} << 16 | uint64_t(p.flags & control) << 1 | uint64_t(sideIndex(s)));
        if (seq.size() >= 64) break;
    }
    return seq;
}

} // namespace

std::vector<FlowPair> matchFlows(const Analysis& A, const Analysis& B)
{
    Matching mt(A, B);
    std::vector<uint32_t>& aToB = mt.aToB;
    std::vector<uint8_t>& bUsed = mt.bUsed;

    // 1. Same address/port tuple (ISNs, where both saw them, must agree: ports get reused).
    std::unordered_map<std::string, std::vector<uint32_t>> byTuple;
    for (uint32_t j = 0; j < B.flows.size(); ++j)
        byTuple[tupleKey(B.flows[j])].push_back(j);
    for (uint32_t i = 0; i < A.flows.size(); ++i) {
        const Flow& fa = A.flows[i];
        auto it = byTuple.find(tupleKey(fa));
        if (it == byTuple.end()) continue;
        for (uint32_t j : it->second) {
            if (bUsed[j]) continue;
            const Flow& fb = B.flows[j];
            const bool swapped = !(fa.endpoint(Side::Client) == fb.endpoint(Side::Client));
            if (!isnsConsistent(fa, fb, swapped)) continue;
            mt.pair(i, j, FlowMatchMethod::Tuple, swapped);
            break;
        }
    }

    // 2. NAT: SYN sequence numbers (plain NAT keeps them).
    std::unordered_map<uint32_t, std::vector<std::pair<uint32_t, Side>>> byIsn;
    for (uint32_t j = 0; j < B.flows.size(); ++j) {
        if (bUsed[j]) continue;
        for (Side s : {Side::Client, Side::Server})
            if (B.flows[j].side(s).isnKnown) byIsn[B.flows[j].side(s).isn].emplace_back(j, s);
    }
    for (uint32_t i = 0; i < A.flows.size(); ++i) {
        if (aToB[i] != 0) continue;
        const Flow& fa = A.flows[i];
        bool done = false;
        for (Side s : {Side::Client, Side::Server}) {
            if (done || !fa.side(s).isnKnown) continue;
            auto it = byIsn.find(fa.side(s).isn);
            if (it == byIsn.end()) continue;
            for (const auto& [j, bs] : it->second) {
                if (bUsed[j]) continue;
                const bool swapped = bs != s;
                if (!isnsConsistent(fa, B.flows[j], swapped)) continue;
                mt.pair(i, j, FlowMatchMethod::Isn, swapped);
                done = true;
                break;
            }
        }
    }

    // 3. Mid-stream through NAT: the same seq/ack/flags/length.
    voteMatch(mt, FlowMatchMethod::Seq, [](const PacketRecord& p) -> std::optional<uint64_t> {
        uint64_t h = mix(p.seq, (p.flags & tcpflag::ACK) ? p.ack : 0);
        return mix(mix(h, p.flags), p.payloadLen);
    });
    // 4. Sequence numbers rewritten as well: the same IP IDs with the same flags and length.
    voteMatch(mt, FlowMatchMethod::IpId, [](const PacketRecord& p) -> std::optional<uint64_t> {
        if (!(p.info & pinfo::HasIpId) || p.ipId == 0) return std::nullopt;
        return mix(mix(p.ipId, p.flags), p.payloadLen);
    });
    // 5. Nothing in common but the shape: the sequence of segment sizes and control flags.
    std::vector<uint32_t> restA, restB;
    for (uint32_t i = 0; i < A.flows.size(); ++i)
        if (!aToB[i] && sameSpan(A.flows[i])) restA.push_back(i);
    for (uint32_t j = 0; j < B.flows.size(); ++j)
        if (!bUsed[j] && sameSpan(B.flows[j])) restB.push_back(j);
    if (!restA.empty() && !restB.empty() && restA.size() * restB.size() <= 20000) {
        for (uint32_t i : restA) {
            const std::vector<uint64_t> sa = sizeSequence(A, A.flows[i], false);
            if (sa.size() < 4) continue;
            double bestScore = 0;
            int64_t best = -1;
            bool bestSwapped = false, tie = false;
            for (uint32_t j : restB) {
                if (bUsed[j]) continue;
                for (bool swapped : {false, true}) {
                    const std::vector<uint64_t> sb = sizeSequence(B, B.flows[j], swapped);
                    if (sb.size() < 4) continue;
                    const double score =
                        static_cast<double>(lcs(sa, sb)) / static_cast<double>(std::max(sa.size(), sb.size()));
                    if (score > bestScore + 1e-9) {
                        bestScore = score;
                        best = j;
                        bestSwapped = swapped;
                        tie = false;
                    } else if (std::abs(score - bestScore) <= 1e-9 && best != static_cast<int64_t>(j)) {
                        tie = true;
                    }
                }
            }
            if (best < 0 || tie || bestScore < 0.8) continue;
            mt.pair(i, static_cast<uint32_t>(best), FlowMatchMethod::PayloadSizes, bestSwapped);
        }
    }
    std::sort(mt.pairs.begin(), mt.pairs.end(), [](const FlowPair& x, const FlowPair& y) { return x.a < y.a; });
    return std::move(mt.pairs);
}

} // namespace flowladder::core::compare_detail
