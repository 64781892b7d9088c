#pragma once
// The JSON fields of a finding, in contract order, under the names of DESIGN.md: the one place
// that spells them. Each field is handed to `set(key, value)`, so that the same list builds an
// nlohmann value (findingToJson, detailToJson) and is written straight as text (writeAnalysisJson:
// building and dumping a value per finding took 2.5 times as long as analysing a capture of
// 500,000 refused connections).
//
// Values are std::string_view, bool, an integer, double, const std::vector<uint32_t>& (frame
// lists) or JsonNull (a field that applies but has no value).

#include "core/model/Finding.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace flowladder::core::json_fields {

struct JsonNull {};

template <class Set, size_t N, class T> void orNull(Set& set, const char (&key)[N], const std::optional<T>& v)
{
    if (v)
        set(key, int64_t{*v});
    else
        set(key, JsonNull{});
}

template <class Set> void pairFields(const PairRef& p, Set& set)
{
    set("capture", captureIdName(p.capture));
    set("flow_a", int64_t{p.flowA});
    set("flow_b", int64_t{p.flowB});
}

template <class Set> void oneSidedFields(const OneSidedPackets& d, const std::optional<bool>* arrived, Set& set)
{
    pairFields(d.pair, set);
    set("side", sideName(d.side));
    set("flags", std::string_view(flagsToString(d.flags)));
    set("count", static_cast<int64_t>(d.frames.size()));
    set("frames", d.frames);
    if (d.seq) set("seq", int64_t{*d.seq});
    if (arrived && *arrived) set("arrived", **arrived);
    if (d.afterOtherCaptureEnd) set("after_other_capture_end", int64_t{*d.afterOtherCaptureEnd});
}

inline double seconds(int64_t ns)
{
    return static_cast<double>(ns) / 1e9;
}

template <class Set> struct DetailFields {
    Set& set;

    void operator()(const std::monostate&) const {}
    void operator()(const RstSeqMismatch& d) const
    {
        set("side", sideName(d.side));
        set("rst_seq", int64_t{d.rstSeq});
        set("expected_seq", int64_t{d.expectedSeq});
        set("delta", d.delta);
        set("class", rstClassName(d.cls));
        set("outcome", rstOutcomeName(d.outcome));
        orNull(set, "challenge_ack_frame", d.challengeAckFrame);
        set("receive_window", int64_t{d.receiveWindow});
        set("receiver_state", tcpStateName(d.receiverState));
        set("frames_after", int64_t{d.framesAfter});
        set("rst_seq_relative", int64_t{d.rstSeqRelative});
        set("expected_seq_relative", int64_t{d.expectedSeqRelative});
        set("count", int64_t{d.count});
        set("frames", d.frames);
        set("challenge_acks", int64_t{d.challengeAcks});
        set("without_challenge_ack", int64_t{d.withoutChallengeAck});
        set("no_challenge_reason", noChallengeReasonName(d.noChallengeReason));
        set("ignored", int64_t{d.ignored});
        if (d.challengeAckSpacingNs >= 0) set("challenge_ack_spacing", seconds(d.challengeAckSpacingNs));
    }
    void operator()(const ChallengeAck& d) const
    {
        set("side", sideName(d.side));
        set("rst_frame", int64_t{d.rstFrame});
        set("count", int64_t{d.count});
        set("frames", d.frames);
    }
    void operator()(const RstFingerprintMismatch& d) const
    {
        set("side", sideName(d.side));
        set("ttl", int64_t{d.ttl});
        set("usual_ttl", int64_t{d.usualTtl});
        orNull(set, "ip_id", d.ipId);
        if (d.ipId) set("previous_ip_id", int64_t{d.previousIpId});
        set("ttl_mismatch", d.ttlMismatch);
        set("ip_id_unusual", d.ipIdUnusual);
        set("count", int64_t{d.count});
        set("frames", d.frames);
    }
    void operator()(const FinRetransmit& d) const
    {
        set("side", sideName(d.side));
        set("original_frame", int64_t{d.originalFrame});
        set("count", int64_t{d.count});
        set("acknowledged", d.acknowledged);
        set("frames", d.frames);
    }
    void operator()(const LingeringClose& d) const
    {
        set("side", sideName(d.side));
        set("state", tcpStateName(d.state));
        set("since_frame", int64_t{d.sinceFrame});
        set("retransmits", int64_t{d.retransmits});
        set("duration", seconds(d.durationNs));
        set("unresolved_at_end", d.unresolvedAtEnd);
        set("outstanding_at_end", d.outstandingAtEnd);
    }
    void operator()(const RstIgnored& d) const
    {
        set("side", sideName(d.side));
        set("rst_frame", int64_t{d.rstFrame});
        set("frames_after", int64_t{d.framesAfter});
        set("rst_frames", d.rstFrames);
    }
    void operator()(const MarkedPackets& d) const
    {
        set("side", sideName(d.side));
        set("count", int64_t{d.count});
        set("frames", d.frames);
    }
    void operator()(const ConnectionRefused& d) const { set("side", sideName(d.side)); }
    void operator()(const HandshakeUnanswered& d) const
    {
        set("side", sideName(d.side));
        set("count", int64_t{d.count});
        set("duration", seconds(d.durationNs));
        set("frames", d.frames);
    }
    void operator()(const AbortiveClose& d) const
    {
        set("side", sideName(d.side));
        set("cause", abortCauseName(d.cause));
        set("state", tcpStateName(d.state));
        set("unanswered_probes", int64_t{d.unansweredProbes});
        set("peer_bytes_unanswered", int64_t{d.peerBytesUnanswered});
        orNull(set, "peer_data_frame", d.peerDataFrame);
    }
    void operator()(const SimultaneousClose& d) const
    {
        set("client_fin_frame", int64_t{d.clientFinFrame});
        set("server_fin_frame", int64_t{d.serverFinFrame});
    }
    void operator()(const InjectedPacket& d) const { oneSidedFields(d, nullptr, set); }
    void operator()(const LostPacket& d) const { oneSidedFields(d, &d.arrived, set); }
    void operator()(const StateDisagreement& d) const
    {
        pairFields(d.pair, set);
        set("client_state_a", tcpStateName(d.clientStateA));
        set("server_state_a", tcpStateName(d.serverStateA));
        set("client_state_b", tcpStateName(d.clientStateB));
        set("server_state_b", tcpStateName(d.serverStateB));
        std::string sides;
        for (Side s : d.sides) {
            if (!sides.empty()) sides += ',';
            sides += sideName(s);
        }
        set("sides", std::string_view(sides));
    }
};

// The key fields of `detail`.
template <class Set> void detailFields(const FindingDetail& detail, Set& set)
{
    visitDetail(detail, DetailFields<Set>{set});
}

// The whole finding: kind, flow, frame, severity, summary, its key fields, related frames.
template <class Set> void findingFields(const Finding& f, Set& set)
{
    set("kind", findingKindName(f.kind));
    set("flow", int64_t{f.flow});
    set("frame", int64_t{f.frame});
    set("severity", severityName(f.severity));
    set("summary", std::string_view(f.summary));
    detailFields(f.detail, set);
    if (!f.relatedFrames.empty()) set("related_frames", f.relatedFrames);
}

// A `set` that puts each field on a JSON object.
struct ObjectSink {
    nlohmann::ordered_json& j;

    void operator()(const char* key, std::string_view v) const { j[key] = std::string(v); }
    void operator()(const char* key, const std::vector<uint32_t>& v) const { j[key] = v; }
    void operator()(const char* key, JsonNull) const { j[key] = nullptr; }
    template <class T>
    requires std::is_arithmetic_v<T>
    void operator()(const char* key, T v) const { j[key] = v; }
};

} // namespace flowladder::core::json_fields
