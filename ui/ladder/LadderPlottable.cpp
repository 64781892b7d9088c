#include "ui/ladder/LadderPlottable.h"

#include "ui/models/Format.h"

#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
constexpr double BandWidth = 14.0;
constexpr double TimeColumn = 86.0; // for times with 3 decimals ("12.345 s")
constexpr double TimeDigitWidth = 7.0;

// The time column's width for this content's decimals.
double timeColumnFor(const LadderContent* content)
{
    return TimeColumn + TimeDigitWidth * ((content ? content->timeDecimals : 3) - 3);
}

// What a band's colour says, one meaning per colour (the legend in the header names them).
enum class BandKind { Open, Closing, Stuck, Closed, Unknown };

BandKind bandKind(const LadderContent::Band& b)
{
    if (b.lingering) return BandKind::Stuck;
    switch (b.state) {
    case TcpState::SynSent:
    case TcpState::SynReceived:
    case TcpState::Established:
        return BandKind::Open;
    case TcpState::FinWait1:
    case TcpState::FinWait2:
    case TcpState::CloseWait:
    case TcpState::Closing:
    case TcpState::LastAck:
    case TcpState::TimeWait:
        return BandKind::Closing;
    case TcpState::Closed:
    case TcpState::Listen:
        return BandKind::Closed;
    case TcpState::Unknown:
        break;
    }
    return BandKind::Unknown;
}

QColor kindColor(const LadderStyle& s, BandKind k)
{
    switch (k) {
    case BandKind::Open:
        return s.stateBand;
    case BandKind::Closing:
        return s.dark ? QColor(0x6b, 0x55, 0x2a) : QColor(0xfb, 0xdd, 0xb0);
    case BandKind::Stuck:
        return s.closeWaitBand;
    case BandKind::Closed:
        return s.dark ? QColor(0x4a, 0x4f, 0x57) : QColor(0xd6, 0xd9, 0xde);
    case BandKind::Unknown:
        break;
    }
    return s.dark ? QColor(0x3a, 0x3e, 0x45) : QColor(0xee, 0xef, 0xf2);
}

QColor bandColor(const LadderStyle& s, const LadderContent::Band& b)
{
    return kindColor(s, bandKind(b));
}

} // namespace

LadderPlottable::LadderPlottable(QCPAxis* keyAxis, QCPAxis* valueAxis) : QCPAbstractPlottable(keyAxis, valueAxis)
{
    setSelectable(QCP::stNone);
    setAntialiased(true);
}

void LadderPlottable::setContent(std::shared_ptr<const LadderContent> content)
{
    content_ = std::move(content);
    selectedRow_ = -1;
}

LadderPlottable::Geometry LadderPlottable::geometryFor(const QRectF& rect, double yTop, double yBottom,
                                                       const LadderContent* content)
{
    Geometry g;
    g.rect = rect;
    g.headerHeight = HeaderHeight;
    const double notesW = std::clamp(rect.width() * 0.30, 150.0, 420.0);
    g.notesX = rect.right() - notesW;
    g.clientX = rect.left() + timeColumnFor(content);
    g.serverX = std::max(g.clientX + 80.0, g.notesX - BandWidth - 10.0);
    const double cp = content ? content->capturePointX : 0.5;
    g.captureX = g.clientX + (g.serverX - g.clientX) * cp;
    g.map = LadderLayout::PixelMap{yTop, yBottom, rect.top(), rect.bottom()};
    return g;
}

LadderPlottable::Geometry LadderPlottable::currentGeometry() const
{
    const QRect r = mKeyAxis ? mKeyAxis->axisRect()->rect() : QRect();
    QCPAxis* v = mValueAxis.data();
    const double yTop = v ? v->pixelToCoord(r.top()) : 0;
    const double yBottom = v ? v->pixelToCoord(r.bottom()) : 1;
    return geometryFor(QRectF(r), yTop, yBottom, content_.get());
}

int64_t LadderPlottable::rowAt(const QPointF& pos) const
{
    if (!content_ || !content_->valid()) return -1;
    const Geometry g = currentGeometry();
    if (pos.y() < g.rect.top() + g.headerHeight) return -1;
    const int64_t row = content_->layout.rowNearest(g.map.yOfPixel(pos.y()));
    if (row < 0) return -1;
    const double py = g.map.pixelOf(content_->layout.yOfRow(static_cast<uint32_t>(row)));
    return std::abs(py - pos.y()) <= std::max(6.0, g.map.pixelsPerUnit() / 2) ? row : -1;
}

double LadderPlottable::selectTest(const QPointF& pos, bool onlySelectable, QVariant* details) const
{
    Q_UNUSED(details)
    if (onlySelectable && !selectable()) return -1;
    const int64_t row = rowAt(pos);
    if (row < 0) return -1;
    const Geometry g = currentGeometry();
    return std::abs(g.map.pixelOf(content_->layout.yOfRow(static_cast<uint32_t>(row))) - pos.y());
}

QCPRange LadderPlottable::getKeyRange(bool& foundRange, QCP::SignDomain) const
{
    foundRange = true;
    return QCPRange(0, 1);
}

QCPRange LadderPlottable::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const
{
    foundRange = content_ && content_->rows() > 0;
    return foundRange ? QCPRange(0, std::max(1.0, content_->layout.height())) : QCPRange(0, 1);
}

void LadderPlottable::draw(QCPPainter* painter)
{
    if (!content_ || !content_->valid()) return;
    applyDefaultAntialiasingHint(painter);
    paint(painter, currentGeometry());
}

void LadderPlottable::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const
{
    painter->setPen(QPen(style_.colorOf(ArrowKind::Data), 2));
    painter->drawLine(QLineF(rect.left(), rect.center().y(), rect.right(), rect.center().y()));
}

void LadderPlottable::paint(QPainter* p, const Geometry& g) const
{
    lastDrawnRows_ = 0;
    calloutBoxes_.clear();
    if (!content_ || !content_->valid()) return;
    p->save();
    p->setClipRect(g.rect);
    p->setRenderHint(QPainter::Antialiasing, true);
    QFont font = p->font();
    font.setPointSizeF(8.5);
    p->setFont(font);

    const auto& layout = content_->layout;
    const double top = std::max(g.rect.top(), g.map.pixelOf(0));
    const double bottom = std::min(g.rect.bottom(), g.map.pixelOf(layout.height()) + 24);
    // Lifelines and capture point.
    p->setPen(QPen(style_.lifeline, 2));
    p->drawLine(QPointF(g.clientX, top), QPointF(g.clientX, bottom));
    p->drawLine(QPointF(g.serverX, top), QPointF(g.serverX, bottom));
    p->setPen(QPen(style_.capturePoint, 1, Qt::DashLine));
    p->drawLine(QPointF(g.captureX, top), QPointF(g.captureX, bottom));

    paintBands(p, g, false);
    paintGaps(p, g);
    paintBands(p, g, true);
    paintConnectors(p, g);
    paintRows(p, g);
    paintHeader(p, g);
    p->restore();
}

void LadderPlottable::paintBands(QPainter* p, const Geometry& g, bool labels) const
{
    const auto& layout = content_->layout;
    const double ppu = std::abs(g.map.pixelsPerUnit());
    for (Side s : {Side::Client, Side::Server}) {
        const double x = s == Side::Client ? g.clientX : g.serverX;
        for (const auto& b : content_->bands[sideIndex(s)]) {
            double y0 = g.map.pixelOf(layout.yOfRow(b.fromRow));
            double y1 = g.map.pixelOf(layout.yOfRow(b.toRow));
            if (b.toRow + 1 == content_->rows()) y1 += std::min(ppu * 0.5, 12.0);
            if (y1 < g.rect.top() || y0 > g.rect.bottom()) continue;
            y0 = std::max(y0, g.rect.top() - 4);
            y1 = std::min(y1, g.rect.bottom() + 4);
            const QRectF r(x - BandWidth / 2, y0, BandWidth, std::max(2.0, y1 - y0));
            if (!labels) {
                QPen outline = b.lingering ? QPen(style_.closeWaitText, 1.5) : QPen(style_.lifeline, 0.8);
                if (b.assumed) outline.setStyle(Qt::DashLine);
                p->setPen(outline);
                p->setBrush(bandColor(style_, b));
                p->drawRoundedRect(r, 3, 3);
                if (b.assumed) {
                    // Hatched: the state holds only if packets seen heading to this side arrived.
                    p->setPen(Qt::NoPen);
                    p->setBrush(QBrush(b.lingering ? style_.closeWaitText : style_.lifeline, Qt::BDiagPattern));
                    p->drawRoundedRect(r, 3, 3);
                }
                continue;
            }
            // Vertical label inside the band when it is tall enough.
            QString text = stateText(b.state);
            if (b.assumed) text += QStringLiteral("?");
            if (b.lingering || b.state == TcpState::TimeWait)
                text += QStringLiteral("  ") + durationText(b.durationNs / 1e9);
            QFont f = p->font();
            f.setBold(b.lingering);
            f.setPointSizeF(7.5);
            p->setFont(f);
            const double tw = p->fontMetrics().horizontalAdvance(text);
            const double visTop = std::max(r.top(), g.rect.top() + g.headerHeight);
            const double visH = r.bottom() - visTop;
            if (visH > tw + 8) {
                p->save();
                p->translate(x + 3.5, visTop + (visH + tw) / 2);
                p->rotate(-90);
                p->setPen(b.lingering ? style_.closeWaitText : style_.text);
                p->drawText(QPointF(0, 0), text);
                p->restore();
            }
            f.setBold(false);
            f.setPointSizeF(8.5);
            p->setFont(f);
        }
    }
    p->setBrush(Qt::NoBrush);
}

void LadderPlottable::paintGaps(QPainter* p, const Geometry& g) const
{
    const auto& gaps = content_->layout.gaps;
    const double yLo = g.map.yOfPixel(g.rect.top()), yHi = g.map.yOfPixel(g.rect.bottom());
    auto it = std::lower_bound(gaps.begin(), gaps.end(), std::min(yLo, yHi) - 2,
                               [](const LadderLayout::Gap& gap, double y) { return gap.y < y; });
    const double ppu = std::abs(g.map.pixelsPerUnit());
    const bool rowText = ppu >= LabelPixels; // then the row after a break has its label above it
    const double labelH = p->fontMetrics().height() + 1;
    double lastLabelBottom = -1e9;
    for (; it != gaps.end() && it->y <= std::max(yLo, yHi) + 2; ++it) {
        const double y = g.map.pixelOf(it->y);
        // The break's words only where they cover nothing: clear of the arrows on either side (and
        // of the next row's label above its arrow) and of the break before.
        const double above = y - g.map.pixelOf(content_->layout.yOfRow(it->afterRow));
        const double below =
            it->afterRow + 1 < content_->rows() ? g.map.pixelOf(content_->layout.yOfRow(it->afterRow + 1)) - y : 1e9;
        const bool room = above >= 10 && below >= 10 + (rowText ? labelH : 0) && y - 8 >= lastLabelBottom;
        if (ppu < 6 || std::min(above, below) < 5) { // too dense: a short break mark on each lifeline
            p->setPen(QPen(style_.gapLine, 1));
            for (double x : {g.clientX, g.serverX})
                p->drawLine(QPointF(x - 6, y + 2), QPointF(x + 6, y - 2));
            continue;
        }
        p->setPen(QPen(style_.gapLine, 1, Qt::DashLine));
        p->drawLine(QPointF(g.clientX - 30, y), QPointF(g.serverX + 10, y));
        // break marks cutting both lifelines
        for (double x : {g.clientX, g.serverX}) {
            p->fillRect(QRectF(x - 9, y - 3, 18, 6), style_.background);
            p->setPen(QPen(style_.lifeline, 1.2));
            p->drawLine(QPointF(x - 9, y - 1), QPointF(x + 9, y - 5));
            p->drawLine(QPointF(x - 9, y + 5), QPointF(x + 9, y + 1));
        }
        if (!room) continue; // the break without its words (the tooltip has them)
        const QString text = QStringLiteral("≈ %1 idle, folded").arg(durationText(it->foldedNs / 1e9));
        const double tw = p->fontMetrics().horizontalAdvance(text) + 10;
        const QRectF tr((g.clientX + g.serverX - tw) / 2, y - 8, tw, 16);
        p->fillRect(tr, style_.background);
        p->setPen(style_.mutedText);
        p->drawText(tr, Qt::AlignCenter, text);
        lastLabelBottom = tr.bottom();
    }
}

void LadderPlottable::paintConnectors(QPainter* p, const Geometry& g) const
{
    const auto& layout = content_->layout;
    int i = 0;
    for (const auto& c : content_->connectors) {
        const double y0 = g.map.pixelOf(layout.yOfRow(c.fromRow));
        const double y1 = g.map.pixelOf(layout.yOfRow(c.toRow));
        ++i;
        if (std::max(y0, y1) < g.rect.top() || std::min(y0, y1) > g.rect.bottom()) continue;
        const bool fin = c.kind == LadderContent::ConnectorKind::FinRetransmit;
        const bool resend = c.kind == LadderContent::ConnectorKind::Retransmission;
        const QColor col = style_.colorOf(fin      ? ArrowKind::Fin
                                          : resend ? ArrowKind::Retransmission
                                                   : ArrowKind::ChallengeAck);
        const Side s = content_->packet(c.fromRow).side();
        // FIN and retransmission chains hug the sender's lifeline; challenge ACK links run
        // from the RST's arrival.
        const double x0 = (fin || resend)
                              ? (s == Side::Client ? g.clientX + (resend ? 18 : 30) : g.serverX - (resend ? 18 : 30))
                              : (s == Side::Client ? g.serverX - 40 : g.clientX + 40);
        const double bulge =
            (x0 < (g.clientX + g.serverX) / 2 ? 1 : -1) * (std::min(60.0, 20.0 + std::abs(y1 - y0)) + 8.0 * (i % 3));
        QPainterPath path(QPointF(x0, y0));
        path.cubicTo(QPointF(x0 + bulge, y0 + (y1 - y0) * 0.3), QPointF(x0 + bulge, y0 + (y1 - y0) * 0.7),
                     QPointF(x0, y1));
        p->setPen(QPen(col, resend ? 1.2 : 2.0, (fin || resend) ? Qt::DotLine : Qt::DashLine));
        p->drawPath(path);
        p->setBrush(col);
        p->drawEllipse(QPointF(x0, y1), 2.5, 2.5);
        p->setBrush(Qt::NoBrush);
    }
}

void LadderPlottable::paintRows(QPainter* p, const Geometry& g) const
{
    const auto& layout = content_->layout;
    const double ppu = std::abs(g.map.pixelsPerUnit());
    const bool text = ppu >= LabelPixels;
    const std::vector<uint32_t> rows = layout.rowsToDraw(g.map, 1.5);
    for (uint32_t r : rows)
        paintRow(p, g, r, text);
    lastDrawnRows_ = static_cast<int>(rows.size());
    // Finding rows are always drawn, labelled when there is room between them.
    const auto& fr = content_->findingRows;
    auto [first, last] = layout.rowsInRange(std::min(g.map.yTop, g.map.yBottom), std::max(g.map.yTop, g.map.yBottom));
    double lastLabel = -1e9;
    // The selected row's label is drawn whatever the zoom: finding labels give way to it.
    const bool hasSelection = selectedRow_ >= 0 && selectedRow_ < content_->rows();
    const double selectedY = hasSelection ? g.map.pixelOf(layout.yOfRow(static_cast<uint32_t>(selectedRow_))) : -1e9;
    for (auto it = std::lower_bound(fr.begin(), fr.end(), first); it != fr.end() && *it < last; ++it) {
        const double y = g.map.pixelOf(layout.yOfRow(*it));
        const bool label = !text && y - lastLabel >= LabelPixels &&
                           (static_cast<int64_t>(*it) == selectedRow_ || std::abs(y - selectedY) >= LabelPixels);
        if (label) lastLabel = y;
        if (!text) paintRow(p, g, *it, label);
        ++lastDrawnRows_;
    }
    if (hasSelection) paintRow(p, g, static_cast<uint32_t>(selectedRow_), true);
    paintCallouts(p, g);
}

void LadderPlottable::paintCallouts(QPainter* p, const Geometry& g) const
{
    // Notes of finding rows: word-wrapped boxes in the notes column, stacked so they
    // never overlap, each tied to its row by a short leader.
    std::sort(callouts_.begin(), callouts_.end(), [](const Callout& a, const Callout& b) { return a.y < b.y; });
    callouts_.erase(std::unique(callouts_.begin(), callouts_.end(),
                                [](const Callout& a, const Callout& b) { return a.row == b.row; }),
                    callouts_.end());
    QFont f = p->font();
    f.setBold(true);
    p->setFont(f);
    const QFontMetricsF fm(f);
    const double w = g.rect.right() - g.notesX - 12;
    double lastBottom = g.rect.top() + g.headerHeight;
    std::vector<QRectF>& boxes = calloutBoxes_;
    boxes.clear();
    for (const Callout& c : callouts_) {
        if (!c.finding) continue;
        const QString note = content_->note(c.row);
        const QRectF textRect = fm.boundingRect(QRectF(0, 0, w - 10, 1e6), Qt::TextWordWrap, note);
        const double h = textRect.height() + 6;
        const double top = std::max(c.y - fm.height() / 2 - 3, lastBottom + 3);
        const QRectF box(g.notesX + 4, top, w, h);
        QColor fill = style_.background;
        p->setPen(Qt::NoPen);
        p->setBrush(fill);
        p->drawRect(box);
        p->setBrush(style_.noteText);
        p->drawRect(QRectF(box.left(), box.top(), 3, box.height()));
        p->setBrush(Qt::NoBrush);
        p->setPen(QPen(style_.noteText, 1));
        if (top > c.y - fm.height() / 2 - 2) // pushed down: lead back to the row
            p->drawLine(QPointF(g.serverX + BandWidth / 2 + 2, c.y),
                        QPointF(box.left(), box.top() + fm.height() / 2 + 3));
        p->drawText(box.adjusted(8, 3, -2, -3), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, note);
        lastBottom = box.bottom();
        boxes.push_back(box);
    }
    // Plain notes (marks only): one muted line each, unless a callout covers that spot.
    f.setBold(false);
    p->setFont(f);
    p->setPen(style_.mutedText);
    for (const Callout& c : callouts_) {
        if (c.finding) continue;
        const QRectF r(g.notesX + 4, c.y - 8, w, 16);
        if (std::any_of(boxes.begin(), boxes.end(), [&r](const QRectF& b) { return b.intersects(r); })) continue;
        p->drawText(r, Qt::AlignLeft | Qt::AlignVCenter,
                    QFontMetricsF(f).elidedText(content_->note(c.row), Qt::ElideRight, w));
    }
    callouts_.clear();
}

void LadderPlottable::paintRow(QPainter* p, const Geometry& g, uint32_t row, bool withText) const
{
    const PacketRecord& pk = content_->packet(row);
    const double y = g.map.pixelOf(content_->layout.yOfRow(row));
    if (y < g.rect.top() + g.headerHeight - 2 || y > g.rect.bottom() + 2) return;
    const ArrowKind kind = arrowKindOf(pk);
    const QColor col = style_.colorOf(kind);
    const bool finding = std::binary_search(content_->findingRows.begin(), content_->findingRows.end(), row);
    const bool selected = static_cast<int64_t>(row) == selectedRow_;
    const double ppu = std::abs(g.map.pixelsPerUnit());

    if (selected) {
        const double h = std::clamp(ppu, 14.0, 24.0);
        p->fillRect(QRectF(g.rect.left(), y - h * 0.7, g.rect.width(), h), style_.selection);
    }
    const bool fromClient = pk.side() == Side::Client;
    const double x0 = (fromClient ? g.clientX : g.serverX) + (fromClient ? 1 : -1) * BandWidth / 2;
    const double x1 = (fromClient ? g.serverX : g.clientX) - (fromClient ? 1 : -1) * BandWidth / 2;
    const double width = kind == ArrowKind::Rst ? 2.6 : (finding ? 2.2 : 1.5);
    p->setPen(QPen(col, width, Qt::SolidLine, Qt::FlatCap));
    p->drawLine(QPointF(x0, y), QPointF(x1 - (fromClient ? 7 : -7), y));
    // arrowhead
    const double dir = fromClient ? 1 : -1;
    QPolygonF head;
    head << QPointF(x1, y) << QPointF(x1 - dir * 9, y - 4) << QPointF(x1 - dir * 9, y + 4);
    p->setPen(Qt::NoPen);
    p->setBrush(col);
    p->drawPolygon(head);
    if (ppu >= 4) p->drawEllipse(QPointF(g.captureX, y), 2.2, 2.2);
    p->setBrush(Qt::NoBrush);
    if (!withText) return;

    const QFontMetricsF fm(p->font());
    // time since flow start, left column
    p->setPen(style_.mutedText);
    const QString t =
        QString::number(content_->analysis->relativeSeconds(*content_->flow, content_->analysis->tsNs(pk)), 'f',
                        content_->timeDecimals) +
        QStringLiteral(" s");
    p->drawText(QRectF(g.rect.left() + 2, y - 8, timeColumnFor(content_.get()) - 26, 16),
                Qt::AlignRight | Qt::AlignVCenter, t);
    // label above the arrow
    const double span = std::abs(g.serverX - g.clientX) - BandWidth - 8;
    QFont f = p->font();
    f.setBold(finding || kind == ArrowKind::Rst);
    p->setFont(f);
    QString label = content_->label(row);
    const QFontMetricsF lfm(f);
    if (lfm.horizontalAdvance(label) > span) label = lfm.elidedText(content_->label(row, true), Qt::ElideRight, span);
    p->setPen(kind == ArrowKind::PureAck ? style_.text : col.darker(style_.dark ? 80 : 125));
    p->drawText(QRectF(std::min(g.clientX, g.serverX) + BandWidth / 2 + 4, y - fm.height() - 1, span, fm.height()),
                Qt::AlignCenter, label);
    f.setBold(false);
    p->setFont(f);
    // note in the notes column
    if (notesVisible_) {
        const QString note = content_->note(row);
        if (!note.isEmpty()) callouts_.push_back({row, y, finding});
    }
    if (finding) {
        p->setPen(Qt::NoPen);
        p->setBrush(style_.findingMark);
        QPolygonF d;
        const double cx = g.clientX - BandWidth / 2 - 9;
        d << QPointF(cx, y - 4.5) << QPointF(cx + 4.5, y) << QPointF(cx, y + 4.5) << QPointF(cx - 4.5, y);
        p->drawPolygon(d);
        p->setBrush(Qt::NoBrush);
    }
}

void LadderPlottable::paintHeader(QPainter* p, const Geometry& g) const
{
    const QRectF hr(g.rect.left(), g.rect.top(), g.rect.width(), g.headerHeight);
    p->fillRect(hr, style_.background);
    p->setPen(QPen(style_.lifeline, 0.6));
    p->drawLine(hr.bottomLeft(), hr.bottomRight());
    const Flow& f = *content_->flow;
    QFont bold = p->font();
    bold.setBold(true);
    const QFont normal = p->font();
    const QString guess = f.handshakeSeen() ? QString() : QStringLiteral(" (guessed)");
    const QString cEp = endpointText(f.endpoint(Side::Client)), sEp = endpointText(f.endpoint(Side::Server));
    // client: left-aligned from the time column; server: right-aligned to its lifeline.
    const double half = (g.serverX - g.clientX) / 2;
    auto title = [&](const QRectF& r, Qt::Alignment al, const QString& t, const QString& sub) {
        p->setFont(bold);
        p->setPen(style_.text);
        p->drawText(QRectF(r.left(), hr.top() + 3, r.width(), 16), al, t);
        p->setFont(normal);
        p->setPen(style_.mutedText);
        p->drawText(QRectF(r.left(), hr.top() + 19, r.width(), 16), al,
                    QFontMetricsF(normal).elidedText(sub, Qt::ElideMiddle, r.width()));
    };
    title(QRectF(g.clientX - 30, 0, half, 0), Qt::AlignLeft, QStringLiteral("client") + guess, cEp);
    const double sw = std::min(half, QFontMetricsF(normal).horizontalAdvance(sEp) + 4);
    title(QRectF(g.serverX + 8 - sw, 0, sw, 0), Qt::AlignRight, QStringLiteral("server") + guess, sEp);
    // capture point label on the top line, clear of the server's title
    p->setPen(style_.capturePoint);
    const QString cp = QStringLiteral("capture point: %1").arg(content_->capturePointWhere);
    const double cw = QFontMetricsF(normal).horizontalAdvance(cp) + 4;
    const double cx = std::min(g.captureX - cw / 2, g.serverX + 8 - sw - cw - 6);
    const double clientRight = g.clientX - 30 + QFontMetricsF(normal).horizontalAdvance(cEp) + 8;
    if (cx >= clientRight) p->drawText(QRectF(cx, hr.top() + 19, cw, 16), Qt::AlignLeft, cp);
    if (notesVisible_) {
        p->setFont(bold);
        p->setPen(style_.text);
        p->drawText(QRectF(g.notesX + 4, hr.top() + 3, g.rect.right() - g.notesX, 16), Qt::AlignLeft,
                    QStringLiteral("what it means"));
        p->setFont(normal);
    }
    // Third line: what the band colours mean, from the time column across.
    paintLegend(p, QRectF(g.rect.left() + 8, hr.top() + 35, g.rect.width() - 16, 14));
}

// The state bands' colours, in the header: those this flow's bands use (so that the entries
// fit), as many as fit in `r`, hatching last when a band is assumed.
void LadderPlottable::paintLegend(QPainter* p, const QRectF& r) const
{
    bool used[5] = {};
    bool anyAssumed = false;
    for (const auto& side : content_->bands)
        for (const auto& b : side) {
            used[static_cast<int>(bandKind(b))] = true;
            anyAssumed = anyAssumed || b.assumed;
        }
    static const std::pair<BandKind, const char*> entries[] = {
        {BandKind::Open, "open (SYN, ESTABLISHED)"},
        {BandKind::Closing, "closing (FIN-WAIT, CLOSE-WAIT, LAST-ACK, TIME-WAIT)"},
        {BandKind::Stuck, "stuck closing"},
        {BandKind::Closed, "closed"},
        {BandKind::Unknown, "not seen"}};
    const QFont before = p->font();
    QFont small = before;
    small.setPointSizeF(small.pointSizeF() * 0.9);
    p->setFont(small);
    const QFontMetricsF fm(small);
    double x = r.left();
    const double sw = 9, cy = r.center().y();
    auto fits = [&](const QString& label) { return x + sw + 3 + fm.horizontalAdvance(label) <= r.right(); };
    for (const auto& [kind, name] : entries) {
        if (!used[static_cast<int>(kind)]) continue;
        const QString label = QString::fromLatin1(name);
        if (!fits(label)) break;
        const QRectF swatch(x, cy - sw / 2, sw, sw);
        p->fillRect(swatch, kindColor(style_, kind));
        p->setPen(QPen(style_.lifeline, 0.6));
        p->drawRect(swatch);
        p->setPen(style_.mutedText);
        p->drawText(QRectF(x + sw + 3, r.top(), fm.horizontalAdvance(label) + 2, r.height()),
                    Qt::AlignLeft | Qt::AlignVCenter, label);
        x += sw + 3 + fm.horizontalAdvance(label) + 10;
    }
    const QString assumed = QStringLiteral("assumed, not seen");
    if (anyAssumed && fits(assumed)) {
        const QRectF swatch(x, cy - sw / 2, sw, sw);
        p->fillRect(swatch, kindColor(style_, BandKind::Closed));
        p->fillRect(swatch, QBrush(style_.lifeline, Qt::BDiagPattern));
        p->setPen(QPen(style_.lifeline, 0.6));
        p->drawRect(swatch);
        p->setPen(style_.mutedText);
        p->drawText(QRectF(x + sw + 3, r.top(), fm.horizontalAdvance(assumed) + 2, r.height()),
                    Qt::AlignLeft | Qt::AlignVCenter, assumed);
    }
    p->setFont(before);
}

} // namespace flowladder::ui
