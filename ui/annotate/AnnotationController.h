#pragma once
// The postmortem workflow in the main window: annotations on the ladder (add from the
// context menu, the Annotate menu or shortcuts; edit by double-click; drag to move;
// Delete; undo/redo), their autosave beside the capture, and a message bar when the
// sidecar cannot be used. MainWindow owns it and places what it offers (the Annotate menu,
// undo/redo, the status label) and gives it the message bar; it reads the window only
// through its public accessors, the ladder through an event filter, and reports through
// signals.

#include "core/annotations/Annotations.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/annotate/AnnotationPainter.h"

#include <QObject>
#include <QPointF>
#include <functional>
#include <optional>

class QAction;
class QContextMenuEvent;
class QMouseEvent;
class QLabel;
class QMenu;

namespace flowladder::ui {

class AnnotationDocument;
class AnnotationOverlay;
class LadderView;
class MainWindow;
class MessageBar;

class AnnotationController : public QObject {
    Q_OBJECT
public:
    AnnotationController(MainWindow* window, MessageBar* bar);
    ~AnnotationController() override;

    AnnotationDocument* document() const { return doc_; }
    // What MainWindow places: the Annotate menu, Edit's undo/redo, the status bar's notes label.
    QMenu* menu() const { return menu_; }
    QAction* undoAction() const { return undo_; }
    QAction* redoAction() const { return redo_; }
    QLabel* statusLabel() const { return status_; }
    // When notes cannot be saved (beside the capture nor in the per-user folder) and the window
    // is closing: save them elsewhere (to `path`), discard them, or keep the window open.
    // (ui::saveBeforeClosing; the default question is a message box and a file dialog.)
    using UnsavedChoice = ui::UnsavedChoice;
    using UnsavedQuestion = ui::UnsavedQuestion;
    void setUnsavedQuestion(UnsavedQuestion ask) { askUnsaved_ = std::move(ask); }
    // Asks for an annotation's text (nullopt: cancelled). The default is a dialog; tests set their own.
    using TextQuestion = std::function<std::optional<QString>(const QString& title, const QString& initial)>;
    void setTextQuestion(TextQuestion ask) { askText_ = std::move(ask); }
    // Writes pending notes now (the window is closing). When they cannot be saved, asks; false
    // when the user cancelled (the window must stay open), true once nothing is left unsaved.
    bool saveNow();
    uint64_t selectedId() const { return selectedId_; }
    void select(uint64_t id);
    // The message bar's text ("" when hidden) and the "notes go to" status text.
    QString messageText() const;
    QString statusText() const;

    // Programmatic adds (menus and tests). `row` is a row of the current flow; 0 on failure.
    uint64_t addNote(int64_t row, const QString& text);
    uint64_t addCallout(int64_t row, double anchorX, const QString& text);
    uint64_t addTimeRange(int64_t fromRow, int64_t toRow, const QString& text);
    // Starts a time range at this row whose end the user then shows: it follows the mouse (a
    // click ends it there) or the selected packet (Enter ends it there); Esc cancels. Shift+drag
    // on the ladder does the same in one gesture.
    void startTimeRange(int64_t row);
    bool timeRangePending() const { return pendingRange_.has_value(); }

public slots:
    void addNoteInteractive();
    void addCalloutInteractive();
    void addTimeRangeInteractive();
    void editSelected();
    void deleteSelected();

signals:
    // A transient status-bar message.
    void statusMessage(const QString& text, int timeoutMs);
    // The ladder's context menu is about to open: others may add their entries.
    void contextMenuAboutToShow(QMenu* menu);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void createActions();
    void onCaptureShown(const QString& path);
    void showMessage(const QString& text, bool error);
    void updateStatus();
    bool mousePress(QMouseEvent* e);
    bool mouseMove(QMouseEvent* e);
    bool mouseRelease(QMouseEvent* e);
    bool contextMenu(QContextMenuEvent* e);
    void previewPendingRange(int64_t endNs);
    void finishPendingRange(int64_t endNs);
    void cancelPendingRange();
    int64_t rowTimeNear(double pixelY) const; // time of the packet nearest this height
    // The annotations where the ladder last drew them, for hit tests.
    const std::vector<AnnotationPainter::Placed>& placedNow();
    int64_t rowNear(double pixelY) const;
    std::optional<QString> askText(const QString& title, const QString& initial);
    void onSaved();
    void replot();

    MainWindow* window_;
    LadderView* ladder_;
    MessageBar* bar_;
    AnnotationDocument* doc_;
    QMenu* menu_ = nullptr;
    QAction* undo_ = nullptr;
    QAction* redo_ = nullptr;
    AnnotationOverlay* below_ = nullptr;
    AnnotationOverlay* above_ = nullptr;
    QLabel* status_ = nullptr;
    uint64_t selectedId_ = 0;
    struct Drag {
        uint64_t id = 0;
        int part = 0; // AnnotationPainter::Part
        QPointF start;
        core::Annotation original;
        bool creating = false; // Shift+drag: a new time range
        bool moved = false;
    };
    std::optional<Drag> drag_;
    std::optional<core::Annotation> pendingRange_; // startTimeRange: waiting for its end
    TextQuestion askText_;
    int dragSerial_ = 1000;
    UnsavedQuestion askUnsaved_;
    bool showingSaveFailure_ = false;
};

} // namespace flowladder::ui
