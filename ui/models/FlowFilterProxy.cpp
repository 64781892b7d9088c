#include "ui/models/FlowFilterProxy.h"

#include "ui/models/FlowTableModel.h"

namespace flowladder::ui {

FlowFilterProxy::FlowFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(FlowTableModel::SortRole);
}

void FlowFilterProxy::setText(const QString& text)
{
    if (text == text_) return;
    text_ = text.trimmed();
    invalidateRowsFilter();
}

void FlowFilterProxy::setOnlyWithFindings(bool on)
{
    if (on == onlyWithFindings_) return;
    onlyWithFindings_ = on;
    invalidateRowsFilter();
}

void FlowFilterProxy::setKind(std::optional<core::FindingKind> kind)
{
    if (kind == kind_) return;
    kind_ = kind;
    invalidateRowsFilter();
}

bool FlowFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
    if (onlyWithFindings_ && idx.data(FlowTableModel::MaxSeverityRole).toInt() < 0) return false;
    if (kind_ && !(idx.data(FlowTableModel::FindingKindsRole).toULongLong() & (1ull << static_cast<int>(*kind_))))
        return false;
    if (!text_.isEmpty()) {
        const QString hay = idx.data(FlowTableModel::SearchTextRole).toString();
        const auto words = text_.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const QString& w : words)
            if (!hay.contains(w, Qt::CaseInsensitive)) return false;
    }
    return true;
}

bool FlowFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(FlowTableModel::SortRole), r = right.data(FlowTableModel::SortRole);
    if (l.typeId() == QMetaType::QString || r.typeId() == QMetaType::QString)
        return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
    return QVariant::compare(l, r) == QPartialOrdering::Less;
}

} // namespace flowladder::ui
