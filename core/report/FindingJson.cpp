#include "core/report/FindingJson.h"

#include "core/report/JsonReport.h"

#include <cstdio>

namespace flowladder::core {

using nlohmann::ordered_json;

namespace {

std::string sideText(Side s)
{
    return std::string(sideName(s));
}

std::string stateText(TcpState s)
{
    return std::string(tcpStateName(s));
}

// Frame numbers and counts are written as the integers they are; null where a field
// applies but has no value.
template <class T> ordered_json orNull(const std::optional<T>& v)
{
    return v ? ordered_json(int64_t{*v}) : ordered_json(nullptr);
}

void pairToJson(const PairRef& p, ordered_json& j)
{
    j["capture"] = std::string(captureIdName(p.capture));
    j["flow_a"] = int64_t{p.flowA};
    j["flow_b"] = int64_t{p.flowB};
}

void oneSidedToJson(const OneSidedPackets& d, const std::optional<bool>* arrived, ordered_json& j)
{
    pairToJson(d.pair, j);
    j["side"] = sideText(d.side);
    j["flags"] = flagsToString(d.flags);
    j["count"] = static_cast<int64_t>(d.frames.size());
    j["frames"] = d.frames;
    if (d.seq) j["seq"] = int64_t{*d.seq};
    if (arrived && *arrived) j["arrived"] = **arrived;
    if (d.afterOtherCaptureEnd) j["after_other_capture_end"] = int64_t{*d.afterOtherCaptureEnd};
}

struct DetailWriter {
    ordered_json& j;

    void operator()(const std::monostate&) const {}
    void operator()(const RstSeqMismatch& d) const
    {
        j["side"] = sideText(d.side);
        j["rst_seq"] = int64_t{d.rstSeq};
        j["expected_seq"] = int64_t{d.expectedSeq};
        j["delta"] = d.delta;
        j["class"] = std::string(rstClassName(d.cls));
        j["outcome"] = std::string(rstOutcomeName(d.outcome));
        j["challenge_ack_frame"] = orNull(d.challengeAckFrame);
        j["receive_window"] = int64_t{d.receiveWindow};
        j["receiver_state"] = stateText(d.receiverState);
        j["frames_after"] = int64_t{d.framesAfter};
        j["rst_seq_relative"] = int64_t{d.rstSeqRelative};
        j["expected_seq_relative"] = int64_t{d.expectedSeqRelative};
        j["count"] = int64_t{d.count};
        j["frames"] = d.frames;
        j["challenge_acks"] = int64_t{d.challengeAcks};
        j["without_challenge_ack"] = int64_t{d.withoutChallengeAck};
        j["no_challenge_reason"] = std::string(noChallengeReasonName(d.noChallengeReason));
        j["ignored"] = int64_t{d.ignored};
        if (d.challengeAckSpacingNs >= 0)
            j["challenge_ack_spacing"] = static_cast<double>(d.challengeAckSpacingNs) / 1e9;
    }
    void operator()(const ChallengeAck& d) const
    {
        j["side"] = sideText(d.side);
        j["rst_frame"] = int64_t{d.rstFrame};
        j["count"] = int64_t{d.count};
        j["frames"] = d.frames;
    }
    void operator()(const RstFingerprintMismatch& d) const
    {
        j["side"] = sideText(d.side);
        j["ttl"] = int64_t{d.ttl};
        j["usual_ttl"] = int64_t{d.usualTtl};
        j["ip_id"] = orNull(d.ipId);
        if (d.ipId) j["previous_ip_id"] = int64_t{d.previousIpId};
        j["ttl_mismatch"] = d.ttlMismatch;
        j["ip_id_unusual"] = d.ipIdUnusual;
        j["count"] = int64_t{d.count};
        j["frames"] = d.frames;
    }
    void operator()(const FinRetransmit& d) const
    {
        j["side"] = sideText(d.side);
        j["original_frame"] = int64_t{d.originalFrame};
        j["count"] = int64_t{d.count};
        j["acknowledged"] = d.acknowledged;
        j["frames"] = d.frames;
    }
    void operator()(const LingeringClose& d) const
    {
        j["side"] = sideText(d.side);
        j["state"] = stateText(d.state);
        j["since_frame"] = int64_t{d.sinceFrame};
        j["retransmits"] = int64_t{d.retransmits};
        j["duration"] = static_cast<double>(d.durationNs) / 1e9;
        j["unresolved_at_end"] = d.unresolvedAtEnd;
        j["outstanding_at_end"] = d.outstandingAtEnd;
    }
    void operator()(const RstIgnored& d) const
    {
        j["side"] = sideText(d.side);
        j["rst_frame"] = int64_t{d.rstFrame};
        j["frames_after"] = int64_t{d.framesAfter};
        j["rst_frames"] = d.rstFrames;
    }
    void operator()(const MarkedPackets& d) const
    {
        j["side"] = sideText(d.side);
        j["count"] = int64_t{d.count};
        j["frames"] = d.frames;
    }
    void operator()(const ConnectionRefused& d) const { j["side"] = sideText(d.side); }
    void operator()(const HandshakeUnanswered& d) const
    {
        j["side"] = sideText(d.side);
        j["count"] = int64_t{d.count};
        j["duration"] = static_cast<double>(d.durationNs) / 1e9;
        j["frames"] = d.frames;
    }
    void operator()(const AbortiveClose& d) const
    {
        j["side"] = sideText(d.side);
        j["cause"] = std::string(abortCauseName(d.cause));
        j["state"] = stateText(d.state);
        j["unanswered_probes"] = int64_t{d.unansweredProbes};
        j["peer_bytes_unanswered"] = int64_t{d.peerBytesUnanswered};
        j["peer_data_frame"] = orNull(d.peerDataFrame);
    }
    void operator()(const SimultaneousClose& d) const
    {
        j["client_fin_frame"] = int64_t{d.clientFinFrame};
        j["server_fin_frame"] = int64_t{d.serverFinFrame};
    }
    void operator()(const InjectedPacket& d) const { oneSidedToJson(d, nullptr, j); }
    void operator()(const LostPacket& d) const { oneSidedToJson(d, &d.arrived, j); }
    void operator()(const StateDisagreement& d) const
    {
        pairToJson(d.pair, j);
        j["client_state_a"] = stateText(d.clientStateA);
        j["server_state_a"] = stateText(d.serverStateA);
        j["client_state_b"] = stateText(d.clientStateB);
        j["server_state_b"] = stateText(d.serverStateB);
        std::string sides;
        for (Side s : d.sides) {
            if (!sides.empty()) sides += ',';
            sides += sideName(s);
        }
        j["sides"] = sides;
    }
};

std::string valueText(const ordered_json& v)
{
    if (v.is_null()) return "none";
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v.get<double>());
        return buf;
    }
    if (v.is_array()) {
        std::string r;
        for (const auto& x : v)
            r += (r.empty() ? "#" : ", #") + x.dump();
        return r;
    }
    return v.dump();
}

} // namespace

void detailToJson(const FindingDetail& detail, ordered_json& j)
{
    std::visit(DetailWriter{j}, detail);
}

std::vector<FieldText> detailFieldTexts(const FindingDetail& detail)
{
    ordered_json j = ordered_json::object();
    detailToJson(detail, j);
    std::vector<FieldText> out;
    for (const auto& [k, v] : j.items())
        out.push_back({k, valueText(v)});
    return out;
}

ordered_json findingToJson(const Finding& f)
{
    ordered_json j;
    j["kind"] = std::string(findingKindName(f.kind));
    j["flow"] = f.flow;
    j["frame"] = f.frame;
    j["severity"] = std::string(severityName(f.severity));
    j["summary"] = f.summary;
    detailToJson(f.detail, j);
    if (!f.relatedFrames.empty()) j["related_frames"] = f.relatedFrames;
    return j;
}

} // namespace flowladder::core
