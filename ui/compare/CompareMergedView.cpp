#include "ui/compare/CompareMergedView.h"

#include <algorithm>
#include <cmath>

namespace flowladder::ui {

namespace {
constexpr double ReadablePixels = 24.0;
}

CompareMergedView::CompareMergedView(QWidget* parent) : VerticalLadderPlot(ReadablePixels, parent)
{
    setObjectName(QStringLiteral("compareMergedView"));
    ladder_ = new CompareMergedLadder(xAxis, yAxis);
    applyStyle();
}

void CompareMergedView::setContent(std::shared_ptr<const CompareMergedContent> content)
{
    const int64_t keep = ladder_->selectedItem();
    const bool samePair = ladder_->content() && content && ladder_->content()->pairIndex == content->pairIndex;
    const QCPRange range = yAxis->range();
    ladder_->setContent(std::move(content));
    if (samePair) { // recomputed with another clock offset: keep the place and the selection
        yAxis->setRange(range);
        if (keep >= 0 && static_cast<size_t>(keep) < ladder_->content()->layout.items.size())
            ladder_->setSelectedItem(keep);
        replot();
        return;
    }
    // The whole pair when it fits readably, else the readable zoom from the top.
    const double pix = std::max(50.0, static_cast<double>(axisRect()->height()));
    const double h = ladder_->content() ? std::max(1.0, ladder_->content()->layout.height()) : 1.0;
    const double ppu = std::clamp((pix - CompareMergedLadder::HeaderHeight - 40) / h,
                                  CompareMergedLadder::LabelPixels + 2, ReadablePixels);
    const double top = -(CompareMergedLadder::HeaderHeight + 20) / ppu;
    yAxis->setRange(top, top + pix / ppu);
    replot();
}

void CompareMergedView::zoomFit()
{
    const auto& c = ladder_->content();
    const double h = std::max(1.0, c ? c->layout.height() : 1.0);
    const double pix = std::max(50.0, static_cast<double>(axisRect()->height()));
    const double ppu = std::max(1e-6, (pix - CompareMergedLadder::HeaderHeight - 30) / h);
    const double top = -(CompareMergedLadder::HeaderHeight + 12) / ppu;
    yAxis->setRange(top, top + pix / ppu);
    replot();
}

int CompareMergedView::showFromTop()
{
    selectItem(-1);
    const auto& c = ladder_->content();
    const double ppu = pixelsPerUnit();
    if (!c || ppu <= 0) return height();
    const double pix = static_cast<double>(axisRect()->height());
    const double top = -(CompareMergedLadder::HeaderHeight + 12) / ppu;
    yAxis->setRange(top, top + pix / ppu);
    replot();
    const double needed = CompareMergedLadder::HeaderHeight + 12 + c->layout.height() * ppu + 30;
    return static_cast<int>(needed) + (height() - axisRect()->height());
}

void CompareMergedView::selectItem(int64_t item)
{
    const auto& c = ladder_->content();
    if (!c || item < 0 || static_cast<size_t>(item) >= c->layout.items.size()) item = -1;
    const bool changed = item != ladder_->selectedItem();
    ladder_->setSelectedItem(item);
    if (item >= 0) ensureVisible(item);
    replot(QCustomPlot::rpQueuedReplot);
    if (changed) emit itemSelected(item);
}

void CompareMergedView::ensureVisible(int64_t item)
{
    const auto& c = ladder_->content();
    if (!c) return;
    const auto& it = c->layout.items[static_cast<size_t>(item)];
    const QCPRange r = yAxis->range();
    const double ppu = pixelsPerUnit();
    const double header = ppu > 0 ? (CompareMergedLadder::HeaderHeight + 20) / ppu : 1;
    const double margin = ppu > 0 ? 30.0 / ppu : 1;
    if (it.topY() < r.lower + header + margin || it.bottomY() > r.upper - margin) {
        const double y = (it.topY() + it.bottomY()) / 2;
        yAxis->setRange(y - r.size() / 2, y + r.size() / 2);
    }
}

void CompareMergedView::clickedAt(const QPointF& pos)
{
    const int64_t item = ladder_->itemAt(pos);
    if (item >= 0) selectItem(item);
}

QString CompareMergedView::toolTipAt(const QPointF& pos) const
{
    const int64_t item = ladder_->itemAt(pos);
    const auto& c = ladder_->content();
    if (item < 0 || !c) return {};
    const QString verdict = c->verdict(static_cast<uint32_t>(item));
    return c->label(static_cast<uint32_t>(item)) + (verdict.isEmpty() ? QString() : QStringLiteral("\n") + verdict);
}

void CompareMergedView::keyPressEvent(QKeyEvent* event)
{
    const auto& c = ladder_->content();
    const int64_t n = c ? static_cast<int64_t>(c->layout.items.size()) : 0;
    const int64_t cur = ladder_->selectedItem();
    switch (event->key()) {
    case Qt::Key_Down:
    case Qt::Key_J:
        if (n) selectItem(cur < 0 ? 0 : std::min(n - 1, cur + 1));
        break;
    case Qt::Key_Up:
    case Qt::Key_K:
        if (n) selectItem(cur < 0 ? 0 : std::max<int64_t>(0, cur - 1));
        break;
    case Qt::Key_Home:
        if (n) selectItem(0);
        break;
    case Qt::Key_End:
        if (n) selectItem(n - 1);
        break;
    default:
        QCustomPlot::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace flowladder::ui
