#include "ui/scan/ScanResultsWindow.h"

#include "core/scan/ScanDatabase.h"

#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace flowladder::ui {

namespace {

enum Column { Severity, Kind, File, Flow, Frame, Client, Server, Summary, Columns };
constexpr int PathRole = Qt::UserRole + 1;
constexpr int SortRole = Qt::UserRole + 2;

QStandardItem* cell(const QString& text, const QVariant& sortKey = {})
{
    auto* item = new QStandardItem(text);
    item->setEditable(false);
    item->setData(sortKey.isValid() ? sortKey : QVariant(text), SortRole);
    return item;
}

QTableView* makeTable(QAbstractItemModel* model, QWidget* parent)
{
    auto* t = new QTableView(parent);
    t->setModel(model);
    t->setSortingEnabled(true);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setWordWrap(false);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setAlternatingRowColors(true);
    return t;
}

} // namespace

bool isScanDatabaseFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(16) == QByteArray("SQLite format 3\0", 16);
}

ScanResultsWindow::ScanResultsWindow(QWidget* parent) : QMainWindow(parent)
{
    setAttribute(Qt::WA_DeleteOnClose);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    summary_ = new QLabel(central);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    filter_ = new QLineEdit(central);
    filter_->setPlaceholderText(tr("Filter findings: kind, file, address, words of the summary…"));
    filter_->setClearButtonEnabled(true);

    model_ = new QStandardItemModel(0, Columns, this);
    model_->setHorizontalHeaderLabels(
        {tr("Severity"), tr("Kind"), tr("File"), tr("Flow"), tr("Frame"), tr("Client"), tr("Server"), tr("Summary")});
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(SortRole);
    proxy_->setFilterKeyColumn(-1);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
    findings_ = makeTable(proxy_, central);
    findings_->setToolTip(tr("Double-click (or Enter) opens the capture at this flow and frame."));
    connect(findings_, &QTableView::activated, this, [this](const QModelIndex& i) { openRow(i.row()); });

    filesModel_ = new QStandardItemModel(0, 4, this);
    filesModel_->setHorizontalHeaderLabels({tr("File"), tr("Packets"), tr("Findings"), tr("Problem")});
    files_ = makeTable(filesModel_, central);

    auto* tabs = new QTabWidget(central);
    tabs->addTab(findings_, tr("Findings"));
    tabs->addTab(files_, tr("Files"));
    layout->addWidget(summary_);
    layout->addWidget(filter_);
    layout->addWidget(tabs, 1);
    setCentralWidget(central);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open selected finding"), QKeySequence(tr("Ctrl+Return")), this, [this] {
        const QModelIndex i = findings_->currentIndex();
        if (i.isValid()) openRow(i.row());
    });
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
    resize(1200, 640);
}

ScanResultsWindow* ScanResultsWindow::open(const QString& path, QWidget* parent, QString& error)
{
    core::ScanContents contents;
    std::string why;
    if (!core::readScanDatabase(path.toStdString(), contents, why)) {
        error = QString::fromStdString(why);
        return nullptr;
    }
    auto* w = new ScanResultsWindow(parent);
    w->setWindowFlag(Qt::Window);
    w->setWindowTitle(tr("Findings across captures — %1").arg(QFileInfo(path).fileName()));
    size_t unreadable = 0;
    for (const core::ScannedFile& f : contents.files) {
        const QString p = QString::fromStdString(f.path);
        QList<QStandardItem*> row = {cell(p), cell(f.error.empty() ? QString::number(f.packets) : QString(), f.packets),
                                     cell(f.error.empty() ? QString::number(f.findings) : QString(), f.findings),
                                     cell(QString::fromStdString(f.error))};
        row[0]->setData(p, PathRole);
        unreadable += !f.error.empty();
        w->filesModel_->appendRow(row);
    }
    int rank = 0;
    for (const core::ScannedFinding& f : contents.findings) {
        const QString p = QString::fromStdString(f.file);
        const QString sev = QString::fromStdString(f.severity);
        const int sevRank = f.severity == "error" ? 0 : f.severity == "warning" ? 1 : 2;
        QList<QStandardItem*> row = {cell(sev, sevRank * 100000000 + rank++), cell(QString::fromStdString(f.kind)),
                                     cell(QFileInfo(p).fileName(), p),        cell(QString::number(f.flow), f.flow),
                                     cell(QString::number(f.frame), f.frame), cell(QString::fromStdString(f.client)),
                                     cell(QString::fromStdString(f.server)),  cell(QString::fromStdString(f.summary))};
        row[File]->setToolTip(p);
        row[Summary]->setToolTip(QString::fromStdString(f.summary));
        row[Severity]->setData(p, PathRole);
        if (sevRank == 0) row[Severity]->setForeground(QColor(0xc0, 0x20, 0x20));
        w->model_->appendRow(row);
    }
    w->summary_->setText(tr("%1 captures scanned%2, %3 findings. Double-click a finding to open its capture there.")
                             .arg(contents.files.size())
                             .arg(unreadable ? tr(" (%1 could not be read: see Files)").arg(unreadable) : QString())
                             .arg(contents.findings.size()));
    w->findings_->sortByColumn(Severity, Qt::AscendingOrder);
    w->findings_->resizeColumnsToContents();
    w->findings_->setColumnWidth(File, std::min(w->findings_->columnWidth(File), 260));
    w->findings_->setColumnWidth(Kind, std::min(w->findings_->columnWidth(Kind), 200));
    w->files_->resizeColumnsToContents();
    if (w->model_->rowCount() > 0) w->findings_->selectRow(0);
    return w;
}

void ScanResultsWindow::openRow(int row)
{
    const QModelIndex src = proxy_->mapToSource(proxy_->index(row, 0));
    if (!src.isValid()) return;
    const QString path = model_->item(src.row(), Severity)->data(PathRole).toString();
    const uint32_t flow = model_->item(src.row(), Flow)->data(SortRole).toUInt();
    const uint32_t frame = model_->item(src.row(), Frame)->data(SortRole).toUInt();
    emit openRequested(path, flow, frame);
}

} // namespace flowladder::ui
