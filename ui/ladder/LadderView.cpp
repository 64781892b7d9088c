#include "ui/ladder/LadderView.h"

#include "ui/ladder/LadderPlottable.h"
#include "ui/models/Format.h"

#include <algorithm>

namespace flowladder::ui {

namespace {
constexpr double ReadablePixels = 26.0; // pixels per row at the default zoom
}

LadderView::LadderView(QWidget* parent) : VerticalLadderPlot(ReadablePixels, parent)
{
    setObjectName(QStringLiteral("ladderView"));
    ladder_ = new LadderPlottable(xAxis, yAxis);
    setNoAntialiasingOnDrag(false);
    applyStyle();
    connect(this, &QCustomPlot::beforeReplot, this, &LadderView::clampRange);
}

void LadderView::setLadderStyle(const LadderStyle& style)
{
    ladder_->setStyle(style);
}

void LadderView::setFlow(core::AnalysisPtr analysis, uint32_t flowId)
{
    analysis_ = std::move(analysis);
    flowId_ = flowId;
    rebuild();
    // The whole flow when it fits with readable labels, else the readable zoom from row 0.
    const double pix = std::max(50.0, static_cast<double>(axisRect()->height()));
    const double fitPpu = (pix - LadderPlottable::HeaderHeight - 40) / std::max(1.0, extent());
    const double ppu = std::clamp(fitPpu, LadderPlottable::LabelPixels + 3, ReadablePixels);
    const double top = -(LadderPlottable::HeaderHeight + 24) / ppu;
    yAxis->setRange(top, top + pix / ppu);
    replot();
}

void LadderView::clear()
{
    analysis_.reset();
    flowId_ = 0;
    ladder_->setContent(nullptr);
    replot();
}

void LadderView::rebuild()
{
    const int64_t keepRow = ladder_->selectedRow();
    auto content = std::make_shared<LadderContent>(LadderContent::build(analysis_, flowId_, params_));
    if (timeline_) layOut(*content);
    if (capturePoint_) content->setCapturePoint(capturePoint_);
    ladder_->setContent(content);
    if (keepRow >= 0 && keepRow < content->rows()) ladder_->setSelectedRow(keepRow);
}

void LadderView::setTimeline(std::shared_ptr<const LadderLayout> timeline, int64_t offsetNs)
{
    timeline_ = std::move(timeline);
    timelineOffsetNs_ = offsetNs;
    if (auto old = ladder_->content(); old && old->valid()) { // lay the shown flow out again
        auto content = std::make_shared<LadderContent>(*old);
        layOut(*content);
        const int64_t row = ladder_->selectedRow();
        ladder_->setContent(content);
        if (row >= 0 && row < content->rows()) ladder_->setSelectedRow(row);
        replot(QCustomPlot::rpQueuedReplot);
    }
}

double LadderView::extent() const
{
    auto c = ladder_->content();
    const double own = c ? c->layout.height() : 0.0;
    return timeline_ && params_.scale == LadderLayout::Scale::TimeProportional ? std::max(own, timeline_->height())
                                                                               : own;
}

void LadderView::layOut(LadderContent& content) const
{
    if (timeline_ && params_.scale == LadderLayout::Scale::TimeProportional)
        content.relayoutOn(*timeline_, timelineOffsetNs_);
    else
        content.relayout(params_);
}

void LadderView::setCapturePoint(std::optional<double> x)
{
    capturePoint_ = x;
    if (auto old = ladder_->content(); old && old->valid()) {
        auto content = std::make_shared<LadderContent>(*old);
        content->setCapturePoint(x);
        const int64_t row = ladder_->selectedRow();
        ladder_->setContent(content);
        if (row >= 0 && row < content->rows()) ladder_->setSelectedRow(row);
        replot();
    }
}

std::shared_ptr<const LadderContent> LadderView::content() const
{
    return ladder_->content();
}

void LadderView::setScale(LadderLayout::Scale scale)
{
    if (params_.scale == scale) return;
    const int64_t row = ladder_->selectedRow();
    params_.scale = scale;
    if (auto old = ladder_->content(); old && old->valid()) {
        auto content = std::make_shared<LadderContent>(*old); // notes, bands, links: same flow
        layOut(*content);
        ladder_->setContent(content);
        if (row >= 0 && row < content->rows()) ladder_->setSelectedRow(row);
    } else {
        rebuild();
    }
    zoomReadable();
    if (row >= 0) ensureVisible(row);
    replot();
    emit scaleChanged(scale);
}

int64_t LadderView::selectedRow() const
{
    return ladder_->selectedRow();
}

void LadderView::selectRow(int64_t row)
{
    auto c = ladder_->content();
    if (!c || row >= c->rows()) row = -1;
    const bool changed = row != ladder_->selectedRow();
    ladder_->setSelectedRow(row);
    if (row >= 0) ensureVisible(row);
    replot(QCustomPlot::rpQueuedReplot);
    if (changed) emit rowSelected(row);
}

void LadderView::stepRow(int delta)
{
    auto c = ladder_->content();
    if (!c || c->rows() == 0) return;
    const int64_t cur = ladder_->selectedRow();
    const int64_t next = cur < 0 ? 0 : std::clamp<int64_t>(cur + delta, 0, c->rows() - 1);
    selectRow(next);
}

void LadderView::stepFinding(int delta)
{
    auto c = ladder_->content();
    if (!c || c->findingRows.empty()) return;
    const auto& fr = c->findingRows;
    const int64_t cur = ladder_->selectedRow();
    int64_t target;
    bool wrapped = false;
    if (delta > 0) {
        auto it = std::upper_bound(fr.begin(), fr.end(), cur < 0 ? -1 : cur,
                                   [](int64_t v, uint32_t r) { return v < static_cast<int64_t>(r); });
        target = it == fr.end() ? fr.front() : *it; // wrap around
        wrapped = it == fr.end() && cur >= 0;
    } else {
        auto it = std::lower_bound(fr.begin(), fr.end(), cur < 0 ? c->rows() : cur,
                                   [](uint32_t r, int64_t v) { return static_cast<int64_t>(r) < v; });
        target = it == fr.begin() ? fr.back() : *(it - 1);
        wrapped = it == fr.begin() && cur >= 0;
    }
    selectRow(target);
    if (wrapped) emit findingsWrapped(delta > 0);
}

void LadderView::ensureVisible(int64_t row)
{
    auto c = ladder_->content();
    if (!c || row < 0 || row >= c->rows()) return;
    const double y = c->layout.yOfRow(static_cast<uint32_t>(row));
    const QCPRange r = yAxis->range();
    const double ppu = pixelsPerRow();
    const double header = ppu > 0 ? (LadderPlottable::HeaderHeight + 4) / ppu : 1;
    const double margin = ppu > 0 ? 30.0 / ppu : 1;
    if (y < r.lower + header + margin || y > r.upper - margin) yAxis->setRange(y - r.size() / 2, y + r.size() / 2);
}

void LadderView::zoomBy(double factor)
{
    const int64_t row = ladder_->selectedRow();
    auto c = ladder_->content();
    const double center = (row >= 0 && c) ? c->layout.yOfRow(static_cast<uint32_t>(row)) : yAxis->range().center();
    yAxis->scaleRange(factor, center);
    replot();
}

QCPRange LadderView::fitRange() const
{
    const double h = std::max(1.0, extent());
    const double pix = std::max(50.0, static_cast<double>(axisRect()->height()));
    // Leave room for the header above row 0 and a little below the last row. A short flow is not
    // blown up past the readable zoom (a refused connection's two rows sat a screen apart, the
    // SYN scrolled out of view when its RST was selected).
    const double ppu = std::clamp((pix - LadderPlottable::HeaderHeight - 30) / h, 1e-9, ReadablePixels);
    const double top = -(LadderPlottable::HeaderHeight + 12) / ppu;
    return {top, top + pix / ppu};
}

void LadderView::zoomFit()
{
    yAxis->setRange(fitRange());
    replot();
}

void LadderView::zoomReadable()
{
    const double pix = std::max(50.0, static_cast<double>(axisRect()->height()));
    const double center = yAxis->range().center();
    yAxis->setRange(center - pix / ReadablePixels / 2, center + pix / ReadablePixels / 2);
    if (ladder_->selectedRow() >= 0) ensureVisible(ladder_->selectedRow());
    replot(QCustomPlot::rpQueuedReplot);
}

void LadderView::clampRange()
{
    auto c = ladder_->content();
    if (!c) return;
    QCPRange r = yAxis->range();
    const double ppu = pixelsPerRow();
    const double minTop = ppu > 0 ? -(LadderPlottable::HeaderHeight + 60) / ppu : -2;
    const double maxBottom = extent() + (ppu > 0 ? 60.0 / ppu : 2);
    // Zooming out stops at Fit: the whole flow, no smaller.
    const QCPRange fit = fitRange();
    if (r.size() > fit.size() * 1.0001) {
        yAxis->setRange(fit);
        return;
    }
    if (r.size() > maxBottom - minTop) return; // whole flow fits: leave it
    if (r.lower < minTop) r = QCPRange(minTop, minTop + r.size());
    if (r.upper > maxBottom) r = QCPRange(maxBottom - r.size(), maxBottom);
    if (r != yAxis->range()) yAxis->setRange(r);
}

void LadderView::clickedAt(const QPointF& pos)
{
    const int64_t row = ladder_->rowAt(pos);
    if (row >= 0) selectRow(row);
}

QString LadderView::toolTipAt(const QPointF& pos) const
{
    auto c = ladder_->content();
    if (c && c->valid()) {
        const auto g = ladder_->currentGeometry();
        if (pos.y() >= g.rect.top() && pos.y() < g.rect.top() + g.headerHeight)
            return QStringLiteral("Capture point: %1 (%2).\nView > Capture point sets it.")
                .arg(c->capturePointWhere, c->capturePointWhy);
    }
    const int64_t row = ladder_->rowAt(pos);
    if (row < 0 && c && c->valid()) { // a folded break: how long, even where its words did not fit
        const auto g = ladder_->currentGeometry();
        const auto& gaps = c->layout.gaps;
        const double lo = std::min(g.map.yOfPixel(pos.y() - 6), g.map.yOfPixel(pos.y() + 6));
        auto it = std::lower_bound(gaps.begin(), gaps.end(), lo,
                                   [](const LadderLayout::Gap& gap, double y) { return gap.y < y; });
        if (it != gaps.end() && std::abs(g.map.pixelOf(it->y) - pos.y()) <= 6)
            return QStringLiteral("≈ %1 idle, folded").arg(durationText(static_cast<double>(it->foldedNs) / 1e9));
    }
    if (row < 0 || !c) return {};
    const QString note = c->note(static_cast<uint32_t>(row));
    return note.isEmpty() ? c->label(static_cast<uint32_t>(row))
                          : c->label(static_cast<uint32_t>(row)) + QStringLiteral("\n") + note;
}

void LadderView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Down:
        nextPacket();
        break;
    case Qt::Key_Up:
        previousPacket();
        break;
    case Qt::Key_PageDown:
        stepRow(std::max(1, static_cast<int>(axisRect()->height() / std::max(1.0, pixelsPerRow())) - 2));
        break;
    case Qt::Key_PageUp:
        stepRow(-std::max(1, static_cast<int>(axisRect()->height() / std::max(1.0, pixelsPerRow())) - 2));
        break;
    case Qt::Key_Home:
        selectRow(0);
        break;
    case Qt::Key_End:
        if (auto c = ladder_->content()) selectRow(static_cast<int64_t>(c->rows()) - 1);
        break;
    default:
        QCustomPlot::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace flowladder::ui
