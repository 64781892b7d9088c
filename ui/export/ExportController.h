#pragma once
// File > Export: the ladder (visible part or whole flow) to PNG/SVG/PDF with annotations,
// finding marks and a title block; the visible ladder to the clipboard; the postmortem
// summary (Markdown + image). The drawing itself is FlowRenderer's.

#include <QList>
#include <QObject>
#include <QStringList>
#include <memory>

class QAction;
class QMenu;

namespace flowladder::ui {

class AnnotationDocument;
class FlowRenderer;
class MainWindow;

class ExportController : public QObject {
    Q_OBJECT
public:
    ExportController(MainWindow* window, AnnotationDocument* doc, QObject* parent);

    // The current flow as the ladder shows it (visibleOnly) or whole; nullptr without a flow.
    std::unique_ptr<FlowRenderer> renderer(bool visibleOnly) const;
    bool exportLadder(const QString& path, bool visibleOnly, double scale, QString& error,
                      QStringList* written = nullptr);
    // Writes `mdPath` and the whole flow's image beside it ("<name>-flow<N>.png").
    bool exportPostmortem(const QString& mdPath, QString& error, QStringList* written = nullptr);
    // Writes the capture as pcapng with every note as a packet comment (Wireshark shows them).
    bool exportPcapngWithNotes(const QString& path, QString& error);
    bool copyImage();
    // What MainWindow places in File (in this order) and what the ladder's context menu adds.
    QList<QAction*> fileActions() const { return actions_; }
    void addContextActions(QMenu* menu);

signals:
    void statusMessage(const QString& text, int timeoutMs);
    // An export could not be written; `error` names the file and the reason.
    void failed(const QString& error);

private:
    void createActions();
    void exportInteractive(bool visibleOnly);
    void postmortemInteractive();
    void pcapngInteractive();
    void report(bool ok, const QString& error, const QStringList& written);

    MainWindow* window_;
    AnnotationDocument* doc_;
    QList<QAction*> actions_;
};

} // namespace flowladder::ui
