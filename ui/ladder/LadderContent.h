#pragma once
// What the ladder draws for one flow, read once from the Analysis when the flow is
// chosen: the vertical layout, per-row notes taken from the findings, connectors
// (RST -> challenge ACK, original FIN -> its retransmission, first transmission -> its
// retransmissions), the state bands of each
// side and where the capture point sits. No TCP reasoning here: the findings and
// marks of the core are the facts; this only places them.

#include "core/model/Analysis.h"
#include "ui/ladder/LadderLayout.h"

#include <QHash>
#include <QString>
#include <optional>
#include <vector>

namespace flowladder::ui {

struct LadderContent {
    enum class ConnectorKind { ChallengeAck, FinRetransmit, Retransmission };
    struct Connector {
        uint32_t fromRow = 0;
        uint32_t toRow = 0;
        ConnectorKind kind = ConnectorKind::ChallengeAck;
    };
    struct Band {
        uint32_t fromRow = 0;
        uint32_t toRow = 0; // inclusive
        core::TcpState state = core::TcpState::Unknown;
        int64_t durationNs = 0;
        // A side stuck closing: a band of the closing run that the side's lingering_close
        // finding covers (core::isLingeringState alone is every close, a normal one too).
        bool lingering = false;
        bool assumed = false; // core::StateBasis::Assumed: drawn hatched
    };

    core::AnalysisPtr analysis;
    const core::Flow* flow = nullptr;
    LadderLayout layout;
    QHash<uint32_t, QString> notes; // row -> text from findings and marks
    std::vector<Connector> connectors;
    std::vector<Band> bands[2];           // indexed by core::Side
    std::vector<uint32_t> findingRows;    // sorted, unique
    QHash<uint32_t, uint32_t> originalOf; // retransmission row -> row of its first transmission
    double capturePointX = 0.5;           // 0 = client lifeline, 1 = server lifeline
    // Where the capture was taken as inferred (or set by the user), in a few words ("on the
    // server"), and why ("the server's packets carry TTL 64, as sent; the client's arrive with 57").
    QString capturePointWhere;
    QString capturePointWhy;
    // Decimals of the time column: enough that neighbouring packets of the flow read differently
    // (3 for milliseconds apart, up to 6 for a fast flow whose packets are microseconds apart).
    int timeDecimals = 3;

    static LadderContent build(core::AnalysisPtr analysis, uint32_t flowId, const LadderLayout::Params& params);
    static int timeDecimalsFor(const core::Analysis& a, const core::Flow& f);
    // Places the capture point: 0 at the client, 1 at the server, in between; nullopt: as
    // inferred from the flow (TTLs as sent, then the handshake's round trips).
    void setCapturePoint(std::optional<double> userX);
    // Lays the rows out again (time or row scale); everything else depends on the flow only.
    void relayout(const LadderLayout::Params& params);
    // Lays the rows out on another ladder's timeline (LadderLayout::onTimeline): this flow's
    // times plus offsetNs are on base's clock. Two ladders laid out on one timeline put the
    // same moment at the same y.
    void relayoutOn(const LadderLayout& base, int64_t offsetNs);

    bool valid() const { return analysis && flow; }
    uint32_t rows() const { return flow ? flow->packetCount() : 0; }
    const core::PacketRecord& packet(uint32_t row) const { return analysis->packet(*flow, row); }
    int64_t packetNs(uint32_t row) const { return analysis->tsNs(*flow, row); } // the packet's time
    uint32_t flowId() const { return analysis->idOf(*flow); }
    int64_t rowOfFrame(uint32_t frame) const;
    // Row of the flow's packet index (index into Analysis::packets), the nearest row at or after it.
    uint32_t rowOfPacketIndex(uint32_t packetIndex) const;
    // One line: "#12  RST  seq 276  ack 4345  len 0  win 0"; compact: "#12 RST 276 ack 4345".
    QString label(uint32_t row, bool compact = false) const;
    QString note(uint32_t row) const { return notes.value(row); }
};

} // namespace flowladder::ui
