#pragma once
// The one place that knows which analysis, flow and packet are selected. Every pane
// listens to it and writes to it, so the table, ladder, graph, findings and details
// stay in step without knowing about each other.

#include "core/model/Analysis.h"

#include <QObject>

namespace flowladder::ui {

class CurrentSelection : public QObject {
    Q_OBJECT
public:
    explicit CurrentSelection(QObject* parent = nullptr) : QObject(parent) {}

    const core::AnalysisPtr& analysis() const { return analysis_; }
    uint32_t flowId() const { return flowId_; }
    const core::Flow* flow() const { return analysis_ ? analysis_->flowById(flowId_) : nullptr; }
    int64_t row() const { return row_; } // row within the flow, -1 for none
    const core::PacketRecord* packet() const;
    uint32_t frame() const { return packet() ? packet()->frame : 0; }

public slots:
    void setAnalysis(core::AnalysisPtr analysis);
    void setFlow(uint32_t flowId);
    void setRow(int64_t row);
    // Selects the flow holding this frame and the frame's row (flowId 0: search all flows).
    bool selectFrame(uint32_t flowId, uint32_t frame);
    void selectFinding(uint32_t findingIndex);

signals:
    void analysisChanged(const core::AnalysisPtr& analysis);
    void flowChanged(uint32_t flowId);
    void rowChanged(int64_t row);

private:
    core::AnalysisPtr analysis_;
    uint32_t flowId_ = 0;
    int64_t row_ = -1;
};

} // namespace flowladder::ui
