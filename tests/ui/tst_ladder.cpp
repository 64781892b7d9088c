// The ladder: what it places for the incident, a render checked for structure, and
// culling/replot time on a 1M-packet flow.
#include "IncidentFixture.h"
#include "ui/ladder/LadderContent.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderView.h"
#include "ui/ladder/TimeSequenceGraph.h"
#include "ui/models/Format.h"

#include <QImage>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <qcustomplot.h>

using namespace flowladder;
using namespace flowladder::ui;

namespace {
bool near(QColor a, QColor b, int tol = 40)
{
    return qAbs(a.red() - b.red()) + qAbs(a.green() - b.green()) + qAbs(a.blue() - b.blue()) <= tol;
}
// Longest horizontal run of pixels close to `c` on image row y.
int runOf(const QImage& img, int y, QColor c)
{
    int best = 0, cur = 0;
    for (int x = 0; x < img.width(); ++x) {
        cur = near(img.pixelColor(x, y), c) ? cur + 1 : 0;
        best = std::max(best, cur);
    }
    return best;
}
int columnCount(const QImage& img, int x, QColor c, int y0, int y1)
{
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(img.height(), y1); ++y)
        n += near(img.pixelColor(x, y), c) ? 1 : 0;
    return n;
}
// Pixels of column x in [y0, y1) that are not the background: lifelines and bands.
int inked(const QImage& img, int x, int y0, int y1, QColor background)
{
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(img.height(), y1); ++y)
        n += near(img.pixelColor(x, y), background, 12) ? 0 : 1;
    return n;
}
} // namespace

class TestLadder : public QObject {
    Q_OBJECT
private slots:
    void contentPlacesTheFindings()
    {
        // The sample incident, captured on the server.
        auto a = test::sampleIncident();
        LadderContent c = LadderContent::build(a, 1, {});
        QVERIFY(c.valid());
        QCOMPARE(c.rows(), 35u);
        const auto rst = static_cast<uint32_t>(c.rowOfFrame(22));
        QVERIFY(c.note(rst).contains(QStringLiteral("seq = RCV.NXT − 1")));
        QVERIFY(c.note(rst).contains(QStringLiteral("expected 277")));
        QVERIFY(c.note(rst).contains(QStringLiteral("server IGNORED it")));
        QVERIFY(c.note(rst).contains(QStringLiteral("forged? TTL 249 (sender's usual: 57), IP ID 0")));
        QVERIFY(c.note(rst).contains(QStringLiteral("server kept sending: 13 more packets")));
        QVERIFY(c.label(rst).startsWith(QStringLiteral("#22  %1  seq 276").arg(flagsText(c.packet(rst).flags))));
        // the lingering close is noted where it starts: the server's ACK of the client's FIN #18
        QVERIFY(c.note(uint32_t(c.rowOfFrame(19))).startsWith(QStringLiteral("server stuck in CLOSE-WAIT for 597")));
        // the 13 retransmissions of the server's segment #20 form a chain from it, each
        // linked to the previous copy; no RST drew a challenge ACK, no FIN was resent
        uint32_t previous = static_cast<uint32_t>(c.rowOfFrame(20));
        size_t resends = 0;
        for (const auto& k : c.connectors)
            if (k.kind == LadderContent::ConnectorKind::Retransmission) {
                ++resends;
                QCOMPARE(k.fromRow, previous);
                QVERIFY(k.toRow > k.fromRow);
                previous = k.toRow;
            }
        QCOMPARE(resends, size_t(13));
        QCOMPARE(c.connectors.size(), size_t(13));
        QCOMPARE(previous, static_cast<uint32_t>(c.rowOfFrame(35)));
        QVERIFY(c.note(uint32_t(c.rowOfFrame(23))).contains(QStringLiteral("retransmission of #20")));
        QVERIFY(c.note(uint32_t(c.rowOfFrame(23))).contains(QStringLiteral("sent after RST")));
        // the server's CLOSE-WAIT band, lingering, from its ACK of the FIN to the end (597.4 s)
        bool closeWait = false;
        for (const auto& b : c.bands[int(core::Side::Server)])
            if (b.state == core::TcpState::CloseWait) {
                closeWait = true;
                QVERIFY(b.lingering);
                QVERIFY2(qAbs(b.durationNs / 1e9 - 597.42) < 0.1, qPrintable(QString::number(b.durationNs / 1e9)));
                QCOMPARE(b.fromRow, static_cast<uint32_t>(c.rowOfFrame(19)));
            }
        QVERIFY(closeWait);
        // only the server's CLOSE-WAIT is stuck: the client's FIN-WAIT bands are a normal close
        for (int s = 0; s < 2; ++s)
            for (const auto& b : c.bands[s])
                QCOMPARE(b.lingering, s == int(core::Side::Server) && b.state == core::TcpState::CloseWait);
        // captured on the server: the capture point sits near the server's lifeline
        QVERIFY(c.capturePointX > 0.8);
        // the 10-minute idle tail is folded
        QVERIFY(!c.layout.gaps.empty());
        QVERIFY(c.layout.gaps.back().foldedNs > 100'000'000'000LL);
    }

    // A close that takes microseconds is drawn as closing, not as stuck: nothing lingered (the
    // summary says no problem was found), though each side passed through FIN-WAIT or CLOSE-WAIT.
    void cleanCloseIsNotStuck()
    {
        auto a = test::netnsCapture("clean-close.server.pcap");
        LadderContent c = LadderContent::build(a, 1, {});
        QVERIFY(c.valid());
        size_t closing = 0;
        for (const auto& side : c.bands)
            for (const auto& b : side) {
                closing += core::isLingeringState(b.state) ? 1 : 0;
                QVERIFY2(!b.lingering, core::tcpStateName(b.state).data());
            }
        QVERIFY(closing >= 2);
    }

    void contentLinksChallengeAckAndResentFins()
    {
        // A real in-window RST (#20) answered by the server's challenge ACK (#21).
        auto a = test::netnsCapture("rst-in-window.server.pcap");
        LadderContent c = LadderContent::build(a, 1, {});
        QVERIFY(c.valid());
        const auto rst = static_cast<uint32_t>(c.rowOfFrame(20));
        const auto chal = static_cast<uint32_t>(c.rowOfFrame(21));
        QVERIFY(c.note(rst).contains(QStringLiteral("seq = RCV.NXT + 1000 (expected 98): server IGNORED it")));
        QVERIFY(c.note(rst).contains(QStringLiteral("forged? TTL 255")));
        QVERIFY(c.note(chal).contains(QStringLiteral("challenge ACK for RST #20")));
        // the core's challenge-ACK mark adds no second, vaguer note
        QCOMPARE(c.note(chal).count(QStringLiteral("challenge ACK")), 1);
        QCOMPARE(c.connectors[0].kind, LadderContent::ConnectorKind::ChallengeAck);
        QCOMPARE(c.connectors[0].fromRow, rst);
        QCOMPARE(c.connectors[0].toRow, chal);
        // the six retransmissions (#23-#28) of the data first sent in #19
        size_t resends = 0;
        for (const auto& k : c.connectors)
            resends += k.kind == LadderContent::ConnectorKind::Retransmission;
        QCOMPARE(resends, size_t(6));
        QCOMPARE(c.connectors.size(), size_t(7));
        QVERIFY(c.note(uint32_t(c.rowOfFrame(23))).contains(QStringLiteral("retransmission of #19")));

        // The client's view of the sample incident: FIN #18 sent twice more (#19, #20).
        auto client = test::analyze(test::samplePath("incident-client.pcap"));
        LadderContent fin = LadderContent::build(client, 1, {});
        QCOMPARE(fin.connectors.size(), size_t(2));
        for (const auto& k : fin.connectors) {
            QCOMPARE(k.kind, LadderContent::ConnectorKind::FinRetransmit);
            QCOMPARE(k.fromRow, static_cast<uint32_t>(fin.rowOfFrame(18)));
            // the FIN note replaces the generic retransmission note
            QCOMPARE(fin.note(k.toRow), QStringLiteral("FIN sent again (first #18)"));
        }
        QCOMPARE(fin.connectors[1].toRow, static_cast<uint32_t>(fin.rowOfFrame(20)));
    }

    void renderHasTheStructure()
    {
        auto a = test::sampleIncident();
        LadderView view;
        view.resize(1000, 800);
        view.setFlow(a, 1);
        view.zoomFit();
        const QImage img = view.toPixmap(1000, 800).toImage();
        if (!qEnvironmentVariableIsEmpty("FLOWLADDER_UI_SNAPSHOTS"))
            img.save(qEnvironmentVariable("FLOWLADDER_UI_SNAPSHOTS") + QStringLiteral("/ladder-incident.png"));
        const LadderStyle& s = view.ladder()->style();
        const auto g = view.ladder()->currentGeometry();
        const auto& content = *view.content();
        // both lifelines run down the diagram
        const int top = int(g.map.pixelOf(0)), bottom = int(g.map.pixelOf(content.layout.height()));
        QVERIFY(inked(img, int(g.clientX), top, bottom, s.background) > (bottom - top) * 9 / 10);
        QVERIFY(inked(img, int(g.serverX), top, bottom, s.background) > (bottom - top) * 9 / 10);
        QVERIFY(inked(img, int(g.clientX) + 60, top, bottom, s.background) <
                (bottom - top) / 2); // between: only arrows
        // the server's CLOSE-WAIT band stands out on its lifeline
        QVERIFY(columnCount(img, int(g.serverX) - 4, s.closeWaitBand, top, bottom) > 30);
        // the RST is a long red arrow on its row
        const int rstY = int(g.map.pixelOf(content.layout.yOfRow(uint32_t(content.rowOfFrame(22)))));
        int red = 0;
        for (int dy = -1; dy <= 1; ++dy)
            red = std::max(red, runOf(img, rstY + dy, s.colorOf(ArrowKind::Rst)));
        QVERIFY2(red > (g.serverX - g.clientX) * 0.6, qPrintable(QString::number(red)));
        // a retransmission arrow (purple) is drawn
        const int retxY = int(g.map.pixelOf(content.layout.yOfRow(uint32_t(content.rowOfFrame(23)))));
        int purple = 0;
        for (int dy = -1; dy <= 1; ++dy)
            purple = std::max(purple, runOf(img, retxY + dy, s.colorOf(ArrowKind::Retransmission)));
        QVERIFY(purple > (g.serverX - g.clientX) * 0.5);
        // selecting a row paints the selection band across the view
        view.selectRow(content.rowOfFrame(22));
        view.replot();
        QCOMPARE(view.selectedRow(), content.rowOfFrame(22));
    }

    void renderToAnyPainter()
    {
        auto a = test::sampleIncident();
        LadderView view;
        view.resize(800, 600);
        view.setFlow(a, 1);
        QImage img(800, 600, QImage::Format_ARGB32);
        img.fill(Qt::white);
        QPainter p(&img);
        const auto g = LadderPlottable::geometryFor(QRectF(0, 0, 800, 600), -3, view.content()->layout.height() + 1,
                                                    view.content().get());
        view.ladder()->paint(&p, g);
        p.end();
        QVERIFY(view.ladder()->lastDrawnRows() >= 35);
        QVERIFY(inked(img, int(g.serverX), 100, 590, QColor(Qt::white)) > 400);
    }

    // The sample was captured on the server: its packets keep the TTL they were sent with (64),
    // the client's arrive with 57. The user can say otherwise.
    void capturePointSaysWhereAndWhy()
    {
        LadderContent c = LadderContent::build(test::sampleIncident(), 1, {});
        QCOMPARE(c.capturePointWhere, QStringLiteral("on the server"));
        QVERIFY2(c.capturePointWhy.contains(QStringLiteral("TTL 64")) &&
                     c.capturePointWhy.contains(QStringLiteral("57")) &&
                     c.capturePointWhy.contains(QStringLiteral("7 hops")),
                 qPrintable(c.capturePointWhy));
        QVERIFY(c.capturePointX > 0.9);
        c.setCapturePoint(0.07);
        QCOMPARE(c.capturePointWhere, QStringLiteral("at the client"));
        QVERIFY(c.capturePointX < 0.1);
        c.setCapturePoint(std::nullopt);
        QCOMPARE(c.capturePointWhere, QStringLiteral("on the server"));

        // The kernel fixtures: client and server namespaces with a router namespace between them,
        // each captured at one end.
        const LadderContent server = LadderContent::build(test::netnsCapture("clean-close.server.pcap"), 1, {});
        QCOMPARE(server.capturePointWhere, QStringLiteral("on the server"));
        QVERIFY2(server.capturePointWhy.contains(QStringLiteral("1 hop away")), qPrintable(server.capturePointWhy));
        const LadderContent client = LadderContent::build(test::netnsCapture("clean-close.client.pcap"), 1, {});
        QCOMPARE(client.capturePointWhere, QStringLiteral("on the client"));
        QVERIFY(client.capturePointX < 0.1);
    }

    void keyboardStepsThroughFindings()
    {
        auto a = test::sampleIncident();
        LadderView view;
        view.resize(800, 600);
        view.setFlow(a, 1);
        const auto& c = *view.content();
        view.nextFinding();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(19)); // lingering close starts at the server's ACK of the FIN
        view.nextFinding();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(22)); // the RST (mismatch, fingerprint, ignored)
        view.nextFinding();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(23)); // the first retransmission
        view.previousFinding();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(22));
        view.nextPacket();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(23));
        QTest::keyClick(&view, Qt::Key_Up);
        QCOMPARE(view.selectedRow(), c.rowOfFrame(22));
        const double before = view.pixelsPerRow();
        view.zoomIn();
        QVERIFY(view.pixelsPerRow() > before);
        view.zoomOut();
        view.zoomOut();
        QVERIFY(view.pixelsPerRow() < before);
        // Zooming out stops at Fit.
        view.zoomFit();
        const QCPRange fit = view.yAxis->range();
        for (int i = 0; i < 5; ++i)
            view.zoomOut();
        QCOMPARE(view.yAxis->range().size(), fit.size());
        // Stepping past the last finding starts over, and says so.
        QSignalSpy wrapped(&view, &LadderView::findingsWrapped);
        view.selectRow(c.rowOfFrame(23));
        view.nextFinding();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(19));
        QCOMPARE(wrapped.size(), 1);
        QCOMPARE(wrapped.first().first().toBool(), true);
        view.previousFinding();
        QCOMPARE(wrapped.size(), 2);
        QCOMPARE(wrapped.last().first().toBool(), false);
        QCOMPARE(view.selectedRow(), c.rowOfFrame(23)); // back to the last
        view.previousFinding();                         // 23 -> 22: no wrap
        QCOMPARE(view.selectedRow(), c.rowOfFrame(22));
        QCOMPARE(wrapped.size(), 2);
    }

    // A refused connection is two rows, 55 us apart: opened on its RST (the finding), both rows
    // show, a readable distance apart. Fit used to spread a short flow over the whole height
    // (600 px between the SYN and the RST), and showing the RST then scrolled the SYN away.
    void shortFlowShowsWholeAtTheReadableZoom()
    {
        auto a = test::analyze(test::netnsPath("connect-refused.client.pcap"));
        LadderView view;
        view.resize(800, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setFlow(a, 1);
        const auto& c = *view.content();
        QCOMPARE(c.rows(), 2);
        view.nextFinding();
        QCOMPARE(view.selectedRow(), c.rowOfFrame(2));
        view.replot(QCustomPlot::rpImmediateRefresh);
        const auto rowShown = [&](uint32_t row) {
            const double y = c.layout.yOfRow(row);
            const QCPRange r = view.yAxis->range();
            const double header = (LadderPlottable::HeaderHeight + 4) / view.pixelsPerRow();
            return y >= r.lower + header && y <= r.upper;
        };
        QVERIFY(rowShown(0));
        QVERIFY(rowShown(1));
        QVERIFY2(view.pixelsPerRow() <= 26.0 + 1e-9, qPrintable(QString::number(view.pixelsPerRow())));
        view.zoomFit();
        view.replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(rowShown(0));
        QVERIFY(rowShown(1));
        QVERIFY2(view.pixelsPerRow() <= 26.0 + 1e-9, qPrintable(QString::number(view.pixelsPerRow())));
    }

    // The sample's transfer takes its first 2 s; the server then retransmits into silence for
    // 597 s. The graph opens on the transfer (not a line at x = 0 of a 600 s axis), with byte
    // counts on the sequence axis; Fit all shows everything.
    void timeSequenceGraphOpensOnTheTransfer()
    {
        TimeSequenceGraph g;
        g.resize(900, 600);
        g.setFlow(test::sampleIncident(), 1);
        QCOMPARE(g.sender(), core::Side::Server); // the side that sent the data
        const QCPRange shown = g.plot()->xAxis->range();
        QVERIFY2(shown.upper > 2.0 && shown.upper < 30.0, qPrintable(QString::number(shown.upper)));
        g.zoomFitAll();
        QVERIFY(g.plot()->xAxis->range().upper > 590.0);
        g.zoomFit();
        QCOMPARE(g.plot()->xAxis->range().upper, shown.upper);
        // Tick labels in bytes (the server sent 12 kB), never in powers of ten.
        g.plot()->replot();
        const QVector<QString> labels = g.plot()->yAxis->tickVectorLabels();
        QVERIFY(!labels.isEmpty());
        for (const QString& l : labels)
            QVERIFY2(!l.contains(QLatin1Char('e')) && !l.contains(QChar(0x00B7)), qPrintable(l));
        QVERIFY(std::any_of(labels.begin(), labels.end(),
                            [](const QString& l) { return l.endsWith(QLatin1String("kB")); }));
    }

    // A click on the graph selects the packet nearest in time, when one is within 8 px; its
    // time is read from the analysis (the graph keeps no per-packet array of its own).
    void clickingTheGraphSelectsTheNearestPacket()
    {
        TimeSequenceGraph g;
        g.resize(900, 600);
        const auto a = test::sampleIncident();
        g.setFlow(a, 1);
        g.show(); // laid out: pixels map to times as the user sees them
        QVERIFY(QTest::qWaitForWindowExposed(&g));
        g.plot()->xAxis->setRange(0, 2.5);
        g.plot()->replot();
        const core::Flow& f = *a->flowById(1);
        const auto seconds = [&](uint32_t row) { return static_cast<double>(a->tsNs(f, row) - a->startNs(f)) / 1e9; };
        QSignalSpy clicked(&g, &TimeSequenceGraph::rowClicked);
        const auto clickAt = [&](double t) {
            const int x = static_cast<int>(std::lround(g.plot()->xAxis->coordToPixel(t)));
            QTest::mouseClick(g.plot(), Qt::LeftButton, {}, QPoint(x, g.plot()->height() / 2));
        };
        // #17 is alone in time (1.269 s; #16 at 1.239 s, #18 at 1.932 s): a click 2 px after it.
        const double t17 = seconds(16);
        clickAt(t17 + 2 * g.plot()->xAxis->range().size() / g.plot()->xAxis->axisRect()->width());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toLongLong(), int64_t(16));
        QCOMPARE(g.selectedRow(), int64_t(16));
        // Half way between #17 and #18, a third of a second from both: nothing is selected.
        clickAt((t17 + seconds(17)) / 2);
        QCOMPARE(clicked.count(), 1);
        // Past the last packet shown, the last one near the click: #18 is 1.93238 s, #19 40 us later.
        clickAt(seconds(18));
        QCOMPARE(clicked.count(), 2);
        const auto row = static_cast<uint32_t>(clicked.at(1).at(0).toLongLong());
        QVERIFY2(row == 17 || row == 18, qPrintable(QString::number(row)));
    }

    void millionPacketFlowIsCulled()
    {
        auto a = test::makeLargeAnalysis(1'000'000);
        LadderView view;
        view.resize(1200, 900);
        view.show(); // replot lays out from the real viewport
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Culling is checked by what was drawn, not by how long it took (no wall-clock limits in tests).
        view.setFlow(a, 1);
        view.zoomFit();
        view.replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY2(view.ladder()->lastDrawnRows() < 900, qPrintable(QString::number(view.ladder()->lastDrawnRows())));
        QVERIFY(view.ladder()->lastDrawnRows() > 300);                                             // culled, not empty
        if (const QString shots = qEnvironmentVariable("FLOWLADDER_SHOT_DIR"); !shots.isEmpty()) { // to look at
            view.ladder()->setSelectedRow(500'000);
            view.replot(QCustomPlot::rpImmediateRefresh);
            view.grab().save(shots + QStringLiteral("/ladder-fit-1M.png"));
        }
        view.selectRow(500'000);
        view.zoomReadable();
        view.replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(view.ladder()->lastDrawnRows() < 60);
        QVERIFY(view.ladder()->lastDrawnRows() > 0);
    }
};

QTEST_MAIN(TestLadder)
#include "tst_ladder.moc"
