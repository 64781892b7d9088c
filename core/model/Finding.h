#pragma once
// A finding: one thing the analysis says about a connection, with the packet that
// shows it, a sentence a person can act on, and the key fields of DESIGN.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
    // Comparison of two captures (core/compare/Comparison.h):
    InjectedPacket,    // seen downstream only: created between the capture points
    LostPacket,        // seen upstream only: lost between the capture points
    StateDisagreement, // the two captures end with different states for the same endpoint
};
inline constexpr int FindingKindCount = 15;

enum class Severity : uint8_t { Info, Warning, Error };

std::string_view findingKindName(FindingKind k); // "rst_seq_mismatch", the JSON spelling
std::optional<FindingKind> findingKindFromName(std::string_view name);
std::string_view severityName(Severity s); // "error" | "warning" | "info"

// A value of a finding's key field. Frame lists are vectors of frame numbers.
// std::monostate is JSON null (a field that applies but has no value, e.g. no challenge ACK).
using FieldValue = std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<uint32_t>>;

struct Finding {
    FindingKind kind{};
    Severity severity = Severity::Info;
    uint32_t flow = 0;  // flow id (1-based, Flow::id)
    uint32_t frame = 0; // the frame that shows it
    std::string summary;
    // Key fields in the order the JSON writes them (names as in DESIGN.md).
    std::vector<std::pair<std::string, FieldValue>> fields;
    // Other frames a viewer should point at (challenge ACK, original FIN, retransmits...).
    std::vector<uint32_t> relatedFrames;

    const FieldValue* field(std::string_view name) const
    {
        for (const auto& [k, v] : fields)
            if (k == name) return &v;
        return nullptr;
    }
    int64_t intField(std::string_view name, int64_t fallback = 0) const
    {
        const FieldValue* v = field(name);
        return v && std::holds_alternative<int64_t>(*v) ? std::get<int64_t>(*v) : fallback;
    }
    std::string stringField(std::string_view name) const
    {
        const FieldValue* v = field(name);
        return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : std::string();
    }
    void set(std::string name, FieldValue value) { fields.emplace_back(std::move(name), std::move(value)); }
};

} // namespace flowladder::core
