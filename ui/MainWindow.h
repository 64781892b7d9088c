#pragma once
// The FlowLadder window: assembles the panes around one CurrentSelection, owns the
// loader, menus, recent files and drag-and-drop. No analysis here.

#include "core/model/Analysis.h"

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QMenu;
class QAction;

namespace flowladder::ui {

class AnnotationController;
class CaptureLoader;
class CurrentSelection;
class DetailsPane;
class ExportController;
class FindingsPane;
class FlowListPane;
class LadderView;
class MessageBar;
class SummaryPane;
class TimeSequenceGraph;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The bundled sample incident, or an empty string when it is not installed.
    static QString sampleIncidentPath();
    // Puts the window where the user left it and, when first shown, the panes as they were
    // (saved on close). False when nothing was saved.
    bool restoreWindowLayout();
    // `wireshark` arguments that open the capture at the selected packet with the flow as the
    // display filter (empty without a file).
    QStringList wiresharkArguments() const;
    // What F1 and Help > About show.
    QString shortcutsText() const;
    QString aboutText() const;
    // docs/user-guide.md where this build finds it (installed or in the source tree); "" if nowhere.
    static QString userGuidePath();
    // Help > User guide: the guide, with its screenshots, in a window of its own.
    QWidget* showUserGuide();

    CurrentSelection* selection() const { return selection_; }
    CaptureLoader* loader() const { return loader_; }
    LadderView* ladder() const { return ladder_; }
    TimeSequenceGraph* graph() const { return graph_; }
    FlowListPane* flowList() const { return flowList_; }
    FindingsPane* findings() const { return findings_; }
    DetailsPane* details() const { return details_; }
    SummaryPane* summary() const { return summary_; }
    QString currentFile() const { return currentFile_; }
    AnnotationController* annotations() const { return annotations_; }
    ExportController* exports() const { return exports_; }
    // The bar above the ladder: what the user must not miss (a capture that could not be
    // opened, notes not saved, an export that failed). "" when hidden.
    MessageBar* messageBar() const { return messageBar_; }

public slots:
    // Opens a capture (a scan database, flowladder-cli scan --db, opens "Findings across captures").
    void openFile(const QString& path);
    // Several files as one capture, merged by time (MainWindowOpen.cpp).
    void openFiles(const QStringList& files);
    // Opens `path` and, once shown, selects that flow and frame (from the scan results).
    void openFileAt(const QString& path, uint32_t flow, uint32_t frame);
    // "Findings across captures" over a scan database; false (with a message) when it is not one.
    bool openScanResults(const QString& path);
    // Shows an analysis that is already in memory (tests, benchmarks).
    void showAnalysis(const core::AnalysisPtr& analysis, const QString& path);
    void openDialog();
    void openSample();
    void copyFlowFilter();
    void copyPacketFilter();
    // Posts to the message bar above the ladder (rich text; "" hides it).
    void showMessage(const QString& text, bool error);

signals:
    void captureShown(const QString& path);
    void loadFailed(const QString& path, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void createPanes();
    void createFeatures();
    void createActions();
    void wireSelection();
    void onLoaded(const QString& path, const core::AnalysisPtr& analysis);
    void onFailed(const QString& path, const QString& message);
    void onProgress(double fraction, double eta);
    void setBusy(bool busy, const QString& path = {});
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void updateTitle();
    void showShortcuts();
    void openInWireshark();
    void openSeveralDialog();
    // The file dialogs' folder: where the user last opened something, remembered across runs.
    static QString lastOpenDir();
    static void rememberOpenDir(const QString& file);
    static QString captureFileFilter();
    void openScanDialog();
    // "trace.pcap", or "ring-1.pcap.gz + 3 more" for a merge.
    QString captureTitle() const;
    // Selects the flow and frame openFileAt() asked for, if any (after a capture is shown).
    void applyPendingSelection();

    CurrentSelection* selection_;
    CaptureLoader* loader_;
    LadderView* ladder_ = nullptr;
    TimeSequenceGraph* graph_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    MessageBar* messageBar_ = nullptr;
    AnnotationController* annotations_ = nullptr;
    ExportController* exports_ = nullptr;
    SummaryPane* summary_ = nullptr;
    FlowListPane* flowList_ = nullptr;
    FindingsPane* findings_ = nullptr;
    DetailsPane* details_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* eta_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QString currentFile_;
    QString loadingFile_;
    struct {
        uint32_t flow = 0, frame = 0;
    } pending_; // openFileAt()'s selection, until the capture is shown
    bool docksSized_ = false;
    QByteArray savedState_; // the dock layout restoreWindowLayout() found, applied when first shown
};

} // namespace flowladder::ui
