#include "ui/export/WidgetPicture.h"

#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSvgGenerator>
#include <QWidget>
#include <algorithm>
#include <qcustomplot.h>

namespace flowladder::ui {

namespace {

// Paints `widget` at `offset`: a plot through its own drawing (its items, text included, stay
// vectors in SVG and PDF), anything else through QWidget::render without its children, which are
// then painted the same way, so that plots inside a container (the side-by-side ladders) stay
// vectors too.
void paintTree(QCPPainter& painter, QWidget* widget, QPoint offset)
{
    if (auto* plot = qobject_cast<QCustomPlot*>(widget)) {
        painter.save();
        painter.translate(offset);
        plot->toPainter(&painter, widget->width(), widget->height());
        painter.restore();
        return;
    }
    widget->render(&painter, offset, QRegion(), QWidget::DrawWindowBackground);
    for (QObject* o : widget->children()) {
        auto* child = qobject_cast<QWidget*>(o);
        if (child && child->isVisible() && !child->isWindow()) paintTree(painter, child, offset + child->pos());
    }
}

// Paints the widget onto `device` at its on-screen size scaled by `scale`: vectors where the
// device keeps them (plots drawn by QCustomPlot), pixels as the screen shows them otherwise.
bool paintWidget(QWidget* widget, QPaintDevice* device, double scale, bool vector)
{
    QCPPainter painter;
    if (!painter.begin(device)) return false;
    if (vector) {
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
    }
    painter.scale(scale, scale);
    if (vector || qobject_cast<QCustomPlot*>(widget))
        paintTree(painter, widget, QPoint());
    else
        widget->render(&painter);
    return painter.end();
}

} // namespace

bool addGenericFontFamilies(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return false;
    QString svg = QString::fromUtf8(file.readAll());
    file.close();
    static const QRegularExpression family(QStringLiteral("font-family=\"([^\"]*)\""));
    QString out;
    out.reserve(svg.size() + svg.size() / 16);
    qsizetype from = 0;
    for (auto it = family.globalMatch(svg); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(svg).mid(from, m.capturedStart() - from);
        const QString names = m.captured(1);
        const QString lower = names.toLower();
        static const QStringList generics = {QStringLiteral("serif"),     QStringLiteral("sans-serif"),
                                             QStringLiteral("monospace"), QStringLiteral("cursive"),
                                             QStringLiteral("fantasy"),   QStringLiteral("system-ui")};
        bool generic = false;
        for (const QString& item : lower.split(QLatin1Char(',')))
            generic = generic || generics.contains(item.trimmed());
        QString fallback = QStringLiteral("sans-serif");
        if (lower.contains(QLatin1String("mono")) || lower.contains(QLatin1String("courier")))
            fallback = QStringLiteral("monospace");
        else if (lower.contains(QLatin1String("serif")) && !lower.contains(QLatin1String("sans")))
            fallback = QStringLiteral("serif");
        out += generic ? m.captured(0) : QStringLiteral("font-family=\"%1, %2\"").arg(names, fallback);
        from = m.capturedEnd();
    }
    out += QStringView(svg).mid(from);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    const QByteArray bytes = out.toUtf8();
    return file.write(bytes) == bytes.size();
}

bool saveWidgetPicture(QWidget* widget, const QString& path, QString& error)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    const QSize size = widget->size();
    bool ok = false;
    if (ext == QLatin1String("png")) {
        const qreal dpr = 2.0; // sharp in documents
        QImage image(size * dpr, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(dpr);
        image.fill(widget->palette().color(QPalette::Window));
        ok = paintWidget(widget, &image, 1.0, false) && image.save(path, "PNG");
    } else if (ext == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(widget->window()->windowTitle());
        svg.setDescription(QStringLiteral("FlowLadder"));
        ok = paintWidget(widget, &svg, 1.0, true) && QFileInfo(path).size() > 0 && addGenericFontFamilies(path);
    } else if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setTitle(widget->window()->windowTitle());
        pdf.setCreator(QStringLiteral("FlowLadder"));
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        ok = paintWidget(widget, &pdf, pdf.width() / static_cast<double>(std::max(1, size.width())), true);
    } else {
        error = QObject::tr("%1: unknown picture format (use .png, .svg or .pdf)").arg(path);
        return false;
    }
    if (!ok) error = QObject::tr("%1: could not be written").arg(path);
    return ok;
}

} // namespace flowladder::ui
