#pragma once
// Item models over a core::Comparison: the flow pairs (matched first, then flows
// only one capture has) and the comparison's findings, most severe first.

#include "ui/models/CompareLoader.h"

#include <QAbstractTableModel>
#include <vector>

namespace flowladder::ui {

class ComparePairsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Flows, Endpoints, MatchedBy, Delay, Both, OnlyInA, OnlyInB, ColumnCount };
    enum Roles { PairIndexRole = Qt::UserRole + 1, FlowARole, FlowBRole };

    explicit ComparePairsModel(QObject* parent = nullptr);
    void setComparison(ComparisonPtr comparison);
    const ComparisonPtr& comparison() const { return c_; }
    // Table row of a pair (index into Comparison::pairs), or -1.
    int rowOfPair(int pairIndex) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        int pair = -1;                 // index into pairs, -1 for an unmatched flow
        uint32_t flowA = 0, flowB = 0; // 0 when absent
    };
    ComparisonPtr c_;
    std::vector<Row> rows_;
};

class CompareFindingsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Severity, Kind, Packet, Summary, ColumnCount };
    enum Roles { FindingIndexRole = Qt::UserRole + 1, CaptureRole, FrameRole, FlowARole, FlowBRole, SeverityRole };

    explicit CompareFindingsModel(QObject* parent = nullptr);
    void setComparison(ComparisonPtr comparison);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    ComparisonPtr c_;
    std::vector<uint32_t> rows_;
};

} // namespace flowladder::ui
