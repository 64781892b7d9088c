#pragma once
// The merged ladder of one compared flow pair as a QCustomPlot plottable: lifeline A
// on the left, lifeline B on the right, matched packets as slanted arrows between
// them, packets one capture point never saw as stubs that end (lost) or start
// (created in between) half-way, labelled in words. The value axis carries layout y
// of CompareMergedLayout (reverse it so time runs down). `paint()` draws on any painter.

#include "ui/compare/CompareMergedLayout.h"
#include "ui/ladder/LadderContent.h"
#include "ui/ladder/LadderStyle.h"
#include "ui/models/CompareLoader.h"

#include <memory>
#include <qcustomplot.h>

namespace flowladder::ui {

// What the merged ladder shows: built once per pair (and clock offset).
struct CompareMergedContent {
    ComparisonPtr comparison;
    int pairIndex = -1;
    CompareMergedLayout layout;
    std::shared_ptr<const LadderContent> a, b; // single ladders of each flow, for labels
    QString nameA, nameB;                      // "A · client side"
    QString fileA, fileB;                      // file names
    QString whereA, whereB;                    // "client side" or "A"

    static std::shared_ptr<const CompareMergedContent> build(ComparisonPtr comparison, int pairIndex);
    const core::FlowPair* pair() const;
    bool valid() const { return pair() != nullptr; }
    // "A#18 · B#18  FIN 276 ack 10945" and, for one-sided packets, what happened to it.
    QString label(uint32_t item) const;
    QString verdict(uint32_t item) const; // "never arrived at the server side", "" for matched packets
};

class CompareMergedLadder : public QCPAbstractPlottable {
    Q_OBJECT
public:
    struct Geometry {
        QRectF rect;
        CompareMergedLayout::Pixels px;
        double notesX = 0;
        double headerHeight = 0;
    };
    static Geometry geometryFor(const QRectF& rect, double yTop, double yBottom);
    static constexpr double HeaderHeight = 46.0;
    static constexpr double LabelPixels = 15.0;

    CompareMergedLadder(QCPAxis* keyAxis, QCPAxis* valueAxis);
    void setContent(std::shared_ptr<const CompareMergedContent> content);
    const std::shared_ptr<const CompareMergedContent>& content() const { return content_; }
    void setStyle(const LadderStyle& s) { style_ = s; }
    void setSelectedItem(int64_t item) { selected_ = item; }
    int64_t selectedItem() const { return selected_; }
    Geometry currentGeometry() const;
    int64_t itemAt(const QPointF& pos) const;
    void paint(QPainter* p, const Geometry& g) const;
    int lastDrawnItems() const { return lastDrawn_; }

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter*, const QRectF&) const override {}

private:
    void paintItem(QPainter* p, const Geometry& g, uint32_t i, bool text) const;
    void paintGaps(QPainter* p, const Geometry& g) const;
    void paintHeader(QPainter* p, const Geometry& g) const;

    std::shared_ptr<const CompareMergedContent> content_;
    LadderStyle style_ = LadderStyle::light();
    int64_t selected_ = -1;
    mutable int lastDrawn_ = 0;
};

} // namespace flowladder::ui
