#include "core/model/Finding.h"

#include <array>

namespace flowladder::core {

namespace {
constexpr std::array<std::string_view, FindingKindCount> kindNames = {
    "rst_seq_mismatch",     "challenge_ack",     "rst_fingerprint_mismatch", "fin_retransmit",
    "lingering_close",      "rst_ignored",       "retransmission",           "dup_ack",
    "zero_window",          "keepalive",         "segment_not_captured",     "connection_refused",
    "handshake_unanswered", "zero_window_probe", "abortive_close",           "simultaneous_close",
    "injected_packet",      "lost_packet",       "state_disagreement",
};
} // namespace

std::string_view findingKindName(FindingKind k)
{
    return kindNames[static_cast<size_t>(k)];
}

std::optional<FindingKind> findingKindFromName(std::string_view name)
{
    for (size_t i = 0; i < kindNames.size(); ++i)
        if (kindNames[i] == name) return static_cast<FindingKind>(i);
    return std::nullopt;
}

std::string_view severityName(Severity s)
{
    switch (s) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "info";
    }
    return "info";
}

std::string_view rstClassName(RstClass c)
{
    switch (c) {
    case RstClass::Exact:
        return "exact";
    case RstClass::OffByOneAfterFin:
        return "off_by_one_after_fin";
    case RstClass::InWindow:
        return "in_window";
    case RstClass::OutOfWindow:
        return "out_of_window";
    case RstClass::NotJudged:
        return "not_judged";
    }
    return "not_judged";
}

std::string_view rstOutcomeName(RstOutcome o)
{
    switch (o) {
    case RstOutcome::TookEffect:
        return "took_effect";
    case RstOutcome::Ignored:
        return "ignored";
    case RstOutcome::Unknown:
        return "unknown";
    }
    return "unknown";
}

std::string_view abortCauseName(AbortCause c)
{
    switch (c) {
    case AbortCause::Application:
        return "application";
    case AbortCause::KeepaliveTimeout:
        return "keepalive_timeout";
    case AbortCause::RetransmissionTimeout:
        return "retransmission_timeout";
    case AbortCause::Unknown:
        return "unknown";
    }
    return "unknown";
}

std::string_view noChallengeReasonName(NoChallengeReason r)
{
    switch (r) {
    case NoChallengeReason::None:
        return "none";
    case NoChallengeReason::OutOfWindow:
        return "out_of_window";
    case NoChallengeReason::RateLimit:
        return "rate_limit";
    case NoChallengeReason::Accepted:
        return "accepted";
    case NoChallengeReason::Unknown:
        return "unknown";
    }
    return "unknown";
}

std::string_view captureIdName(CaptureId c)
{
    return c == CaptureId::A ? "a" : "b";
}

bool isLingeringState(TcpState s)
{
    return s == TcpState::FinWait1 || s == TcpState::FinWait2 || s == TcpState::CloseWait || s == TcpState::Closing ||
           s == TcpState::LastAck;
}

std::optional<Side> Finding::side() const
{
    return visitDetail(detail, [](const auto& d) -> std::optional<Side> {
        if constexpr (requires { d.side; })
            return d.side;
        else
            return std::nullopt;
    });
}

const PairRef* Finding::pair() const
{
    return visitDetail(detail, [](const auto& d) -> const PairRef* {
        if constexpr (requires { d.pair; })
            return &d.pair;
        else
            return nullptr;
    });
}

} // namespace flowladder::core
