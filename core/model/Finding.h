#pragma once
// A finding: one thing the analysis says about a connection, with the packet that
// shows it, a sentence a person can act on, and the key fields of DESIGN.md (typed,
// core/model/FindingDetail.h).

#include "core/model/FindingDetail.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace flowladder::core {

enum class FindingKind : uint8_t {
    RstSeqMismatch,
    ChallengeAck,
    RstFingerprintMismatch,
    FinRetransmit,
    LingeringClose,
    RstIgnored,
    Retransmission,
    DupAck,
    ZeroWindow,
    KeepAlive,
    SegmentNotCaptured,
    ConnectionRefused,
    HandshakeUnanswered, // SYNs sent and never answered
    ZeroWindowProbe,     // persist probes into a peer's zero window (not keep-alives)
    AbortiveClose,       // a side ended an established connection with its own RST instead of a FIN
    SimultaneousClose,   // both FINs crossed: both sides went through CLOSING
    // Comparison of two captures (core/compare/Comparison.h):
    InjectedPacket,    // seen downstream only: created between the capture points
    LostPacket,        // seen upstream only: lost between the capture points
    StateDisagreement, // the two captures end with different states for the same endpoint
};
inline constexpr int FindingKindCount = 19;

enum class Severity : uint8_t { Info, Warning, Error };

std::string_view findingKindName(FindingKind k); // "rst_seq_mismatch", the JSON spelling
std::optional<FindingKind> findingKindFromName(std::string_view name);
std::string_view severityName(Severity s); // "error" | "warning" | "info"

struct Finding {
    FindingKind kind{};
    Severity severity = Severity::Info;
    uint32_t flow = 0;  // flow id (1-based, Flow::id)
    uint32_t frame = 0; // the frame that shows it
    std::string summary;
    // The key fields of DESIGN.md, typed: the struct of `kind` (MarkedPackets for the usual analysis).
    FindingDetail detail;
    // Other frames a viewer should point at (challenge ACK, original FIN, retransmits...).
    std::vector<uint32_t> relatedFrames;

    // The detail as T, or nullptr when the finding holds another kind's.
    template <class T> const T* as() const
    {
        if constexpr (std::is_same_v<StoredDetail<T>, T>) {
            return std::get_if<T>(&detail);
        } else {
            const auto* boxed = std::get_if<StoredDetail<T>>(&detail);
            return boxed ? &**boxed : nullptr;
        }
    }
    // The side the finding is about, where its kind has one.
    std::optional<Side> side() const;
    // The flows of a comparison finding (injected_packet, lost_packet, state_disagreement).
    const PairRef* pair() const;
};

} // namespace flowladder::core
