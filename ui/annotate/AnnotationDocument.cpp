#include "ui/annotate/AnnotationDocument.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QUndoCommand>
#include <algorithm>

namespace flowladder::ui {
using core::Annotation;

// One edit of one annotation: `before` and `after` (nullopt = absent) make add, edit,
// move and delete the same command.
class AnnotationCommand : public QUndoCommand {
public:
    AnnotationCommand(AnnotationDocument* doc, uint64_t id, std::optional<Annotation> before,
                      std::optional<Annotation> after, const QString& text, int mergeKey)
        : QUndoCommand(text), doc_(doc), id_(id), before_(std::move(before)), after_(std::move(after)),
          mergeKey_(mergeKey)
    {
    }
    void redo() override { doc_->apply(id_, after_); }
    void undo() override { doc_->apply(id_, before_); }
    int id() const override { return mergeKey_ ? mergeKey_ : -1; }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* o = static_cast<const AnnotationCommand*>(other);
        if (o->id_ != id_ || !o->after_ || !after_) return false;
        after_ = o->after_;
        return true;
    }

private:
    AnnotationDocument* doc_;
    uint64_t id_;
    std::optional<Annotation> before_, after_;
    int mergeKey_;
};

namespace {
QString kindText(core::AnnotationKind k)
{
    switch (k) {
    case core::AnnotationKind::Note:
        return QObject::tr("note");
    case core::AnnotationKind::Callout:
        return QObject::tr("callout");
    case core::AnnotationKind::TimeRange:
        return QObject::tr("time range");
    }
    return QObject::tr("note");
}
} // namespace

AnnotationDocument::AnnotationDocument(QObject* parent) : QObject(parent)
{
    saveTimer_.setSingleShot(true);
    saveTimer_.setInterval(500);
    connect(&saveTimer_, &QTimer::timeout, this, &AnnotationDocument::saveNow);
}

AnnotationDocument::~AnnotationDocument()
{
    if (dirty_) saveNow();
}

void AnnotationDocument::open(const QString& capturePath)
{
    close();
    capturePath_ = capturePath;
    store_ = core::AnnotationStore::open(capturePath.toStdString());
    emit opened(capturePath);
    emit changed();
}

void AnnotationDocument::openMerged(const QStringList& capturePaths)
{
    if (capturePaths.size() == 1) return open(capturePaths.front());
    close();
    capturePath_ = capturePaths.value(0);
    std::vector<std::string> paths;
    for (const QString& p : capturePaths)
        paths.push_back(p.toStdString());
    store_ = core::AnnotationStore::openMerged(paths);
    emit opened(capturePath_);
    emit changed();
}

void AnnotationDocument::openCompared(const QString& pathA, const QString& pathB)
{
    close();
    capturePath_ = pathA;
    store_ = core::AnnotationStore::openCompared(pathA.toStdString(), pathB.toStdString());
    emit opened(capturePath_);
    emit changed();
}

void AnnotationDocument::close()
{
    if (dirty_) saveNow();
    saveTimer_.stop();
    undo_.clear();
    store_ = core::AnnotationStore();
    capturePath_.clear();
    saveError_.clear();
}

std::vector<Annotation> AnnotationDocument::itemsOfFlow(uint32_t flowId) const
{
    std::vector<Annotation> out;
    for (const Annotation& a : items())
        if (a.flow == flowId) out.push_back(a);
    return out;
}

uint64_t AnnotationDocument::add(Annotation a)
{
    if (!isOpen()) return 0;
    a.id = store_.set().newId();
    undo_.push(new AnnotationCommand(this, a.id, std::nullopt, a, tr("Add %1").arg(kindText(a.kind)), 0));
    return a.id;
}

bool AnnotationDocument::setText(uint64_t id, const QString& text)
{
    const Annotation* cur = find(id);
    if (!cur || cur->text == text.toStdString()) return false;
    Annotation a = *cur;
    a.text = text.toStdString();
    undo_.push(new AnnotationCommand(this, id, *cur, a, tr("Edit %1").arg(kindText(a.kind)), 0));
    return true;
}

bool AnnotationDocument::update(const Annotation& a, int mergeKey)
{
    const Annotation* cur = find(a.id);
    if (!cur || *cur == a) return false;
    undo_.push(new AnnotationCommand(this, a.id, *cur, a, tr("Move %1").arg(kindText(a.kind)), mergeKey));
    return true;
}

bool AnnotationDocument::remove(uint64_t id)
{
    const Annotation* cur = find(id);
    if (!cur) return false;
    undo_.push(new AnnotationCommand(this, id, *cur, std::nullopt, tr("Delete %1").arg(kindText(cur->kind)), 0));
    return true;
}

void AnnotationDocument::apply(uint64_t id, const std::optional<Annotation>& a)
{
    auto& items = store_.set().items;
    auto it = std::find_if(items.begin(), items.end(), [id](const Annotation& x) { return x.id == id; });
    if (a) {
        if (it != items.end())
            *it = *a;
        else
            items.push_back(*a);
        // Keep file order stable: by id.
        std::sort(items.begin(), items.end(), [](const Annotation& x, const Annotation& y) { return x.id < y.id; });
    } else if (it != items.end()) {
        items.erase(it);
    }
    scheduleSave();
    emit changed();
}

void AnnotationDocument::scheduleSave()
{
    dirty_ = true;
    saveTimer_.start();
}

bool AnnotationDocument::saveNow()
{
    saveTimer_.stop();
    if (!isOpen()) return false;
    const std::vector<Annotation> before = items();
    std::string error;
    return finishSave(store_.save(error), error, before);
}

bool AnnotationDocument::saveAs(const QString& path)
{
    saveTimer_.stop();
    if (!isOpen()) return false;
    const std::vector<Annotation> before = items();
    std::string error;
    return finishSave(store_.saveAs(path.toStdString(), error), error, before);
}

bool AnnotationDocument::finishSave(bool ok, const std::string& error, const std::vector<Annotation>& before)
{
    if (!ok) {
        saveError_ = QString::fromStdString(error);
        emit saveFailed(saveError_);
        return false;
    }
    dirty_ = false;
    saveError_.clear();
    if (items() != before) emit changed(); // another instance's notes merged in
    emit saved(savePath());
    return true;
}

void AnnotationDocument::discardUnsaved()
{
    saveTimer_.stop();
    dirty_ = false;
}

bool saveBeforeClosing(AnnotationDocument& doc, const UnsavedQuestion& ask)
{
    if (!doc.hasUnsavedChanges() || doc.saveNow()) return true;
    // Neither beside the capture nor in the per-user folder: never close without asking.
    for (;;) {
        QString path;
        const QString message = QObject::tr("Your notes on %1 could not be saved: %2")
                                    .arg(QFileInfo(doc.capturePath()).fileName(), doc.lastSaveError());
        switch (ask(message, path)) {
        case UnsavedChoice::SaveElsewhere:
            if (!path.isEmpty() && doc.saveAs(path)) return true;
            break; // failed too (lastSaveError says why): ask again
        case UnsavedChoice::Discard:
            doc.discardUnsaved();
            return true;
        case UnsavedChoice::Cancel:
            return false;
        }
    }
}

UnsavedChoice askUnsavedWithDialog(QWidget* parent, const AnnotationDocument& doc, const QString& message,
                                   QString& path)
{
    for (;;) {
        QMessageBox box(QMessageBox::Warning, QObject::tr("Notes not saved"), message, QMessageBox::NoButton, parent);
        box.setInformativeText(QObject::tr("Save them to another file, or discard them?"));
        QPushButton* elsewhere = box.addButton(QObject::tr("Save elsewhere…"), QMessageBox::AcceptRole);
        QPushButton* discard = box.addButton(QObject::tr("Discard notes"), QMessageBox::DestructiveRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(elsewhere);
        box.exec();
        if (box.clickedButton() == discard) return UnsavedChoice::Discard;
        if (box.clickedButton() != elsewhere) return UnsavedChoice::Cancel;
        const QString suggested =
            QDir::home().filePath(QFileInfo(doc.capturePath()).fileName() + QStringLiteral(".flowladder.json"));
        path = QFileDialog::getSaveFileName(parent, QObject::tr("Save notes as"), suggested,
                                            QObject::tr("FlowLadder notes (*.json)"));
        if (!path.isEmpty()) return UnsavedChoice::SaveElsewhere;
    }
}

} // namespace flowladder::ui
