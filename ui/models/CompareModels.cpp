#include "ui/models/CompareModels.h"

#include "ui/models/Format.h"

#include <QBrush>
#include <QColor>
#include <algorithm>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
QString framesText(const std::vector<uint32_t>& frames)
{
    if (frames.empty()) return QStringLiteral("0");
    QStringList parts;
    for (size_t i = 0; i < frames.size() && i < 6; ++i)
        parts << QStringLiteral("#%1").arg(frames[i]);
    if (frames.size() > 6) parts << QStringLiteral("…");
    return QStringLiteral("%1  (%2)").arg(frames.size()).arg(parts.join(QLatin1Char(' ')));
}
} // namespace

ComparePairsModel::ComparePairsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ComparePairsModel::setComparison(ComparisonPtr comparison)
{
    beginResetModel();
    c_ = std::move(comparison);
    rows_.clear();
    if (c_) {
        for (size_t i = 0; i < c_->pairs.size(); ++i)
            rows_.push_back({static_cast<int>(i), c_->pairs[i].a, c_->pairs[i].b});
        for (uint32_t id : c_->unmatchedA)
            rows_.push_back({-1, id, 0});
        for (uint32_t id : c_->unmatchedB)
            rows_.push_back({-1, 0, id});
    }
    endResetModel();
}

int ComparePairsModel::rowOfPair(int pairIndex) const
{
    auto it = std::find_if(rows_.begin(), rows_.end(), [pairIndex](const Row& r) { return r.pair == pairIndex; });
    return pairIndex < 0 || it == rows_.end() ? -1 : static_cast<int>(it - rows_.begin());
}

int ComparePairsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int ComparePairsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparePairsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !c_) return {};
    const Row& r = rows_[static_cast<size_t>(index.row())];
    const FlowPair* p = r.pair >= 0 ? &c_->pairs[static_cast<size_t>(r.pair)] : nullptr;
    const Flow* f =
        r.flowA ? (c_->a ? c_->a->flowById(r.flowA) : nullptr) : (c_->b ? c_->b->flowById(r.flowB) : nullptr);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Flows:
            if (p) return QStringLiteral("A%1 ↔ B%2").arg(r.flowA).arg(r.flowB);
            return r.flowA ? QStringLiteral("A%1 (only in A)").arg(r.flowA)
                           : QStringLiteral("B%1 (only in B)").arg(r.flowB);
        case Endpoints:
            return f ? QStringLiteral("%1 → %2").arg(endpointText(f->endpoint(Side::Client)),
                                                     endpointText(f->endpoint(Side::Server)))
                     : QString();
        case MatchedBy:
            if (!p) return tr("no match");
            return QString::fromLatin1(flowMatchMethodName(p->matchedBy).data()) +
                   (p->sidesSwapped ? tr(", sides swapped") : QString());
        case Delay:
            return p && p->oneWayDelayNs ? durationText(static_cast<double>(*p->oneWayDelayNs) / 1e9) : QString();
        case Both:
            return p ? QVariant(p->matched) : QVariant();
        case OnlyInA:
            return p ? framesText(p->onlyInA) : QString();
        case OnlyInB:
            return p ? framesText(p->onlyInB) : QString();
        }
        return {};
    case Qt::ToolTipRole:
        if (!p) return tr("This connection appears in only one capture.");
        if (index.column() == OnlyInA)
            return tr("Packets capture A saw and B did not (lost between the capture points, or created in between).");
        if (index.column() == OnlyInB)
            return tr("Packets capture B saw and A did not (lost between the capture points, or created in between).");
        return {};
    case Qt::ForegroundRole:
        if (p &&
            ((index.column() == OnlyInA && !p->onlyInA.empty()) || (index.column() == OnlyInB && !p->onlyInB.empty())))
            return QBrush(QColor(0xd3, 0x1f, 0x1f));
        if (!p) return QBrush(QColor(0x80, 0x84, 0x8c));
        return {};
    case PairIndexRole:
        return r.pair;
    case FlowARole:
        return r.flowA;
    case FlowBRole:
        return r.flowB;
    }
    return {};
}

QVariant ComparePairsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
    static const char* names[] = {"Connection", "Client → server", "Matched by", "One-way delay",
                                  "In both",    "Only in A",       "Only in B"};
    return tr(names[section]);
}

CompareFindingsModel::CompareFindingsModel(QObject* parent) : QAbstractTableModel(parent) {}

void CompareFindingsModel::setComparison(ComparisonPtr comparison)
{
    beginResetModel();
    c_ = std::move(comparison);
    rows_.clear();
    if (c_) {
        for (uint32_t i = 0; i < c_->findings.size(); ++i)
            rows_.push_back(i);
        const auto& fs = c_->findings;
        std::stable_sort(rows_.begin(), rows_.end(),
                         [&fs](uint32_t a, uint32_t b) { return fs[a].severity > fs[b].severity; });
    }
    endResetModel();
}

int CompareFindingsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int CompareFindingsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CompareFindingsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !c_) return {};
    const uint32_t fi = rows_[static_cast<size_t>(index.row())];
    const Finding& f = c_->findings[fi];
    const PairRef* pair = f.pair();
    const QString capture =
        pair ? (pair->capture == CaptureId::A ? QStringLiteral("A") : QStringLiteral("B")) : QString();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Severity:
            return severityText(f.severity);
        case Kind:
            return kindTitle(f.kind);
        case Packet:
            return f.frame ? QStringLiteral("%1 #%2").arg(capture).arg(f.frame) : capture;
        case Summary:
            return QString::fromStdString(f.summary);
        }
        return {};
    case Qt::ToolTipRole:
        return QString::fromStdString(f.summary);
    case Qt::ForegroundRole:
        if (index.column() == Severity && f.severity == core::Severity::Error) return QBrush(QColor(0xd3, 0x1f, 0x1f));
        if (index.column() == Severity && f.severity == core::Severity::Warning)
            return QBrush(QColor(0xd0, 0x70, 0x00));
        return {};
    case FindingIndexRole:
        return fi;
    case CaptureRole:
        return capture;
    case FrameRole:
        return f.frame;
    case FlowARole:
        return pair ? pair->flowA : 0u;
    case FlowBRole:
        return pair ? pair->flowB : 0u;
    case SeverityRole:
        return static_cast<int>(f.severity);
    }
    return {};
}

QVariant CompareFindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
    static const char* names[] = {"Severity", "Finding", "Packet", "What it means"};
    return tr(names[section]);
}

} // namespace flowladder::ui
