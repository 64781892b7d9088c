#pragma once
// The ladder diagram of one flow as a single QCustomPlot plottable. The value axis
// carries layout y (see LadderLayout; reverse it so time runs down); the key axis is
// unused, the horizontal geometry is computed in pixels from the axis rect so the
// lifelines, labels and notes column keep readable widths at any size.
//
// Only what is visible is drawn: rows are found by binary search and culled to at
// most one per ~1.5 pixels, so a 1M-packet flow repaints in the same time as a small one.
// `paint()` draws on any QPainter for a given geometry (export, thumbnails).

#include "ui/ladder/LadderContent.h"
#include "ui/ladder/LadderStyle.h"

#include <memory>
#include <qcustomplot.h>

namespace flowladder::ui {

class LadderPlottable : public QCPAbstractPlottable {
    Q_OBJECT
public:
    struct Geometry {
        QRectF rect;        // the whole drawing area
        double clientX = 0; // lifeline x, pixels
        double serverX = 0;
        double captureX = 0;
        double notesX = 0;       // left edge of the notes column
        double headerHeight = 0; // sticky header at the top of rect
        LadderLayout::PixelMap map;
    };
    // Pixel geometry for a drawing area showing layout y in [yTop, yBottom].
    static Geometry geometryFor(const QRectF& rect, double yTop, double yBottom, const LadderContent* content);

    explicit LadderPlottable(QCPAxis* keyAxis, QCPAxis* valueAxis);

    void setContent(std::shared_ptr<const LadderContent> content);
    const std::shared_ptr<const LadderContent>& content() const { return content_; }
    void setStyle(const LadderStyle& style) { style_ = style; }
    const LadderStyle& style() const { return style_; }
    void setSelectedRow(int64_t row) { selectedRow_ = row; }
    int64_t selectedRow() const { return selectedRow_; }
    void setNotesVisible(bool on) { notesVisible_ = on; }

    // Geometry of the current axis rect and value range.
    Geometry currentGeometry() const;
    // Row under a pixel position, or -1.
    int64_t rowAt(const QPointF& pos) const;
    // How many rows the last draw() drew (for tests and benchmarks).
    int lastDrawnRows() const { return lastDrawnRows_; }
    // Draws the diagram on any painter.
    void paint(QPainter* painter, const Geometry& g) const;
    // The boxes of the findings' notes in the notes column as the last paint() placed them
    // (the user's notes are placed clear of them).
    const std::vector<QRectF>& lastCalloutBoxes() const { return calloutBoxes_; }

    static constexpr double HeaderHeight = 54.0;
    static constexpr double LabelPixels = 15.0; // row spacing needed for text labels

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    void paintBands(QPainter* p, const Geometry& g, bool labels) const;
    void paintCallouts(QPainter* p, const Geometry& g) const;
    void paintGaps(QPainter* p, const Geometry& g) const;
    void paintRows(QPainter* p, const Geometry& g) const;
    void paintRow(QPainter* p, const Geometry& g, uint32_t row, bool withText) const;
    void paintConnectors(QPainter* p, const Geometry& g) const;
    void paintHeader(QPainter* p, const Geometry& g) const;
    void paintLegend(QPainter* p, const QRectF& r) const;

    std::shared_ptr<const LadderContent> content_;
    LadderStyle style_ = LadderStyle::light();
    int64_t selectedRow_ = -1;
    bool notesVisible_ = true;
    mutable int lastDrawnRows_ = 0;
    struct Callout {
        uint32_t row;
        double y;
        bool finding; // a finding's note becomes a boxed callout; a mark's note a muted line
    };
    mutable std::vector<Callout> callouts_; // collected while drawing rows, drawn last
    mutable std::vector<QRectF> calloutBoxes_;
};

} // namespace flowladder::ui
