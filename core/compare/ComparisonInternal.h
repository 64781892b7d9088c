#pragma once
// The steps of compareAnalyses (core/compare/Comparison.h), shared by the Comparison*.cpp,
// FlowMatching.cpp and PacketMatching.cpp files; not part of the core's public API.
//   FlowMatching.cpp       which flow of A is which flow of B
//   PacketMatching.cpp     packet identities of a flow pair, the clock offset, the PacketMatch list
//   ComparisonFindings.cpp lost / injected packets and state disagreements
//   Comparison.cpp         the order of the steps, the public functions and the JSON

#include "core/compare/Comparison.h"

#include <cstdint>
#include <vector>

namespace flowladder::core::compare_detail {

inline constexpr uint32_t SampleLimit = 512; // packets of a flow used to recognise it

inline uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

// ------------------------------------------------------------------ FlowMatching.cpp

// The flow pairs of A and B, in order of A's flow ids (FlowPair::a, b, matchedBy,
// sidesSwapped set; the rest is filled in by the later steps).
std::vector<FlowPair> matchFlows(const Analysis& A, const Analysis& B);

// ------------------------------------------------------------------ PacketMatching.cpp

// The packets of one sender with the same identity in A and in B.
struct Group {
    Side sender;                // A's roles
    std::vector<uint32_t> a, b; // packet indexes, in frame order
};

struct PairWork {
    FlowPair pair;
    std::vector<Group> groups;
    std::vector<int64_t> samples[2]; // tB - tA of unambiguous matches, per sender (A roles)
};

// Sequence number deltas, IP ID use and the packet groups of a matched flow pair.
PairWork buildPairWork(const Analysis& A, const Analysis& B, FlowPair pair);

// Sets c's clock offset (estimated, or from the options), offset samples and, when both
// directions gave samples, its one-way delay estimate (settleOneWayDelays replaces it), and the near side of the pairs
// that gave samples in both directions. Returns the one-way delay estimate, -1 when there is none.
int64_t estimateClock(std::vector<PairWork>& work, const CompareOptions& options, Comparison& c);

// Near side of the pairs estimateClock left unknown: the sign of the delay, or TTLs.
void guessNearSides(const Analysis& A, const Analysis& B, std::vector<PairWork>& work, int64_t offsetNs,
                    int64_t delayNs);

// Fills w.pair's packets (in time order), frame lists, matched count and median delay.
void matchPackets(const Analysis& A, const Analysis& B, PairWork& w, int64_t offsetNs, int64_t delayNs);

// One definition of the one-way delay everywhere (header, pairs table, CLI): the median, over
// the packets both captures saw, of the time from the upstream capture point to the downstream
// one with c's clock offset applied; per pair over its packets, for c over every pair's. Computed
// after matching, so a changed offset changes it. Unset where it would mean nothing: the offset
// was estimated from one direction only (that estimate makes the delay 0 by construction).
void settleOneWayDelays(Comparison& c, bool meaningful);

// ------------------------------------------------------------------ ComparisonFindings.cpp

// The findings of every pair of c (c.findings, FlowPair::findings).
void addFindings(const Analysis& A, const Analysis& B, Comparison& c);

} // namespace flowladder::core::compare_detail
