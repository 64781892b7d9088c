#pragma once
// Per-connection TCP analysis over a flow's stored packets: marks each packet
// (retransmission, duplicate ACK, challenge ACK...), infers each side's state over
// time, and collects the events the findings are built from (see FindingBuilder).

#include "core/model/Analysis.h"

#include <vector>

namespace flowladder::core {

struct RstEvent {
    uint32_t row = 0; // row of the RST in the flow
    Side sender{};
    RstClass cls = RstClass::NotJudged;
    uint32_t expectedSeq = 0;   // receiver's RCV.NXT as the capture shows it
    int32_t delta = 0;          // rst seq - expected
    uint32_t receiveWindow = 0; // receiver's last advertised window, scaled
    int64_t challengeAckRow = -1;
    bool receiverInSynSent = false;             // RST answers a SYN: seq is not checked, it is a refusal
    TcpState receiverState = TcpState::Unknown; // receiver's state when the RST arrived
    TcpState senderState = TcpState::Unknown;   // the claimed sender's state when it sent it
    // The sender plausibly sent it itself: its own SND.NXT (or a refusal) and a TTL it uses.
    bool plausible = false;
    // What the sender had sent before it that the receiver never answered, and what the
    // receiver had sent that the sender never answered (abortive_close's cause).
    uint32_t senderUnansweredKeepAlives = 0;
    uint32_t senderUnansweredRetransmits = 0; // retransmissions and zero-window probes
    uint32_t receiverBytesUnanswered = 0;
    int64_t receiverDataRow = -1; // the first of those bytes
    // The sender's last packets before the RST (keep-alives, probes, retransmissions) went
    // unanswered: the receiver was silent already, so its silence afterwards proves nothing.
    bool receiverSilentBefore = false;
    // What the receiver did afterwards.
    RstOutcome outcome = RstOutcome::Unknown;
    uint32_t framesAfter = 0;      // non-RST packets the receiver sent after it got the RST
    uint32_t retransmitsAfter = 0; // of those, retransmissions
    int64_t lastRowAfter = -1;     // the receiver's last such packet
    // Fingerprint of the RST against its sender's other packets.
    bool ttlMismatch = false;
    bool ipIdUnusual = false;
    uint8_t usualTtl = 0;
    uint16_t previousIpId = 0; // IP ID of the sender's packet before the RST (IPv4)
};

struct FinEvent {
    uint32_t row = 0;
    Side sender{};
    bool retransmit = false;
};

struct FlowEvents {
    std::vector<RstEvent> rsts;
    std::vector<FinEvent> fins;
    // Both FINs crossed (simultaneous close): the rows of the client's and the server's FIN.
    int64_t crossedFinRow[2] = {-1, -1};
    bool finAcked[2] = {false, false};    // by Side: this side's FIN was acknowledged
    bool outstanding[2] = {false, false}; // by Side: data or FIN still unacknowledged at the end
    // Every mark bit given to any of the flow's packets: the findings skip their passes over
    // the packets for marks no packet has (most connections of a busy server have none).
    uint16_t marksGiven = 0;
    StateTimelines states;
    // Working space of the RST outcome judge (judgeRstOutcomes), per side: non-RST packets and
    // their retransmissions from each row on, and the last such row. Kept here so that a flow
    // with a RST costs no allocation (a port scan is one such connection per two packets).
    struct RstScratch {
        std::vector<uint32_t> after, retrans;
        std::vector<int64_t> lastFrom;
    };
    RstScratch rstScratch[2];
};

// Runs the analysis of one flow: fills the packets' marks and the sides' ISNs, counts,
// RTTs and final states, and puts the events for the findings and the state timelines
// into `out` (emptied first: reusing one FlowEvents across flows reuses its buffers).
// `captureEndNs` is the time of the capture's last packet (for "went silent").
void trackFlow(Analysis& analysis, Flow& flow, int64_t captureEndNs, FlowEvents& out);

// The state timelines of a flow trackFlow already ran over, computed again the same
// way without changing the analysis (see Analysis::stateTimelines).
StateTimelines replayStates(const Analysis& analysis, const Flow& flow);

} // namespace flowladder::core
