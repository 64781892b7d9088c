#include "ui/export/ExportController.h"

#include "core/capture/PcapngExport.h"
#include "ui/MainWindow.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/export/FlowRenderer.h"
#include "ui/export/Postmortem.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderView.h"
#include "ui/models/CurrentSelection.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QSaveFile>
#include <QSettings>

namespace flowladder::ui {

ExportController::ExportController(MainWindow* window, AnnotationDocument* doc, QObject* parent)
    : QObject(parent), window_(window), doc_(doc)
{
    setObjectName(QStringLiteral("exportController"));
    createActions();
}

void ExportController::createActions()
{
    auto add = [&](const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty()) a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        actions_.append(a);
    };
    add(tr("&Export visible ladder…"), QKeySequence(tr("Ctrl+E")), [this] { exportInteractive(true); });
    add(tr("Export &whole flow…"), QKeySequence(tr("Ctrl+Shift+E")), [this] { exportInteractive(false); });
    add(tr("&Copy ladder image"), QKeySequence(tr("Ctrl+Shift+I")), [this] { copyImage(); });
    add(tr("Export &postmortem…"), QKeySequence(tr("Ctrl+Shift+P")), [this] { postmortemInteractive(); });
    add(tr("Export capture with notes as &pcapng…"), QKeySequence(), [this] { pcapngInteractive(); });
}

void ExportController::addContextActions(QMenu* menu)
{
    menu->addAction(tr("Copy ladder image"), this, [this] { copyImage(); });
    menu->addAction(tr("Export visible ladder…"), this, [this] { exportInteractive(true); });
    menu->addAction(tr("Export whole flow…"), this, [this] { exportInteractive(false); });
}

std::unique_ptr<FlowRenderer> ExportController::renderer(bool visibleOnly) const
{
    LadderView* view = window_->ladder();
    auto content = view->content();
    if (!content || !content->valid()) return nullptr;
    RenderOptions o;
    o.title = QFileInfo(window_->currentFile()).fileName();
    if (visibleOnly) {
        const auto g = view->ladder()->currentGeometry();
        o.width = std::max(600.0, g.rect.width());
        o.visibleOnly = true;
        o.visibleTop = g.map.yTop;
        o.visibleBottom = g.map.yBottom;
        o.visibleHeight = g.rect.height();
    } else {
        o.maxPageHeight = 4000; // PDF pages and PNG tiles; SVG stays one page
    }
    return std::make_unique<FlowRenderer>(content, doc_->itemsOfFlow(content->flowId()), o);
}

bool ExportController::exportLadder(const QString& path, bool visibleOnly, double scale, QString& error,
                                    QStringList* written)
{
    auto r = renderer(visibleOnly);
    if (!r) {
        error = tr("Choose a flow first.");
        return false;
    }
    return exportFlow(*r, path, scale, error, written);
}

bool ExportController::copyImage()
{
    auto r = renderer(true);
    if (!r || !r->valid()) return false;
    const double dpr = window_->devicePixelRatioF();
    QApplication::clipboard()->setImage(r->renderImage(0, std::max(1.0, dpr)));
    emit statusMessage(tr("Copied the ladder image to the clipboard."), 5000);
    return true;
}

void ExportController::report(bool ok, const QString& error, const QStringList& written)
{
    if (ok) {
        emit statusMessage(written.size() == 1 ? tr("Wrote %1").arg(written.front())
                                               : tr("Wrote %1 files: %2 …").arg(written.size()).arg(written.front()),
                           10000);
    } else {
        emit failed(error);
    }
}

void ExportController::exportInteractive(bool visibleOnly)
{
    if (!window_->selection()->flow()) {
        emit statusMessage(tr("Choose a flow first."), 5000);
        return;
    }
    QSettings settings;
    const QString dir =
        settings.value(QStringLiteral("exportDir"), QFileInfo(window_->currentFile()).absolutePath()).toString();
    const QString base = QStringLiteral("%1-flow%2")
                             .arg(QFileInfo(window_->currentFile()).completeBaseName())
                             .arg(window_->selection()->flowId());
    QString selected;
    const QString path =
        QFileDialog::getSaveFileName(window_, visibleOnly ? tr("Export visible ladder") : tr("Export whole flow"),
                                     QDir(dir).filePath(base + QStringLiteral(".png")),
                                     tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"), &selected);
    if (path.isEmpty()) return;
    settings.setValue(QStringLiteral("exportDir"), QFileInfo(path).absolutePath());
    double scale = 1.0;
    if (QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0) {
        bool ok = false;
        const QStringList scales = {QStringLiteral("1×"), QStringLiteral("2×"), QStringLiteral("3×")};
        const QString s =
            QInputDialog::getItem(window_, tr("PNG scale"), tr("Pixels per point:"), scales, 1, false, &ok);
        if (!ok) return;
        scale = s.left(1).toDouble();
    }
    QString error;
    QStringList written;
    const bool ok = exportLadder(path, visibleOnly, scale, error, &written);
    report(ok, error, written);
}

bool ExportController::exportPostmortem(const QString& mdPath, QString& error, QStringList* written)
{
    const core::Flow* f = window_->selection()->flow();
    const auto& analysis = window_->selection()->analysis();
    if (!f || !analysis) {
        error = tr("Choose a flow first.");
        return false;
    }
    const QFileInfo md(mdPath);
    const QString image =
        QStringLiteral("%1-flow%2.png").arg(md.completeBaseName()).arg(window_->selection()->flowId());
    QStringList files;
    if (!exportLadder(md.dir().filePath(image), false, 2.0, error, &files)) return false;
    PostmortemFlow pf{window_->selection()->flowId(), {}};
    for (const QString& w : files)
        pf.images << QFileInfo(w).fileName();
    const QString text =
        postmortemMarkdown(*analysis, {pf}, doc_->items(), doc_->isOpen() ? doc_->savePath() : QString());
    QSaveFile out(mdPath);
    if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0 || !out.commit()) {
        error = tr("%1: cannot write: %2").arg(mdPath, out.errorString());
        return false;
    }
    files.prepend(mdPath);
    if (written) *written = files;
    return true;
}

void ExportController::postmortemInteractive()
{
    if (!window_->selection()->flow()) {
        emit statusMessage(tr("Choose a flow first."), 5000);
        return;
    }
    const QString base = QStringLiteral("%1-flow%2-postmortem.md")
                             .arg(QFileInfo(window_->currentFile()).completeBaseName())
                             .arg(window_->selection()->flowId());
    const QString dir =
        QSettings().value(QStringLiteral("exportDir"), QFileInfo(window_->currentFile()).absolutePath()).toString();
    const QString path =
        QFileDialog::getSaveFileName(window_, tr("Export postmortem"), QDir(dir).filePath(base), tr("Markdown (*.md)"));
    if (path.isEmpty()) return;
    QString error;
    QStringList written;
    report(exportPostmortem(path, error, &written), error, written);
}

bool ExportController::exportPcapngWithNotes(const QString& path, QString& error)
{
    if (window_->currentFile().isEmpty()) {
        error = tr("Open a capture first.");
        return false;
    }
    if (const auto& a = window_->selection()->analysis(); a && a->capture.merged()) {
        // The notes name frames of the merge, which no single file has.
        error = tr("A capture read from several files cannot be copied with its notes: merge the files into one "
                   "first (mergecap -w merged.pcapng FILES) and open that.");
        return false;
    }
    std::vector<core::FrameComment> comments;
    for (const core::Annotation& a : doc_->items()) {
        if (a.kind == core::AnnotationKind::TimeRange || a.frame == 0 || a.text.empty()) continue;
        comments.push_back({a.frame, a.text});
    }
    std::string err;
    if (!core::writePcapngWithComments(window_->currentFile().toStdString(), path.toStdString(), comments, err)) {
        error = QString::fromStdString(err);
        return false;
    }
    return true;
}

void ExportController::pcapngInteractive()
{
    if (window_->currentFile().isEmpty()) return;
    const QFileInfo cap(window_->currentFile());
    const QString path = QFileDialog::getSaveFileName(
        window_, tr("Export capture with notes"),
        cap.dir().filePath(cap.completeBaseName() + QStringLiteral("-notes.pcapng")), tr("pcapng (*.pcapng)"));
    if (path.isEmpty()) return;
    QString error;
    const bool ok = exportPcapngWithNotes(path, error);
    report(ok, error, {path});
}

} // namespace flowladder::ui
