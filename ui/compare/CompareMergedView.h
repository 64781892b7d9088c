#pragma once
// The merged-ladder pane: a QCustomPlot holding one CompareMergedLadder. Wheel
// scrolls, Ctrl+wheel zooms, click or Up/Down selects a packet.

#include "ui/compare/CompareMergedLadder.h"
#include "ui/ladder/VerticalLadderPlot.h"

namespace flowladder::ui {

class CompareMergedView : public VerticalLadderPlot {
    Q_OBJECT
public:
    explicit CompareMergedView(QWidget* parent = nullptr);
    void setContent(std::shared_ptr<const CompareMergedContent> content);
    const std::shared_ptr<const CompareMergedContent>& content() const { return ladder_->content(); }
    CompareMergedLadder* ladder() const { return ladder_; }
    int64_t selectedItem() const { return ladder_->selectedItem(); }

public slots:
    void selectItem(int64_t item); // scrolls it into view; emits itemSelected when it changes
    void zoomFit();
    // Shows the ladder from its first row at the present scale (no selection) and returns the
    // height in pixels the view needs to show all of it so (an export of the whole pair).
    int showFromTop();

signals:
    void itemSelected(int64_t item);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void setLadderStyle(const LadderStyle& style) override { ladder_->setStyle(style); }
    void clickedAt(const QPointF& pos) override;
    QString toolTipAt(const QPointF& pos) const override;

private:
    void ensureVisible(int64_t item);

    CompareMergedLadder* ladder_;
};

} // namespace flowladder::ui
