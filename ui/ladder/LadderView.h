#pragma once
// The ladder pane: a QCustomPlot holding one LadderPlottable. Vertical scroll (wheel,
// drag), zoom (Ctrl+wheel, zoomIn/zoomOut/fit), click and keyboard selection.
// Knows nothing of the main window: give it an Analysis and a flow id.

#include "ui/ladder/LadderContent.h"
#include "ui/ladder/LadderStyle.h"
#include "ui/ladder/VerticalLadderPlot.h"

#include <memory>
#include <optional>

namespace flowladder::ui {

class LadderPlottable;

class LadderView : public VerticalLadderPlot {
    Q_OBJECT
public:
    explicit LadderView(QWidget* parent = nullptr);

    void setFlow(core::AnalysisPtr analysis, uint32_t flowId);
    void clear();
    uint32_t flowId() const { return flowId_; }
    void setScale(LadderLayout::Scale scale);
    // Lays the flow out on this timeline (its times plus offsetNs on the timeline's clock)
    // instead of its own, on the time scale: two views on one timeline show the same moment
    // at the same y. nullptr: the flow's own layout. Takes effect at the next setFlow.
    void setTimeline(std::shared_ptr<const LadderLayout> timeline, int64_t offsetNs = 0);
    LadderLayout::Scale scale() const { return params_.scale; }
    int64_t selectedRow() const;
    LadderPlottable* ladder() const { return ladder_; }
    std::shared_ptr<const LadderContent> content() const;
    // Pixels per layout unit right now.
    double pixelsPerRow() const { return pixelsPerUnit(); }

public slots:
    void selectRow(int64_t row); // scrolls it into view; emits rowSelected when it changes
    void nextPacket() { stepRow(+1); }
    void previousPacket() { stepRow(-1); }
    void nextFinding() { stepFinding(+1); }
    void previousFinding() { stepFinding(-1); }
    void zoomIn() { zoomBy(1.0 / 1.5); }
    void zoomOut() { zoomBy(1.5); }
    void zoomFit();
    // Where the capture point is drawn: 0 client, 1 server; nullopt: as inferred for each flow.
    void setCapturePoint(std::optional<double> x);
    std::optional<double> capturePoint() const { return capturePoint_; }
    void zoomReadable(); // one readable label per row, keeping the selection in view

signals:
    void rowSelected(int64_t row);
    // N / Shift+N went past the flow's last (toFirst) or first finding and started over.
    void findingsWrapped(bool toFirst);
    void scaleChanged(LadderLayout::Scale scale);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void setLadderStyle(const LadderStyle& style) override;
    void clickedAt(const QPointF& pos) override;
    QString toolTipAt(const QPointF& pos) const override;

private:
    void rebuild();
    void stepRow(int delta);
    void stepFinding(int delta);
    void zoomBy(double factor);
    QCPRange fitRange() const; // the y range Fit shows: the whole flow
    double extent() const;     // height of what Fit shows: the flow, or the timeline it is laid out on
    std::optional<double> capturePoint_;
    void ensureVisible(int64_t row);
    void clampRange();

    LadderPlottable* ladder_ = nullptr;
    core::AnalysisPtr analysis_;
    uint32_t flowId_ = 0;
    LadderLayout::Params params_;
    std::shared_ptr<const LadderLayout> timeline_;
    int64_t timelineOffsetNs_ = 0;
    void layOut(LadderContent& content) const;
};

} // namespace flowladder::ui
