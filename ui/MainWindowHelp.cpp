// MainWindow's help texts (F1, About) and the hand-off to Wireshark: what the window tells
// about itself and what it starts outside, apart from the panes it wires together.
#include "core/capture/Libpcap.h"
#include "ui/MainWindow.h"
#include "ui/models/CurrentSelection.h"
#include "ui/models/WiresharkFilter.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextBrowser>
#include <QUrl>
#include <functional>
#include <qcustomplot.h>

namespace flowladder::ui {

QString MainWindow::userGuidePath()
{
    const QStringList candidates = {
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/doc/flowladder/user-guide.md")),
        QStringLiteral(FLOWLADDER_DOCS_SOURCE_DIR "/user-guide.md"),
    };
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
}

QWidget* MainWindow::showUserGuide()
{
    const QString path = userGuidePath();
    if (path.isEmpty()) {
        showMessage(tr("The user guide (docs/user-guide.md) is not installed with this build."), false);
        return nullptr;
    }
    auto* guide = findChild<QTextBrowser*>(QStringLiteral("userGuide"));
    if (!guide) {
        guide = new QTextBrowser(this);
        guide->setObjectName(QStringLiteral("userGuide"));
        guide->setWindowFlag(Qt::Window);
        guide->setWindowTitle(tr("FlowLadder user guide"));
        guide->setOpenExternalLinks(true); // links to other files of docs/ open in the browser
        guide->resize(1260, 860);          // the screenshots are 1200 pixels wide
        // Markdown with its screenshots beside it (images/), read by Qt's own Markdown support.
        guide->setSource(QUrl::fromLocalFile(path), QTextDocument::MarkdownResource);
    }
    guide->show();
    guide->raise();
    return guide;
}

QStringList MainWindow::wiresharkArguments() const
{
    const core::Flow* f = selection_->flow();
    const uint32_t frame = selection_->frame();
    if (!f || currentFile_.isEmpty() || currentFile_ == QLatin1String("-")) return {};
    QString file = currentFile_;
    uint32_t fileFrame = frame;
    if (const auto& a = selection_->analysis(); a && a->capture.merged()) {
        // Wireshark opens the file the packet came from, at its frame there.
        const core::FrameOrigin o = a->capture.origin(frame);
        file = QString::fromStdString(a->capture.sources[o.source].path);
        fileFrame = o.frame;
    }
    QStringList args = {QStringLiteral("-r"), file};
    if (fileFrame) args << QStringLiteral("-g") << QString::number(fileFrame);
    args << QStringLiteral("-Y") << wiresharkFlowFilter(*f);
    return args;
}

void MainWindow::openInWireshark()
{
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("wireshark"));
    const QStringList args = wiresharkArguments();
    if (exe.isEmpty() || args.isEmpty()) {
        statusBar()->showMessage(exe.isEmpty() ? tr("Wireshark is not installed (no wireshark in PATH).")
                                               : tr("Nothing to show in Wireshark: open a capture file first."),
                                 6000);
        return;
    }
    if (QProcess::startDetached(exe, args))
        statusBar()->showMessage(
            tr("Opened %1 in Wireshark at frame %2.").arg(QFileInfo(currentFile_).fileName()).arg(selection_->frame()),
            6000);
    else
        showMessage(tr("Could not start %1.").arg(exe), true);
}

QString MainWindow::aboutText() const
{
    return tr("<b>FlowLadder %1</b><p>Opens packet captures and explains, on a ladder diagram, why a TCP "
              "connection misbehaved.</p><p>Built with Qt %2 (running %3), QCustomPlot %4; reading captures with "
              "%5.</p>")
        .arg(QCoreApplication::applicationVersion(), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
             QStringLiteral(QCUSTOMPLOT_VERSION_STR), QString::fromStdString(core::libpcapVersion()).toHtmlEscaped());
}

// Every menu action that has a key, read from the menus themselves (so the list cannot fall
// behind them), then the keys of the ladder that are not menu actions.
QString MainWindow::shortcutsText() const
{
    QString rows;
    auto row = [&rows](const QString& keys, const QString& what) {
        rows +=
            QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(keys.toHtmlEscaped(), what.toHtmlEscaped());
    };
    std::function<void(const QMenu*)> visit = [&](const QMenu* menu) {
        for (const QAction* act : menu->actions()) {
            if (act->menu()) {
                visit(act->menu());
                continue;
            }
            if (act->isSeparator() || act->shortcuts().isEmpty()) continue;
            QStringList keys;
            for (const QKeySequence& k : act->shortcuts())
                keys << k.toString(QKeySequence::NativeText);
            QString what = act->text();
            what.remove(QLatin1Char('&'));
            row(keys.join(QStringLiteral(" / ")), what.remove(QStringLiteral("…")));
        }
    };
    for (const QAction* top : menuBar()->actions())
        if (top->menu()) visit(top->menu());
    row(QStringLiteral("J / ↓, K / ↑"), tr("next / previous packet (ladder)"));
    row(QStringLiteral("Home / End"), tr("first / last packet"));
    row(tr("Ctrl+wheel"), tr("zoom the ladder"));
    row(tr("Shift+drag"), tr("highlight a time range on the ladder (Ctrl+Shift+R starts one at the selected packet: "
                             "click or Enter where it ends, Esc cancels)"));
    return QStringLiteral("<table>") + rows + QStringLiteral("</table>");
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard shortcuts"), shortcutsText());
}

} // namespace flowladder::ui
