#include "ui/MainWindow.h"

#include "ui/MessageBar.h"
#include "ui/annotate/AnnotationController.h"
#include "ui/compare/CompareOpenDialog.h"
#include "ui/export/ExportController.h"
#include "ui/ladder/LadderView.h"
#include "ui/ladder/TimeSequenceGraph.h"
#include "ui/models/CaptureLoader.h"
#include "ui/models/CurrentSelection.h"
#include "ui/models/WiresharkFilter.h"
#include "ui/panes/DetailsPane.h"
#include "ui/panes/FindingsPane.h"
#include "ui/panes/FlowListPane.h"
#include "ui/panes/SummaryPane.h"
#include "ui/scan/ScanResultsWindow.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <optional>

#ifndef FLOWLADDER_SAMPLE_SOURCE_DIR
#define FLOWLADDER_SAMPLE_SOURCE_DIR ""
#endif
#ifndef FLOWLADDER_SAMPLE_INSTALL_SUBDIR
#define FLOWLADDER_SAMPLE_INSTALL_SUBDIR "share/flowladder/sample"
#endif

namespace flowladder::ui {

namespace {
constexpr int MaxRecent = 8;
const QString RecentKey = QStringLiteral("recentFiles");
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), selection_(new CurrentSelection(this)), loader_(new CaptureLoader(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    createPanes();
    createFeatures();
    createActions();
    wireSelection();
    updateTitle();
    connect(loader_, &CaptureLoader::started, this, [this](const QString& path) { setBusy(true, path); });
    connect(loader_, &CaptureLoader::progress, this, &MainWindow::onProgress);
    connect(loader_, &CaptureLoader::loaded, this, &MainWindow::onLoaded);
    connect(loader_, &CaptureLoader::failed, this, &MainWindow::onFailed);
    connect(loader_, &CaptureLoader::cancelled, this, [this](const QString& path) {
        setBusy(false);
        statusBar()->showMessage(
            tr("Stopped loading %1; still showing the previous capture.").arg(QFileInfo(path).fileName()), 8000);
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::createPanes()
{
    ladder_ = new LadderView(this);
    graph_ = new TimeSequenceGraph(this);
    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    tabs_->addTab(ladder_, tr("Ladder"));
    tabs_->addTab(graph_, tr("Time-sequence graph"));
    // The message bar sits above the tabs.
    auto* central = new QWidget(this);
    auto* column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    messageBar_ = new MessageBar(central);
    column->addWidget(messageBar_);
    column->addWidget(tabs_, 1);
    setCentralWidget(central);

    summary_ = new SummaryPane(selection_, this);
    flowList_ = new FlowListPane(selection_, this);
    findings_ = new FindingsPane(selection_, this);
    details_ = new DetailsPane(selection_, this);
    auto dock = [this](QWidget* w, const QString& title, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(w->objectName() + QStringLiteral("Dock"));
        d->setWidget(w);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
        addDockWidget(area, d);
        return d;
    };
    QDockWidget* s = dock(summary_, tr("Summary"), Qt::LeftDockWidgetArea);
    QDockWidget* f = dock(flowList_, tr("Flows"), Qt::LeftDockWidgetArea);
    QDockWidget* fi = dock(findings_, tr("Findings in this flow"), Qt::RightDockWidgetArea);
    QDockWidget* de = dock(details_, tr("Packet details"), Qt::RightDockWidgetArea);
    splitDockWidget(s, f, Qt::Vertical);
    splitDockWidget(fi, de, Qt::Vertical);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(220);
    progress_->setFormat(QStringLiteral("%p%"));
    eta_ = new QLabel(this);
    cancel_ = new QPushButton(tr("Cancel"), this);
    connect(cancel_, &QPushButton::clicked, loader_, &CaptureLoader::cancel);
    statusBar()->addPermanentWidget(eta_);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
    setBusy(false);
}

// The features beside the panes: annotations (autosaved notes on the ladder) and export.
// They offer actions and report through signals; this window places and shows them.
void MainWindow::createFeatures()
{
    annotations_ = new AnnotationController(this, messageBar_);
    exports_ = new ExportController(this, annotations_->document(), this);
    statusBar()->addPermanentWidget(annotations_->statusLabel());
    connect(annotations_, &AnnotationController::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(exports_, &ExportController::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(annotations_, &AnnotationController::contextMenuAboutToShow, exports_,
            &ExportController::addContextActions);
    connect(exports_, &ExportController::failed, this,
            [this](const QString& error) { showMessage(tr("Export failed: %1").arg(error.toHtmlEscaped()), true); });
}

void MainWindow::showMessage(const QString& text, bool error)
{
    messageBar_->showMessage(text, error ? MessageBar::Kind::Error : MessageBar::Kind::Warning);
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openDialog);
    file->addAction(tr("Open several files as &one capture…"), this, &MainWindow::openSeveralDialog);
    file->addAction(tr("Open &scan results…"), this, &MainWindow::openScanDialog);
    file->addAction(tr("&Compare two captures…"), QKeySequence(tr("Ctrl+Shift+O")), this,
                    [this] { CompareOpenDialog::askAndOpen(this, currentFile_); });
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    file->addActions(exports_->fileActions());
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(annotations_->undoAction());
    edit->addAction(annotations_->redoAction());
    edit->addSeparator();
    QAction* copyFlow = edit->addAction(tr("Copy Wireshark filter for this &flow"), QKeySequence(tr("Ctrl+Shift+C")),
                                        this, &MainWindow::copyFlowFilter);
    edit->addAction(tr("Copy Wireshark filter for this &packet"), QKeySequence(tr("Ctrl+Alt+C")), this,
                    &MainWindow::copyPacketFilter);
    // Wireshark at this packet, with the flow as the display filter: only when Wireshark is
    // installed (looked for again each time the menu opens).
    QAction* wireshark = edit->addAction(tr("Open in &Wireshark at this packet"), QKeySequence(tr("Ctrl+Shift+W")),
                                         this, &MainWindow::openInWireshark);
    wireshark->setObjectName(QStringLiteral("openInWireshark"));
    auto findWireshark = [wireshark] {
        wireshark->setVisible(!QStandardPaths::findExecutable(QStringLiteral("wireshark")).isEmpty());
    };
    findWireshark();
    connect(edit, &QMenu::aboutToShow, this, findWireshark);
    QAction* findFlow = edit->addAction(tr("Filter &flows…"), QKeySequence::Find, this, [this] {
        flowList_->filterEdit()->setFocus();
        flowList_->filterEdit()->selectAll();
    });
    Q_UNUSED(findFlow)

    menuBar()->addMenu(annotations_->menu());

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    auto* scaleGroup = new QActionGroup(this);
    QAction* perPacket = viewMenu_->addAction(tr("One row per &packet"), this,
                                              [this] { ladder_->setScale(LadderLayout::Scale::PerPacket); });
    QAction* timeProp = viewMenu_->addAction(tr("&Time-proportional (fold idle gaps)"), this,
                                             [this] { ladder_->setScale(LadderLayout::Scale::TimeProportional); });
    for (QAction* a : {perPacket, timeProp}) {
        a->setCheckable(true);
        scaleGroup->addAction(a);
    }
    perPacket->setShortcut(QKeySequence(tr("Ctrl+R")));
    timeProp->setShortcut(QKeySequence(tr("Ctrl+T")));
    (ladder_->scale() == LadderLayout::Scale::PerPacket ? perPacket : timeProp)->setChecked(true);
    // Checked state follows the view, whoever changed its scale (menu, toolbar, --scale).
    connect(ladder_, &LadderView::scaleChanged, this, [perPacket, timeProp](LadderLayout::Scale s) {
        (s == LadderLayout::Scale::PerPacket ? perPacket : timeProp)->setChecked(true);
    });
    viewMenu_->addSeparator();
    QAction* zin = viewMenu_->addAction(tr("Zoom &in"), this, [this] { ladder_->zoomIn(); });
    zin->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)});
    QAction* zout = viewMenu_->addAction(tr("Zoom &out"), this, [this] { ladder_->zoomOut(); });
    zout->setShortcuts({QKeySequence::ZoomOut, QKeySequence(Qt::Key_Minus)});
    QAction* fit = viewMenu_->addAction(tr("&Fit whole flow"), QKeySequence(tr("Ctrl+0")), this, [this] {
        ladder_->zoomFit();
        graph_->zoomFit();
    });
    QAction* readable = viewMenu_->addAction(tr("&Readable zoom"), QKeySequence(tr("Ctrl+1")), this,
                                             [this] { ladder_->zoomReadable(); });
    Q_UNUSED(readable)
    // Where the capture was taken: inferred per flow (TTLs as sent, round trips), or said by the user.
    QMenu* cpMenu = viewMenu_->addMenu(tr("&Capture point"));
    cpMenu->setObjectName(QStringLiteral("capturePointMenu"));
    auto* cpGroup = new QActionGroup(this);
    const std::pair<QString, std::optional<double>> places[] = {{tr("&Inferred from the capture"), std::nullopt},
                                                                {tr("At the &client"), 0.07},
                                                                {tr("In &between"), 0.5},
                                                                {tr("At the &server"), 0.93}};
    for (const auto& [label, x] : places) {
        QAction* act = cpMenu->addAction(label, this, [this, x = x] { ladder_->setCapturePoint(x); });
        act->setCheckable(true);
        act->setChecked(!x);
        cpGroup->addAction(act);
    }
    viewMenu_->addAction(tr("&Ladder"), QKeySequence(tr("F5")), this, [this] { tabs_->setCurrentWidget(ladder_); });
    viewMenu_->addAction(tr("Time-&sequence graph"), QKeySequence(tr("F6")), this,
                         [this] { tabs_->setCurrentWidget(graph_); });
    viewMenu_->addSeparator();
    for (QDockWidget* d : findChildren<QDockWidget*>())
        viewMenu_->addAction(d->toggleViewAction());

    QMenu* go = menuBar()->addMenu(tr("&Go"));
    QAction* nextPkt = go->addAction(tr("&Next packet"), QKeySequence(tr("J")), ladder_, &LadderView::nextPacket);
    QAction* prevPkt =
        go->addAction(tr("&Previous packet"), QKeySequence(tr("K")), ladder_, &LadderView::previousPacket);
    connect(ladder_, &LadderView::findingsWrapped, this, [this](bool toFirst) {
        statusBar()->showMessage(toFirst ? tr("Past the last finding of this flow: back to its first.")
                                         : tr("Before the first finding of this flow: on to its last."),
                                 5000);
    });
    QAction* nextFinding = go->addAction(tr("Next &finding"), this, [this] { ladder_->nextFinding(); });
    nextFinding->setShortcuts({QKeySequence(tr("N")), QKeySequence(Qt::Key_F8)});
    QAction* prevFinding = go->addAction(tr("Previous f&inding"), this, [this] { ladder_->previousFinding(); });
    prevFinding->setShortcuts({QKeySequence(tr("Shift+N")), QKeySequence(tr("Shift+F8"))});
    Q_UNUSED(nextPkt)
    Q_UNUSED(prevPkt)

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* sample = help->addAction(tr("Open &sample incident"), this, &MainWindow::openSample);
    help->addAction(tr("&User guide"), this, &MainWindow::showUserGuide);
    help->addAction(tr("&Keyboard shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About FlowLadder"), this,
                    [this] { QMessageBox::about(this, tr("About FlowLadder"), aboutText()); });

    QToolBar* tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolBar"));
    tb->setToolButtonStyle(Qt::ToolButtonTextOnly);
    tb->setMovable(false);
    tb->addAction(open);
    tb->addAction(sample);
    tb->addSeparator();
    tb->addAction(prevFinding);
    tb->addAction(nextFinding);
    tb->addSeparator();
    tb->addAction(zin);
    tb->addAction(zout);
    tb->addAction(fit);
    tb->addAction(timeProp);
    tb->addAction(perPacket);
    tb->addSeparator();
    tb->addAction(copyFlow);
    prevFinding->setIconText(tr("◀ Finding"));
    nextFinding->setIconText(tr("Finding ▶"));
    zin->setIconText(tr("Zoom +"));
    zout->setIconText(tr("Zoom −"));
    fit->setIconText(tr("Fit"));
    timeProp->setIconText(tr("Time scale"));
    perPacket->setIconText(tr("Row scale"));
    copyFlow->setIconText(tr("Copy filter"));
    sample->setIconText(tr("Sample incident"));
}

void MainWindow::wireSelection()
{
    connect(selection_, &CurrentSelection::flowChanged, this, [this](uint32_t flowId) {
        if (flowId == 0) {
            ladder_->clear();
            graph_->setFlow(nullptr, 0);
        } else {
            ladder_->setFlow(selection_->analysis(), flowId);
            graph_->setFlow(selection_->analysis(), flowId);
        }
        updateTitle();
    });
    connect(selection_, &CurrentSelection::rowChanged, this, [this](int64_t row) {
        if (ladder_->selectedRow() != row) ladder_->selectRow(row);
        graph_->setSelectedRow(row);
    });
    connect(ladder_, &LadderView::rowSelected, selection_, &CurrentSelection::setRow);
    connect(graph_, &TimeSequenceGraph::rowClicked, selection_, &CurrentSelection::setRow);
}

void MainWindow::openFile(const QString& path)
{
    if (path.isEmpty()) return;
    if (isScanDatabaseFile(path)) {
        openScanResults(path);
        return;
    }
    pending_ = {};
    loadingFile_ = path;
    loader_->load(path);
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open capture"), lastOpenDir(), captureFileFilter());
    if (path.isEmpty()) return;
    rememberOpenDir(path);
    openFile(path);
}

QString MainWindow::sampleIncidentPath()
{
    const QStringList candidates = {
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../" FLOWLADDER_SAMPLE_INSTALL_SUBDIR "/incident.pcap")),
        QStringLiteral(FLOWLADDER_SAMPLE_SOURCE_DIR "/incident.pcap"),
    };
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
}

void MainWindow::openSample()
{
    const QString path = sampleIncidentPath();
    if (path.isEmpty()) {
        QMessageBox::information(this, tr("Sample incident"),
                                 tr("The sample incident capture is not installed with this build."));
        return;
    }
    openFile(path);
}

void MainWindow::showAnalysis(const core::AnalysisPtr& analysis, const QString& path)
{
    currentFile_ = path;
    selection_->setAnalysis(analysis);
    // Start where the trouble is: the most severe finding, or the first flow.
    if (analysis && !analysis->findings.empty()) {
        uint32_t best = 0;
        for (uint32_t i = 1; i < analysis->findings.size(); ++i)
            if (analysis->findings[i].severity > analysis->findings[best].severity) best = i;
        selection_->selectFinding(best);
    } else if (analysis && !analysis->flows.empty()) {
        selection_->setFlow(1);
    }
    applyPendingSelection();
    updateTitle();
    ladder_->setFocus();
    emit captureShown(path);
}

void MainWindow::onLoaded(const QString& path, const core::AnalysisPtr& analysis)
{
    setBusy(false);
    if (!analysis->capture.merged()) addRecent(path); // a merge is not reopened from its first file
    showAnalysis(analysis, path);
    const auto& c = analysis->capture;
    if (c.truncated)
        statusBar()->showMessage(tr("⚠ %1 is cut short: showing the %2 packets that could be read.")
                                     .arg(QFileInfo(path).fileName())
                                     .arg(c.packets));
    else
        statusBar()->showMessage(tr("Opened %1: %2 flows, %3 findings.")
                                     .arg(captureTitle())
                                     .arg(analysis->flows.size())
                                     .arg(analysis->findings.size()),
                                 8000);
}

void MainWindow::onFailed(const QString& path, const QString& message)
{
    setBusy(false);
    emit loadFailed(path, message);
    const QString keep =
        currentFile_.isEmpty() ? QString() : tr("\n\nStill showing %1.").arg(QFileInfo(currentFile_).fileName());
    statusBar()->showMessage(tr("Could not open %1").arg(QFileInfo(path).fileName()), 8000);
    // Not a modal box: the previous capture stays usable and the message stays until dismissed.
    showMessage(tr("<b>Cannot open %1.</b> %2%3")
                    .arg(QFileInfo(path).fileName().toHtmlEscaped(), message.toHtmlEscaped(), keep.toHtmlEscaped()),
                true);
}

void MainWindow::onProgress(double fraction, double eta)
{
    progress_->setValue(static_cast<int>(fraction * 1000));
    eta_->setText(
        eta < 0 ? tr("Reading %1…").arg(QFileInfo(loadingFile_).fileName())
                : tr("Reading %1… about %2 s left").arg(QFileInfo(loadingFile_).fileName()).arg(std::lround(eta)));
}

void MainWindow::setBusy(bool busy, const QString& path)
{
    progress_->setVisible(busy);
    cancel_->setVisible(busy);
    eta_->setVisible(busy);
    if (busy) {
        progress_->setValue(0);
        eta_->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    }
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList list = settings.value(RecentKey).toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > MaxRecent)
        list.removeLast();
    settings.setValue(RecentKey, list);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    const QStringList list = QSettings().value(RecentKey).toStringList();
    for (const QString& path : list)
        recentMenu_->addAction(QFileInfo(path).fileName() + QStringLiteral("   —   ") + QFileInfo(path).absolutePath(),
                               this, [this, path] { openFile(path); });
    recentMenu_->setEnabled(!list.isEmpty());
    if (!list.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear list"), this, [this] {
            QSettings().remove(RecentKey);
            rebuildRecentMenu();
        });
    }
}

void MainWindow::updateTitle()
{
    QString title = QStringLiteral("FlowLadder");
    if (!currentFile_.isEmpty()) title = captureTitle() + QStringLiteral(" — ") + title;
    if (selection_->flow()) title = tr("Flow %1 · ").arg(selection_->flowId()) + title;
    setWindowTitle(title);
}

void MainWindow::copyFlowFilter()
{
    if (const core::Flow* f = selection_->flow()) {
        QApplication::clipboard()->setText(wiresharkFlowFilter(*f));
        statusBar()->showMessage(tr("Copied a Wireshark display filter for flow %1.").arg(selection_->flowId()), 5000);
    }
}

void MainWindow::copyPacketFilter()
{
    if (const uint32_t frame = selection_->frame()) {
        QApplication::clipboard()->setText(wiresharkFrameFilter(frame));
        statusBar()->showMessage(tr("Copied a Wireshark display filter for frame %1.").arg(frame), 5000);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) {
        for (const QUrl& u : event->mimeData()->urls())
            if (u.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& u : event->mimeData()->urls())
        if (u.isLocalFile()) {
            openFile(u.toLocalFile());
            event->acceptProposedAction();
            return;
        }
}

bool MainWindow::restoreWindowLayout()
{
    QSettings settings;
    savedState_ = settings.value(QStringLiteral("window/state")).toByteArray();
    const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    return !geometry.isEmpty() && restoreGeometry(geometry);
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    if (docksSized_) return;
    docksSized_ = true;
    if (!savedState_.isEmpty() && restoreState(savedState_)) return; // the user's own layout
    // The ladder gets about half the width; the panes share the rest.
    const auto docks = findChildren<QDockWidget*>();
    auto byName = [&docks](const char* name) {
        for (QDockWidget* d : docks)
            if (d->objectName() == QLatin1String(name)) return d;
        return static_cast<QDockWidget*>(nullptr);
    };
    QDockWidget* s = byName("summaryPaneDock");
    QDockWidget* f = byName("flowListPaneDock");
    QDockWidget* fi = byName("findingsPaneDock");
    QDockWidget* de = byName("detailsPaneDock");
    if (!s || !f || !fi || !de) return;
    if (width() < 1300) { // small screens: findings and details share one column as tabs
        tabifyDockWidget(fi, de);
        fi->raise();
        resizeDocks({s, fi}, {width() * 20 / 100, width() * 21 / 100}, Qt::Horizontal);
        return;
    }
    resizeDocks({s, fi}, {width() * 24 / 100, width() * 26 / 100}, Qt::Horizontal);
    resizeDocks({s, f}, {height() * 40 / 100, height() * 60 / 100}, Qt::Vertical);
    resizeDocks({fi, de}, {height() * 30 / 100, height() * 70 / 100}, Qt::Vertical);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // Notes that exist only in memory are saved, or the user says what to do with them.
    if (!annotations_->saveNow()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    loader_->cancel();
    QMainWindow::closeEvent(event);
}

} // namespace flowladder::ui
