#pragma once
// Draws one flow's ladder, its finding marks and notes, the user's annotations and a title
// block (capture, endpoints, time range, findings) onto any QPainter, with no window: used
// by File > Export, the clipboard copy and `flowladder-cli render`.
//
// A whole flow has no size limit: it is cut into pages of at most `maxPageHeight` pixels
// (PDF pages, numbered PNG tiles); SVG gets one tall page. Each page repeats the title line
// and the ladder's endpoint header.

#include "core/annotations/Annotations.h"
#include "ui/ladder/LadderContent.h"
#include "ui/ladder/LadderStyle.h"

#include <QImage>
#include <QPainter>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

class QCustomPlot;

namespace flowladder::ui {

class LadderPlottable;

struct RenderOptions {
    double width = 1200;       // page width, pixels
    double pixelsPerUnit = 24; // vertical zoom for the whole flow or a frame range
    // Visible part only: the layout y range of the view (yTop < yBottom) and its height.
    bool visibleOnly = false;
    double visibleTop = 0, visibleBottom = 0, visibleHeight = 0;
    // Frame range (inclusive; 0 = open end).
    uint32_t firstFrame = 0, lastFrame = 0;
    double maxPageHeight = 0; // 0: one page, however tall
    bool dark = false;
    QString title; // overrides the capture file name in the title block
};

class FlowRenderer {
public:
    FlowRenderer(std::shared_ptr<const LadderContent> content, std::vector<core::Annotation> annotations,
                 const RenderOptions& options);
    ~FlowRenderer();

    bool valid() const { return content_ && content_->valid() && firstRow_ <= lastRow_; }
    int pageCount() const { return static_cast<int>(pages_.size()); }
    QSizeF pageSize(int page) const;
    void paintPage(QPainter* p, int page) const;
    // The first page as an image at `scale` (device pixel ratio).
    QImage renderImage(int page = 0, double scale = 1.0) const;
    // Frames shown, for the title block and the postmortem.
    uint32_t firstFrame() const;
    uint32_t lastFrame() const;

private:
    struct Page {
        double yStart = 0, yEnd = 0; // layout y shown
        double ladderHeight = 0;     // pixels
    };
    // The findings listed in the title block (most severe first, at most a screenful), and the
    // lines each one's summary is wrapped into.
    std::vector<const core::Finding*> listedFindings() const;
    QStringList findingLines(const core::Finding& f) const;
    double titleHeight(int page) const;
    void paintTitle(QPainter* p, int page) const;

    std::shared_ptr<const LadderContent> content_;
    std::vector<core::Annotation> annotations_;
    RenderOptions options_;
    LadderStyle style_;
    uint32_t firstRow_ = 1, lastRow_ = 0;
    std::vector<Page> pages_;
    std::unique_ptr<QCustomPlot> plot_; // hosts the plottable; never shown
    LadderPlottable* ladder_ = nullptr;
};

// Writes the flow to `path` (.png, .svg or .pdf by extension). PNG pages beyond the first
// go to numbered files "name-002.png" ...; `written` lists every file. `scale` is the PNG
// device pixel ratio. False with `error` on failure.
bool exportFlow(const FlowRenderer& renderer, const QString& path, double scale, QString& error,
                QStringList* written = nullptr);

} // namespace flowladder::ui
