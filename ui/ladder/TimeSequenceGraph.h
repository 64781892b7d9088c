#pragma once
// Stevens-style time-sequence graph of one direction of a flow: sequence numbers of
// the sender's segments against time, the receiver's ACK line and advertised window
// line, retransmissions, FINs and RSTs marked. Linked to the ladder by row.

#include "core/model/Analysis.h"

#include <QWidget>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QComboBox;
class QLabel;
class QMouseEvent;

namespace flowladder::ui {

class TimeSequenceGraph : public QWidget {
    Q_OBJECT
public:
    explicit TimeSequenceGraph(QWidget* parent = nullptr);

    void setFlow(core::AnalysisPtr analysis, uint32_t flowId);
    void setSender(core::Side sender);
    core::Side sender() const { return sender_; }
    QCustomPlot* plot() const { return plot_; }
    int64_t selectedRow() const { return selectedRow_; }
    // Points in the sender's segment graph (for tests).
    int segmentCount() const;

public slots:
    void setSelectedRow(int64_t row);
    // Fits the transfer: from the first packet until the sequence space stopped growing, and a
    // little after, when a long tail (idle, retransmitting into silence) would squeeze it into
    // a line; the whole flow otherwise. zoomFitAll() always fits the whole flow.
    void zoomFit();
    void zoomFitAll();

signals:
    void rowClicked(int64_t row);

private:
    void rebuild();
    double activityEnd() const; // seconds since flow start
    // Seconds since flow start of the packet at `row` (< rows_), read from the analysis: an
    // array of them would take 8 bytes a packet (17.6 MB for a 2.2 M-packet flow).
    double rowSeconds(uint32_t row) const;
    // The first row whose time is above `t` (or at least `t` when `orEqual`), rows_ if none:
    // rows are in time order unless the capture's clock went back.
    uint32_t firstRowAfter(double t, bool orEqual) const;
    void applyStyle();
    void onClick(QMouseEvent* event);
    bool event(QEvent* e) override;

    core::AnalysisPtr analysis_;
    uint32_t flowId_ = 0;
    core::Side sender_ = core::Side::Client;
    int64_t selectedRow_ = -1;
    uint32_t rows_ = 0; // packets of the flow shown (0 when none)
    QComboBox* direction_;
    QCustomPlot* plot_;
    QCPGraph* segments_ = nullptr;
    QCPGraph* retransmits_ = nullptr;
    QCPGraph* fins_ = nullptr;
    QCPGraph* rsts_ = nullptr;
    QCPGraph* acks_ = nullptr;
    QCPGraph* window_ = nullptr;
    QCPGraph* selected_ = nullptr;
    QCPItemStraightLine* cursor_ = nullptr;
    QLabel* rangeNote_ = nullptr;
};

} // namespace flowladder::ui
