#include "ui/annotate/AnnotationPainter.h"

#include <QFontMetricsF>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace flowladder::ui {
using core::Annotation;
using core::AnnotationKind;

namespace {
constexpr double BandWidth = 14.0; // as LadderPlottable draws the state bands
constexpr double CalloutWidth = 240.0;

QColor calloutLine(const LadderStyle& s)
{
    return s.dark ? QColor(0xf0, 0xb0, 0x40) : QColor(0xd0, 0x86, 0x00);
}

const Annotation* byId(const std::vector<Annotation>& items, uint64_t id)
{
    for (const Annotation& a : items)
        if (a.id == id) return &a;
    return nullptr;
}

void arrowHead(QPainter* p, QPointF tip, QPointF from, const QColor& c)
{
    const double ang = std::atan2(tip.y() - from.y(), tip.x() - from.x());
    QPolygonF head;
    head << tip << tip - QPointF(std::cos(ang - 0.4) * 9, std::sin(ang - 0.4) * 9)
         << tip - QPointF(std::cos(ang + 0.4) * 9, std::sin(ang + 0.4) * 9);
    p->setPen(Qt::NoPen);
    p->setBrush(c);
    p->drawPolygon(head);
    p->setBrush(Qt::NoBrush);
}
} // namespace

QColor AnnotationPainter::noteFill(const LadderStyle& s)
{
    return s.dark ? QColor(0x5a, 0x50, 0x1e) : QColor(0xff, 0xf4, 0xb0);
}

QColor AnnotationPainter::noteBorder(const LadderStyle& s)
{
    return s.dark ? QColor(0xc9, 0xa8, 0x2a) : QColor(0xd0, 0xa2, 0x00);
}

QColor AnnotationPainter::noteText(const LadderStyle& s)
{
    return s.dark ? QColor(0xf2, 0xee, 0xd8) : QColor(0x2b, 0x24, 0x00);
}

QFont AnnotationPainter::font(const QFont& base)
{
    QFont f = base;
    f.setPointSizeF(8.5);
    f.setBold(false);
    return f;
}

double AnnotationPainter::xOf(const LadderPlottable::Geometry& g, double fraction)
{
    return g.clientX + fraction * (g.serverX - g.clientX);
}

double AnnotationPainter::fractionOf(const LadderPlottable::Geometry& g, double x)
{
    const double w = g.serverX - g.clientX;
    return w > 0 ? (x - g.clientX) / w : 0.5;
}

bool AnnotationPainter::yOfFrame(const LadderPlottable::Geometry& g, const LadderContent& c, uint32_t frame, double& y)
{
    const int64_t row = c.rowOfFrame(frame);
    if (row < 0) return false;
    y = g.map.pixelOf(c.layout.yOfRow(static_cast<uint32_t>(row)));
    return true;
}

std::vector<AnnotationPainter::Placed> AnnotationPainter::place(const LadderPlottable::Geometry& g,
                                                                const LadderContent& c,
                                                                const std::vector<Annotation>& items, const QFont& font,
                                                                QPaintDevice* device, const std::vector<QRectF>& avoid)
{
    std::vector<Placed> out;
    if (!c.valid()) return out;
    const QFontMetricsF fm = device ? QFontMetricsF(font, device) : QFontMetricsF(font);
    const double span = g.serverX - g.clientX;
    // Notes and range labels go to the notes column beside their packet, as the findings' notes
    // do, so that the packets' labels on the ladder stay readable; under the arrow only when the
    // column is too narrow to hold them.
    const double marginLeft = g.notesX + 4;
    const double marginW = g.rect.right() - marginLeft - 6;
    const bool margin = marginW >= 110;
    const uint32_t flowId = c.flowId();
    for (const Annotation& a : items) {
        if (a.flow != flowId) continue;
        Placed pl;
        pl.id = a.id;
        pl.kind = a.kind;
        pl.text = QString::fromStdString(a.text);
        const QString shown = pl.text.isEmpty() ? QStringLiteral(" ") : pl.text;
        switch (a.kind) {
        case AnnotationKind::Note: {
            double y = 0;
            if (!yOfFrame(g, c, a.frame, y)) continue;
            const double maxW = margin ? marginW : std::max(120.0, span * 0.42);
            QRectF tr = fm.boundingRect(QRectF(0, 0, maxW - 12, 1e6), Qt::TextWordWrap, shown);
            tr.setHeight(std::min(tr.height(), fm.lineSpacing() * (margin ? 6 : 4)));
            if (margin) {
                pl.anchor = QPointF(g.serverX + BandWidth / 2 + 3, y);
                pl.box = QRectF(marginLeft, y - fm.height() / 2 - 3, tr.width() + 12, tr.height() + 6);
            } else {
                pl.anchor = QPointF(g.clientX + BandWidth / 2 + 4, y);
                pl.box = QRectF(g.clientX + BandWidth / 2 + 16, y + 4, tr.width() + 12, tr.height() + 6);
            }
            break;
        }
        case AnnotationKind::Callout: {
            double y = 0, by = 0;
            if (!yOfFrame(g, c, a.frame, y)) continue;
            if (!yOfFrame(g, c, a.boxFrame ? a.boxFrame : a.frame, by)) by = y;
            const QRectF tr = fm.boundingRect(QRectF(0, 0, CalloutWidth - 14, 1e6), Qt::TextWordWrap, shown);
            pl.anchor = QPointF(xOf(g, a.anchorX), y);
            pl.box = QRectF(xOf(g, a.boxX), by + 6, tr.width() + 14, tr.height() + 8);
            break;
        }
        case AnnotationKind::TimeRange: {
            const double y0 = g.map.pixelOf(c.layout.yOfTime(std::min(a.startNs, a.endNs)));
            const double y1 = g.map.pixelOf(c.layout.yOfTime(std::max(a.startNs, a.endNs)));
            const double right = margin ? g.rect.right() - 4 : g.serverX + BandWidth / 2 + 6;
            // From above the first packet's label (labels sit over their arrows) to under the last arrow.
            pl.band = QRectF(QPointF(g.rect.left() + 4, y0 - fm.height() - 4), QPointF(right, y1 + 4));
            QFont bold = font;
            bold.setBold(true);
            const QFontMetricsF bfm = device ? QFontMetricsF(bold, device) : QFontMetricsF(bold);
            if (margin) { // in the notes column at the range's start, wrapped on up to three lines
                QRectF tr = bfm.boundingRect(QRectF(0, 0, marginW - 10, 1e6), Qt::TextWordWrap, shown);
                tr.setHeight(std::min(tr.height(), bfm.lineSpacing() * 3));
                pl.box = QRectF(marginLeft, pl.band.top() + 2, tr.width() + 10, tr.height() + 4);
            } else { // at its top right
                const double w = std::min(bfm.horizontalAdvance(shown) + 10, std::max(80.0, span * 0.6));
                pl.box = QRectF(g.serverX - BandWidth / 2 - 8 - w, pl.band.top() + 2, w, bfm.height() + 4);
            }
            pl.anchor = pl.band.topLeft();
            pl.grabRight = margin ? marginLeft - 2 : pl.band.right();
            break;
        }
        }
        out.push_back(std::move(pl));
    }
    if (margin) stackInMargin(out, avoid);
    return out;
}

// Moves the notes column's boxes down, in the order of their packets, until none covers a
// finding's note (`avoid`) or another of them. Callouts stay where the user put them.
void AnnotationPainter::stackInMargin(std::vector<Placed>& placed, const std::vector<QRectF>& avoid)
{
    std::vector<Placed*> inMargin;
    for (Placed& pl : placed)
        if (pl.kind != AnnotationKind::Callout) inMargin.push_back(&pl);
    std::stable_sort(inMargin.begin(), inMargin.end(),
                     [](const Placed* a, const Placed* b) { return a->box.top() < b->box.top(); });
    std::vector<QRectF> taken(avoid.begin(), avoid.end());
    for (Placed* pl : inMargin) {
        for (bool moved = true; moved;) {
            moved = false;
            for (const QRectF& t : taken)
                if (t.adjusted(-2, -2, 2, 2).intersects(pl->box)) {
                    pl->box.moveTop(t.bottom() + 4);
                    moved = true;
                }
        }
        taken.push_back(pl->box);
    }
}

QColor AnnotationPainter::rangeColor(const Annotation& a)
{
    QColor c(QString::fromStdString(a.color));
    return c.isValid() ? c : QColor(0xf5, 0xa6, 0x23);
}

void AnnotationPainter::paintBelow(QPainter* p, const std::vector<Placed>& placed, const std::vector<Annotation>& items,
                                   const LadderStyle& style)
{
    p->save();
    for (const Placed& pl : placed) {
        if (pl.kind != AnnotationKind::TimeRange) continue;
        const Annotation* a = byId(items, pl.id);
        if (!a) continue;
        QColor fill = rangeColor(*a);
        fill.setAlpha(style.dark ? 60 : 45);
        p->fillRect(pl.band, fill);
    }
    p->restore();
}

void AnnotationPainter::paintAbove(QPainter* p, const LadderPlottable::Geometry& g, const std::vector<Placed>& placed,
                                   const std::vector<Annotation>& items, const LadderStyle& style, uint64_t selectedId)
{
    p->save();
    p->setRenderHint(QPainter::Antialiasing, true);
    const QFont base = font(p->font());
    QFont bold = base;
    bold.setBold(true);
    const QColor selColor = style.dark ? QColor(0x6c, 0x9d, 0xff) : QColor(0x1a, 0x5f, 0xd0);
    // Ranges first: edges and labels, under the notes.
    for (const Placed& pl : placed) {
        if (pl.kind != AnnotationKind::TimeRange) continue;
        const Annotation* a = byId(items, pl.id);
        if (!a) continue;
        const QColor c = rangeColor(*a);
        p->setPen(QPen(c.darker(style.dark ? 80 : 115), pl.id == selectedId ? 2.0 : 1.2));
        // bracket in the time column
        const double x = pl.band.left() + 2;
        p->drawLine(QPointF(x, pl.band.top()), QPointF(x, pl.band.bottom()));
        p->drawLine(QPointF(x, pl.band.top()), QPointF(x + 8, pl.band.top()));
        p->drawLine(QPointF(x, pl.band.bottom()), QPointF(x + 8, pl.band.bottom()));
        p->setPen(QPen(c, 1, Qt::DashLine));
        p->drawLine(QPointF(x, pl.band.top()), QPointF(pl.band.right(), pl.band.top()));
        p->drawLine(QPointF(x, pl.band.bottom()), QPointF(pl.band.right(), pl.band.bottom()));
        QColor lbl = style.background;
        lbl.setAlpha(225);
        p->setPen(QPen(c.darker(115), 1));
        p->setBrush(lbl);
        p->drawRoundedRect(pl.box, 3, 3);
        p->setBrush(Qt::NoBrush);
        p->setFont(bold);
        p->setPen(style.text);
        const QFontMetricsF bfm(bold, p->device());
        if (bfm.horizontalAdvance(pl.text) <= pl.box.width() - 9) // one line
            p->drawText(pl.box.adjusted(5, 1, -4, -1), Qt::AlignLeft | Qt::AlignVCenter, pl.text);
        else // wrapped where the box was made for it, else cut with an ellipsis
            p->drawText(pl.box.adjusted(5, 2, -4, -2), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop,
                        pl.box.height() > bfm.height() + 6
                            ? pl.text
                            : bfm.elidedText(pl.text, Qt::ElideRight, pl.box.width() - 9));
        if (pl.id == selectedId) {
            p->setPen(QPen(selColor, 1.5, Qt::DashLine));
            p->drawRect(pl.band);
        }
    }
    for (const Placed& pl : placed) {
        if (pl.kind == AnnotationKind::TimeRange) continue;
        const bool sel = pl.id == selectedId;
        p->setFont(base);
        if (pl.kind == AnnotationKind::Note) {
            // a leader from the arrow's start to the sticky note under it
            p->setPen(QPen(noteBorder(style), 1.2));
            p->drawLine(pl.anchor, QPointF(pl.box.left(), pl.box.top() + 6));
            p->setBrush(noteBorder(style));
            p->drawEllipse(pl.anchor, 3, 3);
        } else {
            // callout: a curve from the box to the anchor, with an arrowhead
            const QPointF a = pl.anchor;
            const QPointF from(std::clamp(a.x(), pl.box.left(), pl.box.right()), a.y() < pl.box.top() ? pl.box.top()
                                                                                 : a.y() > pl.box.bottom()
                                                                                     ? pl.box.bottom()
                                                                                     : pl.box.center().y());
            const QPointF start = (from == pl.box.center()) ? QPointF(pl.box.right(), pl.box.center().y()) : from;
            QPainterPath path(start);
            const QPointF c1(start.x(), (start.y() + a.y()) / 2);
            const QPointF c2(a.x(), (start.y() + a.y()) / 2);
            path.cubicTo(c1, c2, a);
            p->setPen(QPen(calloutLine(style), 1.6));
            p->setBrush(Qt::NoBrush);
            p->drawPath(path);
            arrowHead(p, a, path.pointAtPercent(0.93), calloutLine(style));
        }
        p->setPen(QPen(sel ? selColor : noteBorder(style), sel ? 2.0 : 1.0));
        p->setBrush(noteFill(style));
        p->drawRoundedRect(pl.box, 3, 3);
        p->setBrush(Qt::NoBrush);
        p->setPen(noteText(style));
        p->drawText(pl.box.adjusted(6, 3, -5, -3), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, pl.text);
        if (sel && pl.kind == AnnotationKind::Callout) { // drag handle on the arrow's point
            p->setPen(QPen(selColor, 1.5));
            p->setBrush(style.background);
            p->drawEllipse(pl.anchor, 4.5, 4.5);
            p->setBrush(Qt::NoBrush);
        }
    }
    Q_UNUSED(g)
    p->restore();
}

void AnnotationPainter::paintAll(QPainter* p, const LadderPlottable::Geometry& g, const LadderContent& c,
                                 const std::vector<Annotation>& items, const LadderStyle& style, bool below,
                                 const std::vector<QRectF>& avoid)
{
    const QFont f = font(p->font());
    const auto placed = place(g, c, items, f, p->device(), avoid);
    p->save();
    p->setClipRect(
        QRectF(g.rect.left(), g.rect.top() + g.headerHeight, g.rect.width(), g.rect.height() - g.headerHeight));
    if (below)
        paintBelow(p, placed, items, style);
    else
        paintAbove(p, g, placed, items, style);
    p->restore();
}

AnnotationPainter::Hit AnnotationPainter::hitTest(const std::vector<Placed>& placed, const QPointF& pos)
{
    // Topmost first: callout anchors, boxes, then range edges and bodies.
    for (auto it = placed.rbegin(); it != placed.rend(); ++it)
        if (it->kind == AnnotationKind::Callout && QLineF(it->anchor, pos).length() <= 7) return {it->id, Part::Anchor};
    for (auto it = placed.rbegin(); it != placed.rend(); ++it)
        if (it->kind != AnnotationKind::TimeRange && it->box.adjusted(-2, -2, 2, 2).contains(pos))
            return {it->id, Part::Box};
    for (auto it = placed.rbegin(); it != placed.rend(); ++it) {
        if (it->kind != AnnotationKind::TimeRange) continue;
        if (it->box.contains(pos)) return {it->id, Part::RangeBody};
        if (pos.x() < it->band.left() - 2 || pos.x() > it->grabRight + 2) continue;
        if (std::abs(pos.y() - it->band.top()) <= 4) return {it->id, Part::RangeStart};
        if (std::abs(pos.y() - it->band.bottom()) <= 4) return {it->id, Part::RangeEnd};
        if (pos.x() <= it->band.left() + 14 && it->band.contains(pos)) return {it->id, Part::RangeBody};
    }
    return {};
}

} // namespace flowladder::ui
