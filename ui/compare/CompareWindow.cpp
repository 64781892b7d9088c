#include "ui/compare/CompareWindow.h"

#include "ui/annotate/AnnotationDocument.h"
#include "ui/compare/CompareMergedView.h"
#include "ui/compare/CompareNotes.h"
#include "ui/compare/CompareSideBySide.h"
#include "ui/export/WidgetPicture.h"
#include "ui/models/CompareModels.h"
#include "ui/models/Format.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
QTableView* makeTable(QWidget* parent, QAbstractItemModel* model, const QString& name)
{
    auto* v = new QTableView(parent);
    v->setObjectName(name);
    v->setModel(model);
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->setSelectionMode(QAbstractItemView::SingleSelection);
    v->verticalHeader()->hide();
    v->verticalHeader()->setDefaultSectionSize(v->fontMetrics().height() + 6);
    v->horizontalHeader()->setStretchLastSection(true);
    v->setWordWrap(false);
    v->setAlternatingRowColors(true);
    return v;
}
} // namespace

CompareWindow::CompareWindow(QWidget* parent)
    : QMainWindow(parent), loader_(new CompareLoader(this)), pairs_(new ComparePairsModel(this)),
      findings_(new CompareFindingsModel(this)), offsetDebounce_(new QTimer(this))
{
    setObjectName(QStringLiteral("compareWindow"));
    setWindowTitle(tr("Compare captures — FlowLadder"));
    setAttribute(Qt::WA_DeleteOnClose, false);

    auto* central = new QWidget(this);
    auto* outer = new QVBoxLayout(central);
    outer->setContentsMargins(6, 6, 6, 0);

    // Top bar: files, clock offset, progress.
    auto* bar = new QHBoxLayout;
    files_ = new QLabel(central);
    files_->setTextFormat(Qt::PlainText);
    files_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    files_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(files_, 1);
    bar->addWidget(new QLabel(tr("Clock offset (added to B):"), central));
    offset_ = new QDoubleSpinBox(central);
    offset_->setObjectName(QStringLiteral("clockOffset"));
    offset_->setRange(-86'400'000.0, 86'400'000.0);
    offset_->setDecimals(3);
    offset_->setSuffix(tr(" ms"));
    offset_->setSingleStep(1.0);
    offset_->setKeyboardTracking(false);
    offset_->setAccelerated(true);
    offset_->setToolTip(tr("Seconds-scale shift added to capture B's timestamps to put them on A's clock.\n"
                           "Arrows of packets both captures saw should slant forward by the one-way delay."));
    offset_->setEnabled(false);
    bar->addWidget(offset_);
    reset_ = new QPushButton(tr("Reset to estimate"), central);
    reset_->setObjectName(QStringLiteral("resetOffset"));
    reset_->setEnabled(false);
    bar->addWidget(reset_);
    offsetInfo_ = new QLabel(central);
    offsetInfo_->setTextFormat(Qt::PlainText);
    offsetInfo_->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Preferred); // whole, the file names yield
    bar->addWidget(offsetInfo_);
    progress_ = new QProgressBar(central);
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(180);
    progress_->hide();
    bar->addWidget(progress_);
    cancel_ = new QPushButton(tr("Cancel"), central);
    cancel_->hide();
    bar->addWidget(cancel_);
    outer->addLayout(bar);

    auto* split = new QSplitter(Qt::Horizontal, central);
    auto* left = new QSplitter(Qt::Vertical, split);
    auto* pairsBox = new QWidget(left);
    auto* pl = new QVBoxLayout(pairsBox);
    pl->setContentsMargins(0, 0, 0, 0);
    pl->addWidget(new QLabel(tr("<b>Connections</b> (A ↔ B)"), pairsBox));
    pairsView_ = makeTable(pairsBox, pairs_, QStringLiteral("comparePairs"));
    pl->addWidget(pairsView_);
    auto* findBox = new QWidget(left);
    auto* fl = new QVBoxLayout(findBox);
    fl->setContentsMargins(0, 0, 0, 0);
    fl->addWidget(new QLabel(tr("<b>What differs between the captures</b>"), findBox));
    findingsView_ = makeTable(findBox, findings_, QStringLiteral("compareFindings"));
    findingsView_->setWordWrap(true);
    findingsView_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents); // summaries wrap
    findingsView_->setTextElideMode(Qt::ElideRight);
    fl->addWidget(findingsView_);
    left->addWidget(pairsBox);
    left->addWidget(findBox);
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 2);

    tabs_ = new QTabWidget(split);
    merged_ = new CompareMergedView(tabs_);
    sideBySide_ = new CompareSideBySide(tabs_);
    notes_ = new CompareNotes(this, merged_, {sideBySide_->ladderA(), sideBySide_->ladderB()});
    tabs_->addTab(merged_, tr("Merged ladder"));
    tabs_->addTab(sideBySide_, tr("Side by side"));
    split->addWidget(left);
    split->addWidget(tabs_);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setSizes({560, 1000});
    outer->addWidget(split, 1);
    setCentralWidget(central);
    status_ = new QLabel(this);
    status_->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(status_, 1);

    offsetDebounce_->setSingleShot(true);
    offsetDebounce_->setInterval(250);
    connect(offsetDebounce_, &QTimer::timeout, this, [this] { setClockOffset(offset_->value() / 1000.0); });
    connect(offset_, &QDoubleSpinBox::valueChanged, this, [this] {
        if (!inSelect_) offsetDebounce_->start();
    });
    connect(reset_, &QPushButton::clicked, this, [this] { setClockOffset(std::nullopt); });
    connect(cancel_, &QPushButton::clicked, loader_, &CompareLoader::cancel);
    connect(loader_, &CompareLoader::started, this, [this] { setBusy(true); });
    connect(loader_, &CompareLoader::progress, this,
            [this](double f) { progress_->setValue(static_cast<int>(f * 1000)); });
    connect(loader_, &CompareLoader::compared, this, &CompareWindow::onCompared);
    connect(loader_, &CompareLoader::failed, this, [this](const QString& msg) {
        setBusy(false);
        status_->setText(msg);
        emit loadFailed(msg);
    });
    connect(loader_, &CompareLoader::cancelled, this, [this] {
        setBusy(false);
        status_->setText(tr("Cancelled."));
    });
    connect(pairsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& cur) {
                if (!inSelect_ && cur.isValid()) selectPair(cur.data(ComparePairsModel::PairIndexRole).toInt());
            });
    connect(findingsView_, &QTableView::clicked, this,
            [this](const QModelIndex& i) { selectFinding(i.data(CompareFindingsModel::FindingIndexRole).toUInt()); });
    connect(findingsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& cur) {
                if (!inSelect_ && cur.isValid())
                    selectFinding(cur.data(CompareFindingsModel::FindingIndexRole).toUInt());
            });
    connect(merged_, &CompareMergedView::itemSelected, this, [this](int64_t item) { selectMatch(item); });
    connect(sideBySide_, &CompareSideBySide::matchSelected, this, [this](int64_t m) { selectMatch(m); });
    connect(notes_, &CompareNotes::matchChosen, this, [this](int64_t m) { selectMatch(m); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int tab) {
        if (tabs_->widget(tab) == sideBySide_) sideBySide_->revealSelection();
    });
    connect(notes_, &CompareNotes::statusMessage, statusBar(), &QStatusBar::showMessage);
    setupMenus();
    resize(1500, 900);
}

// The same menus and keys as the main window where they mean the same thing.
void CompareWindow::setupMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* exportAct = file->addAction(tr("&Export picture of this view…"), this, &CompareWindow::exportPictureAsked);
    exportAct->setObjectName(QStringLiteral("compareExport"));
    exportAct->setShortcut(QKeySequence(tr("Ctrl+E")));
    file->addSeparator();
    QAction* closeAct = file->addAction(tr("&Close comparison"), this, &QWidget::close);
    closeAct->setObjectName(QStringLiteral("compareClose"));
    closeAct->setShortcuts({QKeySequence::Close, QKeySequence(Qt::Key_Escape)});
    QAction* quit = file->addAction(tr("&Quit FlowLadder"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(notes_->undoAction());
    edit->addAction(notes_->redoAction());
    notes_->setContextActions({exportAct});

    QMenu* go = menuBar()->addMenu(tr("&Go"));
    QAction* next = go->addAction(tr("&Next difference"), this, [this] { stepFinding(+1); });
    next->setObjectName(QStringLiteral("compareNextFinding"));
    next->setShortcuts({QKeySequence(tr("N")), QKeySequence(Qt::Key_F8)});
    QAction* prev = go->addAction(tr("&Previous difference"), this, [this] { stepFinding(-1); });
    prev->setObjectName(QStringLiteral("comparePrevFinding"));
    prev->setShortcuts({QKeySequence(tr("Shift+N")), QKeySequence(tr("Shift+F8"))});
    go->addSeparator();
    go->addAction(tr("Merged ladder"), QKeySequence(tr("Ctrl+1")), this, [this] { tabs_->setCurrentIndex(0); });
    go->addAction(tr("Side by side"), QKeySequence(tr("Ctrl+2")), this, [this] { tabs_->setCurrentIndex(1); });

    menuBar()->addMenu(notes_->menu());

    QMenu* window = menuBar()->addMenu(tr("&Window"));
    window->addAction(tr("&Main window"), this, [this] {
        if (QWidget* main = parentWidget()) {
            main->show();
            main->raise();
            main->activateWindow();
        }
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), QKeySequence::HelpContents, this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"),
                                 tr("<table>"
                                    "<tr><td><b>J / ↓</b>, <b>K / ↑</b></td><td>next / previous packet (merged "
                                    "ladder)</td></tr>"
                                    "<tr><td><b>N / F8</b>, <b>Shift+N / Shift+F8</b></td><td>next / previous "
                                    "difference</td></tr>"
                                    "<tr><td><b>Ctrl+1</b> / <b>Ctrl+2</b></td><td>merged ladder / side by "
                                    "side</td></tr>"
                                    "<tr><td><b>Ctrl+E</b></td><td>export a picture of the view (PNG, SVG, "
                                    "PDF)</td></tr>"
                                    "<tr><td><b>Ctrl+M</b> / <b>F2</b>, double-click</td><td>note on the selected "
                                    "packet, saved with the comparison</td></tr>"
                                    "<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>undo / redo a "
                                    "note</td></tr>"
                                    "<tr><td><b>Ctrl+W</b>, <b>Esc</b></td><td>close the comparison</td></tr>"
                                    "<tr><td><b>Ctrl+Q</b></td><td>quit FlowLadder</td></tr>"
                                    "</table>"));
    });
}

void CompareWindow::stepFinding(int delta)
{
    const int n = findings_->rowCount();
    if (n == 0) {
        statusBar()->showMessage(tr("The two captures show no differences."), 4000);
        return;
    }
    const int cur =
        findingsView_->currentIndex().isValid() ? findingsView_->currentIndex().row() : (delta > 0 ? -1 : n);
    int next = cur + delta;
    if (next >= n || next < 0) {
        next = (next + n) % n;
        statusBar()->showMessage(
            next == 0 ? tr("Wrapped to the first difference.") : tr("Wrapped to the last difference."), 4000);
    }
    findingsView_->setCurrentIndex(findings_->index(next, 0));
    findingsView_->scrollTo(findings_->index(next, 0));
}

bool CompareWindow::exportPicture(const QString& path, QString* error)
{
    QString message;
    QWidget* view = tabs_->currentWidget();
    const bool ok = view && saveWidgetPicture(view, path, message);
    if (ok)
        statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 6000);
    else
        statusBar()->showMessage(message, 10000);
    if (error) *error = message;
    return ok;
}

void CompareWindow::exportPictureAsked()
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("lastExportDir"), QDir::homePath()).toString();
    const QString base =
        tabs_->currentIndex() == 0 ? QStringLiteral("comparison-merged") : QStringLiteral("comparison-side-by-side");
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export picture"), QDir(dir).filePath(base + QStringLiteral(".png")),
                                     tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    settings.setValue(QStringLiteral("lastExportDir"), QFileInfo(path).absolutePath());
    QString error;
    if (!exportPicture(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
}

CompareWindow::~CompareWindow() = default;

void CompareWindow::closeEvent(QCloseEvent* event)
{
    // Only what was written (a comparison nobody annotated leaves the evidence folder untouched);
    // notes that cannot be saved are never dropped without asking.
    if (!notes_->saveBeforeClosing()) {
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

void CompareWindow::openFiles(const QString& pathA, const QString& pathB)
{
    notes_->open(pathA, pathB);
    files_->setText(tr("A: %1    B: %2").arg(QFileInfo(pathA).fileName(), QFileInfo(pathB).fileName()));
    files_->setToolTip(pathA + QStringLiteral("\n") + pathB);
    status_->setText(tr("Loading both captures…"));
    estimateNs_.reset();
    firstShow_ = true;
    loader_->load(pathA, pathB);
}

void CompareWindow::compareAnalyses(const core::AnalysisPtr& a, const core::AnalysisPtr& b)
{
    notes_->open(QString::fromStdString(a->capture.file), QString::fromStdString(b->capture.file));
    files_->setText(tr("A: %1    B: %2")
                        .arg(QFileInfo(QString::fromStdString(a->capture.file)).fileName(),
                             QFileInfo(QString::fromStdString(b->capture.file)).fileName()));
    estimateNs_.reset();
    firstShow_ = true;
    setBusy(true);
    loader_->compare(a, b);
}

void CompareWindow::setClockOffset(std::optional<double> seconds)
{
    if (!comparison_) return;
    offsetDebounce_->stop();
    setBusy(true);
    status_->setText(tr("Recomparing with the new clock offset…"));
    loader_->recompare(seconds);
}

void CompareWindow::setBusy(bool busy)
{
    progress_->setVisible(busy);
    cancel_->setVisible(busy);
    if (busy) progress_->setValue(0);
}

void CompareWindow::onCompared(const ComparisonPtr& c)
{
    setBusy(false);
    // Keep the selected pair and packet (by flow id and frames) across an offset change.
    uint32_t keepFlowA = 0, keepFrameA = 0, keepFrameB = 0;
    if (comparison_ && pair_ >= 0) {
        const FlowPair& p = comparison_->pairs[static_cast<size_t>(pair_)];
        keepFlowA = p.a;
        if (match_ >= 0)
            keepFrameA = p.packets[static_cast<size_t>(match_)].aFrame,
            keepFrameB = p.packets[static_cast<size_t>(match_)].bFrame;
    }
    comparison_ = c;
    if (c->clockOffsetEstimated) estimateNs_ = c->clockOffsetNs;
    inSelect_ = true;
    pairs_->setComparison(c);
    findings_->setComparison(c);
    offset_->setEnabled(true);
    offset_->setValue(static_cast<double>(c->clockOffsetNs) / 1e6);
    inSelect_ = false;
    updateOffsetText();
    findingsView_->resizeColumnsToContents();
    findingsView_->setColumnWidth(CompareFindingsModel::Summary, 120); // the last section stretches to the rest
    findingsView_->horizontalHeader()->setStretchLastSection(true);
    pairsView_->resizeColumnsToContents();
    pair_ = -1;
    match_ = -1;
    content_.reset();
    if (firstShow_ && !c->findings.empty()) {
        firstShow_ = false;
        selectFinding(findings_->index(0, 0).data(CompareFindingsModel::FindingIndexRole).toUInt());
    } else {
        const FlowPair* keep = keepFlowA ? c->pairForA(keepFlowA) : nullptr;
        selectPair(keep ? static_cast<int>(keep - c->pairs.data()) : (c->pairs.empty() ? -1 : 0));
        if (keep && (keepFrameA || keepFrameB))
            for (size_t i = 0; i < keep->packets.size(); ++i)
                if (keep->packets[i].aFrame == keepFrameA && keep->packets[i].bFrame == keepFrameB) {
                    selectMatch(static_cast<int64_t>(i));
                    break;
                }
        firstShow_ = false;
    }
    updateStatus();
    emit comparisonShown();
}

void CompareWindow::updateOffsetText()
{
    if (!comparison_) return;
    const auto& c = *comparison_;
    QString text;
    if (c.clockOffsetEstimated)
        text = tr("estimated from %n packet(s)", nullptr, static_cast<int>(c.offsetSamples));
    else if (estimateNs_)
        text = tr("set by you (estimate %1 ms)").arg(static_cast<double>(*estimateNs_) / 1e6, 0, 'f', 3);
    else
        text = tr("nothing to estimate from");
    if (c.oneWayDelayNs)
        text += tr("; one-way delay %1").arg(durationText(static_cast<double>(*c.oneWayDelayNs) / 1e9));
    offsetInfo_->setText(text);
    reset_->setEnabled(!c.clockOffsetEstimated && estimateNs_.has_value());
}

void CompareWindow::selectPair(int pairIndex)
{
    if (!comparison_ || pairIndex < 0 || static_cast<size_t>(pairIndex) >= comparison_->pairs.size()) pairIndex = -1;
    const bool inSelect = inSelect_;
    inSelect_ = true;
    const int row = pairs_->rowOfPair(pairIndex);
    if (row >= 0) pairsView_->setCurrentIndex(pairs_->index(row, 0));
    if (pairIndex != pair_ || !content_ || content_->comparison != comparison_) {
        pair_ = pairIndex;
        match_ = -1;
        content_ = CompareMergedContent::build(comparison_, pairIndex);
        notes_->setContext(content_, -1);
        merged_->setContent(content_);
        sideBySide_->setContent(content_);
    }
    inSelect_ = inSelect;
    updateStatus();
}

void CompareWindow::selectMatch(int64_t match)
{
    if (inSelect_) return;
    const FlowPair* p = content_ ? content_->pair() : nullptr;
    if (!p || match < 0 || static_cast<size_t>(match) >= p->packets.size()) match = -1;
    inSelect_ = true;
    match_ = match;
    notes_->setContext(content_, match);
    merged_->selectItem(match);
    sideBySide_->selectMatch(match);
    inSelect_ = false;
    updateStatus();
}

void CompareWindow::selectFinding(uint32_t findingIndex)
{
    if (!comparison_ || findingIndex >= comparison_->findings.size()) return;
    const Finding& f = comparison_->findings[findingIndex];
    const PairRef* ref = f.pair();
    const FlowPair* p = ref ? comparison_->pairForA(ref->flowA) : nullptr;
    if (!p) return;
    selectPair(static_cast<int>(p - comparison_->pairs.data()));
    const bool inA = ref->capture == CaptureId::A;
    for (size_t i = 0; i < p->packets.size(); ++i)
        if ((inA ? p->packets[i].aFrame : p->packets[i].bFrame) == f.frame) {
            selectMatch(static_cast<int64_t>(i));
            break;
        }
}

void CompareWindow::updateStatus()
{
    if (!content_ || !content_->valid()) {
        status_->setText(comparison_ && comparison_->pairs.empty() ? tr("No connection appears in both captures.")
                                                                   : QString());
        return;
    }
    if (match_ < 0) {
        status_->setText(tr("Click a packet (or a finding) to select it in both ladders."));
        return;
    }
    const QString verdict = content_->verdict(static_cast<uint32_t>(match_));
    status_->setText(content_->label(static_cast<uint32_t>(match_)) +
                     (verdict.isEmpty() ? QString() : QStringLiteral("  —  ") + verdict));
}

} // namespace flowladder::ui
