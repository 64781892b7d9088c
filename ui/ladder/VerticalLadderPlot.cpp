#include "ui/ladder/VerticalLadderPlot.h"

#include <cmath>

namespace flowladder::ui {

VerticalLadderPlot::VerticalLadderPlot(double readablePixels, QWidget* parent)
    : QCustomPlot(parent), readablePixels_(readablePixels)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    xAxis->setVisible(false);
    yAxis->setVisible(false);
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setVisible(false);
    axisRect()->setAutoMargins(QCP::msNone);
    axisRect()->setMargins(QMargins(0, 0, 0, 0));
    yAxis->setRangeReversed(true);
    xAxis->setRange(0, 1);
    setInteractions(QCP::iRangeDrag);
    axisRect()->setRangeDrag(Qt::Vertical);
    axisRect()->setRangeZoom(Qt::Vertical);
}

double VerticalLadderPlot::pixelsPerUnit() const
{
    return yAxis->range().size() > 0 ? axisRect()->height() / yAxis->range().size() : 0;
}

void VerticalLadderPlot::applyStyle()
{
    const LadderStyle s = LadderStyle::forPalette(palette());
    setLadderStyle(s);
    setBackground(s.background);
    axisRect()->setBackground(s.background);
    replot(QCustomPlot::rpQueuedReplot);
}

void VerticalLadderPlot::changeEvent(QEvent* event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) applyStyle();
}

void VerticalLadderPlot::resizeEvent(QResizeEvent* event)
{
    // Keep the zoom level (pixels per unit) when the pane is resized.
    const double ppu = pixelsPerUnit();
    const double top = yAxis->range().lower;
    QCustomPlot::resizeEvent(event);
    if (ppu > 0 && axisRect()->height() > 0) yAxis->setRange(top, top + axisRect()->height() / ppu);
}

void VerticalLadderPlot::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) clickedAt(event->position());
    QCustomPlot::mousePressEvent(event);
}

void VerticalLadderPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton) return;
    setToolTip(toolTipAt(event->position()));
}

void VerticalLadderPlot::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (event->modifiers() & Qt::ControlModifier) {
        yAxis->scaleRange(std::pow(0.85, steps), yAxis->pixelToCoord(event->position().y()));
    } else {
        const double ppu = pixelsPerUnit();
        yAxis->moveRange(-steps * 3 * (ppu > 0 ? readablePixels_ / ppu : 1));
    }
    replot(QCustomPlot::rpQueuedReplot);
    event->accept();
}

} // namespace flowladder::ui
