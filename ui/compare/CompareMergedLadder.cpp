#include "ui/compare/CompareMergedLadder.h"

#include "ui/annotate/AnnotationPainter.h"
#include "ui/models/Format.h"

#include <QFileInfo>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace flowladder::ui {
using namespace flowladder::core;
using Kind = CompareMergedLayout::Kind;

namespace {
constexpr double TimeColumn = 84.0;

QString withoutFrame(const QString& label)
{
    const int space = label.indexOf(QLatin1Char(' '));
    return space < 0 ? QString() : label.mid(space + 1);
}

void arrowHead(QPainter* p, QPointF from, QPointF to, const QColor& c)
{
    const double ang = std::atan2(to.y() - from.y(), to.x() - from.x());
    const double len = 9, spread = 0.42;
    QPolygonF head;
    head << to << QPointF(to.x() - len * std::cos(ang - spread), to.y() - len * std::sin(ang - spread))
         << QPointF(to.x() - len * std::cos(ang + spread), to.y() - len * std::sin(ang + spread));
    p->setPen(Qt::NoPen);
    p->setBrush(c);
    p->drawPolygon(head);
    p->setBrush(Qt::NoBrush);
}
} // namespace

std::shared_ptr<const CompareMergedContent> CompareMergedContent::build(ComparisonPtr comparison, int pairIndex)
{
    auto c = std::make_shared<CompareMergedContent>();
    c->comparison = std::move(comparison);
    c->pairIndex = pairIndex;
    const FlowPair* p = c->pair();
    if (!p || !c->comparison->a || !c->comparison->b) {
        c->pairIndex = -1;
        return c;
    }
    c->layout = CompareMergedLayout::build(*c->comparison, *p);
    LadderLayout::Params params;
    params.scale = LadderLayout::Scale::PerPacket; // labels only: the cheapest layout
    c->a = std::make_shared<LadderContent>(LadderContent::build(c->comparison->a, p->a, params));
    c->b = std::make_shared<LadderContent>(LadderContent::build(c->comparison->b, p->b, params));
    if (p->nearAKnown) {
        c->whereA = QStringLiteral("%1 side").arg(QString::fromLatin1(sideName(p->nearA).data()));
        c->whereB = QStringLiteral("%1 side").arg(QString::fromLatin1(sideName(otherSide(p->nearA)).data()));
    } else {
        c->whereA = QStringLiteral("capture A");
        c->whereB = QStringLiteral("capture B");
    }
    c->nameA = p->nearAKnown ? QStringLiteral("A · %1").arg(c->whereA) : QStringLiteral("A");
    c->nameB = p->nearAKnown ? QStringLiteral("B · %1").arg(c->whereB) : QStringLiteral("B");
    c->fileA = QFileInfo(QString::fromStdString(c->comparison->fileA)).fileName();
    c->fileB = QFileInfo(QString::fromStdString(c->comparison->fileB)).fileName();
    return c;
}

const FlowPair* CompareMergedContent::pair() const
{
    if (!comparison || pairIndex < 0 || static_cast<size_t>(pairIndex) >= comparison->pairs.size()) return nullptr;
    return &comparison->pairs[static_cast<size_t>(pairIndex)];
}

QString CompareMergedContent::label(uint32_t item) const
{
    const FlowPair* p = pair();
    if (!p || item >= layout.items.size()) return {};
    const PacketMatch& m = p->packets[layout.items[item].match];
    const QString what = m.inA() ? withoutFrame(a->label(a->rowOfPacketIndex(m.a), true))
                                 : withoutFrame(b->label(b->rowOfPacketIndex(m.b), true));
    QString frames;
    if (m.inBoth())
        frames = QStringLiteral("A#%1 · B#%2").arg(m.aFrame).arg(m.bFrame);
    else if (m.inA())
        frames = QStringLiteral("A#%1").arg(m.aFrame);
    else
        frames = QStringLiteral("B#%1").arg(m.bFrame);
    QString text = frames + QStringLiteral("  ") + what;
    if (m.inBoth()) text += QStringLiteral("   %1").arg(durationText(static_cast<double>(m.delayNs) / 1e9));
    return text;
}

QString CompareMergedContent::verdict(uint32_t item) const
{
    if (item >= layout.items.size()) return {};
    const auto& it = layout.items[item];
    const QString seen = it.seenAtA ? whereA : whereB;
    const QString other = it.seenAtA ? whereB : whereA;
    const QString otherCap = it.seenAtA ? QStringLiteral("B") : QStringLiteral("A");
    switch (it.kind) {
    case Kind::Both:
        return {};
    case Kind::Lost:
        return it.afterOtherEnd
                   ? QStringLiteral("not seen at %1: lost, or %2 had stopped capturing").arg(other, otherCap)
                   : QStringLiteral("never arrived at %1: lost in between").arg(other);
    case Kind::Injected:
        return it.afterOtherEnd
                   ? QStringLiteral("only at %1: created in between, or %2 had stopped capturing").arg(seen, otherCap)
                   : QStringLiteral("only at %1: created in between").arg(seen);
    case Kind::Unseen:
        return QStringLiteral("%1 was not capturing yet").arg(otherCap);
    }
    return {};
}

CompareMergedLadder::CompareMergedLadder(QCPAxis* keyAxis, QCPAxis* valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis)
{
    setSelectable(QCP::stNone);
    setAntialiased(true);
}

void CompareMergedLadder::setContent(std::shared_ptr<const CompareMergedContent> content)
{
    content_ = std::move(content);
    selected_ = -1;
}

CompareMergedLadder::Geometry CompareMergedLadder::geometryFor(const QRectF& rect, double yTop, double yBottom,
                                                               bool withNotes)
{
    Geometry g;
    g.rect = rect;
    g.headerHeight = HeaderHeight;
    g.px.aX = rect.left() + TimeColumn + 16;
    g.px.bX = g.px.aX + std::clamp(rect.width() * 0.34, 200.0, 460.0);
    g.notesX = g.px.bX + 18;
    // The notes take the right 40% of the labels' column (labels keep at least 260 px).
    if (withNotes && rect.right() - g.notesX >= 370) // else too narrow for labels and notes: no notes
        g.userNotesX =
            std::min(rect.right() - 110.0,
                     std::max(g.notesX + 260.0, rect.right() - std::max(170.0, (rect.right() - g.notesX) * 0.4)));
    g.px.map = LadderLayout::PixelMap{yTop, yBottom, rect.top(), rect.bottom()};
    return g;
}

CompareMergedLadder::Geometry CompareMergedLadder::currentGeometry() const
{
    const QRect r = mKeyAxis ? mKeyAxis->axisRect()->rect() : QRect();
    QCPAxis* v = mValueAxis.data();
    return geometryFor(QRectF(r), v ? v->pixelToCoord(r.top()) : 0, v ? v->pixelToCoord(r.bottom()) : 1,
                       !notes_.empty());
}

void CompareMergedLadder::setNotes(std::vector<Note> notes)
{
    std::stable_sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) { return a.item < b.item; });
    notes_ = std::move(notes);
    noteBoxes_.clear();
}

uint64_t CompareMergedLadder::noteAt(const QPointF& pos) const
{
    for (const auto& [id, box] : noteBoxes_)
        if (box.adjusted(-2, -2, 2, 2).contains(pos)) return id;
    return 0;
}

int64_t CompareMergedLadder::itemAt(const QPointF& pos) const
{
    if (!content_ || !content_->valid()) return -1;
    const Geometry g = currentGeometry();
    if (pos.y() < g.rect.top() + g.headerHeight) return -1;
    int64_t hit = content_->layout.itemAt(g.px, pos.x(), pos.y(), 7.0);
    if (hit >= 0 || pos.x() < g.notesX) return hit;
    // In the labels column: the item whose label row is nearest.
    const double y = g.px.map.yOfPixel(pos.y());
    const double tol = 8.0 / std::max(1e-9, std::abs(g.px.map.pixelsPerUnit()));
    double best = tol;
    for (uint32_t i : content_->layout.itemsInRange(y - tol, y + tol)) {
        const double d = std::abs(content_->layout.items[i].y0 - y);
        if (d <= best) best = d, hit = i;
    }
    return hit;
}

double CompareMergedLadder::selectTest(const QPointF& pos, bool onlySelectable, QVariant*) const
{
    if (onlySelectable && !selectable()) return -1;
    return itemAt(pos) >= 0 ? 1.0 : -1.0;
}

QCPRange CompareMergedLadder::getKeyRange(bool& foundRange, QCP::SignDomain) const
{
    foundRange = true;
    return QCPRange(0, 1);
}

QCPRange CompareMergedLadder::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const
{
    foundRange = content_ && content_->valid();
    return foundRange ? QCPRange(0, std::max(1.0, content_->layout.height())) : QCPRange(0, 1);
}

void CompareMergedLadder::draw(QCPPainter* painter)
{
    if (!content_ || !content_->valid()) return;
    applyDefaultAntialiasingHint(painter);
    paint(painter, currentGeometry());
}

void CompareMergedLadder::paint(QPainter* p, const Geometry& g) const
{
    lastDrawn_ = 0;
    if (!content_ || !content_->valid()) return;
    p->save();
    p->setClipRect(g.rect);
    p->setRenderHint(QPainter::Antialiasing, true);
    QFont font = p->font();
    font.setPointSizeF(8.5);
    p->setFont(font);
    const auto& L = content_->layout;
    const auto& map = g.px.map;
    const double top = std::max(g.rect.top(), map.pixelOf(0) - 10);
    const double bottom = std::min(g.rect.bottom(), map.pixelOf(L.height()) + 24);
    const double midX = g.px.xOf(0.5);
    p->setPen(QPen(style_.lifeline, 2));
    p->drawLine(QPointF(g.px.aX, top), QPointF(g.px.aX, bottom));
    p->drawLine(QPointF(g.px.bX, top), QPointF(g.px.bX, bottom));
    p->setPen(QPen(style_.capturePoint, 1, Qt::DotLine));
    p->drawLine(QPointF(midX, top), QPointF(midX, bottom));
    paintGaps(p, g);

    const double ppu = std::abs(map.pixelsPerUnit());
    const bool text = ppu >= LabelPixels;
    const std::vector<uint32_t> items = L.itemsInRange(map.yTop, map.yBottom);
    double lastLabel = -1e9;
    for (uint32_t i : items) {
        const bool oneSided = L.items[i].kind != Kind::Both;
        const double y = map.pixelOf(L.items[i].y0);
        // Dense view: one-sided packets keep their labels while there is room between them.
        const bool label = text || (oneSided && y - lastLabel >= LabelPixels);
        if (label && !text) lastLabel = y;
        if (static_cast<int64_t>(i) != selected_) paintItem(p, g, i, label);
    }
    if (selected_ >= 0 && static_cast<size_t>(selected_) < L.items.size())
        paintItem(p, g, static_cast<uint32_t>(selected_), true);
    lastDrawn_ = static_cast<int>(items.size());
    paintNotes(p, g);
    paintHeader(p, g);
    p->restore();
}

void CompareMergedLadder::paintNotes(QPainter* p, const Geometry& g) const
{
    noteBoxes_.clear();
    if (notes_.empty() || g.userNotesX <= 0) return;
    const auto& L = content_->layout;
    const QFont before = p->font();
    const QFont f = AnnotationPainter::font(before);
    p->setFont(f);
    const QFontMetricsF fm(f, p->device());
    const double w = g.rect.right() - g.userNotesX - 6;
    double lastBottom = g.rect.top() + g.headerHeight;
    for (const Note& n : notes_) {
        if (n.item >= L.items.size()) continue;
        const auto& it = L.items[n.item];
        const double ly = g.px.map.pixelOf(it.kind == Kind::Injected ? it.y1 : it.y0);
        if (ly < g.rect.top() - 200 || ly > g.rect.bottom() + 20) continue;
        QRectF tr = fm.boundingRect(QRectF(0, 0, w - 12, 1e6), Qt::TextWordWrap, n.text);
        tr.setHeight(std::min(tr.height(), fm.lineSpacing() * 6));
        const double top = std::max(ly - fm.height() / 2 - 3, lastBottom + 3);
        const QRectF box(g.userNotesX, top, tr.width() + 12, tr.height() + 6);
        const bool sel = static_cast<int64_t>(n.item) == selected_;
        p->setPen(QPen(AnnotationPainter::noteBorder(style_), 1.2));
        p->drawLine(QPointF(g.userNotesX - 8, ly), QPointF(box.left(), std::clamp(ly, box.top() + 4, box.bottom())));
        p->setPen(QPen(sel ? style_.text : AnnotationPainter::noteBorder(style_), sel ? 2.0 : 1.0));
        p->setBrush(AnnotationPainter::noteFill(style_));
        p->drawRoundedRect(box, 3, 3);
        p->setBrush(Qt::NoBrush);
        p->setPen(AnnotationPainter::noteText(style_));
        p->drawText(box.adjusted(6, 3, -5, -3), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, n.text);
        noteBoxes_.emplace_back(n.id, box);
        lastBottom = box.bottom();
    }
    p->setFont(before);
}

void CompareMergedLadder::paintItem(QPainter* p, const Geometry& g, uint32_t i, bool text) const
{
    const auto& it = content_->layout.items[i];
    const FlowPair& pair = *content_->pair();
    const PacketMatch& m = pair.packets[it.match];
    const PacketRecord& rec = m.inA() ? content_->comparison->a->packets[m.a] : content_->comparison->b->packets[m.b];
    const QColor col = style_.colorOf(arrowKindOf(rec));
    const QPointF from(g.px.xOf(it.x0), g.px.map.pixelOf(it.y0));
    const QPointF to(g.px.xOf(it.x1), g.px.map.pixelOf(it.y1));
    const bool selected = static_cast<int64_t>(i) == selected_;
    const bool oneSided = it.kind == Kind::Lost || it.kind == Kind::Injected;
    // After the other capture's end the verdict is uncertain (it may just have stopped): muted.
    QColor alarm = style_.findingMark;
    if (it.afterOtherEnd) alarm.setAlphaF(0.55);

    const double by0 = std::min(from.y(), to.y()) - 7, by1 = std::max(from.y(), to.y()) + 7;
    if (oneSided && text && !it.afterOtherEnd) { // a band across the row: a packet one side never saw
        QColor band = alarm;
        band.setAlpha(style_.dark ? 40 : it.kind == Kind::Injected ? 40 : 22);
        p->fillRect(QRectF(g.rect.left(), by0, g.rect.width(), by1 - by0), band);
    }
    if (selected) {
        p->fillRect(QRectF(g.rect.left(), by0, g.rect.width(), by1 - by0), style_.selection);
        QColor edge = style_.selection;
        edge.setAlpha(220);
        p->setPen(QPen(edge, 1));
        p->drawRect(QRectF(g.rect.left() + 1, by0, g.rect.width() - 2, by1 - by0));
    }
    const double width = selected ? 3.0 : (oneSided ? 2.4 : 1.6);
    p->setPen(QPen(col, width, it.kind == Kind::Unseen ? Qt::DotLine : Qt::SolidLine, Qt::RoundCap));
    p->drawLine(from, to);
    if (it.kind == Kind::Both || it.kind == Kind::Injected) arrowHead(p, from, to, col);
    if (it.kind == Kind::Lost) { // a cross where it vanished
        p->setPen(QPen(alarm, 2.6, Qt::SolidLine, Qt::RoundCap));
        p->drawLine(to + QPointF(-6, -6), to + QPointF(6, 6));
        p->drawLine(to + QPointF(-6, 6), to + QPointF(6, -6));
    } else if (it.kind == Kind::Injected) { // a star where it appeared
        p->setPen(Qt::NoPen);
        p->setBrush(alarm);
        QPolygonF star;
        for (int k = 0; k < 10; ++k) {
            const double r = k % 2 ? 3.2 : 8.0, a = k * M_PI / 5 - M_PI / 2;
            star << from + QPointF(r * std::cos(a), r * std::sin(a));
        }
        p->drawPolygon(star);
        p->setBrush(Qt::NoBrush);
    }
    if (!text) return;
    const double ly = g.px.map.pixelOf(it.kind == Kind::Injected ? it.y1 : it.y0);
    // Time on A's clock since the pair's first packet, in the time column.
    const int64_t t0 = content_->layout.layout.rowNs.empty() ? 0 : content_->layout.layout.rowNs.front();
    p->setPen(style_.mutedText);
    p->drawText(QRectF(g.rect.left() + 4, ly - 8, TimeColumn, 16), Qt::AlignLeft | Qt::AlignVCenter,
                QStringLiteral("%1 s").arg(static_cast<double>((it.kind == Kind::Injected ? it.t1 : it.t0) - t0) / 1e9,
                                           0, 'f', 3));
    const double w = (g.userNotesX > 0 ? g.userNotesX - 10 : g.rect.right()) - g.notesX - 4;
    QString label = content_->label(i);
    const QString verdict = content_->verdict(i);
    QFont f = p->font();
    if (oneSided) {
        f.setBold(!it.afterOtherEnd);
        p->setFont(f);
        p->setPen(alarm);
        label +=
            QStringLiteral("  —  ") + (it.kind == Kind::Injected && !it.afterOtherEnd ? verdict.toUpper() : verdict);
        // The verdict next to the stub's loose end too, where the eye already is.
        const QString tag = it.kind == Kind::Lost ? QStringLiteral("lost") : QStringLiteral("created here");
        const QPointF at = it.kind == Kind::Lost ? to : from;
        const double tw = p->fontMetrics().horizontalAdvance(tag);
        const bool right = it.x0 < 0.5 || it.x1 < 0.5;
        const QRectF tr(right ? at.x() + 10 : at.x() - 10 - tw, at.y() - 16, tw + 2, 14);
        p->fillRect(tr, style_.background);
        p->drawText(tr, Qt::AlignCenter, tag);
    } else {
        p->setPen(it.kind == Kind::Unseen ? style_.mutedText : style_.text);
        if (it.kind == Kind::Unseen) label += QStringLiteral("  (") + verdict + QStringLiteral(")");
    }
    p->drawText(QRectF(g.notesX, ly - 8, w, 16), Qt::AlignLeft | Qt::AlignVCenter,
                p->fontMetrics().elidedText(label, Qt::ElideRight, static_cast<int>(w)));
    f.setBold(false);
    p->setFont(f);
}

void CompareMergedLadder::paintGaps(QPainter* p, const Geometry& g) const
{
    const auto& layout = content_->layout.layout;
    for (const auto& gap : layout.gaps) {
        const double y = g.px.map.pixelOf(gap.y);
        if (y < g.rect.top() - 10 || y > g.rect.bottom() + 10) continue;
        p->setPen(QPen(style_.gapLine, 1, Qt::DashLine));
        p->drawLine(QPointF(g.px.aX - 30, y), QPointF(g.px.bX + 10, y));
        for (double x : {g.px.aX, g.px.bX}) {
            p->fillRect(QRectF(x - 9, y - 3, 18, 6), style_.background);
            p->setPen(QPen(style_.lifeline, 1.2));
            p->drawLine(QPointF(x - 9, y - 1), QPointF(x + 9, y - 5));
            p->drawLine(QPointF(x - 9, y + 5), QPointF(x + 9, y + 1));
        }
        if (std::abs(g.px.map.pixelsPerUnit()) < 6) continue;
        const QString text =
            QStringLiteral("≈ %1 idle, folded").arg(durationText(static_cast<double>(gap.foldedNs) / 1e9));
        const double tw = p->fontMetrics().horizontalAdvance(text) + 10;
        const QRectF tr((g.px.aX + g.px.bX - tw) / 2, y - 8, tw, 16);
        p->fillRect(tr, style_.background);
        p->setPen(style_.mutedText);
        p->drawText(tr, Qt::AlignCenter, text);
    }
}

void CompareMergedLadder::paintHeader(QPainter* p, const Geometry& g) const
{
    const QRectF h(g.rect.left(), g.rect.top(), g.rect.width(), g.headerHeight);
    p->fillRect(h, style_.background);
    p->setPen(QPen(style_.lifeline, 1));
    p->drawLine(h.bottomLeft(), h.bottomRight());
    QFont f = p->font();
    f.setBold(true);
    p->setFont(f);
    p->setPen(style_.text);
    const double half = 90;
    p->drawText(QRectF(g.px.aX - half, h.top() + 4, 2 * half, 16), Qt::AlignCenter, content_->nameA);
    p->drawText(QRectF(g.px.bX - half, h.top() + 4, 2 * half, 16), Qt::AlignCenter, content_->nameB);
    f.setBold(false);
    p->setFont(f);
    p->setPen(style_.mutedText);
    const QFontMetrics fm(f);
    p->drawText(QRectF(g.px.aX - half, h.top() + 20, 2 * half, 14), Qt::AlignCenter,
                fm.elidedText(content_->fileA, Qt::ElideMiddle, 2 * half));
    p->drawText(QRectF(g.px.bX - half, h.top() + 20, 2 * half, 14), Qt::AlignCenter,
                fm.elidedText(content_->fileB, Qt::ElideMiddle, 2 * half));
    p->drawText(QRectF(g.px.xOf(0.5) - 60, h.top() + 32, 120, 14), Qt::AlignCenter, QStringLiteral("in between"));
    const auto& c = *content_->comparison;
    const double legendX = g.px.bX + half + 10;
    p->drawText(QRectF(legendX, h.top() + 4, g.rect.right() - legendX - 4, 16), Qt::AlignLeft | Qt::AlignVCenter,
                QStringLiteral("time on A's clock; B shifted by %1 s").arg(c.clockOffsetSeconds(), 0, 'f', 6));
    p->drawText(QRectF(legendX, h.top() + 20, g.rect.right() - legendX - 4, 16), Qt::AlignLeft | Qt::AlignVCenter,
                QStringLiteral("→ arrow: seen at both   ✗ lost in between   ★ created in between"));
}

} // namespace flowladder::ui
