#pragma once
// Draws the user's annotations in a LadderView without touching the ladder plottable:
// two QCustomPlot layerables, one on a layer under the ladder (time-range bands) and one
// over it (notes, callouts, range labels). They read the ladder's geometry at draw time.

#include "core/annotations/Annotations.h"
#include "ui/annotate/AnnotationPainter.h"

#include <functional>
#include <optional>
#include <qcustomplot.h>
#include <vector>

namespace flowladder::ui {

class LadderView;

class AnnotationOverlay : public QCPLayerable {
    Q_OBJECT
public:
    using Source = std::function<std::vector<core::Annotation>()>;
    // Adds the overlay's layers to `view` (once) and places itself below or above the ladder.
    AnnotationOverlay(LadderView* view, bool below, Source source);

    void setSelectedId(uint64_t id) { selectedId_ = id; }
    uint64_t selectedId() const { return selectedId_; }
    // An annotation being created by a drag (drawn, not yet in the document).
    void setPreview(std::optional<core::Annotation> a) { preview_ = std::move(a); }
    std::vector<core::Annotation> items() const;
    // Where the last paint placed the annotations (what hit tests must use: what is on screen).
    const std::vector<AnnotationPainter::Placed>& lastPlaced() const { return placed_; }

protected:
    void applyDefaultAntialiasingHint(QCPPainter* painter) const override;
    void draw(QCPPainter* painter) override;

private:
    LadderView* view_;
    bool below_;
    Source source_;
    uint64_t selectedId_ = 0;
    std::optional<core::Annotation> preview_;
    std::vector<AnnotationPainter::Placed> placed_;
};

} // namespace flowladder::ui
