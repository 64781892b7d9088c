// Selection stays in step across the flow table, ladder, time-sequence graph,
// findings and details panes; loading files through the real core.
#include "IncidentFixture.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"
#include "ui/ladder/LadderView.h"
#include "ui/ladder/TimeSequenceGraph.h"
#include "ui/models/CaptureLoader.h"
#include "ui/models/CurrentSelection.h"
#include "ui/models/FindingsModel.h"
#include "ui/models/FlowFilterProxy.h"
#include "ui/models/FlowTableModel.h"
#include "ui/models/PacketDetailsModel.h"
#include "ui/panes/DetailsPane.h"
#include "ui/panes/FindingsPane.h"
#include "ui/panes/FlowListPane.h"
#include "ui/panes/SummaryPane.h"

#include <QAction>
#include <QFile>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QMenu>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStyle>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace flowladder;
using namespace flowladder::ui;

namespace {
uint32_t currentTableFlow(MainWindow& w)
{
    return w.flowList()->view()->currentIndex().data(FlowTableModel::FlowIdRole).toUInt();
}
uint32_t currentFindingFrame(MainWindow& w)
{
    return w.findings()->view()->currentIndex().data(FindingsModel::FrameRole).toUInt();
}
} // namespace

class TestSelection : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QCoreApplication::setOrganizationName(QStringLiteral("FlowLadderTests")); }

    // The window comes back where the user left it, panes included; F1 lists every menu key
    // (read from the menus, so none is missing); About names the libraries' versions.
    void remembersLayoutListsKeysAndVersions()
    {
        {
            MainWindow w;
            w.resize(1500, 900);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.details()->parentWidget()->hide(); // the user closed the details pane
            QVERIFY(w.close());
        }
        MainWindow again;
        QVERIFY(again.restoreWindowLayout());
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.size(), QSize(1500, 900));
        QVERIFY(!again.details()->parentWidget()->isVisible());
        QVERIFY(again.findings()->parentWidget()->isVisible());

        const QString keys = again.shortcutsText();
        int listed = 0;
        for (const QAction* act : again.findChildren<QAction*>()) {
            if (act->shortcuts().isEmpty() || !act->associatedObjects().size()) continue;
            bool inMenu = false;
            for (const QObject* o : act->associatedObjects())
                inMenu = inMenu || qobject_cast<const QMenu*>(o);
            if (!inMenu) continue;
            QVERIFY2(keys.contains(act->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped()),
                     qPrintable(act->text()));
            ++listed;
        }
        QVERIFY(listed >= 15);
        for (const char* k : {"F5", "F6", "Ctrl+E", "Ctrl+Alt+C", "F1"})
            QVERIFY2(keys.contains(QString::fromLatin1(k)), k);

        const QString about = again.aboutText();
        QVERIFY(about.contains(QStringLiteral(QT_VERSION_STR)));
        QVERIFY(about.contains(QStringLiteral("QCustomPlot 2.")));
        QVERIFY(about.contains(QStringLiteral("libpcap version")));
    }

    // On a small screen the panes yield: the ladder gets most of a 1280x720 window's width.
    void smallScreenLeavesTheLadderMostOfTheWidth()
    {
        MainWindow w; // no saved layout: the default one
        w.resize(1280, 720);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY(w.ladder()->width() > 0);
        QVERIFY2(w.ladder()->width() >= 1280 * 55 / 100, qPrintable(QString::number(w.ladder()->width())));
    }

    // With thousands of flows, the flow list's id column fits the last id too, not only those of
    // the rows it measured: no id is elided ("40…").
    void flowIdsOfManyFlowsAreNotElided()
    {
        auto a = std::make_shared<core::Analysis>();
        constexpr uint32_t Flows = 12'000;
        for (uint32_t i = 0; i < Flows; ++i) {
            core::Flow f;
            a->setEndpoints(f, {test::ip4(10, 0, 0, 1), static_cast<uint16_t>(20000 + i)},
                            {test::ip4(10, 0, 0, 2), 80});
            core::PacketRecord& p = a->appendPacket(f, i + 1, 1'700'000'000'000'000'000 + int64_t{i} * 1000);
            p.flags = core::tcpflag::SYN;
            a->flows.push_back(f);
        }
        a->capture.packets = a->capture.tcpPackets = Flows;
        a->capture.firstNs = 1'700'000'000'000'000'000;
        a->capture.lastNs = a->capture.firstNs + int64_t{Flows} * 1000;
        CurrentSelection sel;
        FlowListPane pane(&sel);
        pane.resize(420, 600);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        sel.setAnalysis(a);
        QTableView* view = pane.view();
        const QString last = QString::number(Flows);
        // Where a view item's text goes: the column less the style's margin on each side.
        const int margin = view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view) + 1;
        const int room = view->columnWidth(FlowTableModel::Id) - 2 * margin;
        QCOMPARE(view->fontMetrics().elidedText(last, Qt::ElideRight, room), last);
    }

    // The details pane at its default width shows the Expected column beside the values (a RST
    // that missed RCV.NXT), and times are in UTC like the exports, to the microsecond.
    void detailsShowExpectedAndUtcTimes()
    {
        CurrentSelection sel;
        DetailsPane pane(&sel);
        pane.resize(380, 600);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        sel.setAnalysis(test::sampleIncident());
        QVERIFY(sel.selectFrame(1, 22));
        auto* view = pane.findChild<QTableView*>();
        QVERIFY(view);
        QVERIFY(!view->isColumnHidden(PacketDetailsModel::Expected));
        const int right = view->horizontalHeader()->sectionViewportPosition(PacketDetailsModel::Expected) +
                          view->horizontalHeader()->sectionSize(PacketDetailsModel::Expected);
        QVERIFY2(right <= view->viewport()->width(),
                 qPrintable(QStringLiteral("%1 > %2").arg(right).arg(view->viewport()->width())));
        QVERIFY(view->horizontalHeader()->sectionSize(PacketDetailsModel::Value) >= 100);
        const QString time = pane.model()->value(QStringLiteral("Time"));
        QVERIFY2(
            QRegularExpression(QStringLiteral("^2024-03-14 \\d\\d:\\d\\d:\\d\\d\\.\\d{6} UTC$")).match(time).hasMatch(),
            qPrintable(time));
        // A packet with nothing unexpected: no empty column.
        QVERIFY(sel.selectFrame(1, 5));
        QVERIFY(view->isColumnHidden(PacketDetailsModel::Expected));
    }

    // "Open in Wireshark at this packet": shown only when a wireshark is in PATH; runs it on the
    // capture at the selected frame with the flow as the display filter. A stand-in wireshark
    // records its arguments.
    void opensWiresharkAtThePacket()
    {
        {
            const QByteArray path = qgetenv("PATH");
            qputenv("PATH", "/nonexistent");
            MainWindow none;
            auto* act = none.findChild<QAction*>(QStringLiteral("openInWireshark"));
            QVERIFY(act && !act->isVisible());
            qputenv("PATH", path);
        }
        QTemporaryDir bin;
        const QString out = bin.filePath(QStringLiteral("args.txt"));
        QFile script(bin.filePath(QStringLiteral("wireshark")));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(
            QStringLiteral("#!/bin/sh\nprintf '%s\\n' \"$@\" > '%1.tmp' && mv '%1.tmp' '%1'\n").arg(out).toUtf8());
        script.close();
        script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", QFile::encodeName(bin.path()) + ":" + path);
        MainWindow w;
        auto* act = w.findChild<QAction*>(QStringLiteral("openInWireshark"));
        QVERIFY(act && act->isVisible());
        const QString sample = QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident.pcap");
        w.showAnalysis(test::sampleIncident(), sample);
        QVERIFY(w.selection()->selectFrame(1, 22));
        act->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(out), 10000);
        qputenv("PATH", path);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList args = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(args.mid(0, 4),
                 (QStringList{QStringLiteral("-r"), sample, QStringLiteral("-g"), QStringLiteral("22")}));
        QCOMPARE(args.value(4), QStringLiteral("-Y"));
        QVERIFY2(args.value(5).contains(QStringLiteral("198.51.100.23")) &&
                     args.value(5).contains(QStringLiteral("51234")),
                 qPrintable(args.value(5)));
    }

    void opensAtTheWorstFindingEverywhere()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.showAnalysis(test::makeIncidentAnalysis(), QStringLiteral("/tmp/office.pcap"));
        auto* sel = w.selection();
        QCOMPARE(sel->flowId(), 2u);
        QCOMPARE(sel->frame(), 22 + test::IncidentOffset); // the incident's RST
        QCOMPARE(currentTableFlow(w), 2u);
        QCOMPARE(w.ladder()->flowId(), 2u);
        QCOMPARE(w.ladder()->selectedRow(), sel->row());
        QCOMPARE(w.graph()->selectedRow(), sel->row());
        QCOMPARE(w.details()->model()->value(QStringLiteral("Frame")), QString::number(22 + test::IncidentOffset));
        QCOMPARE(currentFindingFrame(w), 22 + test::IncidentOffset);
        QVERIFY(w.windowTitle().contains(QStringLiteral("office.pcap")));
    }

    void ladderDrivesTheOthers()
    {
        MainWindow w;
        w.showAnalysis(test::makeIncidentAnalysis(), QStringLiteral("/tmp/office.pcap"));
        w.ladder()->selectRow(3);
        QCOMPARE(w.selection()->row(), int64_t(3));
        QCOMPARE(w.graph()->selectedRow(), int64_t(3));
        QCOMPARE(w.details()->model()->value(QStringLiteral("Frame")), QString::number(4 + test::IncidentOffset));
        QVERIFY(!w.findings()->view()->selectionModel()->hasSelection()); // the request has no finding
        w.ladder()->nextFinding(); // the lingering close, from the server's ACK of the FIN
        QCOMPARE(w.selection()->frame(), 19 + test::IncidentOffset);
        QCOMPARE(currentFindingFrame(w), 19 + test::IncidentOffset);
    }

    void graphTableAndFindingsDriveTheLadder()
    {
        MainWindow w;
        w.showAnalysis(test::makeIncidentAnalysis(), QStringLiteral("/tmp/office.pcap"));
        emit w.graph()->rowClicked(5);
        QCOMPARE(w.ladder()->selectedRow(), int64_t(5));
        QCOMPARE(w.details()->model()->value(QStringLiteral("Frame")), QString::number(6 + test::IncidentOffset));

        // choosing flow 3 in the table
        auto* view = w.flowList()->view();
        const QModelIndex idx = w.flowList()->proxy()->mapFromSource(w.flowList()->model()->index(2, 0));
        view->setCurrentIndex(idx);
        QCOMPARE(w.selection()->flowId(), 3u);
        QCOMPARE(w.ladder()->flowId(), 3u);
        QCOMPARE(w.ladder()->selectedRow(), int64_t(-1));
        QCOMPARE(w.findings()->model()->rowCount(), 5);

        // choosing a finding of another flow from the findings list (all flows)
        w.findings()->model()->setFlowFilter(0);
        const auto& fs = w.selection()->analysis()->findings;
        uint32_t lingering = 0;
        while (lingering < fs.size() &&
               !(fs[lingering].flow == 2 && fs[lingering].kind == core::FindingKind::LingeringClose))
            ++lingering;
        QVERIFY(lingering < fs.size());
        const int row = w.findings()->model()->rowOfFinding(lingering);
        w.findings()->view()->setCurrentIndex(w.findings()->model()->index(row, FindingsModel::Kind));
        QCOMPARE(w.selection()->flowId(), 2u);
        QCOMPARE(w.selection()->frame(), 19 + test::IncidentOffset);
        QCOMPARE(w.ladder()->flowId(), 2u);
        QCOMPARE(currentTableFlow(w), 2u);
        QCOMPARE(w.graph()->selectedRow(), w.selection()->row());
    }

    // Issue 15: the summary never says "No problems" and stops while the status bar counts
    // findings: informational ones are listed as such.
    void summaryListsInformationalFindings()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.showAnalysis(test::netnsCapture("simultaneous-close.server.pcap"), QStringLiteral("/tmp/sim.pcap"));
        const QString text = w.summary()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("No problems found in 1 flow.")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Also seen (informational, not problems)")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Simultaneous close: the client's FIN #9 and the server's FIN #8")),
                 qPrintable(text));
    }

    void filteringTheTableKeepsSelection()
    {
        MainWindow w;
        w.showAnalysis(test::makeIncidentAnalysis(), QStringLiteral("/tmp/office.pcap"));
        w.flowList()->proxy()->setOnlyWithFindings(true);
        QCOMPARE(w.selection()->flowId(), 2u);
        w.flowList()->proxy()->setText(QStringLiteral("41002")); // flow 3 only
        QCOMPARE(w.flowList()->proxy()->rowCount(), 1);
        QCOMPARE(w.selection()->flowId(), 2u); // the ladder keeps its flow while the table is filtered
    }

    void failedLoadKeepsTheCurrentCapture()
    {
        MainWindow w;
        w.showAnalysis(test::makeIncidentAnalysis(), QStringLiteral("/tmp/office.pcap"));
        QSignalSpy failed(&w, &MainWindow::loadFailed);
        w.openFile(QStringLiteral("/nonexistent/nothing.pcap"));
        QVERIFY(failed.wait(20000));
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("nothing.pcap")));
        // Said in the message bar above the ladder, not in a modal box the user must close first.
        QVERIFY2(w.messageBar()->text().contains(QStringLiteral("nothing.pcap")), qPrintable(w.messageBar()->text()));
        QCOMPARE(w.selection()->flowId(), 2u);
        QCOMPARE(w.currentFile(), QStringLiteral("/tmp/office.pcap"));

        QTemporaryDir dir;
        const QString junk = dir.filePath(QStringLiteral("junk.pcap"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(300, 'x'));
        f.close();
        w.openFile(junk);
        QVERIFY(failed.wait(20000));
        QCOMPARE(w.selection()->flowId(), 2u);
    }

    void loadsRealCaptureAndDropsStaleLoads()
    {
        // Committed real captures (tests/data/netns), so this runs everywhere.
        const QString stale = QStringLiteral(FLOWLADDER_NETNS_DIR "/port-reuse.client.pcap");
        const QString path = QStringLiteral(FLOWLADDER_NETNS_DIR "/rst-in-window.server.pcap");
        QVERIFY(QFile::exists(stale));
        QVERIFY(QFile::exists(path));
        MainWindow w;
        QSignalSpy shown(&w, &MainWindow::captureShown);
        // the first load is superseded at once: only the second may be shown
        w.openFile(stale);
        w.openFile(path);
        QVERIFY(shown.wait(20000));
        // Wait for the superseded load to finish too (not for a fixed time), deliver what it
        // posted, and check it showed nothing.
        auto* loader = w.findChild<CaptureLoader*>();
        QVERIFY(loader);
        QTRY_VERIFY_WITH_TIMEOUT(std::ranges::all_of(loader->findChildren<QFutureWatcherBase*>(),
                                                     [](const QFutureWatcherBase* f) { return f->isFinished(); }),
                                 20000);
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QCOMPARE(shown.count(), 1);
        QCOMPARE(shown.at(0).at(0).toString(), path);
        QVERIFY(w.selection()->analysis());
        QVERIFY(!w.selection()->analysis()->flows.empty());
        QVERIFY(w.selection()->flowId() >= 1);
        QVERIFY(w.ladder()->content() && w.ladder()->content()->rows() > 0);
    }

    void truncatedFileShowsWhatWasRead()
    {
        const QString src = QStringLiteral(FLOWLADDER_NETNS_DIR "/rst-in-window.server.pcap");
        QFile in(src);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray all = in.readAll();
        QTemporaryDir dir;
        const QString cut = dir.filePath(QStringLiteral("cut.pcap"));
        QFile out(cut);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(all.left(all.size() * 2 / 3));
        out.close();
        MainWindow w;
        QSignalSpy shown(&w, &MainWindow::captureShown);
        w.openFile(cut);
        QVERIFY(shown.wait(20000));
        QVERIFY(w.selection()->analysis()->capture.truncated);
        QVERIFY(w.selection()->analysis()->capture.packets > 0);
    }
};

QTEST_MAIN(TestSelection)
#include "tst_selection.moc"
