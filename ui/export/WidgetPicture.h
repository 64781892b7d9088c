#pragma once
// A window's picture saved as PNG, SVG or PDF (by the file's extension): what the comparison
// window exports. A QCustomPlot is drawn again through its own painter at the file's
// resolution (vector in SVG and PDF); any other widget is rendered as it is on screen.

#include <QString>

class QWidget;

namespace flowladder::ui {

// False with `error` (naming the file) when the format is unknown or the file cannot be written.
bool saveWidgetPicture(QWidget* widget, const QString& path, QString& error);

} // namespace flowladder::ui
