#include "core/compare/ComparisonInternal.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace flowladder::core::compare_detail {

namespace {

int64_t median(std::vector<int64_t> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

// Low / high quantiles (nearest rank) of a sample: robust stand-ins for min and max.
int64_t lowQuantile(std::vector<int64_t> v, double q = 0.1)
{
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(std::floor(static_cast<double>(v.size() - 1) * q))];
}
int64_t highQuantile(std::vector<int64_t> v, double q = 0.1)
{
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(std::ceil(static_cast<double>(v.size() - 1) * (1.0 - q)))];
}

struct PacketKey {
    uint32_t seq, ack, len;
    uint16_t ipId;
    uint8_t flags;
    bool operator==(const PacketKey&) const = default;
};
struct PacketKeyHash {
    size_t operator()(const PacketKey& k) const { return mix(mix(mix(mix(k.seq, k.ack), k.len), k.ipId), k.flags); }
};

// The sequence number delta with the most votes (the smallest among equals); found: at least two.
uint32_t bestDelta(const std::unordered_map<uint32_t, uint32_t>& votes, bool& found)
{
    uint32_t best = 0, bestCount = 0;
    for (const auto& [d, c] : votes)
        if (c > bestCount || (c == bestCount && d < best)) best = d, bestCount = c;
    found = bestCount >= 2;
    return found ? best : 0;
}

uint32_t voteSeqDelta(const Analysis& A, const Flow& fa, const Analysis& B, const Flow& fb, Side sa, Side sb,
                      bool& found)
{
    std::unordered_map<uint64_t, uint32_t> aSeqs; // (ipId, len, flags) -> seq
    for (uint32_t idx : fa.packets) {
        const PacketRecord& p = A.packets[idx];
        if (p.side() == sa && (p.info & pinfo::HasIpId)) aSeqs.emplace(mix(mix(p.ipId, p.payloadLen), p.flags), p.seq);
    }
    std::unordered_map<uint32_t, uint32_t> votes;
    for (uint32_t idx : fb.packets) {
        const PacketRecord& p = B.packets[idx];
        if (p.side() != sb || !(p.info & pinfo::HasIpId)) continue;
        auto it = aSeqs.find(mix(mix(p.ipId, p.payloadLen), p.flags));
        if (it != aSeqs.end()) ++votes[p.seq - it->second];
    }
    return bestDelta(votes, found);
}

// Without IP IDs: segments with payload at about the same position, with the same length and flags.
uint32_t voteSeqDeltaBySizes(const Analysis& A, const Flow& fa, const Analysis& B, const Flow& fb, Side sa, Side sb,
                             bool& found)
{
    auto collect = [](const Analysis& X, const Flow& f, Side s) {
        std::vector<const PacketRecord*> v;
        for (uint32_t idx : f.packets) {
            const PacketRecord& p = X.packets[idx];
            if (p.side() == s && p.payloadLen > 0) v.push_back(&p);
            if (v.size() >= SampleLimit) break;
        }
        return v;
    };
    const auto va = collect(A, fa, sa), vb = collect(B, fb, sb);
    std::unordered_map<uint32_t, uint32_t> votes;
    for (size_t i = 0; i < va.size(); ++i)
        for (size_t j = i >= 3 ? i - 3 : 0; j < vb.size() && j <= i + 3; ++j)
            if (va[i]->payloadLen == vb[j]->payloadLen && va[i]->flags == vb[j]->flags)
                ++votes[vb[j]->seq - va[i]->seq];
    return bestDelta(votes, found);
}

void groupPackets(const Analysis& A, const Flow& fa, const Analysis& B, const Flow& fb, PairWork& w, Side s,
                  bool useIpId)
{
    FlowPair& pr = w.pair;
    const Side bs = pr.bSide(s);
    const uint32_t dSeq = pr.seqDelta[sideIndex(s)], dAck = pr.seqDelta[sideIndex(otherSide(s))];
    auto keyOf = [&](const PacketRecord& p, bool fromB) {
        PacketKey k{};
        k.seq = fromB ? p.seq - dSeq : p.seq;
        k.ack = (p.flags & tcpflag::ACK) ? (fromB ? p.ack - dAck : p.ack) : 0;
        k.len = p.payloadLen;
        k.flags = p.flags;
        k.ipId = useIpId && (p.info & pinfo::HasIpId) ? p.ipId : 0;
        return k;
    };
    std::unordered_map<PacketKey, size_t, PacketKeyHash> at;
    std::vector<Group> groups;
    auto add = [&](const Analysis& X, const Flow& f, Side sender, bool fromB) {
        for (uint32_t idx : f.packets) {
            const PacketRecord& p = X.packets[idx];
            if (p.side() != sender) continue;
            auto [it, fresh] = at.emplace(keyOf(p, fromB), groups.size());
            if (fresh) groups.push_back(Group{s, {}, {}});
            (fromB ? groups[it->second].b : groups[it->second].a).push_back(idx);
        }
    };
    add(A, fa, s, false);
    add(B, fb, bs, true);
    for (Group& g : groups)
        w.groups.push_back(std::move(g));
}

// Fraction of the in-order matches of one sender whose IP IDs agree (-1: nothing to tell).
double ipIdAgreement(const Analysis& A, const Analysis& B, const std::vector<Group>& groups, Side s)
{
    uint32_t total = 0, agree = 0;
    for (const Group& g : groups) {
        if (g.sender != s) continue;
        for (size_t i = 0; i < std::min(g.a.size(), g.b.size()); ++i) {
            const PacketRecord& x = A.packets[g.a[i]];
            const PacketRecord& y = B.packets[g.b[i]];
            if (!(x.info & pinfo::HasIpId) || !(y.info & pinfo::HasIpId)) continue;
            ++total;
            agree += x.ipId == y.ipId;
        }
    }
    return total ? static_cast<double>(agree) / total : -1.0;
}

// Order-preserving assignment of the smaller list into the larger, minimising the
// distance of each pair's time difference from `expected`.
std::vector<std::pair<uint32_t, uint32_t>> alignByTime(const Analysis& A, const Analysis& B, const Group& g,
                                                       int64_t expected)
{
    std::vector<std::pair<uint32_t, uint32_t>> out;
    const size_t n = g.a.size(), m = g.b.size();
    const size_t k = std::min(n, m);
    if (k == 0) return out;
    if (n == m || n * m > 4'000'000) {
        for (size_t i = 0; i < k; ++i)
            out.emplace_back(g.a[i], g.b[i]);
        return out;
    }
    const bool aLonger = n > m;
    const std::vector<uint32_t>& L = aLonger ? g.a : g.b; // longer
    const std::vector<uint32_t>& S = aLonger ? g.b : g.a; // shorter: every element matched
    auto cost = [&](size_t li, size_t si) {
        const int64_t ta = A.packets.tsNs(aLonger ? L[li] : S[si]);
        const int64_t tb = B.packets.tsNs(aLonger ? S[si] : L[li]);
        return static_cast<double>(std::llabs((tb - ta) - expected));
    };
    const double inf = std::numeric_limits<double>::infinity();
    // dp[i][j]: best cost placing the first j of S among the first i of L.
    std::vector<std::vector<double>> dp(L.size() + 1, std::vector<double>(S.size() + 1, inf));
    for (size_t i = 0; i <= L.size(); ++i)
        dp[i][0] = 0;
    for (size_t i = 1; i <= L.size(); ++i)
        for (size_t j = 1; j <= std::min(i, S.size()); ++j)
            dp[i][j] = std::min(dp[i - 1][j], dp[i - 1][j - 1] + cost(i - 1, j - 1));
    size_t i = L.size(), j = S.size();
    while (j > 0) {
        if (i > j && dp[i - 1][j] <= dp[i][j]) {
            --i;
            continue;
        }
        if (aLonger)
            out.emplace_back(L[i - 1], S[j - 1]);
        else
            out.emplace_back(S[j - 1], L[i - 1]);
        --i;
        --j;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

} // namespace

PairWork buildPairWork(const Analysis& A, const Analysis& B, FlowPair pair)
{
    PairWork w;
    w.pair = std::move(pair);
    FlowPair& pr = w.pair;
    const Flow& fa = *A.flowById(pr.a);
    const Flow& fb = *B.flowById(pr.b);
    for (Side s : {Side::Client, Side::Server}) {
        const FlowSide& x = fa.side(s);
        const FlowSide& y = fb.side(pr.bSide(s));
        bool found = false;
        uint32_t d = voteSeqDelta(A, fa, B, fb, s, pr.bSide(s), found);
        if (x.isnKnown && y.isnKnown)
            d = y.isn - x.isn;
        else if (!found && pr.matchedBy != FlowMatchMethod::Tuple && pr.matchedBy != FlowMatchMethod::Seq)
            d = voteSeqDeltaBySizes(A, fa, B, fb, s, pr.bSide(s), found);
        pr.seqDelta[sideIndex(s)] = d;
    }
    bool anyIpId = false;
    for (Side s : {Side::Client, Side::Server}) {
        PairWork tmp;
        tmp.pair = pr;
        groupPackets(A, fa, B, fb, tmp, s, false);
        const double agreement = ipIdAgreement(A, B, tmp.groups, s);
        const bool use = agreement >= 0.9;
        anyIpId |= use;
        if (use)
            groupPackets(A, fa, B, fb, w, s, true);
        else
            for (Group& g : tmp.groups)
                w.groups.push_back(std::move(g));
    }
    pr.ipIdUsed = anyIpId;
    for (const Group& g : w.groups) {
        if (g.a.size() != g.b.size()) continue;
        for (size_t i = 0; i < g.a.size(); ++i)
            w.samples[sideIndex(g.sender)].push_back(B.packets.tsNs(g.b[i]) - A.packets.tsNs(g.a[i]));
    }
    return w;
}

// Clock offset O (tB + O is on A's clock): a packet from the endpoint on A's side
// gives tB - tA = delay - O, one from the far endpoint tB - tA = -O - delay. The
// direction with the larger median is the one travelling A -> B; the low quantile of
// one and the high quantile of the other bound -O from both sides and their midpoint
// cancels the (symmetric) delay.
int64_t estimateClock(std::vector<PairWork>& work, const CompareOptions& options, Comparison& c)
{
    std::vector<int64_t> forward, backward, all;
    for (PairWork& w : work) {
        auto& sc = w.samples[0];
        auto& ss = w.samples[1];
        all.insert(all.end(), sc.begin(), sc.end());
        all.insert(all.end(), ss.begin(), ss.end());
        if (sc.empty() || ss.empty()) continue;
        const Side fwd = median(sc) >= median(ss) ? Side::Client : Side::Server;
        w.pair.nearA = fwd;
        w.pair.nearAKnown = true;
        const auto& f = w.samples[sideIndex(fwd)];
        const auto& b = w.samples[sideIndex(otherSide(fwd))];
        forward.insert(forward.end(), f.begin(), f.end());
        backward.insert(backward.end(), b.begin(), b.end());
    }
    int64_t offset = 0, delay = -1;
    if (!forward.empty() && !backward.empty()) {
        const int64_t lo = lowQuantile(forward), hi = highQuantile(backward);
        offset = -(hi + (lo - hi) / 2);
        delay = (lo - hi) / 2;
        c.clockOffsetEstimated = true;
        c.offsetSamples = static_cast<uint32_t>(forward.size() + backward.size());
        c.oneWayDelayNs = delay;
    } else if (!all.empty()) {
        offset = -median(all);
        c.clockOffsetEstimated = true;
        c.offsetSamples = static_cast<uint32_t>(all.size());
    }
    if (options.clockOffsetSeconds) {
        // Finite and within +-MaxClockOffsetSeconds (callers check; this keeps llround defined).
        const double s = std::isfinite(*options.clockOffsetSeconds) ? *options.clockOffsetSeconds : 0.0;
        offset = static_cast<int64_t>(std::llround(std::clamp(s, -MaxClockOffsetSeconds, MaxClockOffsetSeconds) * 1e9));
        c.clockOffsetEstimated = false;
    }
    c.clockOffsetNs = offset;
    return delay;
}

void guessNearSides(const Analysis& A, const Analysis& B, std::vector<PairWork>& work, int64_t offset, int64_t delay)
{
    for (PairWork& w : work) {
        FlowPair& pr = w.pair;
        if (pr.nearAKnown) continue;
        const Flow& fa = *A.flowById(pr.a);
        const Flow& fb = *B.flowById(pr.b);
        for (Side s : {Side::Client, Side::Server}) {
            if (pr.nearAKnown || w.samples[sideIndex(s)].empty() || delay <= 0) continue;
            const int64_t r = median(w.samples[sideIndex(s)]) + offset;
            pr.nearA = r > 0 ? s : otherSide(s);
            pr.nearAKnown = true;
        }
        for (Side s : {Side::Client, Side::Server}) {
            if (pr.nearAKnown) break;
            const uint8_t ta = fa.side(s).usualTtl, tb = fb.side(pr.bSide(s)).usualTtl;
            if (ta == 0 || tb == 0 || ta == tb) continue;
            pr.nearA = ta > tb ? s : otherSide(s);
            pr.nearAKnown = true;
        }
    }
}

void matchPackets(const Analysis& A, const Analysis& B, PairWork& w, int64_t offset, int64_t delay)
{
    const int64_t d = std::max<int64_t>(delay, 0);
    FlowPair& pr = w.pair;
    for (const Group& g : w.groups) {
        const bool fwd = g.sender == pr.nearA;
        const int64_t expected = -offset + (fwd ? d : -d); // tB - tA
        auto assigned = alignByTime(A, B, g, expected);
        std::vector<uint8_t> aUsed(g.a.size(), 0), bUsed(g.b.size(), 0);
        for (const auto& [ai, bi] : assigned) {
            PacketMatch m;
            m.a = ai;
            m.b = bi;
            m.aFrame = A.packets[ai].frame;
            m.bFrame = B.packets[bi].frame;
            m.sender = g.sender;
            const int64_t raw = satSub(satAdd(B.packets.tsNs(bi), offset), A.packets.tsNs(ai));
            m.delayNs = fwd ? raw : -raw;
            aUsed[std::find(g.a.begin(), g.a.end(), ai) - g.a.begin()] = 1;
            bUsed[std::find(g.b.begin(), g.b.end(), bi) - g.b.begin()] = 1;
            pr.packets.push_back(m);
        }
        // A packet only one capture saw: when would the other have seen it? Downstream
        // after the delay, or upstream before it. Lost on its way A -> B or B -> A, else injected.
        auto onlyIn = [&](bool inA, uint32_t idx) {
            const Analysis& seen = inA ? A : B;
            const Analysis& other = inA ? B : A;
            PacketMatch m;
            (inA ? m.a : m.b) = idx;
            (inA ? m.aFrame : m.bFrame) = seen.packets[idx].frame;
            m.sender = g.sender;
            const int64_t toA =
                fwd ? satSub(offset, d) : satAdd(offset, d); // add to a time at B: when the packet was (would be) at A
            const int64_t atOther = inA ? satSub(seen.packets.tsNs(idx), toA) : satAdd(seen.packets.tsNs(idx), toA);
            m.outsideOtherCapture = other.capture.packets == 0 || atOther < other.capture.firstNs;
            m.afterOtherCaptureEnd = !m.outsideOtherCapture && atOther > other.capture.lastNs;
            if (!m.outsideOtherCapture) (inA == fwd ? m.lost : m.injected) = true;
            pr.packets.push_back(m);
        };
        for (size_t i = 0; i < g.a.size(); ++i)
            if (!aUsed[i]) onlyIn(true, g.a[i]);
        for (size_t i = 0; i < g.b.size(); ++i)
            if (!bUsed[i]) onlyIn(false, g.b[i]);
    }
    auto timeOf = [&](const PacketMatch& m) {
        return m.inA() ? A.packets.tsNs(m.a) : satAdd(B.packets.tsNs(m.b), offset);
    };
    std::stable_sort(pr.packets.begin(), pr.packets.end(), [&](const PacketMatch& x, const PacketMatch& y) {
        const int64_t tx = timeOf(x), ty = timeOf(y);
        if (tx != ty) return tx < ty;
        if (x.aFrame != y.aFrame) return x.aFrame < y.aFrame;
        return x.bFrame < y.bFrame;
    });
    for (const PacketMatch& m : pr.packets) {
        if (m.inBoth()) {
            ++pr.matched;
        } else if (m.inA()) {
            (m.outsideOtherCapture ? pr.aOutsideB : pr.onlyInA).push_back(m.aFrame);
        } else {
            (m.outsideOtherCapture ? pr.bOutsideA : pr.onlyInB).push_back(m.bFrame);
        }
    }
    for (auto* v : {&pr.onlyInA, &pr.onlyInB, &pr.aOutsideB, &pr.bOutsideA})
        std::sort(v->begin(), v->end());
}

void settleOneWayDelays(Comparison& c, bool meaningful)
{
    std::vector<int64_t> all;
    for (FlowPair& pr : c.pairs) {
        std::vector<int64_t> delays;
        for (const PacketMatch& m : pr.packets)
            if (m.inBoth()) delays.push_back(m.delayNs);
        all.insert(all.end(), delays.begin(), delays.end());
        pr.oneWayDelayNs.reset();
        if (meaningful && !delays.empty()) pr.oneWayDelayNs = median(std::move(delays));
    }
    c.oneWayDelayNs.reset();
    if (meaningful && !all.empty()) c.oneWayDelayNs = median(std::move(all));
}

} // namespace flowladder::core::compare_detail
