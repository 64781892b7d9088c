#pragma once
// Filters and sorts the flow table: free text (endpoint, id, state), "only flows with
// findings", and one finding kind.

#include "core/model/Finding.h"

#include <QSortFilterProxyModel>
#include <optional>

namespace flowladder::ui {

class FlowFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit FlowFilterProxy(QObject* parent = nullptr);

    void setText(const QString& text);
    void setOnlyWithFindings(bool on);
    void setKind(std::optional<core::FindingKind> kind);
    QString text() const { return text_; }
    bool onlyWithFindings() const { return onlyWithFindings_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString text_;
    bool onlyWithFindings_ = false;
    std::optional<core::FindingKind> kind_;
};

} // namespace flowladder::ui
