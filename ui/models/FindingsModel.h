#pragma once
// The findings of an Analysis, most severe first, optionally only those of one flow.

#include "core/model/Analysis.h"

#include <QAbstractTableModel>
#include <vector>

namespace flowladder::ui {

class FindingsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Severity, Kind, Frame, Summary, ColumnCount };
    enum Roles { FindingIndexRole = Qt::UserRole + 1, FlowIdRole, FrameRole, SeverityRole };

    explicit FindingsModel(QObject* parent = nullptr);

    void setAnalysis(core::AnalysisPtr analysis);
    // 0 = every flow.
    void setFlowFilter(uint32_t flowId);
    uint32_t flowFilter() const { return flowFilter_; }
    int rowOfFinding(uint32_t findingIndex) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    core::AnalysisPtr analysis_;
    uint32_t flowFilter_ = 0;
    std::vector<uint32_t> rows_; // finding indexes
};

} // namespace flowladder::ui
