#pragma once
// The comparison's notes: what the user writes about packets of a compared pair during a
// postmortem, saved with the pair (beside capture A, core::AnnotationStore::openCompared, autosaved
// and undoable like the main window's notes) and drawn on the merged ladder and on the side-by-side
// ladder of each capture that saw the packet. A note belongs to the
// packet as capture A saw it, or as B saw it when A never did (a packet created in between), so it
// finds its packet again whatever clock offset is chosen.
//
// Offers the comparison window an Annotate menu, undo/redo, and the ladders' context menu and
// double-click; reads the ladders through event filters and reports through signals.

#include "core/annotations/Annotations.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/compare/CompareMergedLadder.h"

#include <QObject>
#include <functional>
#include <memory>
#include <optional>

class QAction;
class QMenu;

namespace flowladder::ui {

class CompareMergedView;
class LadderView;

class CompareNotes : public QObject {
    Q_OBJECT
public:
    // `merged` shows the notes; right-click and double-click on it and on `ladders` (the
    // side-by-side ones) act on the packet under the pointer.
    CompareNotes(QWidget* window, CompareMergedView* merged, QList<LadderView*> ladders);
    ~CompareNotes() override;

    AnnotationDocument* document() const { return doc_; }
    QMenu* menu() const { return menu_; }
    QAction* undoAction() const { return undo_; }
    QAction* redoAction() const { return redo_; }
    // Entries the context menu adds after the notes' own (the window's export).
    void setContextActions(QList<QAction*> actions) { contextActions_ = std::move(actions); }
    // Asks for a note's text (nullopt: cancelled); the default is a dialog, tests set their own.
    using TextQuestion = std::function<std::optional<QString>(const QString& title, const QString& initial)>;
    void setTextQuestion(TextQuestion ask) { askText_ = std::move(ask); }

    // Loads the pair's notes (saving those of the pair shown before).
    void open(const QString& pathA, const QString& pathB);
    // The window is closing: writes pending notes, asking when they cannot be saved (ui::saveBeforeClosing);
    // false when the user chose to keep the window open.
    bool saveBeforeClosing();
    void setUnsavedQuestion(UnsavedQuestion ask) { askUnsaved_ = std::move(ask); }
    // Whether the merged ladder draws them (flowladder-render --no-annotations hides them).
    void setShown(bool shown);
    // The pair and packet shown: the merged ladder gets the pair's notes.
    void setContext(std::shared_ptr<const CompareMergedContent> content, int64_t match);
    // The note on a packet of the pair (index into FlowPair::packets), 0 when none.
    uint64_t noteOf(int64_t match) const;
    // Writes the packet's note: adds it, changes it, or removes it when `text` is empty. Returns
    // the note's id (0 when removed or impossible).
    uint64_t setNote(int64_t match, const QString& text);

    // The notes of `items` that belong to packets of the content's pair, as the merged ladder draws
    // them (also for flowladder-render's exports).
    static std::vector<CompareMergedLadder::Note> notesOfPair(const CompareMergedContent& content,
                                                              const std::vector<core::Annotation>& items);
    // The same notes as notes on one capture's own flow (side B when `inB`): each on the packet as
    // that capture saw it, so the side-by-side ladders draw them too; notes on packets that capture
    // never saw are left out.
    static std::vector<core::Annotation> notesOnSide(const CompareMergedContent& content,
                                                     const std::vector<core::Annotation>& items, bool inB);

public slots:
    void editNote(); // the selected packet's note, new or existing
    void deleteNote();

signals:
    void statusMessage(const QString& text, int timeoutMs);
    // A right-click or double-click on the merged ladder chose this packet.
    void matchChosen(int64_t match);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // The ways a note on this packet is kept: as A saw it (when A did), as B saw it (when B did).
    std::vector<core::Annotation> identitiesOf(int64_t match) const;
    uint64_t noteWith(const std::vector<core::Annotation>& keys) const;
    uint64_t setNoteFor(std::vector<core::Annotation> keys, const QString& text);
    void refresh();
    void showContextMenu(const QPoint& globalPos, bool onPacket); // onPacket: note entries for the selection
    std::optional<QString> askText(const QString& title, const QString& initial);

    QWidget* window_;
    CompareMergedView* merged_;
    QList<LadderView*> ladders_;
    AnnotationDocument* doc_;
    QMenu* menu_;
    QAction* undo_;
    QAction* redo_;
    QList<QAction*> contextActions_;
    TextQuestion askText_;
    UnsavedQuestion askUnsaved_;
    std::shared_ptr<const CompareMergedContent> content_;
    int64_t match_ = -1;
    bool shown_ = true;
    std::vector<core::Annotation> sideNotes_[2]; // the side-by-side ladders' (A, B), from refresh()
};

} // namespace flowladder::ui
