#pragma once
// The typed key fields of each finding kind (DESIGN.md, "What counts as a finding").
// A Finding holds one of these in Finding::detail; core/report/FindingJson.cpp writes
// them under their JSON names. Readers take them by type, so a renamed field is a
// compile error, not a silently missing value.

#include "core/model/Types.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace flowladder::core {

// How a RST's sequence number relates to what its receiver expects (RFC 5961 3.2).
enum class RstClass : uint8_t { Exact, OffByOneAfterFin, InWindow, OutOfWindow, NotJudged };
std::string_view rstClassName(RstClass c); // "off_by_one_after_fin" | "in_window" | "out_of_window" | ...

// What the receiver of a RST did afterwards.
enum class RstOutcome : uint8_t { TookEffect, Ignored, Unknown };
std::string_view rstOutcomeName(RstOutcome o); // "took_effect" | "ignored" | "unknown"

// Why a side ended a connection with its own RST (abortive_close).
enum class AbortCause : uint8_t { Application, KeepaliveTimeout, RetransmissionTimeout, Unknown };
std::string_view abortCauseName(AbortCause c); // "application" | "keepalive_timeout" | ...

// Why inexact RSTs drew no challenge ACK (rst_seq_mismatch with several RSTs, or one).
enum class NoChallengeReason : uint8_t { None, OutOfWindow, RateLimit, Accepted, Unknown };
std::string_view noChallengeReasonName(NoChallengeReason r); // "none" | "out_of_window" | "rate_limit" | ...

// Which of two compared captures a comparison finding's flow and frame refer to.
enum class CaptureId : uint8_t { A, B };
std::string_view captureIdName(CaptureId c); // "a" | "b"

// A side that has sent or received a FIN and not yet finished closing: FIN-WAIT-1,
// FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK. A side whose last state is one of these,
// held for long, is what `lingering_close` reports and what the ladder bands mark.
bool isLingeringState(TcpState s);

// rst_seq_mismatch: a RST whose sequence number is not exactly the receiver's RCV.NXT.
struct RstSeqMismatch {
    Side side{}; // the RST's sender
    uint32_t rstSeq = 0;
    uint32_t expectedSeq = 0; // the receiver's RCV.NXT as the capture shows it
    int64_t delta = 0;        // rstSeq - expectedSeq
    RstClass cls = RstClass::NotJudged;
    RstOutcome outcome = RstOutcome::Unknown;
    std::optional<uint32_t> challengeAckFrame; // the receiver's challenge ACK, if one was seen
    uint32_t receiveWindow = 0;                // the receiver's last advertised window, scaled
    TcpState receiverState = TcpState::Unknown;
    uint32_t framesAfter = 0; // packets the receiver sent after the RST
    uint32_t rstSeqRelative = 0;
    uint32_t expectedSeqRelative = 0;
    // The whole run of inexact RSTs from this sender into the connection (a storm is one
    // finding; the fields above are the first RST's).
    uint32_t count = 1;
    std::vector<uint32_t> frames;     // the RSTs (first 100)
    uint32_t challengeAcks = 0;       // RSTs answered by a challenge ACK
    uint32_t withoutChallengeAck = 0; // RSTs that drew none
    NoChallengeReason noChallengeReason = NoChallengeReason::None;
    uint32_t ignored = 0;               // RSTs the receiver kept sending after
    int64_t challengeAckSpacingNs = -1; // smallest gap between two challenge ACKs, -1 with fewer than 2
};

// challenge_ack: the ACK a receiver sent back for an in-window, inexact RST.
struct ChallengeAck {
    Side side{}; // the side that sent the challenge ACK (the RST's receiver)
    uint32_t rstFrame = 0;
    uint32_t count = 1;           // challenge ACKs this side sent to the run of RSTs
    std::vector<uint32_t> frames; // those ACKs (first 100)
};

// rst_fingerprint_mismatch: a RST whose TTL / IP ID does not fit its sender's other packets.
struct RstFingerprintMismatch {
    Side side{}; // the side the RST claims to come from
    uint8_t ttl = 0;
    uint8_t usualTtl = 0;
    std::optional<uint16_t> ipId; // none for IPv6
    uint16_t previousIpId = 0;    // the sender's IP ID before the RST (meaningful with ipId)
    bool ttlMismatch = false;
    bool ipIdUnusual = false;
    uint32_t count = 1;           // RSTs of this sender that do not fit it
    std::vector<uint32_t> frames; // those RSTs (first 100)
};

// fin_retransmit: a FIN sent again because it was not acknowledged.
struct FinRetransmit {
    Side side{};
    uint32_t originalFrame = 0;
    uint32_t count = 0; // retransmissions
    bool acknowledged = false;
    std::vector<uint32_t> frames; // the retransmissions (first 100)
};

// lingering_close: a side stuck in a closing state, retransmitting or left hanging.
struct LingeringClose {
    Side side{};
    TcpState state = TcpState::Unknown; // the state it was stuck in
    uint32_t sinceFrame = 0;
    uint32_t retransmits = 0;
    int64_t durationNs = 0;
    bool unresolvedAtEnd = false;
    bool outstandingAtEnd = false; // data or FIN still unacknowledged when the capture ends
};

// rst_ignored: a side that kept sending after it received a RST.
struct RstIgnored {
    Side side{}; // the RST's receiver, which kept sending
    uint32_t rstFrame = 0;
    uint32_t framesAfter = 0;
    std::vector<uint32_t> rstFrames; // every RST it ignored
};

// retransmission, dup_ack, zero_window, zero_window_probe, keepalive, segment_not_captured: the packets of
// one side with that mark (Finding::kind says which mark).
struct MarkedPackets {
    Side side{};
    uint32_t count = 0;
    std::vector<uint32_t> frames; // first 100
};

// connection_refused: a RST answering a SYN.
struct ConnectionRefused {
    Side side{}; // the side that refused
};

// handshake_unanswered: SYNs sent and never answered (no SYN-ACK, no RST).
struct HandshakeUnanswered {
    Side side{};                  // the SYN's sender
    uint32_t count = 0;           // SYNs sent: the first and its retransmissions
    int64_t durationNs = 0;       // first SYN to last
    std::vector<uint32_t> frames; // the SYNs (first 100)
};

// abortive_close: a side ended an established connection with a RST at its exact SND.NXT.
struct AbortiveClose {
    Side side{}; // the RST's sender
    AbortCause cause = AbortCause::Unknown;
    TcpState state = TcpState::Unknown;    // the sender's state when it sent the RST
    uint32_t unansweredProbes = 0;         // its keep-alives or retransmissions the peer never answered
    uint32_t peerBytesUnanswered = 0;      // data the peer sent that it never answered (unread, likely)
    std::optional<uint32_t> peerDataFrame; // the first of that data
};

// simultaneous_close: both FINs crossed (each sent before the other's arrived).
struct SimultaneousClose {
    uint32_t clientFinFrame = 0;
    uint32_t serverFinFrame = 0;
};

// The flows a comparison finding belongs to, and which capture its flow and frame are in.
struct PairRef {
    CaptureId capture = CaptureId::A;
    uint32_t flowA = 0;
    uint32_t flowB = 0;
};

// Packets of one sender seen in one capture only (a FIN, SYN or RST with its copies, or
// the data/ACK packets of one sender).
struct OneSidedPackets {
    PairRef pair;
    Side side{};       // the claimed sender
    uint8_t flags = 0; // TCP flags of the first packet
    std::vector<uint32_t> frames;
    std::optional<uint32_t> seq;                  // for a FIN, SYN or RST
    std::optional<uint32_t> afterOtherCaptureEnd; // how many came after the other capture's last packet
};

// injected_packet: seen downstream only, created between the capture points.
struct InjectedPacket : OneSidedPackets {};

// lost_packet: seen upstream only, lost between the capture points.
struct LostPacket : OneSidedPackets {
    std::optional<bool> arrived; // for a FIN: another copy of it got through
};

// state_disagreement: the two captures end with different states for the same endpoint.
struct StateDisagreement {
    PairRef pair;
    TcpState clientStateA = TcpState::Unknown;
    TcpState serverStateA = TcpState::Unknown;
    TcpState clientStateB = TcpState::Unknown;
    TcpState serverStateB = TcpState::Unknown;
    std::vector<Side> sides; // the sides whose states differ
};

// A kind's detail kept on the heap, read as the T it holds: the details of a few rare kinds are
// much larger than the rest (RstSeqMismatch 112 bytes, against 40 at most for the kinds reported
// once per connection: refused, unanswered, retransmissions), and a Finding holds the largest
// alternative inline. Copies copy the T; a moved-from box is empty (only destroyed or assigned).
template <class T> class Boxed {
public:
    Boxed(T value) : p_(std::make_unique<T>(std::move(value))) {} // implicit: a detail converts to its box
    Boxed(const Boxed& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
    Boxed(Boxed&&) noexcept = default;
    Boxed& operator=(const Boxed& other)
    {
        if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
        return *this;
    }
    Boxed& operator=(Boxed&&) noexcept = default;
    ~Boxed() = default;
    const T& operator*() const { return *p_; }
    T& operator*() { return *p_; }

private:
    std::unique_ptr<T> p_;
};

// How FindingDetail stores a kind's struct: T, or Boxed<T> for the large rare ones.
template <class T> struct DetailStorage {
    using type = T;
};
template <> struct DetailStorage<RstSeqMismatch> {
    using type = Boxed<RstSeqMismatch>;
};
template <> struct DetailStorage<InjectedPacket> {
    using type = Boxed<InjectedPacket>;
};
template <> struct DetailStorage<LostPacket> {
    using type = Boxed<LostPacket>;
};
template <class T> using StoredDetail = typename DetailStorage<T>::type;

// std::monostate only for a default-constructed Finding; every finding the core makes
// carries the struct of its kind (read it with Finding::as<T>() or visitDetail()).
using FindingDetail =
    std::variant<std::monostate, StoredDetail<RstSeqMismatch>, ChallengeAck, RstFingerprintMismatch, FinRetransmit,
                 LingeringClose, RstIgnored, MarkedPackets, ConnectionRefused, HandshakeUnanswered, AbortiveClose,
                 SimultaneousClose, StoredDetail<InjectedPacket>, StoredDetail<LostPacket>, StateDisagreement>;

// Calls `fn` with the struct `detail` holds (std::monostate for none), a boxed one unboxed.
template <class Fn> decltype(auto) visitDetail(const FindingDetail& detail, Fn&& fn)
{
    return std::visit(
        [&fn](const auto& d) -> decltype(auto) {
            if constexpr (requires { *d; })
                return fn(*d);
            else
                return fn(d);
        },
        detail);
}

} // namespace flowladder::core
