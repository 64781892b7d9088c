#include "ui/annotate/AnnotationOverlay.h"

#include "ui/annotate/AnnotationPainter.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderView.h"

namespace flowladder::ui {

namespace {
QString layerName(LadderView* view, bool below)
{
    QString name = below ? QStringLiteral("annotationsBelow") : QStringLiteral("annotationsAbove");
    if (!view->layer(name))
        view->addLayer(name, view->layer(QStringLiteral("main")),
                       below ? QCustomPlot::limBelow : QCustomPlot::limAbove);
    return name;
}
} // namespace

AnnotationOverlay::AnnotationOverlay(LadderView* view, bool below, Source source)
    : QCPLayerable(view, layerName(view, below)), view_(view), below_(below), source_(std::move(source))
{
    setAntialiased(true);
}

std::vector<core::Annotation> AnnotationOverlay::items() const
{
    std::vector<core::Annotation> v = source_ ? source_() : std::vector<core::Annotation>{};
    if (preview_) v.push_back(*preview_);
    return v;
}

void AnnotationOverlay::applyDefaultAntialiasingHint(QCPPainter* painter) const
{
    applyAntialiasingHint(painter, mAntialiased, QCP::aeOther);
}

void AnnotationOverlay::draw(QCPPainter* painter)
{
    placed_.clear();
    auto content = view_->content();
    if (!content || !content->valid()) return;
    const auto all = items();
    if (all.empty()) return;
    const LadderPlottable::Geometry g = view_->ladder()->currentGeometry();
    placed_ = AnnotationPainter::place(g, *content, all, AnnotationPainter::font(painter->font()), painter->device(),
                                       view_->ladder()->lastCalloutBoxes());
    const auto& placed = placed_;
    painter->save();
    painter->setClipRect(
        QRectF(g.rect.left(), g.rect.top() + g.headerHeight, g.rect.width(), g.rect.height() - g.headerHeight));
    if (below_)
        AnnotationPainter::paintBelow(painter, placed, all, view_->ladder()->style());
    else
        AnnotationPainter::paintAbove(painter, g, placed, all, view_->ladder()->style(), selectedId_);
    painter->restore();
}

} // namespace flowladder::ui
