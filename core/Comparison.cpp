#include "core/Comparison.h"

#include "core/Analyzer.h"
#include "core/FindingBuilder.h"
#include "core/JsonReport.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_map>

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

std::string fmt(const char* f, ...) {
    va_list ap;
    va_start(ap, f);
    char buf[1024];
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

std::string capitalized(std::string_view s) {
    std::string r(s);
    if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = static_cast<char>(r[0] - 'a' + 'A');
    return r;
}

std::string who(Side s) { return std::string(sideName(s)); }

// "#5, #7 and #9", "#5, #7, #9 and 4 more"
std::string frameList(const std::vector<uint32_t>& frames) {
    std::string r;
    const size_t shown = std::min<size_t>(frames.size(), frames.size() > 4 ? 3 : 4);
    for (size_t i = 0; i < shown; ++i) {
        if (i > 0) r += (i + 1 == shown && shown == frames.size()) ? " and " : ", ";
        r += "#" + std::to_string(frames[i]);
    }
    if (shown < frames.size()) r += " and " + std::to_string(frames.size() - shown) + " more";
    return r;
}

int64_t median(std::vector<int64_t> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

// Low / high quantiles (nearest rank) of a sample: robust stand-ins for min and max.
int64_t lowQuantile(std::vector<int64_t> v, double q = 0.1) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(std::floor(static_cast<double>(v.size() - 1) * q))];
}
int64_t highQuantile(std::vector<int64_t> v, double q = 0.1) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(std::ceil(static_cast<double>(v.size() - 1) * (1.0 - q)))];
}

// ------------------------------------------------------------------ flow matching

std::string tupleKey(const Flow& f) {
    std::string x = f.sides[0].endpoint.toString(), y = f.sides[1].endpoint.toString();
    if (y < x) std::swap(x, y);
    return x + "|" + y;
}

// ISNs of the two flows do not contradict each other under this side mapping.
bool isnsConsistent(const Flow& fa, const Flow& fb, bool swapped) {
    for (Side s : {Side::Client, Side::Server}) {
        const FlowSide& x = fa.side(s);
        const FlowSide& y = fb.side(swapped ? otherSide(s) : s);
        if (x.isnKnown && y.isnKnown && x.isn != y.isn) return false;
    }
    return true;
}

bool sameSpan(const Flow& f) { return !f.packets.empty(); }

struct Candidate {
    uint32_t bFlow = 0;
    bool swapped = false;
    uint32_t score = 0;
};

constexpr uint32_t SampleLimit = 512; // packets of a flow used to recognise it

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

// Votes of A's unmatched flows for B's unmatched flows: packets with the same signature.
template <typename SigFn>
void voteMatch(const Analysis& A, const Analysis& B, std::vector<uint32_t>& aToB, std::vector<uint8_t>& bUsed,
               std::vector<FlowPair>& pairs, FlowMatchMethod method, SigFn sig) {
    // signature -> (B flow index, B side) list
    std::unordered_map<uint64_t, std::vector<std::pair<uint32_t, Side>>> index;
    for (uint32_t j = 0; j < B.flows.size(); ++j) {
        if (bUsed[j]) continue;
        const Flow& f = B.flows[j];
        const size_t n = std::min<size_t>(f.packets.size(), SampleLimit);
        for (size_t r = 0; r < n; ++r) {
            const PacketRecord& p = B.packets[f.packets[r]];
            if (auto k = sig(p)) index[*k].emplace_back(j, p.side());
        }
    }
    if (index.empty()) return;
    for (uint32_t i = 0; i < A.flows.size(); ++i) {
        if (aToB[i] != 0) continue;
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
                if (!bUsed[j]) ++votes[{j, bs != p.side()}];
        }
        const std::pair<const std::pair<uint32_t, bool>, uint32_t>* best = nullptr;
        for (const auto& v : votes)
            if (!best || v.second > best->second) best = &v;
        if (!best) continue;
        const uint32_t need = std::max<uint32_t>(2, std::min<uint32_t>(4, considered / 2));
        if (best->second < need) continue;
        const uint32_t j = best->first.first;
        FlowPair p;
        p.a = f.id;
        p.b = B.flows[j].id;
        p.matchedBy = method;
        p.sidesSwapped = best->first.second;
        aToB[i] = p.b;
        bUsed[j] = 1;
        pairs.push_back(std::move(p));
    }
}

// Longest common subsequence length of two short sequences.
size_t lcs(const std::vector<uint64_t>& x, const std::vector<uint64_t>& y) {
    std::vector<size_t> prev(y.size() + 1, 0), cur(y.size() + 1, 0);
    for (size_t i = 1; i <= x.size(); ++i) {
        for (size_t j = 1; j <= y.size(); ++j)
            cur[j] = x[i - 1] == y[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
        std::swap(prev, cur);
    }
    return prev[y.size()];
}

std::vector<uint64_t> sizeSequence(const Analysis& X, const Flow& f, bool swapSides) {
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

std::vector<FlowPair> matchFlows(const Analysis& A, const Analysis& B) {
    std::vector<FlowPair> pairs;
    std::vector<uint32_t> aToB(A.flows.size(), 0);
    std::vector<uint8_t> bUsed(B.flows.size(), 0);

    // 1. Same address/port tuple (ISNs, where both saw them, must agree: ports get reused).
    std::unordered_map<std::string, std::vector<uint32_t>> byTuple;
    for (uint32_t j = 0; j < B.flows.size(); ++j) byTuple[tupleKey(B.flows[j])].push_back(j);
    for (uint32_t i = 0; i < A.flows.size(); ++i) {
        const Flow& fa = A.flows[i];
        auto it = byTuple.find(tupleKey(fa));
        if (it == byTuple.end()) continue;
        for (uint32_t j : it->second) {
            if (bUsed[j]) continue;
            const Flow& fb = B.flows[j];
            const bool swapped = !(fa.side(Side::Client).endpoint == fb.side(Side::Client).endpoint);
            if (!isnsConsistent(fa, fb, swapped)) continue;
            FlowPair p;
            p.a = fa.id;
            p.b = fb.id;
            p.matchedBy = FlowMatchMethod::Tuple;
            p.sidesSwapped = swapped;
            aToB[i] = p.b;
            bUsed[j] = 1;
            pairs.push_back(std::move(p));
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
                FlowPair p;
                p.a = fa.id;
                p.b = B.flows[j].id;
                p.matchedBy = FlowMatchMethod::Isn;
                p.sidesSwapped = swapped;
                aToB[i] = p.b;
                bUsed[j] = 1;
                pairs.push_back(std::move(p));
                done = true;
                break;
            }
        }
    }

    // 3. Mid-stream through NAT: the same seq/ack/flags/length.
    voteMatch(A, B, aToB, bUsed, pairs, FlowMatchMethod::Seq, [](const PacketRecord& p) -> std::optional<uint64_t> {
        uint64_t h = mix(p.seq, (p.flags & tcpflag::ACK) ? p.ack : 0);
        return mix(mix(h, p.flags), p.payloadLen);
    });
    // 4. Sequence numbers rewritten as well: the same IP IDs with the same flags and length.
    voteMatch(A, B, aToB, bUsed, pairs, FlowMatchMethod::IpId, [](const PacketRecord& p) -> std::optional<uint64_t> {
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
                    const double score = static_cast<double>(lcs(sa, sb)) / static_cast<double>(std::max(sa.size(), sb.size()));
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
            FlowPair p;
            p.a = A.flows[i].id;
            p.b = B.flows[best].id;
            p.matchedBy = FlowMatchMethod::PayloadSizes;
            p.sidesSwapped = bestSwapped;
            aToB[i] = p.b;
            bUsed[best] = 1;
            pairs.push_back(std::move(p));
        }
    }
    std::sort(pairs.begin(), pairs.end(), [](const FlowPair& x, const FlowPair& y) { return x.a < y.a; });
    return pairs;
}

// ------------------------------------------------------------------ packet matching

struct PacketKey {
    uint32_t seq, ack, len;
    uint16_t ipId;
    uint8_t flags;
    bool operator==(const PacketKey&) const = default;
};
struct PacketKeyHash {
    size_t operator()(const PacketKey& k) const {
        return mix(mix(mix(mix(k.seq, k.ack), k.len), k.ipId), k.flags);
    }
};

// The packets of one sender with the same identity in A and in B.
struct Group {
    Side sender; // A's roles
    std::vector<uint32_t> a, b; // packet indexes, in frame order
};

struct PairWork {
    FlowPair pair;
    std::vector<Group> groups;
    std::vector<int64_t> samples[2]; // tB - tA of unambiguous matches, per sender (A roles)
};

uint32_t voteSeqDelta(const Analysis& A, const Flow& fa, const Analysis& B, const Flow& fb, Side sa, Side sb,
                      bool& found) {
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
    uint32_t best = 0, bestCount = 0;
    for (const auto& [d, c] : votes)
        if (c > bestCount || (c == bestCount && d < best)) best = d, bestCount = c;
    found = bestCount >= 2;
    return found ? best : 0;
}

// Without IP IDs: segments with payload at about the same position, with the same length and flags.
uint32_t voteSeqDeltaBySizes(const Analysis& A, const Flow& fa, const Analysis& B, const Flow& fb, Side sa, Side sb,
                             bool& found) {
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
            if (va[i]->payloadLen == vb[j]->payloadLen && va[i]->flags == vb[j]->flags) ++votes[vb[j]->seq - va[i]->seq];
    uint32_t best = 0, bestCount = 0;
    for (const auto& [d, c] : votes)
        if (c > bestCount || (c == bestCount && d < best)) best = d, bestCount = c;
    found = bestCount >= 2;
    return found ? best : 0;
}

void groupPackets(const Analysis& A, const Flow& fa, const Analysis& B, const Flow& fb, PairWork& w, Side s,
                  bool useIpId) {
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
    for (uint32_t idx : fa.packets) {
        const PacketRecord& p = A.packets[idx];
        if (p.side() != s) continue;
        auto [it, fresh] = at.emplace(keyOf(p, false), groups.size());
        if (fresh) groups.push_back(Group{s, {}, {}});
        groups[it->second].a.push_back(idx);
    }
    for (uint32_t idx : fb.packets) {
        const PacketRecord& p = B.packets[idx];
        if (p.side() != bs) continue;
        auto [it, fresh] = at.emplace(keyOf(p, true), groups.size());
        if (fresh) groups.push_back(Group{s, {}, {}});
        groups[it->second].b.push_back(idx);
    }
    for (Group& g : groups) w.groups.push_back(std::move(g));
}

// Fraction of the in-order matches of one sender whose IP IDs agree (-1: nothing to tell).
double ipIdAgreement(const Analysis& A, const Analysis& B, const std::vector<Group>& groups, Side s) {
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

PairWork buildPairWork(const Analysis& A, const Analysis& B, FlowPair pair) {
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
        if (x.isnKnown && y.isnKnown) d = y.isn - x.isn;
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
        if (use) groupPackets(A, fa, B, fb, w, s, true);
        else for (Group& g : tmp.groups) w.groups.push_back(std::move(g));
    }
    pr.ipIdUsed = anyIpId;
    for (const Group& g : w.groups) {
        if (g.a.size() != g.b.size()) continue;
        for (size_t i = 0; i < g.a.size(); ++i)
            w.samples[sideIndex(g.sender)].push_back(B.packets[g.b[i]].tsNs - A.packets[g.a[i]].tsNs);
    }
    return w;
}

// Order-preserving assignment of the smaller list into the larger, minimising the
// distance of each pair's time difference from `expected`.
std::vector<std::pair<uint32_t, uint32_t>> alignByTime(const Analysis& A, const Analysis& B, const Group& g,
                                                       int64_t expected) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    const size_t n = g.a.size(), m = g.b.size();
    const size_t k = std::min(n, m);
    if (k == 0) return out;
    if (n == m || n * m > 4'000'000) {
        for (size_t i = 0; i < k; ++i) out.emplace_back(g.a[i], g.b[i]);
        return out;
    }
    const bool aLonger = n > m;
    const std::vector<uint32_t>& L = aLonger ? g.a : g.b; // longer
    const std::vector<uint32_t>& S = aLonger ? g.b : g.a; // shorter: every element matched
    auto cost = [&](size_t li, size_t si) {
        const int64_t ta = A.packets[aLonger ? L[li] : S[si]].tsNs;
        const int64_t tb = B.packets[aLonger ? S[si] : L[li]].tsNs;
        return static_cast<double>(std::llabs((tb - ta) - expected));
    };
    const double inf = std::numeric_limits<double>::infinity();
    // dp[i][j]: best cost placing the first j of S among the first i of L.
    std::vector<std::vector<double>> dp(L.size() + 1, std::vector<double>(S.size() + 1, inf));
    for (size_t i = 0; i <= L.size(); ++i) dp[i][0] = 0;
    for (size_t i = 1; i <= L.size(); ++i)
        for (size_t j = 1; j <= std::min(i, S.size()); ++j)
            dp[i][j] = std::min(dp[i - 1][j], dp[i - 1][j - 1] + cost(i - 1, j - 1));
    size_t i = L.size(), j = S.size();
    while (j > 0) {
        if (i > j && dp[i - 1][j] <= dp[i][j]) { --i; continue; }
        if (aLonger) out.emplace_back(L[i - 1], S[j - 1]);
        else out.emplace_back(S[j - 1], L[i - 1]);
        --i;
        --j;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

// ------------------------------------------------------------------ findings

struct Ctx {
    const Analysis& A;
    const Analysis& B;
    Comparison& c;
};

std::string captureLabel(char cap, const FlowPair& p) {
    const bool near = cap == 'a';
    std::string s = cap == 'a' ? "capture A" : "capture B";
    if (p.nearAKnown) s += " (" + who(near ? p.nearA : otherSide(p.nearA)) + " side)";
    return s;
}

void addPacketFindings(Ctx& x, FlowPair& pr) {
    // Group the one-sided packets: a FIN/SYN/RST (with its copies) each, the rest per capture and sender.
    struct Bucket {
        bool injected;
        char cap;
        Side sender;
        uint8_t control; // 0 for the data/ACK bucket
        uint32_t seq;
        std::vector<uint32_t> frames;
        std::vector<uint32_t> packets;
        bool allAfterEnd = true; // every packet came after the other capture's last packet
        uint32_t afterEnd = 0;
    };
    std::vector<Bucket> buckets;
    constexpr uint8_t controlFlags = tcpflag::SYN | tcpflag::FIN | tcpflag::RST;
    for (const PacketMatch& m : pr.packets) {
        if (!m.lost && !m.injected) continue;
        const char cap = m.inA() ? 'a' : 'b';
        const Analysis& X = cap == 'a' ? x.A : x.B;
        const PacketRecord& p = X.packets[cap == 'a' ? m.a : m.b];
        const uint8_t control = p.flags & controlFlags;
        auto it = std::find_if(buckets.begin(), buckets.end(), [&](const Bucket& b) {
            return b.injected == m.injected && b.cap == cap && b.sender == m.sender && b.control == control &&
                   (control == 0 || b.seq == p.seq);
        });
        if (it == buckets.end()) {
            buckets.push_back(Bucket{m.injected, cap, m.sender, control, p.seq, {}, {}});
            it = buckets.end() - 1;
        }
        it->frames.push_back(p.frame);
        it->packets.push_back(cap == 'a' ? m.a : m.b);
        it->allAfterEnd = it->allAfterEnd && m.afterOtherCaptureEnd;
        it->afterEnd += m.afterOtherCaptureEnd;
    }
    for (const Bucket& bk : buckets) {
        const Analysis& X = bk.cap == 'a' ? x.A : x.B;
        const Flow& flow = *X.flowById(bk.cap == 'a' ? pr.a : pr.b);
        const PacketRecord& first = X.packets[bk.packets.front()];
        const Side s = bk.sender, r = otherSide(s);
        const std::string capName = bk.cap == 'a' ? "capture A" : "capture B";
        Finding f;
        f.kind = bk.injected ? FindingKind::InjectedPacket : FindingKind::LostPacket;
        f.flow = flow.id;
        f.frame = bk.frames.front();
        f.set("capture", std::string(1, bk.cap));
        f.set("flow_a", int64_t{pr.a});
        f.set("flow_b", int64_t{pr.b});
        f.set("side", who(s));
        f.set("flags", flagsToString(first.flags));
        f.set("count", static_cast<int64_t>(bk.frames.size()));
        f.set("frames", bk.frames);
        f.relatedFrames.assign(bk.frames.begin() + 1, bk.frames.end());
        const uint32_t rel = X.relativeSeq(flow, first);
        const char* what = (bk.control & tcpflag::RST) ? "RST" : (bk.control & tcpflag::SYN) ? "SYN" : "FIN";
        const std::string copies =
            bk.frames.size() > 1 ? fmt(" and %zu more cop%s of it (%s)", bk.frames.size() - 1, bk.frames.size() == 2 ? "y" : "ies",
                                       frameList(std::vector<uint32_t>(bk.frames.begin() + 1, bk.frames.end())).c_str())
                                 : std::string();
        if (bk.control) f.set("seq", int64_t{first.seq});
        if (bk.injected) {
            f.severity = (bk.control & tcpflag::RST) ? Severity::Error : Severity::Warning;
            if (bk.control)
                f.summary = fmt("%s #%u in %s (seq %u)%s reached the %s but never left the %s: it was created between "
                                "the capture points (a middlebox).",
                                what, f.frame, capName.c_str(), rel, copies.c_str(), who(r).c_str(), who(s).c_str());
            else
                f.summary = fmt("%zu packet%s in %s claiming to come from the %s (%s) never left the %s: created "
                                "between the capture points (a middlebox answering on its behalf).",
                                bk.frames.size(), bk.frames.size() == 1 ? "" : "s", capName.c_str(), who(s).c_str(),
                                frameList(bk.frames).c_str(), who(s).c_str());
        } else {
            f.severity = Severity::Warning;
            if (bk.control & tcpflag::FIN) {
                // Did any copy of this FIN get through?
                bool arrived = false;
                for (const PacketMatch& m : pr.packets) {
                    if (!m.inBoth() || m.sender != s) continue;
                    const PacketRecord& q = x.A.packets[m.a];
                    if ((q.flags & tcpflag::FIN) && q.seq == (bk.cap == 'a' ? first.seq : first.seq - pr.seqDelta[sideIndex(s)]))
                        arrived = true;
                }
                f.set("arrived", arrived);
                if (!arrived) f.severity = Severity::Error;
                f.summary = arrived
                    ? fmt("FIN #%u in %s (seq %u)%s left the %s but never reached the %s (another copy of the FIN "
                          "got through).",
                          f.frame, capName.c_str(), rel, copies.c_str(), who(s).c_str(), who(r).c_str())
                    : fmt("FIN #%u in %s (seq %u)%s left the %s but never reached the %s: lost between the capture "
                          "points, so the %s never learned that the %s closed.",
                          f.frame, capName.c_str(), rel, copies.c_str(), who(s).c_str(), who(r).c_str(),
                          who(r).c_str(), who(s).c_str());
            } else if (bk.control) {
                f.summary = fmt("%s #%u in %s (seq %u)%s left the %s but never reached the %s: lost between the "
                                "capture points%s.",
                                what, f.frame, capName.c_str(), rel, copies.c_str(), who(s).c_str(), who(r).c_str(),
                                (bk.control & tcpflag::RST) ? fmt(", so the %s never reset the connection", who(r).c_str()).c_str()
                                                            : "");
            } else {
                f.summary = fmt("%zu packet%s from the %s (%s in %s) left the %s but never reached the %s: lost "
                                "between the capture points.",
                                bk.frames.size(), bk.frames.size() == 1 ? "" : "s", who(s).c_str(),
                                frameList(bk.frames).c_str(), capName.c_str(), who(s).c_str(), who(r).c_str());
            }
        }
        if (bk.afterEnd > 0 && !bk.allAfterEnd) {
            f.set("after_other_capture_end", static_cast<int64_t>(bk.afterEnd));
            if (!f.summary.empty() && f.summary.back() == '.') f.summary.pop_back();
            f.summary += fmt(" (%u of them after capture %c's last packet).", bk.afterEnd, bk.cap == 'a' ? 'B' : 'A');
        }
        if (bk.allAfterEnd) {
            // The other capture may just have stopped: say so, and do not shout.
            f.set("after_other_capture_end", static_cast<int64_t>(bk.afterEnd));
            if (f.severity == Severity::Error && !(bk.control & tcpflag::RST)) f.severity = Severity::Warning;
            if (!f.summary.empty() && f.summary.back() == '.') f.summary.pop_back();
            f.summary += fmt(", unless capture %c had simply stopped: its last packet comes before %s.",
                             bk.cap == 'a' ? 'B' : 'A', bk.frames.size() == 1 ? "it" : "them");
        }
        pr.findings.push_back(static_cast<uint32_t>(x.c.findings.size()));
        x.c.findings.push_back(std::move(f));
    }
}

bool statesEquivalent(TcpState x, TcpState y) {
    auto closed = [](TcpState s) { return s == TcpState::Closed || s == TcpState::TimeWait; };
    return x == y || (closed(x) && closed(y));
}

void addStateFinding(Ctx& x, FlowPair& pr) {
    const Flow& fa = *x.A.flowById(pr.a);
    const Flow& fb = *x.B.flowById(pr.b);
    TcpState inA[2], inB[2];
    std::vector<Side> differing;
    for (Side s : {Side::Client, Side::Server}) {
        inA[sideIndex(s)] = fa.side(s).finalState;
        inB[sideIndex(s)] = fb.side(pr.bSide(s)).finalState;
        const TcpState p = inA[sideIndex(s)], q = inB[sideIndex(s)];
        if (p != TcpState::Unknown && q != TcpState::Unknown && !statesEquivalent(p, q)) differing.push_back(s);
    }
    if (differing.empty()) return;
    bool explained = false;
    std::string cause;
    for (uint32_t i : pr.findings) {
        const Finding& f = x.c.findings[i];
        const std::string flags = f.stringField("flags");
        if (flags.find("RST") != std::string::npos || flags.find("FIN") != std::string::npos) {
            if (cause.empty())
                cause = fmt("%s %s #%u in capture %c", f.kind == FindingKind::InjectedPacket ? "the injected" : "the lost",
                            flags.find("RST") != std::string::npos ? "RST" : "FIN", f.frame,
                            f.stringField("capture") == "a" ? 'A' : 'B');
            explained = true;
        }
    }
    auto st = [](TcpState s) { return std::string(tcpStateName(s)); };
    Finding f;
    f.kind = FindingKind::StateDisagreement;
    f.severity = explained ? Severity::Error : Severity::Warning;
    f.flow = pr.a;
    f.frame = fa.lastFrame;
    f.set("capture", std::string("a"));
    f.set("flow_a", int64_t{pr.a});
    f.set("flow_b", int64_t{pr.b});
    f.set("client_state_a", st(inA[0]));
    f.set("server_state_a", st(inA[1]));
    f.set("client_state_b", st(inB[0]));
    f.set("server_state_b", st(inB[1]));
    std::string sides;
    for (Side s : differing) sides += (sides.empty() ? "" : ",") + who(s);
    f.set("sides", sides);
    f.relatedFrames.push_back(fb.lastFrame);
    f.summary = fmt("%s ends with the client in %s and the server in %s, %s with the client in %s and the server in "
                    "%s: the two ends disagree about the connection%s.",
                    capitalized(captureLabel('a', pr)).c_str(), st(inA[0]).c_str(), st(inA[1]).c_str(),
                    captureLabel('b', pr).c_str(), st(inB[0]).c_str(), st(inB[1]).c_str(),
                    cause.empty() ? "" : (", because of " + cause).c_str());
    pr.findings.push_back(static_cast<uint32_t>(x.c.findings.size()));
    x.c.findings.push_back(std::move(f));
}

Comparison compareImpl(const Analysis& A, const Analysis& B, const CompareOptions& options) {
    Comparison c;
    c.fileA = A.capture.file;
    c.fileB = B.capture.file;

    std::vector<PairWork> work;
    for (FlowPair& p : matchFlows(A, B)) work.push_back(buildPairWork(A, B, std::move(p)));

    // Clock offset O (tB + O is on A's clock): a packet from the endpoint on A's side
    // gives tB - tA = delay - O, one from the far endpoint tB - tA = -O - delay. The
    // direction with the larger median is the one travelling A -> B; the low quantile of
    // one and the high quantile of the other bound -O from both sides and their midpoint
    // cancels the (symmetric) delay.
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
    } else if (!all.empty()) {
        offset = -median(all);
        c.clockOffsetEstimated = true;
        c.offsetSamples = static_cast<uint32_t>(all.size());
    }
    if (options.clockOffsetSeconds) {
        offset = static_cast<int64_t>(std::llround(*options.clockOffsetSeconds * 1e9));
        c.clockOffsetEstimated = false;
    }
    c.clockOffsetNs = offset;
    if (delay >= 0 || (!forward.empty() && !backward.empty())) c.oneWayDelayNs = delay;

    // Where only one direction was matched: the sign of its delay, or TTLs (hops decrement them).
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

    const int64_t d = std::max<int64_t>(delay, 0);
    std::vector<uint8_t> aMatched(A.flows.size(), 0), bMatched(B.flows.size(), 0);
    for (PairWork& w : work) {
        FlowPair& pr = w.pair;
        aMatched[pr.a - 1] = bMatched[pr.b - 1] = 1;
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
                const int64_t raw = B.packets[bi].tsNs + offset - A.packets[ai].tsNs;
                m.delayNs = fwd ? raw : -raw;
                aUsed[std::find(g.a.begin(), g.a.end(), ai) - g.a.begin()] = 1;
                bUsed[std::find(g.b.begin(), g.b.end(), bi) - g.b.begin()] = 1;
                pr.packets.push_back(m);
            }
            for (size_t i = 0; i < g.a.size(); ++i) {
                if (aUsed[i]) continue;
                PacketMatch m;
                m.a = g.a[i];
                m.aFrame = A.packets[m.a].frame;
                m.sender = g.sender;
                // When would B have seen it? Downstream after the delay, or upstream before it.
                const int64_t atB = A.packets[m.a].tsNs - offset + (fwd ? d : -d);
                m.outsideOtherCapture = B.capture.packets == 0 || atB < B.capture.firstNs;
                m.afterOtherCaptureEnd = !m.outsideOtherCapture && atB > B.capture.lastNs;
                if (!m.outsideOtherCapture) (fwd ? m.lost : m.injected) = true;
                pr.packets.push_back(m);
            }
            for (size_t i = 0; i < g.b.size(); ++i) {
                if (bUsed[i]) continue;
                PacketMatch m;
                m.b = g.b[i];
                m.bFrame = B.packets[m.b].frame;
                m.sender = g.sender;
                const int64_t atA = B.packets[m.b].tsNs + offset - (fwd ? d : -d);
                m.outsideOtherCapture = A.capture.packets == 0 || atA < A.capture.firstNs;
                m.afterOtherCaptureEnd = !m.outsideOtherCapture && atA > A.capture.lastNs;
                if (!m.outsideOtherCapture) (fwd ? m.injected : m.lost) = true;
                pr.packets.push_back(m);
            }
        }
        auto timeOf = [&](const PacketMatch& m) {
            return m.inA() ? A.packets[m.a].tsNs : B.packets[m.b].tsNs + offset;
        };
        std::stable_sort(pr.packets.begin(), pr.packets.end(), [&](const PacketMatch& x, const PacketMatch& y) {
            const int64_t tx = timeOf(x), ty = timeOf(y);
            if (tx != ty) return tx < ty;
            if (x.aFrame != y.aFrame) return x.aFrame < y.aFrame;
            return x.bFrame < y.bFrame;
        });
        std::vector<int64_t> delays;
        for (const PacketMatch& m : pr.packets) {
            if (m.inBoth()) {
                ++pr.matched;
                delays.push_back(m.delayNs);
            } else if (m.inA()) {
                (m.outsideOtherCapture ? pr.aOutsideB : pr.onlyInA).push_back(m.aFrame);
            } else {
                (m.outsideOtherCapture ? pr.bOutsideA : pr.onlyInB).push_back(m.bFrame);
            }
        }
        for (auto* v : {&pr.onlyInA, &pr.onlyInB, &pr.aOutsideB, &pr.bOutsideA}) std::sort(v->begin(), v->end());
        if (!delays.empty()) pr.oneWayDelayNs = median(delays);
        c.pairs.push_back(std::move(pr));
    }
    for (const Flow& f : A.flows)
        if (!aMatched[f.id - 1]) c.unmatchedA.push_back(f.id);
    for (const Flow& f : B.flows)
        if (!bMatched[f.id - 1]) c.unmatchedB.push_back(f.id);

    Ctx x{A, B, c};
    for (FlowPair& pr : c.pairs) {
        const size_t first = c.findings.size();
        addPacketFindings(x, pr);
        addStateFinding(x, pr);
        // Within a pair: errors first, then warnings, each in time order.
        std::stable_sort(c.findings.begin() + static_cast<std::ptrdiff_t>(first), c.findings.end(),
                         [](const Finding& p, const Finding& q) { return p.severity > q.severity; });
        pr.findings.clear();
        for (size_t i = first; i < c.findings.size(); ++i) pr.findings.push_back(static_cast<uint32_t>(i));
    }
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
