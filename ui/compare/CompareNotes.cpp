#include "ui/compare/CompareNotes.h"

#include "ui/annotate/AnnotationDocument.h"
#include "ui/annotate/AnnotationOverlay.h"
#include "ui/compare/CompareMergedView.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderView.h"

#include <QContextMenuEvent>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMouseEvent>
#include <QUndoStack>
#include <unordered_map>

namespace flowladder::ui {
using core::Annotation;
using core::AnnotationKind;

CompareNotes::CompareNotes(QWidget* window, CompareMergedView* merged, QList<LadderView*> ladders)
    : QObject(window), window_(window), merged_(merged), ladders_(std::move(ladders)),
      doc_(new AnnotationDocument(this)), menu_(new QMenu(tr("&Annotate"), window))
{
    setObjectName(QStringLiteral("compareNotes"));
    menu_->setObjectName(QStringLiteral("compareAnnotateMenu"));
    QAction* edit = menu_->addAction(tr("Add or edit &note on the packet…"), this, &CompareNotes::editNote);
    edit->setObjectName(QStringLiteral("compareEditNote"));
    edit->setShortcuts({QKeySequence(tr("Ctrl+M")), QKeySequence(Qt::Key_F2)});
    QAction* del = menu_->addAction(tr("&Delete the packet's note"), this, &CompareNotes::deleteNote);
    del->setObjectName(QStringLiteral("compareDeleteNote"));
    menu_->addSeparator();
    menu_->addAction(tr("Show notes file location"), this, [this] {
        emit statusMessage(doc_->isOpen() ? tr("Notes on this comparison are saved to %1").arg(doc_->savePath())
                                          : tr("Notes are kept for comparisons of capture files."),
                           10000);
    });
    undo_ = doc_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo_->setShortcut(QKeySequence::Undo);
    redo_ = doc_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo_->setShortcuts({QKeySequence::Redo, QKeySequence(tr("Ctrl+Shift+Z"))});
    askUnsaved_ = [this](const QString& message, QString& path) {
        return askUnsavedWithDialog(window_, *doc_, message, path);
    };
    connect(doc_, &AnnotationDocument::changed, this, &CompareNotes::refresh);
    connect(doc_, &AnnotationDocument::saveFailed, this, [this](const QString& msg) {
        emit statusMessage(tr("Your notes could not be saved: %1. They are kept; FlowLadder tries again on the next "
                              "change and on close.")
                               .arg(msg),
                           0);
    });
    merged_->installEventFilter(this);
    for (qsizetype i = 0; i < ladders_.size(); ++i) { // ladders_[0] shows A, [1] B
        ladders_[i]->installEventFilter(this);
        new AnnotationOverlay(ladders_[i], false, [this, side = i] { return sideNotes_[side == 1]; });
    }
}

CompareNotes::~CompareNotes() = default;

void CompareNotes::open(const QString& pathA, const QString& pathB)
{
    if (!QFileInfo(pathA).isFile() || !QFileInfo(pathB).isFile()) { // e.g. a merged capture: no file to keep them by
        doc_->close();
        refresh();
        return;
    }
    doc_->openCompared(pathA, pathB);
    if (!doc_->problem().isEmpty()) emit statusMessage(doc_->problem(), 0);
}

bool CompareNotes::saveBeforeClosing()
{
    return ui::saveBeforeClosing(*doc_, askUnsaved_);
}

void CompareNotes::setContext(std::shared_ptr<const CompareMergedContent> content, int64_t match)
{
    const bool samePair = content_ == content;
    content_ = std::move(content);
    match_ = match;
    if (!samePair) refresh();
}

std::vector<Annotation> CompareNotes::identitiesOf(int64_t match) const
{
    std::vector<Annotation> keys;
    const core::FlowPair* p = content_ ? content_->pair() : nullptr;
    if (!p || match < 0 || static_cast<size_t>(match) >= p->packets.size()) return keys;
    const core::PacketMatch& m = p->packets[static_cast<size_t>(match)];
    Annotation a;
    a.kind = AnnotationKind::Note;
    if (m.inA()) {
        a.flow = p->a;
        a.frame = m.aFrame;
        keys.push_back(a);
    }
    if (m.inB()) { // also as B saw it: a note made while another clock offset left it unmatched
        a.inCaptureB = true;
        a.flow = p->b;
        a.frame = m.bFrame;
        keys.push_back(a);
    }
    return keys;
}

uint64_t CompareNotes::noteWith(const std::vector<Annotation>& keys) const
{
    for (const Annotation& key : keys)
        for (const Annotation& a : doc_->items())
            if (a.kind == AnnotationKind::Note && a.inCaptureB == key.inCaptureB && a.flow == key.flow &&
                a.frame == key.frame)
                return a.id;
    return 0;
}

uint64_t CompareNotes::noteOf(int64_t match) const
{
    return noteWith(identitiesOf(match));
}

uint64_t CompareNotes::setNote(int64_t match, const QString& text)
{
    return setNoteFor(identitiesOf(match), text);
}

uint64_t CompareNotes::setNoteFor(std::vector<Annotation> keys, const QString& text)
{
    if (keys.empty() || !doc_->isOpen()) return 0;
    const uint64_t existing = noteWith(keys);
    if (text.trimmed().isEmpty()) {
        if (existing) doc_->remove(existing);
        return 0;
    }
    if (existing) {
        doc_->setText(existing, text.trimmed());
        return existing;
    }
    Annotation& key = keys.front(); // as A saw it when A did
    key.text = text.trimmed().toStdString();
    const uint64_t id = doc_->add(key);
    emit statusMessage(tr("Note saved with the comparison in %1").arg(QFileInfo(doc_->savePath()).fileName()), 6000);
    return id;
}

std::vector<CompareMergedLadder::Note> CompareNotes::notesOfPair(const CompareMergedContent& content,
                                                                 const std::vector<Annotation>& items)
{
    std::vector<CompareMergedLadder::Note> out;
    const core::FlowPair* p = content.pair();
    if (!p) return out;
    const bool any =
        std::any_of(items.begin(), items.end(), [](const Annotation& a) { return a.kind == AnnotationKind::Note; });
    if (!any) return out;
    std::unordered_map<uint32_t, uint32_t> ofA, ofB; // frame -> match, every packet each capture saw
    for (uint32_t i = 0; i < p->packets.size(); ++i) {
        const core::PacketMatch& m = p->packets[i];
        if (m.inA()) ofA.emplace(m.aFrame, i);
        if (m.inB()) ofB.emplace(m.bFrame, i);
    }
    for (const Annotation& a : items) {
        if (a.kind != AnnotationKind::Note || a.flow != (a.inCaptureB ? p->b : p->a)) continue;
        const auto& frames = a.inCaptureB ? ofB : ofA;
        auto it = frames.find(a.frame);
        if (it == frames.end()) continue;
        const int64_t item = content.layout.itemOfMatch(it->second);
        if (item >= 0) out.push_back({static_cast<uint32_t>(item), a.id, QString::fromStdString(a.text)});
    }
    return out;
}

std::vector<Annotation> CompareNotes::notesOnSide(const CompareMergedContent& content,
                                                  const std::vector<Annotation>& items, bool inB)
{
    std::vector<Annotation> out;
    const core::FlowPair* p = content.pair();
    if (!p) return out;
    for (const CompareMergedLadder::Note& n : notesOfPair(content, items)) {
        const core::PacketMatch& m = p->packets[content.layout.items[n.item].match];
        if (!(inB ? m.inB() : m.inA())) continue;
        Annotation a;
        a.id = n.id;
        a.kind = AnnotationKind::Note;
        a.flow = inB ? p->b : p->a;
        a.frame = inB ? m.bFrame : m.aFrame;
        a.text = n.text.toStdString();
        out.push_back(std::move(a));
    }
    return out;
}

void CompareNotes::setShown(bool shown)
{
    shown_ = shown;
    refresh();
}

void CompareNotes::refresh()
{
    // Worked out here, once per change (not per paint: a pair may hold millions of packets).
    const bool show = shown_ && content_ && content_->valid();
    merged_->ladder()->setNotes(show ? notesOfPair(*content_, doc_->items())
                                     : std::vector<CompareMergedLadder::Note>{});
    for (bool inB : {false, true})
        sideNotes_[inB] = show ? notesOnSide(*content_, doc_->items(), inB) : std::vector<Annotation>{};
    merged_->replot(QCustomPlot::rpQueuedReplot);
    for (LadderView* l : ladders_)
        l->replot(QCustomPlot::rpQueuedReplot);
}

std::optional<QString> CompareNotes::askText(const QString& title, const QString& initial)
{
    if (askText_) return askText_(title, initial);
    bool ok = false;
    const QString t = QInputDialog::getMultiLineText(
        window_, title, tr("Text (shown on the merged ladder and in its exports; empty removes the note):"), initial,
        &ok);
    if (!ok) return std::nullopt;
    return t;
}

void CompareNotes::editNote()
{
    // The packet as chosen now: a recompare may change the selection while the dialog is open.
    const std::vector<Annotation> keys = identitiesOf(match_);
    if (keys.empty()) {
        emit statusMessage(tr("Select a packet first (click it on a ladder)."), 5000);
        return;
    }
    if (!doc_->isOpen()) {
        emit statusMessage(tr("Notes are kept for comparisons of capture files."), 5000);
        return;
    }
    const Annotation* existing = doc_->find(noteWith(keys));
    const QString title = tr("Note on %1 #%2")
                              .arg(keys.front().inCaptureB ? QStringLiteral("B") : QStringLiteral("A"))
                              .arg(keys.front().frame);
    if (auto t = askText(title, existing ? QString::fromStdString(existing->text) : QString())) setNoteFor(keys, *t);
}

void CompareNotes::deleteNote()
{
    if (const uint64_t id = noteOf(match_))
        doc_->remove(id);
    else
        emit statusMessage(tr("The selected packet has no note."), 4000);
}

void CompareNotes::showContextMenu(const QPoint& globalPos, bool onPacket)
{
    QMenu menu(window_);
    if (onPacket && match_ >= 0) {
        const bool has = noteOf(match_) != 0;
        menu.addAction(has ? tr("Edit note…") : tr("Add note to this packet…"), this, &CompareNotes::editNote);
        if (has) menu.addAction(tr("Delete note"), this, &CompareNotes::deleteNote);
        menu.addSeparator();
    }
    menu.addActions(contextActions_);
    if (!menu.isEmpty()) menu.exec(globalPos);
}

bool CompareNotes::eventFilter(QObject* watched, QEvent* event)
{
    const bool dbl = event->type() == QEvent::MouseButtonDblClick;
    if (!dbl && event->type() != QEvent::ContextMenu) return false;
    auto* ladder = qobject_cast<LadderView*>(watched);
    if (watched != merged_ && !(ladder && ladders_.contains(ladder))) return false;
    // From the keyboard (Menu key, Shift+F10) the menu is about the selected packet.
    if (!dbl && static_cast<QContextMenuEvent*>(event)->reason() != QContextMenuEvent::Mouse) {
        showContextMenu(static_cast<QContextMenuEvent*>(event)->globalPos(), true);
        return true;
    }
    const QPointF pos =
        dbl ? static_cast<QMouseEvent*>(event)->position() : QPointF(static_cast<QContextMenuEvent*>(event)->pos());
    // The packet under the pointer (or whose note is there) becomes the selection first.
    bool onPacket = false;
    if (watched == merged_) {
        int64_t item = merged_->ladder()->itemAt(pos);
        if (const uint64_t id = merged_->ladder()->noteAt(pos))
            for (const auto& n : merged_->ladder()->notes())
                if (n.id == id) item = n.item;
        if (item >= 0) emit matchChosen(item); // items follow the pair's packets
        onPacket = item >= 0;
    } else {
        const int64_t row = ladder->ladder()->rowAt(pos);
        if (row >= 0) ladder->selectRow(row); // the window selects the same packet everywhere
        onPacket = row >= 0;
    }
    if (dbl) {
        if (onPacket && match_ >= 0) editNote();
        return onPacket && match_ >= 0;
    }
    showContextMenu(static_cast<QContextMenuEvent*>(event)->globalPos(), onPacket);
    return true;
}

} // namespace flowladder::ui
