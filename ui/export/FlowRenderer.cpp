#include "ui/export/FlowRenderer.h"

#include "ui/annotate/AnnotationPainter.h"
#include "ui/export/WidgetPicture.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/models/Format.h"

#include <QFileInfo>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
constexpr double Margin = 16;
constexpr double TitleLine = 20;
constexpr double FindingLine = 16;
constexpr size_t MaxListedFindings = 24;
constexpr double FindingTextX = 190; // from the margin: the summary's column
constexpr double BottomRoom = 48;    // below the last row: space for notes hanging under it

// `text` broken at spaces into lines no wider than `width` (a word wider than that gets a line
// of its own): every word is kept, nothing is elided.
QStringList wrapWords(const QString& text, const QFontMetricsF& fm, double width)
{
    QStringList lines;
    QString line;
    for (const QString& word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QString longer = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
        if (!line.isEmpty() && fm.horizontalAdvance(longer) > width) {
            lines << line;
            line = word;
        } else {
            line = longer;
        }
    }
    if (!line.isEmpty() || lines.isEmpty()) lines << line;
    return lines;
}

// The font of the title block's text (the painter's font at 9 pt); its metrics without a device,
// so that the block's height is known before painting and the same on every device.
QFont titleFont(QFont base)
{
    base.setPointSizeF(9);
    return base;
}

const char* severityWord(Severity s)
{
    switch (s) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "info";
    }
    return "info";
}
} // namespace

FlowRenderer::FlowRenderer(std::shared_ptr<const LadderContent> content, std::vector<core::Annotation> annotations,
                           const RenderOptions& options)
    : content_(std::move(content)), annotations_(std::move(annotations)), options_(options),
      style_(options.dark ? LadderStyle::darkStyle() : LadderStyle::light())
{
    if (!content_ || !content_->valid() || content_->rows() == 0) return;
    const LadderContent& c = *content_;
    firstRow_ = 0;
    lastRow_ = c.rows() - 1;
    const double header = LadderPlottable::HeaderHeight + 16;
    if (options_.visibleOnly) {
        const double ppu = options_.visibleHeight / std::max(1e-9, options_.visibleBottom - options_.visibleTop);
        pages_.push_back({options_.visibleTop, options_.visibleBottom, options_.visibleHeight});
        options_.pixelsPerUnit = ppu;
        auto [a, b] = c.layout.rowsInRange(options_.visibleTop, options_.visibleBottom);
        if (a < b) firstRow_ = a, lastRow_ = b - 1;
    } else {
        if (options_.firstFrame || options_.lastFrame) {
            uint32_t r0 = c.rows(), r1 = 0;
            for (uint32_t r = 0; r < c.rows(); ++r) {
                const uint32_t f = c.packet(r).frame;
                if ((options_.firstFrame && f < options_.firstFrame) || (options_.lastFrame && f > options_.lastFrame))
                    continue;
                r0 = std::min(r0, r);
                r1 = std::max(r1, r);
            }
            firstRow_ = r0, lastRow_ = r1;
            if (r0 > r1) return; // no packet of the flow in that range
        }
        const double ppu = std::max(1.0, options_.pixelsPerUnit);
        const double y0 = c.layout.yOfRow(firstRow_), y1 = c.layout.yOfRow(lastRow_);
        // Content in pixels from the ladder header to the last row and room below it.
        const double total = header + (y1 - y0) * ppu + BottomRoom;
        const double maxH = options_.maxPageHeight > 0 ? std::max(400.0, options_.maxPageHeight) : total;
        double start = y0 - header / ppu;
        const double end = y1 + BottomRoom / ppu;
        for (;;) {
            const double h = std::min(maxH, (end - start) * ppu);
            pages_.push_back({start, start + h / ppu, h});
            if (start + h / ppu >= end - 1e-9) break;
            // The sticky header covers the top of each page, so the next page starts under it.
            start += (h - header) / ppu;
        }
    }
    plot_ = std::make_unique<QCustomPlot>();
    ladder_ = new LadderPlottable(plot_->xAxis, plot_->yAxis);
    ladder_->setContent(content_);
    ladder_->setStyle(style_);
}

FlowRenderer::~FlowRenderer() = default;

uint32_t FlowRenderer::firstFrame() const
{
    return valid() ? content_->packet(firstRow_).frame : 0;
}
uint32_t FlowRenderer::lastFrame() const
{
    return valid() ? content_->packet(lastRow_).frame : 0;
}

std::vector<const Finding*> FlowRenderer::listedFindings() const
{
    std::vector<const Finding*> list;
    const Analysis& a = *content_->analysis;
    for (uint32_t i : a.findingsOf(*content_->flow))
        if (i < a.findings.size()) list.push_back(&a.findings[i]);
    std::stable_sort(list.begin(), list.end(),
                     [](const Finding* x, const Finding* y) { return x->severity > y->severity; });
    if (list.size() > MaxListedFindings) list.resize(MaxListedFindings);
    return list;
}

QStringList FlowRenderer::findingLines(const Finding& f) const
{
    const QFontMetricsF fm(titleFont(QFont()));
    return wrapWords(QString::fromStdString(f.summary), fm, options_.width - 2 * Margin - FindingTextX);
}

double FlowRenderer::titleHeight(int page) const
{
    double h = Margin + 2 * TitleLine + 6;
    if (page == 0 && content_) {
        const std::vector<const Finding*> list = listedFindings();
        if (!list.empty()) h += 6;
        for (const Finding* f : list)
            h += FindingLine * static_cast<double>(findingLines(*f).size());
        if (content_->analysis->findingsOf(*content_->flow).size() > list.size()) h += FindingLine;
    }
    return h + 6;
}

QSizeF FlowRenderer::pageSize(int page) const
{
    if (page < 0 || page >= pageCount()) return {};
    return QSizeF(options_.width, titleHeight(page) + pages_[page].ladderHeight);
}

void FlowRenderer::paintTitle(QPainter* p, int page) const
{
    const Flow& f = *content_->flow;
    const Analysis& a = *content_->analysis;
    const double w = options_.width;
    QFont base = p->font();
    base.setPointSizeF(9);
    QFont big = base;
    big.setPointSizeF(12);
    big.setBold(true);
    const QString file =
        options_.title.isEmpty() ? QFileInfo(QString::fromStdString(a.capture.file)).fileName() : options_.title;
    const QString title = QStringLiteral("%1  ·  flow #%2  ·  %3 (client)  ⇄  %4 (server)")
                              .arg(file)
                              .arg(a.idOf(f))
                              .arg(endpointText(f.endpoint(Side::Client)), endpointText(f.endpoint(Side::Server)));
    const int64_t t0 = content_->packetNs(firstRow_), t1 = content_->packetNs(lastRow_);
    QString sub = QStringLiteral("%1 – %2 (%3)  ·  frames %4–%5  ·  %6 packets  ·  %7")
                      .arg(clockText(t0, 3).chopped(4), timeOfDayText(t1), durationText((t1 - t0) / 1e9))
                      .arg(firstFrame())
                      .arg(lastFrame())
                      .arg(lastRow_ - firstRow_ + 1)
                      .arg(content_->layout.scale == LadderLayout::Scale::TimeProportional
                               ? QStringLiteral("time-proportional, idle gaps folded")
                               : QStringLiteral("one row per packet"));
    if (pageCount() > 1) sub += QStringLiteral("  ·  page %1 of %2").arg(page + 1).arg(pageCount());
    const QColor band = style_.dark ? QColor(0x26, 0x2a, 0x31) : QColor(0x1f, 0x29, 0x37);
    p->fillRect(QRectF(0, 0, w, Margin + 2 * TitleLine + 6), band);
    p->setFont(big);
    p->setPen(QColor(0xf3, 0xf4, 0xf6));
    p->drawText(QRectF(Margin, Margin - 4, w - 2 * Margin, TitleLine + 4), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(big, p->device()).elidedText(title, Qt::ElideMiddle, w - 2 * Margin));
    p->setFont(base);
    p->setPen(QColor(0xc8, 0xcd, 0xd4));
    p->drawText(QRectF(Margin, Margin + TitleLine, w - 2 * Margin, TitleLine), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(base, p->device()).elidedText(sub, Qt::ElideRight, w - 2 * Margin));
    if (page != 0) return;
    // The flow's findings, most severe first, with times and frames; each whole, wrapped.
    const std::vector<const Finding*> list = listedFindings();
    double y = Margin + 2 * TitleLine + 12;
    p->setFont(titleFont(QFont()));
    for (const Finding* item : list) {
        const Finding& fi = *item;
        const int64_t row = content_->rowOfFrame(fi.frame);
        const double t =
            row >= 0 ? content_->analysis->relativeSeconds(f, content_->packetNs(static_cast<uint32_t>(row))) : 0;
        const QColor mark = fi.severity == Severity::Error     ? QColor(0xd3, 0x2f, 0x2f)
                            : fi.severity == Severity::Warning ? QColor(0xe0, 0x8a, 0x00)
                                                               : style_.mutedText;
        QPolygonF d;
        const double cx = Margin + 5, cy = y + FindingLine / 2;
        d << QPointF(cx, cy - 4.5) << QPointF(cx + 4.5, cy) << QPointF(cx, cy + 4.5) << QPointF(cx - 4.5, cy);
        p->setPen(Qt::NoPen);
        p->setBrush(mark);
        p->drawPolygon(d);
        p->setBrush(Qt::NoBrush);
        const QString head = QStringLiteral("#%1  +%2 s  %3")
                                 .arg(fi.frame)
                                 .arg(t, 0, 'f', content_->timeDecimals)
                                 .arg(QString::fromLatin1(severityWord(fi.severity)));
        p->setPen(style_.mutedText);
        p->drawText(QRectF(Margin + 16, y, FindingTextX - 20, FindingLine), Qt::AlignLeft | Qt::AlignVCenter, head);
        p->setPen(style_.text);
        for (const QString& line : findingLines(fi)) {
            // No clipping rectangle narrower than the text: a device whose font runs a little
            // wider than the metrics the lines were broken with still shows every word.
            p->drawText(QRectF(Margin + FindingTextX, y, w, FindingLine), Qt::AlignLeft | Qt::AlignVCenter, line);
            y += FindingLine;
        }
    }
    if (const size_t all = content_->analysis->findingsOf(f).size(); all > list.size()) {
        p->setPen(style_.mutedText);
        p->drawText(QRectF(Margin + 16, y, w, FindingLine), Qt::AlignLeft | Qt::AlignVCenter,
                    QStringLiteral("… and %1 more findings (see the postmortem summary)").arg(all - list.size()));
    }
}

void FlowRenderer::paintPage(QPainter* p, int page) const
{
    if (!valid() || page < 0 || page >= pageCount()) return;
    const QSizeF size = pageSize(page);
    p->save();
    p->fillRect(QRectF(QPointF(0, 0), size), style_.background);
    QFont font = p->font();
    font.setPointSizeF(8.5);
    p->setFont(font);
    paintTitle(p, page);
    const Page& pg = pages_[page];
    const QRectF rect(0, titleHeight(page), options_.width, pg.ladderHeight);
    const LadderPlottable::Geometry g = LadderPlottable::geometryFor(rect, pg.yStart, pg.yEnd, content_.get());
    p->setFont(font);
    AnnotationPainter::paintAll(p, g, *content_, annotations_, style_, true);
    p->setFont(font);
    ladder_->paint(p, g);
    p->setFont(font);
    AnnotationPainter::paintAll(p, g, *content_, annotations_, style_, false, ladder_->lastCalloutBoxes());
    p->restore();
}

QImage FlowRenderer::renderImage(int page, double scale) const
{
    const QSizeF s = pageSize(page);
    if (s.isEmpty()) return {};
    QImage img((s * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    img.fill(style_.background);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    paintPage(&p, page);
    p.end();
    return img;
}

bool exportFlow(const FlowRenderer& r, const QString& path, double scale, QString& error, QStringList* written)
{
    if (!r.valid()) {
        error = QStringLiteral("nothing to draw: the flow has no packets in that range");
        return false;
    }
    const QString ext = QFileInfo(path).suffix().toLower();
    QStringList files;
    if (ext == QLatin1String("png")) {
        const QFileInfo fi(path);
        for (int i = 0; i < r.pageCount(); ++i) {
            const QString name =
                i == 0
                    ? path
                    : fi.dir().filePath(
                          QStringLiteral("%1-%2.png").arg(fi.completeBaseName()).arg(i + 1, 3, 10, QLatin1Char('0')));
            QImage img = r.renderImage(i, scale);
            if (img.isNull()) {
                error = QStringLiteral("%1: the picture is too large for one image; use PDF or SVG").arg(name);
                return false;
            }
            img.setDevicePixelRatio(1.0);
            if (!img.save(name, "PNG")) {
                error = QStringLiteral("%1: cannot write").arg(name);
                return false;
            }
            files << name;
        }
    } else if (ext == QLatin1String("svg")) {
        // One tall page: SVG viewers scroll; text stays text.
        double h = 0;
        for (int i = 0; i < r.pageCount(); ++i)
            h += r.pageSize(i).height();
        const QSizeF s0 = r.pageSize(0);
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(QSize(static_cast<int>(std::ceil(s0.width())), static_cast<int>(std::ceil(h))));
        gen.setViewBox(QRectF(0, 0, s0.width(), h));
        gen.setResolution(96);
        gen.setTitle(QStringLiteral("FlowLadder"));
        gen.setDescription(QStringLiteral("Ladder diagram exported by FlowLadder"));
        QPainter p;
        if (!p.begin(&gen)) {
            error = QStringLiteral("%1: cannot write").arg(path);
            return false;
        }
        double y = 0;
        for (int i = 0; i < r.pageCount(); ++i) {
            p.save();
            p.translate(0, y);
            r.paintPage(&p, i);
            p.restore();
            y += r.pageSize(i).height();
        }
        p.end();
        if (!QFileInfo(path).isFile() || !addGenericFontFamilies(path)) {
            error = QStringLiteral("%1: cannot write").arg(path);
            return false;
        }
        files << path;
    } else if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(96);
        pdf.setCreator(QStringLiteral("FlowLadder"));
        pdf.setTitle(QFileInfo(path).completeBaseName());
        auto pageSizeOf = [&r](int i) {
            return QPageSize(r.pageSize(i) * 72.0 / 96.0, QPageSize::Point, QString(), QPageSize::ExactMatch);
        };
        pdf.setPageSize(pageSizeOf(0));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p;
        if (!p.begin(&pdf)) {
            error = QStringLiteral("%1: cannot write").arg(path);
            return false;
        }
        for (int i = 0; i < r.pageCount(); ++i) {
            if (i > 0) {
                pdf.setPageSize(pageSizeOf(i));
                pdf.newPage();
            }
            r.paintPage(&p, i);
        }
        p.end();
        files << path;
    } else {
        error = QStringLiteral("%1: unknown format \"%2\" (use .png, .svg or .pdf)").arg(path, ext);
        return false;
    }
    if (written) *written = files;
    return true;
}

} // namespace flowladder::ui
