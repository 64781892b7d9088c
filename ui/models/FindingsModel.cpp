#include "ui/models/FindingsModel.h"

#include "ui/models/Format.h"

#include <QBrush>
#include <QColor>
#include <algorithm>

namespace flowladder::ui {
using namespace flowladder::core;

FindingsModel::FindingsModel(QObject* parent) : QAbstractTableModel(parent) {}

void FindingsModel::setAnalysis(AnalysisPtr analysis)
{
    beginResetModel();
    analysis_ = std::move(analysis);
    rebuild();
    endResetModel();
}

void FindingsModel::setFlowFilter(uint32_t flowId)
{
    if (flowId == flowFilter_) return;
    beginResetModel();
    flowFilter_ = flowId;
    rebuild();
    endResetModel();
}

void FindingsModel::rebuild()
{
    rows_.clear();
    if (!analysis_) return;
    const auto& fs = analysis_->findings;
    for (uint32_t i = 0; i < fs.size(); ++i)
        if (flowFilter_ == 0 || fs[i].flow == flowFilter_) rows_.push_back(i);
    std::stable_sort(rows_.begin(), rows_.end(), [&fs](uint32_t a, uint32_t b) {
        if (fs[a].severity != fs[b].severity) return fs[a].severity > fs[b].severity;
        return fs[a].frame < fs[b].frame;
    });
}

int FindingsModel::rowOfFinding(uint32_t findingIndex) const
{
    auto it = std::find(rows_.begin(), rows_.end(), findingIndex);
    return it == rows_.end() ? -1 : static_cast<int>(it - rows_.begin());
}

int FindingsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int FindingsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !analysis_) return {};
    const uint32_t fi = rows_[static_cast<size_t>(index.row())];
    const Finding& f = analysis_->findings[fi];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Severity:
            return severityText(f.severity);
        case Kind:
            return kindTitle(f.kind);
        case Frame:
            return QStringLiteral("#%1").arg(f.frame);
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
    case FlowIdRole:
        return f.flow;
    case FrameRole:
        return f.frame;
    case SeverityRole:
        return static_cast<int>(f.severity);
    }
    return {};
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
    static const char* names[] = {"Severity", "Finding", "Frame", "What it means"};
    return tr(names[section]);
}

} // namespace flowladder::ui
