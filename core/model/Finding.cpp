#include "core/model/Finding.h"

#include <array>

namespace flowladder::core {

namespace {
constexpr std::array<std::string_view, FindingKindCount> kindNames = {
    "rst_seq_mismatch", "challenge_ack", "rst_fingerprint_mismatch", "fin_retransmit",
    "lingering_close",  "rst_ignored",   "retransmission",           "dup_ack",
    "zero_window",      "keepalive",     "segment_not_captured",     "connection_refused",
    "injected_packet",  "lost_packet",   "state_disagreement",
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

} // namespace flowladder::core
