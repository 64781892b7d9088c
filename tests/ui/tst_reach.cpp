// Captures where they are (issue 16): several files opened as one capture (a real tcpdump -G -z
// ring buffer), its notes kept with the merge, Wireshark sent to the file a packet came from;
// and "Findings across captures" over a scan database made by the real CLI, a double-click
// opening that capture at that flow and frame.
#include "ui/MainWindow.h"
#include "ui/annotate/AnnotationController.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/models/CurrentSelection.h"
#include "ui/scan/ScanResultsWindow.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace flowladder;
using namespace flowladder::ui;

namespace {

// The ring buffer's files, copied into `dir` (notes are written beside them).
QStringList ringCopies(const QTemporaryDir& dir)
{
    QStringList out;
    const QDir src(QStringLiteral(FLOWLADDER_NETNS_DIR));
    for (const QString& name : src.entryList({QStringLiteral("ring-buffer.server-ring-*")}, QDir::Files, QDir::Name)) {
        const QString to = dir.filePath(name);
        QFile::copy(src.filePath(name), to);
        out << to;
    }
    return out;
}

} // namespace

class TestReach : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QCoreApplication::setOrganizationName(QStringLiteral("FlowLadderTests")); }

    void opensSeveralFilesAsOneCapture()
    {
        QTemporaryDir dir;
        const QStringList files = ringCopies(dir);
        QVERIFY(files.size() >= 3);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QSignalSpy shown(&w, &MainWindow::captureShown);
        w.openFiles(files);
        QVERIFY(shown.wait(20000));
        const auto a = w.selection()->analysis();
        QVERIFY(a && a->capture.merged());
        QCOMPARE(a->capture.sources.size(), static_cast<size_t>(files.size()));
        QCOMPARE(a->flows.size(), size_t{1}); // the connection spans the files: one flow
        QVERIFY2(w.windowTitle().contains(QStringLiteral("+ %1 more").arg(files.size() - 1)),
                 qPrintable(w.windowTitle()));
        // Opens at the worst finding, the forged RST or the CLOSE-WAIT; Wireshark gets the file
        // that packet is in and its frame there.
        const uint32_t frame = w.selection()->frame();
        QVERIFY(frame > 0);
        const core::FrameOrigin o = a->capture.origin(frame);
        const QStringList args = w.wiresharkArguments();
        QCOMPARE(args.value(1), files[static_cast<int>(o.source)]);
        QCOMPARE(args.value(3), QString::number(o.frame));

        // A note on the merge is saved with the merge, never as the first file's own notes.
        QVERIFY(w.annotations()->addNote(w.selection()->row(), QStringLiteral("ring: forged RST here")) != 0);
        QVERIFY(w.annotations()->saveNow());
        const QString sidecar = files.front() + QStringLiteral(".merged-%1.flowladder.json").arg(files.size());
        QVERIFY2(QFile::exists(sidecar), qPrintable(w.annotations()->document()->savePath()));
        QVERIFY(!QFile::exists(files.front() + QStringLiteral(".flowladder.json")));
        // Opened again, the merge finds its note; the first file alone has none.
        MainWindow again;
        QSignalSpy shownAgain(&again, &MainWindow::captureShown);
        again.openFiles(files);
        QVERIFY(shownAgain.wait(20000));
        QCOMPARE(again.annotations()->document()->items().size(), size_t{1});
        again.openFile(files.front());
        QVERIFY(shownAgain.wait(20000));
        QCOMPARE(again.annotations()->document()->items().size(), size_t{0});
    }

    // Help > User guide: docs/user-guide.md in a window, its screenshots loaded; every screenshot
    // the guide shows is one scripts/make-screenshots.sh makes, and each it makes is shown.
    void userGuideShowsWithItsScreenshots()
    {
        MainWindow w;
        auto* guide = qobject_cast<QTextBrowser*>(w.showUserGuide());
        QVERIFY(guide);
        QVERIFY(guide->isVisible());
        QVERIFY(guide->toPlainText().contains(QStringLiteral("Reading the ladder")));
        QFile md(MainWindow::userGuidePath());
        QVERIFY(md.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(md.readAll());
        QFile script(QStringLiteral(FLOWLADDER_SOURCE_DIR "/scripts/make-screenshots.sh"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        QStringList made;
        static const QRegularExpression shot(QStringLiteral("^shot ([a-z-]+) "), QRegularExpression::MultilineOption);
        for (auto it = shot.globalMatch(QString::fromUtf8(script.readAll())); it.hasNext();)
            made << it.next().captured(1);
        QVERIFY(made.size() >= 5);
        QStringList shown;
        static const QRegularExpression image(QStringLiteral("!\\[[^\\]]*\\]\\(images/([a-z-]+)\\.png\\)"));
        for (auto it = image.globalMatch(text); it.hasNext();)
            shown << it.next().captured(1);
        made.sort();
        shown.sort();
        QCOMPARE(shown, made);
        for (const QString& name : shown) {
            const QVariant img = guide->document()->resource(QTextDocument::ImageResource,
                                                             QUrl(QStringLiteral("images/%1.png").arg(name)));
            QVERIFY2(img.isValid() && !img.value<QImage>().isNull(), qPrintable(name));
        }
        if (const QByteArray shotPath = qgetenv("FLOWLADDER_GUIDE_SHOT"); !shotPath.isEmpty())
            guide->grab().save(QString::fromLocal8Bit(shotPath));
        QCOMPARE(w.showUserGuide(), guide); // one window, raised again
    }

    void findingsAcrossCapturesOpenWhereTheyAre()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("scan.sqlite"));
        QProcess cli;
        cli.start(QStringLiteral(FLOWLADDER_CLI),
                  {QStringLiteral("scan"), QStringLiteral("--no-progress"), QStringLiteral("--db"), db,
                   QStringLiteral(FLOWLADDER_NETNS_DIR), QStringLiteral(FLOWLADDER_SAMPLE_DIR)});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const int lines = QString::fromUtf8(cli.readAllStandardOutput()).count(QStringLiteral("\"type\":\"finding\""));
        QVERIFY(lines > 20);
        QVERIFY(isScanDatabaseFile(db));

        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.openFile(db); // the same Open as for captures: a scan database opens its window
        auto* scan = w.findChild<ScanResultsWindow*>();
        QVERIFY(scan);
        QTableView* table = scan->findingsTable();
        QCOMPARE(table->model()->rowCount(), lines);
        QCOMPARE(table->model()->index(0, 0).data().toString(), QStringLiteral("error")); // errors first

        // The filter narrows to the incident's off-by-one RST.
        scan->filterEdit()->setText(QStringLiteral("RCV.NXT − 1"));
        QVERIFY(table->model()->rowCount() >= 1);
        int row = -1;
        for (int r = 0; r < table->model()->rowCount(); ++r)
            if (table->model()->index(r, 2).data().toString() == QStringLiteral("incident.pcap")) row = r;
        QVERIFY(row >= 0);
        QSignalSpy shown(&w, &MainWindow::captureShown);
        scan->openRow(row);
        QVERIFY(shown.wait(20000));
        QVERIFY(w.currentFile().endsWith(QStringLiteral("incident.pcap")));
        QCOMPARE(w.selection()->flowId(), table->model()->index(row, 3).data().toUInt());
        QCOMPARE(w.selection()->frame(), table->model()->index(row, 4).data().toUInt());
        QCOMPARE(w.selection()->frame(), 22u); // the RST

        // Not a scan database: a message, no window.
        const QString other = dir.filePath(QStringLiteral("other.sqlite"));
        QProcess::execute(QStringLiteral("sqlite3"), {other, QStringLiteral("CREATE TABLE t(x)")});
        QVERIFY(!w.openScanResults(other));
        QCOMPARE(w.findChildren<ScanResultsWindow*>().size(), 1);
    }
};

QTEST_MAIN(TestReach)
#include "tst_reach.moc"
