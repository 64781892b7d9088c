// MainWindow: opening several files as one capture and scan results (kept apart from
// MainWindow.cpp, which holds the window's construction).

#include "ui/MainWindow.h"
#include "ui/models/CaptureLoader.h"
#include "ui/models/CurrentSelection.h"
#include "ui/scan/ScanResultsWindow.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStatusBar>

namespace flowladder::ui {

void MainWindow::openFiles(const QStringList& files)
{
    if (files.size() == 1) return openFile(files.front());
    if (files.isEmpty()) return;
    pending_ = {};
    loadingFile_ = files.front();
    loader_->load(files);
}

void MainWindow::openFileAt(const QString& path, uint32_t flow, uint32_t frame)
{
    openFile(path);
    pending_ = {flow, frame}; // after openFile, which forgets any earlier request
    raise();
    activateWindow();
}

void MainWindow::applyPendingSelection()
{
    if (!pending_.flow) return;
    selection_->setFlow(pending_.flow);
    if (pending_.frame) selection_->selectFrame(pending_.flow, pending_.frame);
    pending_ = {};
}

QString MainWindow::lastOpenDir()
{
    return QSettings().value(QStringLiteral("lastDir"), QDir::homePath()).toString();
}

void MainWindow::rememberOpenDir(const QString& file)
{
    QSettings().setValue(QStringLiteral("lastDir"), QFileInfo(file).absolutePath());
}

QString MainWindow::captureFileFilter()
{
    return tr("Packet captures (*.pcap *.pcapng *.cap *.gz *.zst *.lz4 *.xz);;All files (*)");
}

void MainWindow::openSeveralDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open several files as one capture (merged by time)"), lastOpenDir(), captureFileFilter());
    if (files.isEmpty()) return;
    rememberOpenDir(files.front());
    openFiles(files);
}

void MainWindow::openScanDialog()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open scan results (flowladder-cli scan --db)"), lastOpenDir(),
                                     tr("Scan databases (*.sqlite *.db);;All files (*)"));
    if (path.isEmpty()) return;
    rememberOpenDir(path);
    openScanResults(path);
}

bool MainWindow::openScanResults(const QString& path)
{
    QString error;
    auto* w = ScanResultsWindow::open(path, this, error);
    if (!w) {
        showMessage(
            tr("<b>Cannot open %1.</b> %2").arg(QFileInfo(path).fileName().toHtmlEscaped(), error.toHtmlEscaped()),
            true);
        return false;
    }
    connect(w, &ScanResultsWindow::openRequested, this, &MainWindow::openFileAt);
    w->show();
    return true;
}

QString MainWindow::captureTitle() const
{
    const auto& a = selection_->analysis();
    QString name = QFileInfo(currentFile_).fileName();
    if (!a || !a->capture.merged() || a->capture.sources.size() < 2) return name;
    return tr("%1 + %2 more").arg(name).arg(a->capture.sources.size() - 1);
}

} // namespace flowladder::ui
