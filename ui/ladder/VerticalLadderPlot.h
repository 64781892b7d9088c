#pragma once
// What every ladder pane shares: a QCustomPlot whose only axis is a reversed vertical one
// (layout units downwards), scrolled by wheel and drag, zoomed by Ctrl+wheel, keeping its
// zoom when resized, restyled when the palette changes, with click and tooltip hooks.
// LadderView and CompareMergedView derive from it.

#include "ui/ladder/LadderStyle.h"

#include <qcustomplot.h>

namespace flowladder::ui {

class VerticalLadderPlot : public QCustomPlot {
public:
    // `readablePixels`: pixels per layout unit at the readable zoom; a wheel step scrolls three of those.
    VerticalLadderPlot(double readablePixels, QWidget* parent);

    // Pixels per layout unit right now.
    double pixelsPerUnit() const;

protected:
    // Subclasses call this at the end of their constructor (and it runs on palette changes).
    void applyStyle();
    virtual void setLadderStyle(const LadderStyle& style) = 0;
    virtual void clickedAt(const QPointF& pos) = 0;
    virtual QString toolTipAt(const QPointF& pos) const = 0;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

    double readablePixels_;
};

} // namespace flowladder::ui
