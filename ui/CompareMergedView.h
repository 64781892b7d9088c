#pragma once
// The merged-ladder pane: a QCustomPlot holding one CompareMergedLadder. Wheel
// scrolls, Ctrl+wheel zooms, click or Up/Down selects a packet.

#include "ui/CompareMergedLadder.h"

#include <qcustomplot.h>

namespace flowladder::ui {

class CompareMergedView : public QCustomPlot {
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

signals:
    void itemSelected(int64_t item);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void ensureVisible(int64_t item);
    double pixelsPerUnit() const;
    void applyStyle();

    CompareMergedLadder* ladder_;
};

} // namespace flowladder::ui
