#include "ui/ladder/LadderContent.h"

#include "ui/models/FlowDerived.h"
#include "ui/models/Format.h"

#include <QSet>
#include <algorithm>
#include <cstdint>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {

// `lead`: the note that explains the row best goes first.
void addNote(QHash<uint32_t, QString>& notes, uint32_t row, const QString& text, bool lead = false)
{
    QString& n = notes[row];
    if (n.contains(text)) return;
    if (n.isEmpty())
        n = text;
    else
        n = lead ? text + QStringLiteral("  ·  ") + n : n + QStringLiteral("  ·  ") + text;
}

QString rstNote(const Flow& f, const RstSeqMismatch& d, const PacketRecord& p)
{
    const int64_t delta = d.delta;
    QString text;
    if (delta == 0)
        text = QStringLiteral("seq ≠ RCV.NXT");
    else
        text = QStringLiteral("seq = RCV.NXT %1 %2")
                   .arg(delta < 0 ? QStringLiteral("−") : QStringLiteral("+"))
                   .arg(std::abs(delta));
    text += QStringLiteral(" (expected %1)").arg(d.expectedSeq - f.side(p.side()).isn);
    const QString receiver = QString::fromLatin1(sideName(otherSide(p.side())).data());
    if (d.outcome == RstOutcome::Ignored)
        text += QStringLiteral(": %1 IGNORED it").arg(receiver);
    else if (d.outcome == RstOutcome::TookEffect)
        text += QStringLiteral(": took effect");
    return text;
}

} // namespace

// The fewest decimals (3 to 6) at which every two neighbouring packets at different times
// read differently: a unit no larger than the smallest gap (two times at least one unit apart
// never round to the same text).
int LadderContent::timeDecimalsFor(const Analysis& a, const Flow& f)
{
    int64_t smallest = INT64_MAX;
    for (uint32_t row = 1; row < f.packetCount(); ++row) {
        const int64_t gap = a.tsNs(f, row) - a.tsNs(f, row - 1);
        if (gap > 0) smallest = std::min(smallest, gap);
    }
    int decimals = 3;
    for (int64_t unit = 1'000'000; decimals < 6 && unit > smallest; unit /= 10)
        ++decimals;
    return decimals;
}

namespace {
bool initialTtl(uint8_t ttl)
{
    return ttl == 64 || ttl == 128 || ttl == 255 || ttl == 32;
}
// Routers passed by a packet arriving with this TTL: from the nearest usual initial value above.
int hopsFrom(uint8_t ttl)
{
    for (int initial : {32, 64, 128, 255})
        if (ttl <= initial) return initial - ttl;
    return 0;
}
} // namespace

void LadderContent::setCapturePoint(std::optional<double> userX)
{
    if (userX) {
        capturePointX = std::clamp(*userX, 0.0, 1.0);
        capturePointWhere = capturePointX < 0.2   ? QStringLiteral("at the client")
                            : capturePointX > 0.8 ? QStringLiteral("at the server")
                                                  : QStringLiteral("in between");
        capturePointWhy = QStringLiteral("set by you (View > Capture point)");
        return;
    }
    capturePointX = 0.5;
    capturePointWhere = QStringLiteral("not known");
    capturePointWhy = QStringLiteral("no TTL sent as-is and no handshake to time: drawn in the middle");
    if (!flow) return;
    const FlowSide& cs = flow->side(Side::Client);
    const FlowSide& ss = flow->side(Side::Server);
    // A packet captured on the host that sent it still has its initial TTL; one that crossed
    // routers has less. One side as sent and the other decremented: taken on the first's host.
    const bool cInit = cs.usualTtl && initialTtl(cs.usualTtl), sInit = ss.usualTtl && initialTtl(ss.usualTtl);
    if (cInit != sInit && cs.usualTtl && ss.usualTtl) {
        const bool onServer = sInit;
        capturePointX = onServer ? 0.93 : 0.07;
        capturePointWhere = onServer ? QStringLiteral("on the server") : QStringLiteral("on the client");
        const uint8_t remote = onServer ? cs.usualTtl : ss.usualTtl;
        capturePointWhy =
            QStringLiteral("the %1's packets carry TTL %2, as sent; the %3's arrive with %4, %5 away")
                .arg(onServer ? QStringLiteral("server") : QStringLiteral("client"))
                .arg(onServer ? ss.usualTtl : cs.usualTtl)
                .arg(onServer ? QStringLiteral("client") : QStringLiteral("server"))
                .arg(remote)
                .arg(hopsFrom(remote) == 1 ? QStringLiteral("1 hop") : QStringLiteral("%1 hops").arg(hopsFrom(remote)));
        return;
    }
    // Else each side's round trip from the capture point (the handshake): the near side answers fast.
    const int64_t rc = cs.rttNs, rs = ss.rttNs;
    if (rc < 0 || rs < 0 || rc + rs <= 0) return;
    capturePointX = std::clamp(static_cast<double>(rc) / static_cast<double>(rc + rs), 0.07, 0.93);
    const QString why =
        QStringLiteral("round trip from the capture point %1 to the client, %2 to the server")
            .arg(durationText(static_cast<double>(rc) / 1e9), durationText(static_cast<double>(rs) / 1e9));
    capturePointWhy = why;
    if (rs * 10 < rc) {
        capturePointWhere = QStringLiteral("near the server");
    } else if (rc * 10 < rs) {
        capturePointWhere = QStringLiteral("near the client");
    } else if (rc + rs < 200'000) { // both within 0.1 ms: one machine, or both next to it
        capturePointWhere = QStringLiteral("on or next to both hosts");
    } else {
        capturePointWhere = QStringLiteral("in between");
    }
}

LadderContent LadderContent::build(AnalysisPtr analysis, uint32_t flowId, const LadderLayout::Params& params)
{
    LadderContent c;
    c.analysis = std::move(analysis);
    if (!c.analysis) return c;
    c.flow = c.analysis->flowById(flowId);
    if (!c.flow) return c;
    const Analysis& a = *c.analysis;
    const Flow& f = *c.flow;

    c.relayout(params);
    c.timeDecimals = timeDecimalsFor(a, f);

    c.setCapturePoint(std::nullopt);

    // Rows whose finding note already says what a generic mark would.
    QSet<uint32_t> finResendRows, challengeAckRows;
    uint32_t stuckSince[2] = {0, 0}; // by side: the frame its lingering_close starts at (0: none)
    for (uint32_t idx : a.findingsOf(f)) {
        if (idx >= a.findings.size()) continue;
        const Finding& fi = a.findings[idx];
        if (const auto* d = fi.as<LingeringClose>()) stuckSince[sideIndex(d->side)] = d->sinceFrame;
        const int64_t row = c.rowOfFrame(fi.frame);
        if (row < 0) continue;
        const auto r = static_cast<uint32_t>(row);
        c.findingRows.push_back(r);
        const PacketRecord& p = c.packet(r);
        if (const auto* d = fi.as<RstSeqMismatch>()) {
            addNote(c.notes, r, rstNote(f, *d, p), true);
            if (d->outcome == RstOutcome::Ignored)
                addNote(c.notes, r,
                        QStringLiteral("%1 kept sending: %2 more packets")
                            .arg(QString::fromLatin1(sideName(otherSide(d->side)).data()))
                            .arg(d->framesAfter));
            if (d->count > 1)
                addNote(
                    c.notes, r,
                    QStringLiteral("1st of %1 inexact RSTs (%2 challenge-ACKed)").arg(d->count).arg(d->challengeAcks));
        } else if (const auto* d = fi.as<ChallengeAck>()) {
            // d->frames are the challenge ACKs, relatedFrames the RSTs they answer, in the same order.
            for (size_t i = 0; i < d->frames.size(); ++i) {
                const int64_t ack = c.rowOfFrame(d->frames[i]);
                if (ack < 0) continue;
                const uint32_t rstFrame = i < fi.relatedFrames.size() ? fi.relatedFrames[i] : d->rstFrame;
                challengeAckRows.insert(static_cast<uint32_t>(ack));
                addNote(c.notes, static_cast<uint32_t>(ack), QStringLiteral("challenge ACK for RST #%1").arg(rstFrame));
                const int64_t rr = c.rowOfFrame(rstFrame);
                if (rr >= 0)
                    c.connectors.push_back(
                        {static_cast<uint32_t>(rr), static_cast<uint32_t>(ack), ConnectorKind::ChallengeAck});
            }
        } else if (const auto* d = fi.as<RstFingerprintMismatch>()) {
            QString t = QStringLiteral("forged? TTL %1 (sender's usual: %2)")
                            .arg(static_cast<int>(d->ttl))
                            .arg(static_cast<int>(d->usualTtl));
            if (d->ipId) t += QStringLiteral(", IP ID %1").arg(static_cast<int>(*d->ipId));
            addNote(c.notes, r, t);
        } else if (const auto* d = fi.as<FinRetransmit>()) {
            const int64_t o = c.rowOfFrame(d->originalFrame);
            for (uint32_t fr : d->frames) {
                const int64_t rr = c.rowOfFrame(fr);
                if (rr < 0) continue;
                finResendRows.insert(static_cast<uint32_t>(rr));
                addNote(c.notes, static_cast<uint32_t>(rr),
                        QStringLiteral("FIN sent again (first #%1)").arg(d->originalFrame));
                if (o >= 0)
                    c.connectors.push_back(
                        {static_cast<uint32_t>(o), static_cast<uint32_t>(rr), ConnectorKind::FinRetransmit});
            }
        } else if (const auto* d = fi.as<RstIgnored>()) {
            addNote(c.notes, r,
                    QStringLiteral("%1 kept sending: %2 more packets")
                        .arg(QString::fromLatin1(sideName(d->side).data()))
                        .arg(d->framesAfter));
        } else if (const auto* d = fi.as<LingeringClose>()) {
            addNote(c.notes, r,
                    QStringLiteral("%1 stuck in %2 for %3")
                        .arg(QString::fromLatin1(sideName(d->side).data()), stateText(d->state),
                             durationText(static_cast<double>(d->durationNs) / 1e9)),
                    true);
        } else if (fi.kind == FindingKind::ConnectionRefused) {
            addNote(c.notes, r, QStringLiteral("connection refused"));
        } else if (const auto* d = fi.as<AbortiveClose>()) {
            static const char* const why[] = {"application closed with data unread", "keep-alive timeout",
                                              "retransmission timeout", "abortive close"};
            addNote(c.notes, r,
                    QStringLiteral("%1 ended it with a RST: %2")
                        .arg(QString::fromLatin1(sideName(d->side).data()),
                             QString::fromLatin1(why[static_cast<int>(d->cause)])),
                    true);
        } else if (const auto* d = fi.as<HandshakeUnanswered>()) {
            addNote(c.notes, r, QStringLiteral("SYN never answered (sent %1×)").arg(d->count), true);
        } else if (fi.kind == FindingKind::SimultaneousClose) {
            for (uint32_t fr : {fi.frame, fi.relatedFrames.empty() ? fi.frame : fi.relatedFrames.front()}) {
                const int64_t rr = c.rowOfFrame(fr);
                if (rr >= 0) addNote(c.notes, static_cast<uint32_t>(rr), QStringLiteral("FINs crossed"));
                if (fi.relatedFrames.empty()) break;
            }
        }
    }
    // Each retransmission back to the previous copy of its data, so that repeated
    // retransmissions form a chain along the sender's lifeline (FIN chains are above).
    QHash<uint32_t, uint32_t> lastCopy; // first transmission row -> latest copy's row
    const std::shared_ptr<const FlowDerived> derived = flowDerived(c.analysis, flowId);
    for (const Resend& r : derived->resends) {
        c.originalOf.insert(r.row, r.originalRow);
        if (c.packet(r.row).marked(mark::FinRetransmit)) continue;
        c.connectors.push_back({lastCopy.value(r.originalRow, r.originalRow), r.row, ConnectorKind::Retransmission});
        lastCopy.insert(r.originalRow, r.row);
    }
    // Generic notes from the core's per-packet marks, unless a finding already said it better.
    for (uint32_t row = 0; row < c.rows(); ++row) {
        const PacketRecord& p = c.packet(row);
        if (!p.marks) continue;
        const bool specific = c.notes.contains(row);
        if (p.marked(mark::Retransmission) && !finResendRows.contains(row)) {
            const auto orig = c.originalOf.constFind(row);
            if (orig == c.originalOf.constEnd()) {
                addNote(c.notes, row, QStringLiteral("retransmission"));
            } else {
                const PacketRecord& o = c.packet(*orig);
                addNote(c.notes, row,
                        QStringLiteral("retransmission of #%1 (+%2)")
                            .arg(o.frame)
                            .arg(durationText(static_cast<double>(c.analysis->tsNs(p) - c.analysis->tsNs(o)) / 1e9)));
            }
        }
        if (p.marked(mark::FastRetransmission) && !specific)
            addNote(c.notes, row, QStringLiteral("fast retransmission"));
        if (p.marked(mark::DupAck)) addNote(c.notes, row, QStringLiteral("dup ACK"));
        if (p.marked(mark::ZeroWindow)) addNote(c.notes, row, QStringLiteral("zero window"));
        if (p.marked(mark::KeepAlive)) addNote(c.notes, row, QStringLiteral("keep-alive"));
        if (p.marked(mark::SegmentNotCaptured)) addNote(c.notes, row, QStringLiteral("previous segment not captured"));
        if (p.marked(mark::ChallengeAck) && !challengeAckRows.contains(row))
            addNote(c.notes, row, QStringLiteral("challenge ACK"));
        if (p.marked(mark::AfterRst)) addNote(c.notes, row, QStringLiteral("sent after RST"));
    }
    std::sort(c.findingRows.begin(), c.findingRows.end());
    c.findingRows.erase(std::unique(c.findingRows.begin(), c.findingRows.end()), c.findingRows.end());

    const StateTimelines& timelines = derived->timelines;
    for (Side s : {Side::Client, Side::Server}) {
        const auto& states = timelines.side(s);
        auto& bands = c.bands[sideIndex(s)];
        for (size_t i = 0; i < states.size(); ++i) {
            Band b;
            b.fromRow = i == 0 ? 0 : c.rowOfPacketIndex(states[i].packet);
            b.toRow = i + 1 < states.size() ? c.rowOfPacketIndex(states[i + 1].packet) : c.rows() - 1;
            b.state = states[i].state;
            // How long the side held this state: up to the next entry with another state (an entry
            // that only turns an assumed state into an observed one does not end it).
            size_t next = i + 1;
            while (next < states.size() && states[next].state == states[i].state)
                ++next;
            const size_t runStart = [&] {
                size_t k = i;
                while (k > 0 && states[k - 1].state == states[i].state)
                    --k;
                return k;
            }();
            b.durationNs = (next < states.size() ? states[next].tsNs : a.endNs(f)) - states[runStart].tsNs;
            // The finding covers the side's last run of closing states, from its first frame on.
            const uint32_t since = stuckSince[sideIndex(s)];
            b.lingering = since != 0 && isLingeringState(b.state) && a.packets[states[i].packet].frame >= since;
            b.assumed = states[i].basis == core::StateBasis::Assumed;
            if (c.rows() == 0) continue;
            b.fromRow = std::min(b.fromRow, c.rows() - 1);
            b.toRow = std::clamp(b.toRow, b.fromRow, c.rows() - 1);
            bands.push_back(b);
        }
    }
    return c;
}

namespace {
std::vector<int64_t> rowTimes(const Analysis& a, const Flow& f, int64_t offsetNs)
{
    std::vector<int64_t> ts(f.packets.size());
    for (size_t i = 0; i < f.packets.size(); ++i)
        ts[i] = a.packets.tsNs(f.packets[i]) + offsetNs;
    return ts;
}
} // namespace

void LadderContent::relayout(const LadderLayout::Params& params)
{
    if (valid()) layout = LadderLayout::build(rowTimes(*analysis, *flow, 0), params);
}

void LadderContent::relayoutOn(const LadderLayout& base, int64_t offsetNs)
{
    if (valid()) layout = LadderLayout::onTimeline(base, rowTimes(*analysis, *flow, offsetNs));
}

int64_t LadderContent::rowOfFrame(uint32_t frame) const
{
    if (!flow || frame == 0) return -1;
    const auto& pk = flow->packets;
    auto it = std::lower_bound(pk.begin(), pk.end(), frame,
                               [this](uint32_t idx, uint32_t fr) { return analysis->packets[idx].frame < fr; });
    if (it == pk.end() || analysis->packets[*it].frame != frame) return -1;
    return it - pk.begin();
}

uint32_t LadderContent::rowOfPacketIndex(uint32_t packetIndex) const
{
    const auto& pk = flow->packets;
    auto it = std::lower_bound(pk.begin(), pk.end(), packetIndex);
    return static_cast<uint32_t>(std::min<std::ptrdiff_t>(it - pk.begin(), static_cast<std::ptrdiff_t>(pk.size()) - 1));
}

QString LadderContent::label(uint32_t row, bool compact) const
{
    const PacketRecord& p = packet(row);
    if (compact) {
        QString s =
            QStringLiteral("#%1 %2 %3").arg(p.frame).arg(flagsText(p.flags)).arg(analysis->relativeSeq(*flow, p));
        if (p.has(tcpflag::ACK)) s += QStringLiteral(" ack %1").arg(analysis->relativeAck(*flow, p));
        if (p.payloadLen) s += QStringLiteral(" len %1").arg(p.payloadLen);
        return s;
    }
    QString s = QStringLiteral("#%1  %2").arg(p.frame).arg(flagsText(p.flags));
    s += QStringLiteral("  seq %1").arg(analysis->relativeSeq(*flow, p));
    if (p.has(tcpflag::ACK)) s += QStringLiteral("  ack %1").arg(analysis->relativeAck(*flow, p));
    if (p.payloadLen) s += QStringLiteral("  len %1").arg(p.payloadLen);
    s += QStringLiteral("  win %1").arg(p.window);
    const FlowSide& from = flow->side(p.side()); // option values are the side's, from its SYN
    if ((p.info & pinfo::HasMss) && from.mss) s += QStringLiteral("  mss %1").arg(from.mss);
    if ((p.info & pinfo::HasWscale) && from.wscale >= 0) s += QStringLiteral("  ws %1").arg(from.wscale);
    return s;
}

} // namespace flowladder::ui
