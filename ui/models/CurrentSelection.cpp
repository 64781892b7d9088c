#include "ui/models/CurrentSelection.h"

namespace flowladder::ui {

const core::PacketRecord* CurrentSelection::packet() const
{
    const core::Flow* f = flow();
    if (!f || row_ < 0 || row_ >= f->packetCount()) return nullptr;
    return &analysis_->packet(*f, static_cast<uint32_t>(row_));
}

void CurrentSelection::setAnalysis(core::AnalysisPtr analysis)
{
    analysis_ = std::move(analysis);
    flowId_ = 0;
    row_ = -1;
    emit analysisChanged(analysis_);
    emit flowChanged(0);
    emit rowChanged(-1);
}

void CurrentSelection::setFlow(uint32_t flowId)
{
    if (!analysis_ || !analysis_->flowById(flowId)) flowId = 0;
    if (flowId == flowId_) return;
    flowId_ = flowId;
    row_ = -1;
    emit flowChanged(flowId_);
    emit rowChanged(-1);
}

void CurrentSelection::setRow(int64_t row)
{
    const core::Flow* f = flow();
    if (!f || row < 0 || row >= f->packetCount()) row = -1;
    if (row == row_) return;
    row_ = row;
    emit rowChanged(row_);
}

bool CurrentSelection::selectFrame(uint32_t flowId, uint32_t frame)
{
    if (!analysis_) return false;
    if (flowId == 0) {
        for (const auto& f : analysis_->flows)
            if (frame >= analysis_->firstFrame(f) && frame <= analysis_->lastFrame(f) &&
                analysis_->rowOfFrame(f, frame) >= 0) {
                flowId = analysis_->idOf(f);
                break;
            }
    }
    const core::Flow* f = analysis_->flowById(flowId);
    if (!f) return false;
    setFlow(flowId);
    const int64_t row = analysis_->rowOfFrame(*f, frame);
    setRow(row);
    return row >= 0;
}

void CurrentSelection::selectFinding(uint32_t findingIndex)
{
    if (!analysis_ || findingIndex >= analysis_->findings.size()) return;
    const auto& fi = analysis_->findings[findingIndex];
    selectFrame(fi.flow, fi.frame);
}

} // namespace flowladder::ui
