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
        double notesX = 0;     // the packets' labels
        double userNotesX = 0; // the user's notes, right of the labels; 0: no such column
        double headerHeight = 0;
    };
    // withNotes: the right part of the labels column holds the user's notes.
    static Geometry geometryFor(const QRectF& rect, double yTop, double yBottom, bool withNotes = false);
    // The user's notes on packets of the pair (the comparison's annotations): drawn as sticky
    // notes in their own column beside the packet's label, stacked so they never overlap.
    struct Note {
        uint32_t item = 0; // index into the layout's items
        uint64_t id = 0;   // the annotation's
        QString text;
    };
    void setNotes(std::vector<Note> notes);
    const std::vector<Note>& notes() const { return notes_; }
    // Note under a pixel position as last painted (0: none).
    uint64_t noteAt(const QPointF& pos) const;
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
    void paintNotes(QPainter* p, const Geometry& g) const;

    std::shared_ptr<const CompareMergedContent> content_;
    LadderStyle style_ = LadderStyle::light();
    int64_t selected_ = -1;
    mutable int lastDrawn_ = 0;
    std::vector<Note> notes_; // by item
    mutable std::vector<std::pair<uint64_t, QRectF>> noteBoxes_;
};

} // namespace flowladder::ui
