#pragma once
// Where the user's annotations sit on a ladder and how they look. The same code places
// and draws them in the ladder pane (AnnotationOverlay), in exports (FlowRenderer) and
// answers hit tests for dragging, so what is exported is what was on screen.
//
// Geometry is the ladder's (LadderPlottable::Geometry): notes sit in the notes column beside
// their packet (under its arrow when the column is too narrow), callouts are boxes at
// (boxFrame, boxX) with an arrow to (frame, anchorX), time ranges are translucent bands between
// two capture times, labelled in the notes column.

#include "core/annotations/Annotations.h"
#include "ui/ladder/LadderContent.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderStyle.h"

#include <QFont>
#include <QPainter>
#include <QRectF>
#include <vector>

namespace flowladder::ui {

class AnnotationPainter {
public:
    enum class Part { None, Box, Anchor, RangeBody, RangeStart, RangeEnd };
    struct Hit {
        uint64_t id = 0;
        Part part = Part::None;
        explicit operator bool() const { return id != 0; }
    };
    struct Placed {
        uint64_t id = 0;
        core::AnnotationKind kind = core::AnnotationKind::Note;
        QRectF box;           // text box (note, callout) or label (time range)
        QPointF anchor;       // what the note or callout points at
        QRectF band;          // time range band
        double grabRight = 0; // time range: its edges are dragged left of this x (not over the notes column)
        QString text;
    };

    static QFont font(const QFont& base); // the annotation font (8.5 pt)
    // A note's colours (sticky-note yellow), also for the comparison's notes.
    static QColor noteFill(const LadderStyle& s);
    static QColor noteBorder(const LadderStyle& s);
    static QColor noteText(const LadderStyle& s);
    static double xOf(const LadderPlottable::Geometry& g, double fraction);
    static double fractionOf(const LadderPlottable::Geometry& g, double x);
    // Pixel y of a frame's row; false when the frame is not in the flow.
    static bool yOfFrame(const LadderPlottable::Geometry& g, const LadderContent& c, uint32_t frame, double& y);

    // Places the annotations of `c`'s flow (others are skipped). `device` gives font metrics.
    // Notes and range labels go to the notes column, clear of `avoid` (the findings' notes as the
    // ladder placed them: LadderPlottable::lastCalloutBoxes) and of each other.
    static std::vector<Placed> place(const LadderPlottable::Geometry& g, const LadderContent& c,
                                     const std::vector<core::Annotation>& items, const QFont& font,
                                     QPaintDevice* device = nullptr, const std::vector<QRectF>& avoid = {});
    // Time-range bands: drawn under the ladder.
    static void paintBelow(QPainter* p, const std::vector<Placed>& placed, const std::vector<core::Annotation>& items,
                           const LadderStyle& style);
    // Range edges and labels, notes, callouts: drawn over the ladder.
    static void paintAbove(QPainter* p, const LadderPlottable::Geometry& g, const std::vector<Placed>& placed,
                           const std::vector<core::Annotation>& items, const LadderStyle& style,
                           uint64_t selectedId = 0);
    // Both, for export.
    static void paintAll(QPainter* p, const LadderPlottable::Geometry& g, const LadderContent& c,
                         const std::vector<core::Annotation>& items, const LadderStyle& style, bool below,
                         const std::vector<QRectF>& avoid = {});

    static Hit hitTest(const std::vector<Placed>& placed, const QPointF& pos);
    static QColor rangeColor(const core::Annotation& a);

private:
    static void stackInMargin(std::vector<Placed>& placed, const std::vector<QRectF>& avoid);
};

} // namespace flowladder::ui
