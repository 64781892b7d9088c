#pragma once
// The annotations of the open capture as the GUI edits them: a core::AnnotationStore
// (sidecar, fingerprint, damaged files kept) plus an undo stack and a debounced,
// atomic autosave. Every edit goes through an undo command; every change is saved
// about 500 ms later and on close, so the user's notes are never lost.

#include "core/annotations/Annotations.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <QUndoStack>
#include <functional>
#include <optional>
#include <vector>

class QWidget;

namespace flowladder::ui {

class AnnotationDocument : public QObject {
    Q_OBJECT
public:
    explicit AnnotationDocument(QObject* parent = nullptr);
    ~AnnotationDocument() override; // saves pending changes

    // Saves what is pending, then loads the sidecar of `capturePath` (clears the undo stack).
    void open(const QString& capturePath);
    // The same for several files read as one capture (core::AnnotationStore::openMerged);
    // capturePath() is then the first of them.
    void openMerged(const QStringList& capturePaths);
    // The notes of a comparison of capture A with capture B (core::AnnotationStore::openCompared);
    // capturePath() is then A.
    void openCompared(const QString& pathA, const QString& pathB);
    void close(); // saves and forgets the capture
    bool isOpen() const { return !capturePath_.isEmpty(); }
    QString capturePath() const { return capturePath_; }
    QString savePath() const { return QString::fromStdString(store_.savePath()); }
    // Non-empty when the sidecar could not be used (damaged, another capture's): it names the
    // file, says it is kept, and where new notes go.
    QString problem() const { return QString::fromStdString(store_.problem()); }
    QString lastSaveError() const { return saveError_; }
    // Where the notes are when that needs saying: found in, or saved to, the per-user fallback
    // file (and why), or notes of another instance merged in by the last save. "" otherwise.
    QString notice() const { return QString::fromStdString(store_.notice()); }
    bool hasPendingSave() const { return saveTimer_.isActive(); }

    const core::AnnotationSet& set() const { return store_.set(); }
    const std::vector<core::Annotation>& items() const { return store_.set().items; }
    std::vector<core::Annotation> itemsOfFlow(uint32_t flowId) const;
    const core::Annotation* find(uint64_t id) const { return store_.set().find(id); }
    QUndoStack* undoStack() { return &undo_; }

    // Edits, each one undoable. Return the annotation's id (0 when nothing was done).
    uint64_t add(core::Annotation a); // a.id is assigned
    bool setText(uint64_t id, const QString& text);
    // Replaces the whole annotation (moves, resizes). `mergeKey` != 0 merges consecutive
    // updates with the same key into one undo step (a drag).
    bool update(const core::Annotation& a, int mergeKey = 0);
    bool remove(uint64_t id);

    // Writes now (atomic; merged with what another instance saved meanwhile; to the per-user
    // fallback file when the sidecar cannot be written). False and lastSaveError() when it failed.
    bool saveNow();
    // Writes to `path` (chosen by the user) and saves there from then on.
    bool saveAs(const QString& path);
    // Forgets the unsaved state (the user chose to discard the notes not saved).
    void discardUnsaved();
    // Edits not yet written (a save pending, or one that failed).
    bool hasUnsavedChanges() const { return dirty_; }
    void setSaveDelay(int ms) { saveTimer_.setInterval(ms); }

signals:
    void opened(const QString& capturePath);
    void changed();
    void saved(const QString& path);
    void saveFailed(const QString& message);

private:
    friend class AnnotationCommand;
    // Puts `a` in place of the annotation with `id` (inserts, replaces or, when nullopt, removes).
    void apply(uint64_t id, const std::optional<core::Annotation>& a);
    void scheduleSave();
    bool finishSave(bool ok, const std::string& error, const std::vector<core::Annotation>& before);

    core::AnnotationStore store_;
    QString capturePath_;
    QUndoStack undo_;
    QTimer saveTimer_;
    QString saveError_;
    bool dirty_ = false;
};

// A window with unsaved notes is closing and they cannot be saved (beside the capture nor in the
// per-user folder): save them elsewhere (to `path`), discard them, or keep the window open.
enum class UnsavedChoice { SaveElsewhere, Discard, Cancel };
// Asks the user; `message` says what failed. Tests set their own (offscreen must not block).
using UnsavedQuestion = std::function<UnsavedChoice(const QString& message, QString& path)>;
// Writes the document's pending notes before its window closes; when that fails, asks until they
// are saved or discarded. False when the user cancelled (the window must stay open). A document
// without edits writes nothing (a capture nobody annotated keeps its folder untouched).
bool saveBeforeClosing(AnnotationDocument& doc, const UnsavedQuestion& ask);
// The question as a message box and a file dialog.
UnsavedChoice askUnsavedWithDialog(QWidget* parent, const AnnotationDocument& doc, const QString& message,
                                   QString& path);

} // namespace flowladder::ui
