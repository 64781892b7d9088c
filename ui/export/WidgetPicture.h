#pragma once
// A window's picture saved as PNG, SVG or PDF (by the file's extension): what the comparison
// window exports. A QCustomPlot is drawn again through its own painter at the file's
// resolution (vector in SVG and PDF); any other widget is rendered as it is on screen.

#include <QString>

class QWidget;

namespace flowladder::ui {

// False with `error` (naming the file) when the format is unknown or the file cannot be written.
bool saveWidgetPicture(QWidget* widget, const QString& path, QString& error);

// QSvgGenerator names the font as Qt knows it ("Sans Serif", a Qt alias no browser has): each
// font-family of the SVG file at `path` gets a generic family after it (sans-serif, or monospace
// for a fixed-pitch one), so browsers and wikis render the text in a like font. False when the
// file cannot be read or written.
bool addGenericFontFamilies(const QString& path);

} // namespace flowladder::ui
