#pragma once
// One row per flow of an Analysis: endpoints, counts, timing, each side's state at the
// end of the capture and badges for its findings.

#include "core/model/Analysis.h"

#include <QAbstractTableModel>
#include <vector>

namespace flowladder::ui {

class FlowTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Id,
        Client,
        Server,
        Packets,
        Bytes,
        Start,
        Duration,
        ClientState,
        ServerState,
        Findings,
        ColumnCount
    };
    enum Roles {
        FlowIdRole = Qt::UserRole + 1, // uint32 flow id
        SortRole,                      // numeric value for numeric columns
        MaxSeverityRole,               // int: -1 none, else core::Severity
        FindingKindsRole,              // qulonglong bit mask of core::FindingKind
        SearchTextRole,                // text the filter matches against
    };

    explicit FlowTableModel(QObject* parent = nullptr);

    void setAnalysis(core::AnalysisPtr analysis);
    const core::AnalysisPtr& analysis() const { return analysis_; }
    int rowOfFlow(uint32_t flowId) const
    {
        return flowId >= 1 && flowId <= static_cast<uint32_t>(rowCount()) ? static_cast<int>(flowId) - 1 : -1;
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString badges(size_t row) const;
    int maxSeverity(size_t row) const;
    qulonglong kindMask(size_t row) const;
    core::IndexRange findingsOf(size_t row) const
    {
        return {firstFinding_[row], firstFinding_[row + 1] - firstFinding_[row]};
    }

    core::AnalysisPtr analysis_;
    // Per flow, what the table reads for every row when it sorts or filters, counted once in
    // setAnalysis: the flow's payload bytes (Analysis::totals walks its packets), and where its
    // findings start (then the end, at flows.size()).
    std::vector<uint64_t> bytes_;
    std::vector<uint32_t> firstFinding_;
};

} // namespace flowladder::ui
