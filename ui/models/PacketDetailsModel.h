#pragma once
// Every header field of one packet, with the value the receiver expected next to it
// where a finding says they differ (RST sequence number, TTL of a forged RST...).

#include "core/model/Analysis.h"
#include "ui/models/FlowDerived.h"

#include <QAbstractTableModel>
#include <QString>
#include <vector>

namespace flowladder::ui {

class PacketDetailsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Field, Value, Expected, ColumnCount };
    enum Roles { DiffersRole = Qt::UserRole + 1 };

    explicit PacketDetailsModel(QObject* parent = nullptr);

    void setPacket(const core::AnalysisPtr& analysis, uint32_t flowId, int64_t row);
    void clear() { setPacket(nullptr, 0, -1); }
    // Value of a field by its label (for tests and copy).
    QString value(const QString& field) const;
    QString expected(const QString& field) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Line {
        QString field, value, expected;
        bool heading = false;
    };
    void build(const core::Analysis& a, const core::Flow& f, uint32_t row);
    std::vector<Line> lines_;
    // State timelines of the flow last shown: recomputed only when another flow is selected.
    std::shared_ptr<const FlowDerived> derived_; // the flow's timelines and resends
};

} // namespace flowladder::ui
