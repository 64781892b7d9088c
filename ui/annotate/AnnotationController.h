#pragma once
// The postmortem workflow in the main window: annotations on the ladder (add from the
// context menu, the Annotate menu or shortcuts; edit by double-click; drag to move;
// Delete; undo/redo), their autosave beside the capture, and a message bar when the
// sidecar cannot be used. Installed by MainWindow with one line; it reaches the window
// only through its public accessors and the ladder through an event filter.

#include "core/annotations/Annotations.h"

#include <QObject>
#include <QPointF>
#include <optional>

class QAction;
class QContextMenuEvent;
class QMouseEvent;
class QFrame;
class QLabel;
class QMenu;

namespace flowladder::ui {

class AnnotationDocument;
class AnnotationOverlay;
class ExportController;
class LadderView;
class MainWindow;

class AnnotationController : public QObject {
    Q_OBJECT
public:
    explicit AnnotationController(MainWindow* window);
    ~AnnotationController() override;

    AnnotationDocument* document() const { return doc_; }
    ExportController* exports() const { return exports_; }
    uint64_t selectedId() const { return selectedId_; }
    void select(uint64_t id);
    // The message bar's text ("" when hidden) and the "notes go to" status text.
    QString messageText() const;
    QString statusText() const;

    // Programmatic adds (menus and tests). `row` is a row of the current flow; 0 on failure.
    uint64_t addNote(int64_t row, const QString& text);
    uint64_t addCallout(int64_t row, double anchorX, const QString& text);
    uint64_t addTimeRange(int64_t fromRow, int64_t toRow, const QString& text);

public slots:
    void addNoteInteractive();
    void addCalloutInteractive();
    void addTimeRangeInteractive();
    void editSelected();
    void deleteSelected();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void createActions();
    void createMessageBar();
    void onCaptureShown(const QString& path);
    void showMessage(const QString& text, bool error);
    void updateStatus();
    bool mousePress(QMouseEvent* e);
    bool mouseMove(QMouseEvent* e);
    bool mouseRelease(QMouseEvent* e);
    bool contextMenu(QContextMenuEvent* e);
    int64_t rowNear(double pixelY) const;
    std::optional<QString> askText(const QString& title, const QString& initial);
    void replot();

    MainWindow* window_;
    LadderView* ladder_;
    AnnotationDocument* doc_;
    ExportController* exports_ = nullptr;
    AnnotationOverlay* below_ = nullptr;
    AnnotationOverlay* above_ = nullptr;
    QFrame* bar_ = nullptr;
    QLabel* barText_ = nullptr;
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
    int dragSerial_ = 1000;
};

} // namespace flowladder::ui
