#include "ui/models/PacketDetailsModel.h"

#include "core/report/FindingJson.h"
#include "ui/models/Format.h"

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
struct MarkName {
    uint16_t bit;
    const char* name;
};
constexpr MarkName MarkNames[] = {
    {mark::Retransmission, "retransmission"},
    {mark::FastRetransmission, "fast retransmission"},
    {mark::DupAck, "duplicate ACK"},
    {mark::ZeroWindow, "zero window"},
    {mark::KeepAlive, "keep-alive"},
    {mark::KeepAliveAck, "keep-alive ACK"},
    {mark::WindowUpdate, "window update"},
    {mark::ChallengeAck, "challenge ACK (RFC 5961)"},
    {mark::RstSeqMismatch, "RST seq ≠ RCV.NXT"},
    {mark::FinRetransmit, "FIN retransmitted"},
    {mark::SegmentNotCaptured, "previous segment not captured"},
    {mark::AckedUnseen, "ACKs data not captured"},
    {mark::RstFingerprint, "RST fingerprint does not fit sender"},
    {mark::AfterRst, "sent after receiving a RST"},
    {mark::OutOfOrder, "out of order"},
};
} // namespace

PacketDetailsModel::PacketDetailsModel(QObject* parent) : QAbstractTableModel(parent) {}

void PacketDetailsModel::setPacket(const AnalysisPtr& analysis, uint32_t flowId, int64_t row)
{
    beginResetModel();
    lines_.clear();
    const Flow* f = analysis ? analysis->flowById(flowId) : nullptr;
    if (f && row >= 0 && row < f->packetCount()) {
        derived_ = flowDerived(analysis, flowId); // a cache hit while the flow stays the same
        build(*analysis, *f, static_cast<uint32_t>(row));
    }
    endResetModel();
}

void PacketDetailsModel::build(const Analysis& a, const Flow& f, uint32_t row)
{
    const PacketRecord& p = a.packet(f, row);
    const FlowSide& from = f.side(p.side());
    auto add = [this](QString field, QString value, QString expected = {}) {
        lines_.push_back({std::move(field), std::move(value), std::move(expected), false});
    };
    auto heading = [this](QString text) { lines_.push_back({std::move(text), {}, {}, true}); };

    heading(tr("Packet"));
    add(tr("Frame"), QString::number(p.frame));
    if (a.capture.merged()) { // the file it came from, and its frame number there
        const FrameOrigin o = a.capture.origin(p.frame);
        add(tr("File"), QStringLiteral("%1, frame %2")
                            .arg(QFileInfo(QString::fromStdString(a.capture.sources[o.source].path)).fileName())
                            .arg(o.frame));
    }
    const int64_t ts = a.tsNs(p);
    add(tr("Time"), clockText(ts));
    add(tr("Since flow start"), durationText(a.relativeSeconds(f, ts)));
    if (row > 0) add(tr("Since previous packet"), durationText(static_cast<double>(ts - a.tsNs(f, row - 1)) / 1e9));
    add(tr("Direction"), QStringLiteral("%1 → %2  (%3 → %4)")
                             .arg(QString::fromLatin1(sideName(p.side()).data()),
                                  QString::fromLatin1(sideName(otherSide(p.side())).data()),
                                  endpointText(f.endpoint(p.side())), endpointText(f.endpoint(otherSide(p.side())))));
    heading(tr("TCP"));
    add(tr("Flags"), flagsText(p.flags));
    add(tr("Sequence number"), QStringLiteral("%1 (absolute %2)").arg(a.relativeSeq(f, p)).arg(p.seq));
    add(tr("Next sequence number"), QString::number(p.endSeq() - from.isn));
    add(tr("Acknowledgment"),
        p.has(tcpflag::ACK) ? QStringLiteral("%1 (absolute %2)").arg(a.relativeAck(f, p)).arg(p.ack) : tr("not set"));
    add(tr("Payload length"), QString::number(p.payloadLen));
    QString win = QString::number(p.window);
    if (from.wscale >= 0 && !p.has(tcpflag::SYN))
        win += QStringLiteral(" (scaled ×%1 = %2 bytes)")
                   .arg(1u << from.wscale)
                   .arg(static_cast<qulonglong>(p.window) << from.wscale);
    add(tr("Window"), win);
    // The values are the side's (from its SYN); the record says whether this packet carried them.
    if ((p.info & pinfo::HasMss) && from.mss) add(tr("MSS option"), QString::number(from.mss));
    if ((p.info & pinfo::HasWscale) && from.wscale >= 0) add(tr("Window scale option"), QString::number(from.wscale));
    QStringList opts;
    if (p.info & pinfo::HasSackPerm) opts << QStringLiteral("SACK permitted");
    if (p.info & pinfo::HasSack) opts << QStringLiteral("SACK blocks");
    if (p.info & pinfo::HasTimestamp) opts << QStringLiteral("timestamps");
    if (!opts.isEmpty()) add(tr("Other options"), opts.join(QStringLiteral(", ")));
    heading(tr("IP"));
    add(tr("TTL / hop limit"), QString::number(p.ttl),
        from.usualTtl && from.usualTtl != p.ttl ? QStringLiteral("%1 (sender's usual)").arg(from.usualTtl) : QString());
    if (p.info & pinfo::HasIpId) add(tr("IP ID"), QString::number(p.ipId));
    if (p.info & pinfo::Truncated) add(tr("Captured"), tr("cut short by the snap length"));

    heading(tr("Analysis"));
    QStringList marks;
    for (const auto& m : MarkNames)
        if (p.marked(m.bit)) marks << QString::fromUtf8(m.name);
    add(tr("Marks"), marks.isEmpty() ? tr("none") : marks.join(QStringLiteral(", ")));
    const std::vector<Resend>& resends = derived_->resends;
    const auto resend = std::lower_bound(resends.begin(), resends.end(), row,
                                         [](const core::Resend& r, uint32_t x) { return r.row < x; });
    if (resend != resends.end() && resend->row == row) {
        const PacketRecord& o = a.packet(f, resend->originalRow);
        add(tr("First sent in"), QStringLiteral("#%1, %2 earlier")
                                     .arg(o.frame)
                                     .arg(durationText(static_cast<double>(a.tsNs(p) - a.tsNs(o)) / 1e9)));
    }
    // How each state is known: from that side's own packets, or only if what was seen heading
    // to it arrived (the capture point cannot see that).
    auto stateWithBasis = [this, &f, row](Side s) {
        const core::StateChange* c = derived_->timelines.changeAfter(s, f.packets[row]);
        if (!c) return tr("unknown (nothing of this side was seen)");
        if (c->basis == core::StateBasis::Assumed)
            return tr("%1 (assumed: holds only if the packets seen heading to it arrived)").arg(stateText(c->state));
        return stateText(c->state);
    };
    add(tr("Client state after"), stateWithBasis(Side::Client));
    add(tr("Server state after"), stateWithBasis(Side::Server));
    for (uint32_t idx : a.findingsOf(f)) {
        if (idx >= a.findings.size() || a.findings[idx].frame != p.frame) continue;
        const Finding& fi = a.findings[idx];
        add(kindTitle(fi.kind), QString::fromStdString(fi.summary));
        if (const auto* d = fi.as<RstSeqMismatch>()) {
            add(tr("RST sequence number"), QString::number(a.relativeSeq(f, p)),
                QStringLiteral("%1 (RCV.NXT, absolute %2)").arg(d->expectedSeq - from.isn).arg(d->expectedSeq));
            add(tr("Offset from RCV.NXT"), QString::number(d->delta), QStringLiteral("0"));
        }
        for (const FieldText& field : detailFieldTexts(fi.detail))
            add(QStringLiteral("    %1").arg(fieldLabel(field.name)), fieldValue(field.name, field.text));
    }
}

QString PacketDetailsModel::value(const QString& field) const
{
    for (const auto& l : lines_)
        if (l.field == field) return l.value;
    return {};
}

QString PacketDetailsModel::expected(const QString& field) const
{
    for (const auto& l : lines_)
        if (l.field == field) return l.expected;
    return {};
}

int PacketDetailsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(lines_.size());
}

int PacketDetailsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PacketDetailsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Line& l = lines_[static_cast<size_t>(index.row())];
    const bool differs = !l.expected.isEmpty();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Field:
            return l.field;
        case Value:
            return l.value;
        case Expected:
            return l.expected;
        }
        return {};
    case Qt::FontRole:
        if (l.heading) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::BackgroundRole:
        if (differs && index.column() != Field) {
            const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
            return QBrush(dark ? QColor(0x6a, 0x22, 0x22) : QColor(0xfd, 0xe2, 0xe2));
        }
        return {};
    case DiffersRole:
        return differs;
    }
    return {};
}

QVariant PacketDetailsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
    static const char* names[] = {"Field", "Value", "Expected"};
    return tr(names[section]);
}

} // namespace flowladder::ui
