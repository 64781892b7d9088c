#include "ui/annotate/AnnotationController.h"

#include "ui/MainWindow.h"
#include "ui/MessageBar.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/annotate/AnnotationOverlay.h"
#include "ui/annotate/AnnotationPainter.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderView.h"
#include "ui/models/CurrentSelection.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QTabWidget>
#include <QUrl>
#include <algorithm>

namespace flowladder::ui {
using core::Annotation;
using core::AnnotationKind;
using Part = AnnotationPainter::Part;

AnnotationController::AnnotationController(MainWindow* window, MessageBar* bar)
    : QObject(window), window_(window), ladder_(window->ladder()), bar_(bar), doc_(new AnnotationDocument(this))
{
    setObjectName(QStringLiteral("annotationController"));
    auto source = [this] { return doc_->itemsOfFlow(ladder_->flowId()); };
    below_ = new AnnotationOverlay(ladder_, true, source);
    above_ = new AnnotationOverlay(ladder_, false, source);
    ladder_->installEventFilter(this);
    status_ = new QLabel(window_);
    status_->setObjectName(QStringLiteral("annotationStatus"));
    createActions();

    connect(window_, &MainWindow::captureShown, this, &AnnotationController::onCaptureShown);
    connect(doc_, &AnnotationDocument::changed, this, [this] {
        if (selectedId_ && !doc_->find(selectedId_)) select(0);
        replot();
        updateStatus();
    });
    connect(doc_, &AnnotationDocument::saved, this, &AnnotationController::onSaved);
    connect(doc_, &AnnotationDocument::saveFailed, this, [this](const QString& msg) {
        showMessage(tr("Your notes could not be saved: %1. They are kept in memory; FlowLadder tries again on the next "
                       "change and on close.")
                        .arg(msg.toHtmlEscaped()),
                    true);
        showingSaveFailure_ = true;
        updateStatus();
    });
    askUnsaved_ = [this](const QString& message, QString& path) {
        return askUnsavedWithDialog(window_, *doc_, message, path);
    };
    connect(window_->selection(), &CurrentSelection::flowChanged, this, [this] {
        select(0);
        if (pendingRange_) cancelPendingRange(); // it belonged to the other flow
    });
    connect(ladder_, &LadderView::rowSelected, this, [this](int64_t row) { // a pending range follows it
        auto c = ladder_->content();
        if (pendingRange_ && c && row >= 0 && row < c->rows())
            previewPendingRange(c->packetNs(static_cast<uint32_t>(row)));
    });
    updateStatus();
}

AnnotationController::~AnnotationController() = default;

void AnnotationController::showMessage(const QString& text, bool error)
{
    if (text.isEmpty()) {
        bar_->clearMessage();
        return;
    }
    const QString folder = QFileInfo(doc_->savePath()).absolutePath();
    bar_->showMessage(text, error ? MessageBar::Kind::Error : MessageBar::Kind::Warning, tr("Open folder"),
                      [folder] { QDesktopServices::openUrl(QUrl::fromLocalFile(folder)); });
}

QString AnnotationController::messageText() const
{
    return bar_->text();
}

QString AnnotationController::statusText() const
{
    return status_->text();
}

void AnnotationController::updateStatus()
{
    if (!doc_->isOpen()) {
        status_->clear();
        return;
    }
    const QString name = QFileInfo(doc_->savePath()).fileName();
    const auto n = doc_->items().size();
    QString t =
        n == 0 ? tr("Notes go to %1").arg(name) : tr("%n note(s) in %1", nullptr, static_cast<int>(n)).arg(name);
    if (!doc_->lastSaveError().isEmpty()) t = tr("⚠ Notes NOT saved to %1").arg(name);
    status_->setText(t);
    status_->setToolTip(doc_->savePath());
}

void AnnotationController::onCaptureShown(const QString& path)
{
    select(0);
    // The previous capture's notes that could be saved nowhere: the user says where (the new
    // capture is already shown, so cancelling leaves them unsaved).
    if (doc_->isOpen()) saveNow();
    const core::Analysis* a = window_->selection()->analysis().get();
    if (a && a->capture.merged()) {
        QStringList files;
        for (const core::SourceFile& s : a->capture.sources)
            files << QString::fromStdString(s.path);
        doc_->openMerged(files); // notes of this merge, beside its first file
    } else {
        doc_->open(path);
    }
    const QString problem = doc_->problem();
    if (!problem.isEmpty()) {
        showMessage(tr("<b>The notes file beside this capture could not be used.</b> %1").arg(problem.toHtmlEscaped()),
                    false);
        emit statusMessage(
            tr("Notes file kept untouched; new notes go to %1").arg(QFileInfo(doc_->savePath()).fileName()), 10000);
    } else {
        showMessage(doc_->notice().toHtmlEscaped(), false); // notes kept in the per-user folder
    }
    showingSaveFailure_ = false;
    updateStatus();
    replot();
}

void AnnotationController::onSaved()
{
    // Saved, but not where planned (the per-user folder), or with another instance's notes.
    if (!doc_->notice().isEmpty()) {
        showMessage(doc_->notice().toHtmlEscaped(), false);
        showingSaveFailure_ = false;
    } else if (showingSaveFailure_) { // the failure is over
        showMessage(doc_->problem().toHtmlEscaped(), false);
        showingSaveFailure_ = false;
    }
    updateStatus();
}

void AnnotationController::createActions()
{
    menu_ = new QMenu(tr("&Annotate"), window_);
    menu_->setObjectName(QStringLiteral("annotateMenu"));
    QAction* note = menu_->addAction(tr("Add &note to packet…"), QKeySequence(tr("Ctrl+M")), this,
                                     &AnnotationController::addNoteInteractive);
    menu_->addAction(tr("Add &callout…"), QKeySequence(tr("Ctrl+Shift+M")), this,
                     &AnnotationController::addCalloutInteractive);
    menu_->addAction(tr("Highlight &time range…"), QKeySequence(tr("Ctrl+Shift+R")), this,
                     &AnnotationController::addTimeRangeInteractive);
    menu_->addSeparator();
    menu_->addAction(tr("&Edit annotation text…"), QKeySequence(Qt::Key_F2), this, &AnnotationController::editSelected);
    QAction* del = menu_->addAction(tr("&Delete annotation"), this, &AnnotationController::deleteSelected);
    del->setShortcut(QKeySequence::Delete);
    del->setShortcutContext(Qt::WidgetShortcut); // only while the ladder has focus
    ladder_->addAction(del);
    menu_->addSeparator();
    menu_->addAction(tr("Show &notes file location"), this, [this] {
        QMessageBox::information(
            window_, tr("Notes file"),
            doc_->isOpen() ? tr("Notes for this capture are saved automatically to:\n%1").arg(doc_->savePath())
                           : tr("Open a capture first."));
    });
    note->setStatusTip(tr("Attach a note to the selected packet (Shift+drag on the ladder highlights a time range)"));

    undo_ = doc_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo_->setShortcut(QKeySequence::Undo);
    redo_ = doc_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo_->setShortcuts({QKeySequence::Redo, QKeySequence(tr("Ctrl+Shift+Z"))});
}

bool AnnotationController::saveNow()
{
    return saveBeforeClosing(*doc_, askUnsaved_);
}

void AnnotationController::select(uint64_t id)
{
    selectedId_ = id;
    above_->setSelectedId(id);
    replot();
}

void AnnotationController::replot()
{
    ladder_->replot(QCustomPlot::rpQueuedReplot);
}

int64_t AnnotationController::rowNear(double pixelY) const
{
    auto c = ladder_->content();
    if (!c || !c->valid()) return -1;
    const auto g = ladder_->ladder()->currentGeometry();
    return c->layout.rowNearest(g.map.yOfPixel(pixelY));
}

uint64_t AnnotationController::addNote(int64_t row, const QString& text)
{
    auto c = ladder_->content();
    if (!c || !c->valid() || row < 0 || row >= c->rows()) return 0;
    Annotation a;
    a.kind = AnnotationKind::Note;
    a.flow = c->flowId();
    a.frame = c->packet(static_cast<uint32_t>(row)).frame;
    a.text = text.toStdString();
    const uint64_t id = doc_->add(a);
    select(id);
    return id;
}

uint64_t AnnotationController::addCallout(int64_t row, double anchorX, const QString& text)
{
    auto c = ladder_->content();
    if (!c || !c->valid() || row < 0 || row >= c->rows()) return 0;
    Annotation a;
    a.kind = AnnotationKind::Callout;
    a.flow = c->flowId();
    a.frame = c->packet(static_cast<uint32_t>(row)).frame;
    a.anchorX = std::clamp(anchorX, 0.0, 1.0);
    // The box a few rows further down, on the other half of the ladder.
    const auto boxRow = static_cast<uint32_t>(std::min<int64_t>(row + 3, c->rows() - 1));
    a.boxFrame = c->packet(boxRow).frame;
    a.boxX = a.anchorX > 0.5 ? 0.06 : 0.55;
    a.text = text.toStdString();
    const uint64_t id = doc_->add(a);
    select(id);
    return id;
}

uint64_t AnnotationController::addTimeRange(int64_t fromRow, int64_t toRow, const QString& text)
{
    auto c = ladder_->content();
    if (!c || !c->valid() || c->rows() == 0) return 0;
    fromRow = std::clamp<int64_t>(fromRow, 0, c->rows() - 1);
    toRow = std::clamp<int64_t>(toRow, 0, c->rows() - 1);
    if (toRow < fromRow) std::swap(fromRow, toRow);
    Annotation a;
    a.kind = AnnotationKind::TimeRange;
    a.flow = c->flowId();
    a.startNs = c->packetNs(static_cast<uint32_t>(fromRow));
    a.endNs = c->packetNs(static_cast<uint32_t>(toRow));
    a.text = text.toStdString();
    const uint64_t id = doc_->add(a);
    select(id);
    return id;
}

std::optional<QString> AnnotationController::askText(const QString& title, const QString& initial)
{
    if (askText_) return askText_(title, initial);
    bool ok = false;
    const QString t = QInputDialog::getMultiLineText(
        window_, title, tr("Text (shown on the ladder, in exports and in the postmortem):"), initial, &ok);
    if (!ok) return std::nullopt;
    return t.trimmed();
}

void AnnotationController::addNoteInteractive()
{
    const int64_t row = ladder_->selectedRow();
    if (row < 0 || !doc_->isOpen()) {
        emit statusMessage(tr("Select a packet on the ladder first."), 5000);
        return;
    }
    const auto frame = ladder_->content()->packet(static_cast<uint32_t>(row)).frame;
    if (auto t = askText(tr("Note on frame #%1").arg(frame), {}); t && !t->isEmpty()) addNote(row, *t);
}

void AnnotationController::addCalloutInteractive()
{
    const int64_t row = ladder_->selectedRow();
    if (row < 0 || !doc_->isOpen()) {
        emit statusMessage(tr("Select the packet the callout points at first."), 5000);
        return;
    }
    if (auto t = askText(tr("Callout"), {}); t && !t->isEmpty()) addCallout(row, 0.5, *t);
}

void AnnotationController::addTimeRangeInteractive()
{
    const int64_t row = ladder_->selectedRow();
    if (row < 0 || !doc_->isOpen()) {
        emit statusMessage(tr("Select the first packet of the range first (or Shift+drag on the ladder)."), 5000);
        return;
    }
    startTimeRange(row);
}

void AnnotationController::startTimeRange(int64_t row)
{
    auto c = ladder_->content();
    if (!c || !c->valid() || row < 0 || row >= c->rows() || !doc_->isOpen()) return;
    Annotation a;
    a.kind = AnnotationKind::TimeRange;
    a.flow = c->flowId();
    a.startNs = a.endNs = c->packetNs(static_cast<uint32_t>(row));
    pendingRange_ = a;
    previewPendingRange(a.endNs);
    ladder_->setFocus();
    emit statusMessage(tr("Time range from #%1: click where it ends, or move the selection with ↓/↑ and press "
                          "Enter; Esc cancels.")
                           .arg(c->packet(static_cast<uint32_t>(row)).frame),
                       0);
}

void AnnotationController::previewPendingRange(int64_t endNs)
{
    if (!pendingRange_) return;
    pendingRange_->endNs = endNs;
    Annotation shown = *pendingRange_;
    if (shown.startNs > shown.endNs) std::swap(shown.startNs, shown.endNs);
    above_->setPreview(shown);
    below_->setPreview(shown);
    replot();
}

void AnnotationController::cancelPendingRange()
{
    pendingRange_.reset();
    above_->setPreview(std::nullopt);
    below_->setPreview(std::nullopt);
    replot();
    emit statusMessage(QString(), 0);
}

void AnnotationController::finishPendingRange(int64_t endNs)
{
    if (!pendingRange_) return;
    Annotation a = *pendingRange_;
    cancelPendingRange();
    a.endNs = endNs;
    if (a.startNs > a.endNs) std::swap(a.startNs, a.endNs);
    if (a.startNs == a.endNs) {
        emit statusMessage(tr("A time range needs two different moments: start it again and end it on another "
                              "packet."),
                           5000);
        return;
    }
    const auto text = askText(tr("Time range label"), {});
    if (!text) return;
    a.text = text->toStdString();
    select(doc_->add(a));
}

const std::vector<AnnotationPainter::Placed>& AnnotationController::placedNow()
{
    // As last painted (what the user sees); painted now when the ladder has not been yet.
    if (above_->lastPlaced().empty() && !above_->items().empty()) ladder_->replot(QCustomPlot::rpImmediateRefresh);
    return above_->lastPlaced();
}

int64_t AnnotationController::rowTimeNear(double pixelY) const
{
    auto c = ladder_->content();
    if (!c || !c->valid() || c->rows() == 0) return 0;
    const auto g = ladder_->ladder()->currentGeometry();
    const int64_t row = c->layout.rowNearest(g.map.yOfPixel(pixelY));
    return c->packetNs(static_cast<uint32_t>(std::max<int64_t>(row, 0)));
}

void AnnotationController::editSelected()
{
    const Annotation* a = doc_->find(selectedId_);
    if (!a) return;
    const uint64_t id = a->id;
    if (auto t = askText(tr("Edit annotation"), QString::fromStdString(a->text)); t) doc_->setText(id, *t);
}

void AnnotationController::deleteSelected()
{
    if (selectedId_) doc_->remove(selectedId_);
}

bool AnnotationController::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != ladder_) return false;
    if (pendingRange_) { // a range started from a menu: its end follows the mouse or the selection
        switch (event->type()) {
        case QEvent::MouseMove:
            previewPendingRange(rowTimeNear(static_cast<QMouseEvent*>(event)->position().y()));
            return false; // tooltips still work
        case QEvent::MouseButtonPress: {
            auto* e = static_cast<QMouseEvent*>(event);
            if (e->button() == Qt::LeftButton)
                finishPendingRange(rowTimeNear(e->position().y()));
            else
                cancelPendingRange();
            return true;
        }
        case QEvent::KeyPress: {
            auto* k = static_cast<QKeyEvent*>(event);
            if (k->key() == Qt::Key_Escape) {
                cancelPendingRange();
                return true;
            }
            if (k->key() == Qt::Key_Return || k->key() == Qt::Key_Enter) {
                const int64_t row = ladder_->selectedRow();
                auto c = ladder_->content();
                if (row >= 0 && c && row < c->rows()) finishPendingRange(c->packetNs(static_cast<uint32_t>(row)));
                return true;
            }
            return false; // arrows move the selection, which the preview follows
        }
        default:
            break;
        }
    }
    switch (event->type()) {
    case QEvent::MouseButtonPress:
        return mousePress(static_cast<QMouseEvent*>(event));
    case QEvent::MouseMove:
        return mouseMove(static_cast<QMouseEvent*>(event));
    case QEvent::MouseButtonRelease:
        return mouseRelease(static_cast<QMouseEvent*>(event));
    case QEvent::MouseButtonDblClick: {
        auto* e = static_cast<QMouseEvent*>(event);
        auto c = ladder_->content();
        if (!c || !c->valid()) return false;
        if (auto hit = AnnotationPainter::hitTest(placedNow(), e->position())) {
            select(hit.id);
            editSelected();
            return true;
        }
        return false;
    }
    case QEvent::ContextMenu:
        return contextMenu(static_cast<QContextMenuEvent*>(event));
    case QEvent::KeyPress: {
        auto* k = static_cast<QKeyEvent*>(event);
        if (k->key() == Qt::Key_Escape && selectedId_) {
            select(0);
            return true;
        }
        return false;
    }
    default:
        return false;
    }
}

bool AnnotationController::mousePress(QMouseEvent* e)
{
    if (e->button() != Qt::LeftButton) return false;
    auto c = ladder_->content();
    if (!c || !c->valid() || !doc_->isOpen()) return false;
    const auto g = ladder_->ladder()->currentGeometry();
    if (e->position().y() < g.rect.top() + g.headerHeight) return false;
    const auto hit = AnnotationPainter::hitTest(placedNow(), e->position());
    if (hit) {
        select(hit.id);
        drag_ = Drag{hit.id, static_cast<int>(hit.part), e->position(), *doc_->find(hit.id), false, false};
        ++dragSerial_;
        return true;
    }
    if (e->modifiers() & Qt::ShiftModifier) { // Shift+drag: a new time range
        Annotation a;
        a.kind = AnnotationKind::TimeRange;
        a.flow = c->flowId();
        a.startNs = a.endNs = c->layout.timeAtY(g.map.yOfPixel(e->position().y()));
        drag_ = Drag{0, static_cast<int>(Part::RangeEnd), e->position(), a, true, false};
        return true;
    }
    if (selectedId_) select(0);
    return false;
}

bool AnnotationController::mouseMove(QMouseEvent* e)
{
    if (!drag_) return false;
    auto c = ladder_->content();
    if (!c || !c->valid()) return true;
    const auto g = ladder_->ladder()->currentGeometry();
    const QPointF pos = e->position();
    const QPointF d = pos - drag_->start;
    if (!drag_->moved && d.manhattanLength() < QApplication::startDragDistance()) return true;
    drag_->moved = true;
    Annotation a = drag_->original;
    auto frameAt = [&](double py) {
        const int64_t r = c->layout.rowNearest(g.map.yOfPixel(py));
        return r < 0 ? 0u : c->packet(static_cast<uint32_t>(r)).frame;
    };
    auto yOf = [&](uint32_t frame) {
        double y = 0;
        AnnotationPainter::yOfFrame(g, *c, frame, y);
        return y;
    };
    auto timeAt = [&](double py) { return c->layout.timeAtY(g.map.yOfPixel(py)); };
    auto pyOfTime = [&](int64_t ns) { return g.map.pixelOf(c->layout.yOfTime(ns)); };
    switch (static_cast<Part>(drag_->part)) {
    case Part::Box:
        if (a.kind == AnnotationKind::Note) {
            a.frame = frameAt(yOf(a.frame) + d.y());
        } else {
            a.boxFrame = frameAt(yOf(a.boxFrame ? a.boxFrame : a.frame) + d.y());
            a.boxX =
                std::clamp(AnnotationPainter::fractionOf(g, AnnotationPainter::xOf(g, a.boxX) + d.x()), -0.25, 1.45);
        }
        break;
    case Part::Anchor:
        a.frame = frameAt(pos.y());
        a.anchorX = std::clamp(AnnotationPainter::fractionOf(g, pos.x()), 0.0, 1.0);
        break;
    case Part::RangeBody:
        a.startNs = timeAt(pyOfTime(a.startNs) + d.y());
        a.endNs = timeAt(pyOfTime(a.endNs) + d.y());
        break;
    case Part::RangeStart:
        a.startNs = timeAt(pos.y());
        break;
    case Part::RangeEnd:
        a.endNs = timeAt(pos.y());
        break;
    case Part::None:
        break;
    }
    if (drag_->creating) {
        above_->setPreview(a);
        below_->setPreview(a);
        replot();
    } else {
        doc_->update(a, dragSerial_); // one undo step per drag
    }
    return true;
}

bool AnnotationController::mouseRelease(QMouseEvent* e)
{
    if (!drag_ || e->button() != Qt::LeftButton) return false;
    Drag d = *drag_;
    drag_.reset();
    if (d.creating) {
        const auto preview = above_->items();
        above_->setPreview(std::nullopt);
        below_->setPreview(std::nullopt);
        replot();
        if (!d.moved || preview.empty()) return true;
        Annotation a = preview.back();
        if (a.startNs > a.endNs) std::swap(a.startNs, a.endNs);
        if (a.startNs == a.endNs) return true;
        const auto text = askText(tr("Time range label"), {});
        if (!text) return true;
        a.text = text->toStdString();
        select(doc_->add(a));
    } else if (Annotation* cur = const_cast<Annotation*>(doc_->find(d.id));
               cur && cur->kind == AnnotationKind::TimeRange && cur->startNs > cur->endNs) {
        Annotation a = *cur;
        std::swap(a.startNs, a.endNs);
        doc_->update(a, dragSerial_);
    }
    return true;
}

bool AnnotationController::contextMenu(QContextMenuEvent* e)
{
    auto c = ladder_->content();
    if (!c || !c->valid() || !doc_->isOpen()) return false;
    const auto g = ladder_->ladder()->currentGeometry();
    const QPointF pos = e->pos();
    const auto hit = AnnotationPainter::hitTest(placedNow(), pos);
    QMenu menu(ladder_);
    if (hit) {
        select(hit.id);
        menu.addAction(tr("Edit text…"), this, &AnnotationController::editSelected);
        menu.addAction(tr("Delete"), this, &AnnotationController::deleteSelected);
        menu.addSeparator();
    }
    const int64_t row = rowNear(pos.y());
    if (row >= 0) {
        const uint32_t frame = c->packet(static_cast<uint32_t>(row)).frame;
        const double ax = std::clamp(AnnotationPainter::fractionOf(g, pos.x()), 0.0, 1.0);
        menu.addAction(tr("Add note to frame #%1…").arg(frame), this, [this, row, frame] {
            if (auto t = askText(tr("Note on frame #%1").arg(frame), {}); t && !t->isEmpty()) addNote(row, *t);
        });
        menu.addAction(tr("Add callout pointing here…"), this, [this, row, ax] {
            if (auto t = askText(tr("Callout"), {}); t && !t->isEmpty()) addCallout(row, ax, *t);
        });
        menu.addAction(tr("Highlight time range from here…"), this, [this, row] { startTimeRange(row); });
        menu.addSeparator();
    }
    emit contextMenuAboutToShow(&menu); // File > Export adds its entries here

    menu.exec(e->globalPos());
    return true;
}

} // namespace flowladder::ui
