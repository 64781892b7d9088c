#pragma once
// Two vantage points of the same traffic (DESIGN.md, `compare`): which flow of
// capture A is which flow of capture B (by address tuple, or through NAT by ISNs,
// sequence numbers, IP IDs, payload sizes), the clock offset between the two
// captures, and for every packet whether both capture points saw it, with the
// one-way delay between them. A packet seen only upstream was lost between the
// capture points; one seen only downstream was created between them (a forged
// RST, a middlebox's ACK). The result is an immutable value the CLI and the GUI read.

#include "core/model/Analysis.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowladder::core {

// How a flow of A was recognised in B.
enum class FlowMatchMethod : uint8_t {
    Tuple,        // same addresses and ports (and the same ISNs where both captures saw the SYN)
    Isn,          // addresses or ports rewritten (NAT), same SYN sequence numbers
    Seq,          // no SYN in one of the captures: same sequence/ack numbers
    IpId,         // sequence numbers rewritten too (e.g. a firewall randomising ISNs): same IP IDs
    PayloadSizes, // nothing else in common: the same sequence of segment sizes and flags
};
std::string_view flowMatchMethodName(FlowMatchMethod m); // "tuple" | "isn" | "seq" | "ip_id" | "payload_sizes"

inline constexpr uint32_t NoPacket = UINT32_MAX;

// One packet of a matched flow pair, as seen by one or both capture points.
struct PacketMatch {
    uint32_t a = NoPacket; // index into A's Analysis::packets, NoPacket when A did not see it
    uint32_t b = NoPacket; // index into B's Analysis::packets, NoPacket when B did not see it
    uint32_t aFrame = 0;   // frame numbers (0 when absent)
    uint32_t bFrame = 0;
    Side sender = Side::Client; // who sent it, in the roles of A's flow
    // Seen by both: time it took from the upstream capture point to the downstream
    // one, with the comparison's clock offset applied (may be negative when the offset is off).
    int64_t delayNs = 0;
    // Seen by one capture only, before the other capture's first packet (it was not
    // running yet): neither lost nor injected.
    bool outsideOtherCapture = false;
    // Seen by one capture only, after the other capture's last packet: counted as lost or
    // injected, but the other capture may simply have stopped (pcap files do not say when).
    bool afterOtherCaptureEnd = false;
    // Seen by one capture only (and inside the other's time span): lost or injected.
    bool lost = false;
    bool injected = false;

    bool inA() const { return a != NoPacket; }
    bool inB() const { return b != NoPacket; }
    bool inBoth() const { return inA() && inB(); }
};

// A flow of A and the same connection in B.
struct FlowPair {
    uint32_t a = 0; // Flow::id in A
    uint32_t b = 0; // Flow::id in B
    FlowMatchMethod matchedBy = FlowMatchMethod::Tuple;
    bool sidesSwapped = false; // B's client is A's server (roles guessed differently mid-stream)
    // The endpoint (in A's roles) on capture A's side of the path: its packets pass A first.
    Side nearA = Side::Client;
    bool nearAKnown = false; // false: no timing or TTL evidence; nearA is the default guess (client)
    // B's sequence number minus A's, per sender (A's roles): non-zero when a box rewrites sequence numbers.
    uint32_t seqDelta[2] = {0, 0};
    bool ipIdUsed = false;            // IP IDs agreed and were part of the packet identity
    std::vector<PacketMatch> packets; // every packet of both flows, in time order (A's clock)
    std::vector<uint32_t> onlyInA;    // frames of A lost or injected (see PacketMatch)
    std::vector<uint32_t> onlyInB;
    std::vector<uint32_t> aOutsideB; // frames of A from before B's first packet (and vice versa)
    std::vector<uint32_t> bOutsideA;
    uint32_t matched = 0;                 // packets seen by both
    std::optional<int64_t> oneWayDelayNs; // median one-way delay of the packets seen by both
    std::vector<uint32_t> findings;       // indexes into Comparison::findings

    Side bSide(Side aSide) const { return sidesSwapped ? otherSide(aSide) : aSide; }
    Side aSide(Side bSide) const { return sidesSwapped ? otherSide(bSide) : bSide; }
};

// The largest clock offset between two captures taken seriously: ten years.
inline constexpr double MaxClockOffsetSeconds = 10 * 365.25 * 86400;

struct CompareOptions {
    // Seconds to add to B's timestamps to line them up with A's; when set, used
    // instead of the estimate (the GUI lets the user adjust it).
    std::optional<double> clockOffsetSeconds;
    // Checked between the phases (flow matching, clock estimate) and before each pair's packet
    // matching; when set the comparison stops with Comparison::cancelled = true and no pairs.
    const std::atomic<bool>* cancel = nullptr;
};

struct Comparison {
    AnalysisPtr a; // set when compared from AnalysisPtrs or files; null from references
    AnalysisPtr b;
    std::string fileA;
    std::string fileB;
    int64_t clockOffsetNs = 0;            // add to B's timestamps to line them up with A's
    bool clockOffsetEstimated = false;    // false: given by the options, or nothing to estimate from
    std::optional<int64_t> oneWayDelayNs; // estimated from both directions; unset when only one was seen
    uint32_t offsetSamples = 0;           // packets the estimate used
    std::vector<FlowPair> pairs;          // in order of A's flow ids
    std::vector<uint32_t> unmatchedA;     // flow ids of A with no counterpart in B
    std::vector<uint32_t> unmatchedB;
    // injected_packet, lost_packet, state_disagreement. Each has a "capture" field
    // ("a" | "b") naming the capture its `flow` and `frame` refer to, plus "flow_a" and "flow_b".
    std::vector<Finding> findings;
    bool cancelled = false; // stopped through CompareOptions::cancel: incomplete, not to be shown

    double clockOffsetSeconds() const { return static_cast<double>(clockOffsetNs) / 1e9; }
    const FlowPair* pairForA(uint32_t flowIdA) const;
    const FlowPair* pairForB(uint32_t flowIdB) const;
    // B timestamp on A's clock.
    int64_t toA(int64_t bTsNs) const { return bTsNs + clockOffsetNs; }
};

Comparison compareAnalyses(const Analysis& a, const Analysis& b, const CompareOptions& options = {});
// Same, keeping the analyses alive in the result (Comparison::a, ::b).
Comparison compareAnalyses(AnalysisPtr a, AnalysisPtr b, const CompareOptions& options = {});
// Analyses both files and compares them. When a file cannot be read, returns
// nullopt and sets `error` (naming the file and the problem).
std::optional<Comparison> compareFiles(const std::string& pathA, const std::string& pathB, std::string& error,
                                       const CompareOptions& options = {});

} // namespace flowladder::core
