// The comparison GUI on the bundled sample incident (client capture as A, server
// capture as B): merged-ladder geometry, models, a render, and the window keeping
// the merged ladder, the two side-by-side ladders and the findings in step.
#include "core/compare/Comparison.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/compare/CompareMergedLadder.h"
#include "ui/compare/CompareMergedLayout.h"
#include "ui/compare/CompareMergedView.h"
#include "ui/compare/CompareNotes.h"
#include "ui/compare/CompareSideBySide.h"
#include "ui/compare/CompareWindow.h"
#include "ui/ladder/LadderView.h"
#include "ui/models/CompareLoader.h"
#include "ui/models/CompareModels.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QMenuBar>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace flowladder;
using namespace flowladder::ui;
using Kind = CompareMergedLayout::Kind;

namespace {
const QString SampleA = QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident-client.pcap");
const QString SampleB = QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident.pcap");

ComparisonPtr sampleComparison(std::optional<double> offset = std::nullopt)
{
    std::string error;
    core::CompareOptions o;
    o.clockOffsetSeconds = offset;
    auto c = core::compareFiles(SampleA.toStdString(), SampleB.toStdString(), error, o);
    if (!c) qFatal("%s", error.c_str());
    return std::make_shared<const core::Comparison>(std::move(*c));
}

// Index of the pair's packet with this frame in capture A or B; layout items follow the pair's packets.
int64_t itemOf(const CompareMergedLayout& /*layout*/, const core::FlowPair& p, bool inA, uint32_t frame)
{
    for (size_t i = 0; i < p.packets.size(); ++i)
        if ((inA ? p.packets[i].aFrame : p.packets[i].bFrame) == frame) return static_cast<int64_t>(i);
    return -1;
}
} // namespace

class TestCompare : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QCoreApplication::setOrganizationName(QStringLiteral("FlowLadderTests")); }

    void mergedGeometryPlacesArrowsAndStubs()
    {
        auto c = sampleComparison();
        QCOMPARE(c->pairs.size(), size_t{1});
        const core::FlowPair& p = c->pairs[0];
        const auto m = CompareMergedLayout::build(*c, p);
        QCOMPARE(m.items.size(), p.packets.size());
        // The SYN: seen at both, from A (client side) to B, slanting down by the one-way delay.
        const auto& syn = m.items[static_cast<size_t>(itemOf(m, p, true, 1))];
        QCOMPARE(syn.kind, Kind::Both);
        QCOMPARE(syn.x0, 0.0);
        QCOMPARE(syn.x1, 1.0);
        QVERIFY(syn.y1 > syn.y0);
        QVERIFY(std::abs((syn.t1 - syn.t0) - 15'000'000) < 1'000'000);
        // The server's ACK of the request (B#5, A#5) runs from B to A.
        const auto& ack = m.items[static_cast<size_t>(itemOf(m, p, false, 5))];
        QCOMPARE(ack.x0, 1.0);
        QCOMPARE(ack.x1, 0.0);
        QVERIFY(ack.y1 > ack.y0);
        // The RST exists only at B: a stub that starts between the capture points and ends at B.
        const auto& rst = m.items[static_cast<size_t>(itemOf(m, p, false, 22))];
        QCOMPARE(rst.kind, Kind::Injected);
        QVERIFY(!rst.seenAtA);
        QCOMPARE(rst.x0, 0.5);
        QCOMPARE(rst.x1, 1.0);
        QVERIFY(rst.y1 > rst.y0);
        // The client's retransmitted FINs never reached B: stubs from A that end half-way.
        for (uint32_t frame : {19u, 20u}) {
            const auto& fin = m.items[static_cast<size_t>(itemOf(m, p, true, frame))];
            QCOMPARE(fin.kind, Kind::Lost);
            QCOMPARE(fin.x0, 0.0);
            QCOMPARE(fin.x1, 0.5);
            QVERIFY(fin.y1 > fin.y0);
        }
        // Lookups and hit testing.
        const auto synMatch = p.packets[static_cast<size_t>(itemOf(m, p, true, 1))];
        QCOMPARE(m.matchOfPacketA(synMatch.a), itemOf(m, p, true, 1));
        QCOMPARE(m.matchOfPacketB(synMatch.b), itemOf(m, p, true, 1));
        CompareMergedLayout::Pixels px{100, 500, LadderLayout::PixelMap{-2, m.height() + 2, 0, 30 * (m.height() + 4)}};
        const double midY = px.map.pixelOf((rst.y0 + rst.y1) / 2);
        QCOMPARE(m.itemAt(px, px.xOf(0.75), midY), itemOf(m, p, false, 22));
        QCOMPARE(m.itemAt(px, 20, midY), int64_t{-1}); // left of both lifelines
        // Items in a range are those whose extent meets it.
        const auto inRange = m.itemsInRange(rst.y0, rst.y1);
        QVERIFY(std::find(inRange.begin(), inRange.end(), static_cast<uint32_t>(itemOf(m, p, false, 22))) !=
                inRange.end());
        // A wrong clock offset shows up as arrows slanting backwards.
        auto off = sampleComparison(0.0);
        const auto m2 = CompareMergedLayout::build(*off, off->pairs[0]);
        const auto& syn2 = m2.items[static_cast<size_t>(itemOf(m2, off->pairs[0], true, 1))];
        QVERIFY(syn2.t1 < syn2.t0);
    }

    void models()
    {
        auto c = sampleComparison();
        ComparePairsModel pairs;
        QAbstractItemModelTester t1(&pairs, QAbstractItemModelTester::FailureReportingMode::QtTest);
        CompareFindingsModel findings;
        QAbstractItemModelTester t2(&findings, QAbstractItemModelTester::FailureReportingMode::QtTest);
        pairs.setComparison(c);
        findings.setComparison(c);
        QCOMPARE(pairs.rowCount(), 1);
        QCOMPARE(pairs.index(0, 0).data(ComparePairsModel::PairIndexRole).toInt(), 0);
        QCOMPARE(pairs.index(0, ComparePairsModel::MatchedBy).data().toString(), QStringLiteral("tuple"));
        QVERIFY(pairs.index(0, ComparePairsModel::OnlyInA).data().toString().startsWith(QStringLiteral("2 ")));
        QVERIFY(pairs.index(0, ComparePairsModel::OnlyInB).data().toString().startsWith(QStringLiteral("17 ")));
        QCOMPARE(pairs.index(0, ComparePairsModel::Delay).data().toString(), QStringLiteral("15.0 ms"));
        QCOMPARE(findings.rowCount(), static_cast<int>(c->findings.size()));
        // Most severe first: the injected RST at B #22.
        const QModelIndex first = findings.index(0, 0);
        QCOMPARE(first.data(CompareFindingsModel::SeverityRole).toInt(), static_cast<int>(core::Severity::Error));
        bool sawRst = false;
        for (int r = 0; r < findings.rowCount(); ++r)
            if (findings.index(r, 0).data(CompareFindingsModel::CaptureRole).toString() == QStringLiteral("B") &&
                findings.index(r, 0).data(CompareFindingsModel::FrameRole).toUInt() == 22)
                sawRst = true;
        QVERIFY(sawRst);
        pairs.setComparison(nullptr);
        findings.setComparison(nullptr);
        QCOMPARE(pairs.rowCount(), 0);
    }

    void renderShowsLifelinesAndStubs()
    {
        auto c = sampleComparison();
        auto content = CompareMergedContent::build(c, 0);
        QVERIFY(content->valid());
        QVERIFY(content->verdict(static_cast<uint32_t>(itemOf(content->layout, c->pairs[0], false, 22)))
                    .contains(QStringLiteral("created in between")));
        QVERIFY(content->verdict(static_cast<uint32_t>(itemOf(content->layout, c->pairs[0], true, 19)))
                    .contains(QStringLiteral("never arrived")));
        QCustomPlot plot;
        auto* ladder = new CompareMergedLadder(plot.xAxis, plot.yAxis);
        ladder->setContent(content);
        const LadderStyle style = LadderStyle::light();
        ladder->setStyle(style);
        const double h = content->layout.height();
        QImage img(1200, static_cast<int>(30 * (h + 6)) + 60, QImage::Format_RGB32);
        img.fill(style.background);
        const auto g = CompareMergedLadder::geometryFor(QRectF(img.rect()), -2, h + 4 + 60.0 / 30);
        {
            QPainter p(&img);
            ladder->paint(&p, g);
        }
        QVERIFY(ladder->lastDrawnItems() > 0);
        // Lifelines: dark vertical lines at A and B below the header.
        const int yMid = img.height() / 2;
        for (double x : {g.px.aX, g.px.bX})
            QVERIFY(QColor(img.pixel(static_cast<int>(x), yMid)).lightness() < 140);
        // The RST stub: red pixels between the middle and B at its row, none between A and the middle.
        const auto& rst = content->layout.items[static_cast<size_t>(itemOf(content->layout, c->pairs[0], false, 22))];
        auto reddish = [&](double x0, double x1, double y0, double y1) {
            int n = 0;
            for (int x = static_cast<int>(x0); x < static_cast<int>(x1); ++x)
                for (int y = static_cast<int>(y0); y <= static_cast<int>(y1); ++y) {
                    const QColor px = img.pixelColor(x, y);
                    if (px.red() > 170 && px.green() < 90 && px.blue() < 90) ++n;
                }
            return n;
        };
        const double ry0 = g.px.map.pixelOf(rst.y0), ry1 = g.px.map.pixelOf(rst.y1);
        QVERIFY(reddish(g.px.xOf(0.55), g.px.xOf(0.95), ry0 - 2, ry1 + 2) > 20);
        QCOMPARE(reddish(g.px.aX + 4, g.px.xOf(0.4), ry0 - 2, ry1 + 2), 0);
        // A lost FIN: a red cross at the middle, nothing drawn between the middle and B on its row.
        const auto& fin = content->layout.items[static_cast<size_t>(itemOf(content->layout, c->pairs[0], true, 19))];
        const double fy = g.px.map.pixelOf(fin.y1);
        QVERIFY(reddish(g.px.xOf(0.5) - 7, g.px.xOf(0.5) + 7, fy - 7, fy + 7) > 10);
    }

    void windowKeepsViewsInStep()
    {
        CompareWindow w;
        w.resize(1500, 900);
        w.show();
        QSignalSpy shown(&w, &CompareWindow::comparisonShown);
        w.openFiles(SampleA, SampleB);
        QVERIFY(shown.wait(20000));
        QVERIFY(w.comparison());
        QCOMPARE(w.currentPair(), 0);
        // Opens at the most severe finding: the RST only the server side saw.
        const auto& p = w.comparison()->pairs[0];
        QVERIFY(w.currentMatch() >= 0);
        QCOMPARE(p.packets[static_cast<size_t>(w.currentMatch())].bFrame, 22u);
        QCOMPARE(w.mergedView()->selectedItem(), w.currentMatch());
        auto* a = w.sideBySide()->ladderA();
        auto* b = w.sideBySide()->ladderB();
        QCOMPARE(a->selectedRow(), int64_t{-1}); // A never saw it
        QCOMPARE(b->selectedRow(), b->content()->rowOfFrame(22));
        // Selecting a packet in ladder A selects the same packet in B and in the merged ladder.
        a->selectRow(a->content()->rowOfFrame(18));
        QCOMPARE(p.packets[static_cast<size_t>(w.currentMatch())].aFrame, 18u);
        QCOMPARE(b->selectedRow(), b->content()->rowOfFrame(18));
        QCOMPARE(w.mergedView()->selectedItem(), w.currentMatch());
        // And from B back to A; from the merged ladder to both.
        b->selectRow(b->content()->rowOfFrame(5));
        QCOMPARE(a->selectedRow(), a->content()->rowOfFrame(5));
        w.mergedView()->selectItem(itemOf(w.mergedView()->content()->layout, p, true, 19));
        QCOMPARE(a->selectedRow(), a->content()->rowOfFrame(19));
        QCOMPARE(b->selectedRow(), int64_t{-1});
        // Scrolling A scrolls B to the same moment.
        w.tabs()->setCurrentIndex(1);
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(a->isVisible() && b->isVisible() && b->height() > 100, 20000);
        const double bCentreBefore = b->yAxis->range().center();
        a->yAxis->moveRange(a->content()->layout.height() / 3);
        QVERIFY(b->yAxis->range().center() != bCentreBefore);
        QCOMPARE(b->yAxis->range(), a->yAxis->range());
        // Time-aligned: every packet sits at the height of its moment on the merged ladder's
        // timeline, on both sides, so a packet both saw is drawn where the merged arrow leaves and
        // arrives, and the same moment is the same pixel row in both views.
        const auto& merged = w.mergedView()->content()->layout;
        for (size_t m = 0; m < p.packets.size(); ++m) {
            const auto& pm = p.packets[m];
            const auto& item = merged.items[m];
            if (!pm.inBoth()) continue;
            const double yA = a->content()->layout.yOfRow(a->content()->rowOfPacketIndex(pm.a));
            const double yB = b->content()->layout.yOfRow(b->content()->rowOfPacketIndex(pm.b));
            const bool aFirst = item.x0 == 0;
            QCOMPARE(yA, aFirst ? item.y0 : item.y1);
            QCOMPARE(yB, aFirst ? item.y1 : item.y0);
            QCOMPARE(a->yAxis->coordToPixel(yA), b->yAxis->coordToPixel(yA));
        }
        // The server's RST the client never saw sits between the client's packets around its moment.
        const auto rstB = b->content()->rowOfFrame(22);
        const int64_t rstOnA = b->content()->packetNs(static_cast<uint32_t>(rstB)) + w.comparison()->clockOffsetNs;
        const double rstY = b->content()->layout.yOfRow(static_cast<uint32_t>(rstB));
        for (uint32_t r = 0; r < a->content()->rows(); ++r) {
            const int64_t t = a->content()->packetNs(r);
            if (t < rstOnA) QVERIFY(a->content()->layout.yOfRow(r) < rstY);
            if (t > rstOnA) QVERIFY(a->content()->layout.yOfRow(r) > rstY);
        }
        // Zooming one side zooms the other.
        a->zoomIn();
        QCOMPARE(b->yAxis->range(), a->yAxis->range());
        // Selecting scrolls both to the packet and keeps them on one timeline: a packet both saw,
        // one only B saw (far down, among the server's retransmissions).
        for (uint32_t frame : {5u, 30u}) {
            b->selectRow(b->content()->rowOfFrame(frame));
            QCOMPARE(b->yAxis->range(), a->yAxis->range());
            const double y = b->content()->layout.yOfRow(static_cast<uint32_t>(b->content()->rowOfFrame(frame)));
            QVERIFY(b->yAxis->range().contains(y));
        }
        if (const QString dir = qEnvironmentVariable("FLOWLADDER_SHOT_DIR"); !dir.isEmpty()) { // for looking at it
            a->replot();
            b->replot();
            w.grab().save(dir + QStringLiteral("/compare-side-by-side.png"));
        }
        // Clicking a finding selects its packet.
        const int lostRow = [&] {
            for (int r = 0; r < w.findingsModel()->rowCount(); ++r)
                if (w.findingsModel()->index(r, 0).data(CompareFindingsModel::CaptureRole).toString() ==
                        QStringLiteral("A") &&
                    w.findingsModel()->index(r, 0).data(CompareFindingsModel::FrameRole).toUInt() == 19)
                    return r;
            return -1;
        }();
        QVERIFY(lostRow >= 0);
        w.findingsView()->setCurrentIndex(w.findingsModel()->index(lostRow, 0));
        QCOMPARE(p.packets[static_cast<size_t>(w.currentMatch())].aFrame, 19u);

        // Adjusting the clock offset recomputes off-thread, keeps the selection, and can be reset.
        const int64_t estimate = w.comparison()->clockOffsetNs;
        QVERIFY(!w.resetOffsetButton()->isEnabled());
        w.offsetBox()->setValue(900.0); // ms
        QVERIFY(shown.wait(20000));
        QCOMPARE(w.comparison()->clockOffsetNs, int64_t{900'000'000});
        QVERIFY(!w.comparison()->clockOffsetEstimated);
        QVERIFY(w.resetOffsetButton()->isEnabled());
        QCOMPARE(w.comparison()->pairs[0].packets[static_cast<size_t>(w.currentMatch())].aFrame, 19u);
        QTest::mouseClick(w.resetOffsetButton(), Qt::LeftButton);
        QVERIFY(shown.wait(20000));
        QCOMPARE(w.comparison()->clockOffsetNs, estimate);
        QCOMPARE(w.offsetBox()->value(), static_cast<double>(estimate) / 1e6);
        QVERIFY(!w.resetOffsetButton()->isEnabled());
    }

    // The comparison window is a full window: menus with the main window's keys (N / Shift+N
    // step through the differences and wrap; J / K step through the merged ladder), pictures of
    // either view in three formats, and Ctrl+W / Esc close it.
    // Notes written in the comparison window are saved with the pair (beside A, naming B), shown on
    // the merged ladder at their packets whatever the clock offset, exported, undoable, and found
    // again when the same two files are compared; nothing is written before the first note.
    void notesAreSavedWithThePair()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("client.pcap")), b = dir.filePath(QStringLiteral("server.pcap"));
        QVERIFY(QFile::copy(SampleA, a) && QFile::copy(SampleB, b));
        const QString sidecar = a + QStringLiteral(".compare-server.pcap.flowladder.json");
        { // looked at and closed without a note: nothing is written
            CompareWindow w;
            QSignalSpy shown(&w, &CompareWindow::comparisonShown);
            w.openFiles(a, b);
            QVERIFY(shown.wait(20000));
            w.show();
            w.close();
            QVERIFY(!QFile::exists(sidecar));
        }
        auto texts = [](CompareWindow& w) {
            QStringList out;
            for (const auto& n : w.mergedView()->ladder()->notes())
                out << n.text;
            out.sort();
            return out;
        };
        {
            CompareWindow w;
            w.resize(1400, 850);
            w.show();
            QSignalSpy shown(&w, &CompareWindow::comparisonShown);
            w.openFiles(a, b);
            QVERIFY(shown.wait(20000));
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY(!QFile::exists(sidecar)); // opening writes nothing
            w.notes()->setTextQuestion([](const QString&, const QString&) {
                return std::optional<QString>(QStringLiteral("forged by the ASA"));
            });
            const auto& p = w.comparison()->pairs[0];
            // Opens on the RST only B saw: Ctrl+M writes its note.
            QCOMPARE(p.packets[static_cast<size_t>(w.currentMatch())].bFrame, 22u);
            auto* edit = w.findChild<QAction*>(QStringLiteral("compareEditNote"));
            QVERIFY(edit && edit->shortcuts().contains(QKeySequence(QStringLiteral("Ctrl+M"))));
            edit->trigger();
            // A note on the FIN only A saw, through the programmatic path.
            const int64_t fin = itemOf(w.mergedView()->content()->layout, p, true, 19);
            QVERIFY(w.notes()->setNote(fin, QStringLiteral("lost on the way")) != 0);
            QCOMPARE(texts(w), (QStringList{QStringLiteral("forged by the ASA"), QStringLiteral("lost on the way")}));
            for (const auto& n : w.mergedView()->ladder()->notes()) {
                const auto& pm = p.packets[n.item];
                QVERIFY(n.text.startsWith(QStringLiteral("forged")) ? pm.bFrame == 22 && !pm.inA()
                                                                    : pm.aFrame == 19 && !pm.inB());
            }
            // Drawn: a click on a note's box finds it; the export carries every word.
            w.tabs()->setCurrentIndex(0);
            w.mergedView()->selectItem(fin);
            w.mergedView()->replot();
            const auto& notes = w.mergedView()->ladder()->notes();
            QVERIFY(std::any_of(notes.begin(), notes.end(), [&](const auto& n) {
                return n.item == static_cast<uint32_t>(fin) &&
                       w.mergedView()->ladder()->noteAt(
                           QPointF(w.mergedView()->ladder()->currentGeometry().userNotesX + 8,
                                   w.mergedView()->ladder()->currentGeometry().px.map.pixelOf(
                                       w.mergedView()->content()->layout.items[n.item].y0))) == n.id;
            }));
            if (const QString shots = qEnvironmentVariable("FLOWLADDER_SHOT_DIR"); !shots.isEmpty()) // to look at
                w.grab().save(shots + QStringLiteral("/compare-notes.png"));
            const QString svg = dir.filePath(QStringLiteral("merged-notes.svg"));
            QString error;
            QVERIFY2(w.exportPicture(svg, &error), qPrintable(error));
            QFile f(svg);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray text = f.readAll();
            QVERIFY(text.contains("forged by the ASA") && text.contains("lost on the way"));
            // Side by side: each note on the ladder of the capture that saw its packet, in its export.
            const auto onA =
                CompareNotes::notesOnSide(*w.mergedView()->content(), w.notes()->document()->items(), false);
            const auto onB =
                CompareNotes::notesOnSide(*w.mergedView()->content(), w.notes()->document()->items(), true);
            QCOMPARE(onA.size(), size_t(1));
            QCOMPARE(onA[0].frame, 19u);
            QCOMPARE(onA[0].flow, p.a);
            QCOMPARE(onB.size(), size_t(1));
            QCOMPARE(onB[0].frame, 22u);
            w.tabs()->setCurrentIndex(1);
            if (const QString shots = qEnvironmentVariable("FLOWLADDER_SHOT_DIR"); !shots.isEmpty())
                w.grab().save(shots + QStringLiteral("/compare-notes-side.png"));
            const QString sideSvg = dir.filePath(QStringLiteral("side-notes.svg"));
            QVERIFY2(w.exportPicture(sideSvg, &error), qPrintable(error));
            QFile sf(sideSvg);
            QVERIFY(sf.open(QIODevice::ReadOnly));
            const QByteArray sideText = sf.readAll();
            QVERIFY(sideText.contains("forged by the ASA") && sideText.contains("lost on the way"));
            w.tabs()->setCurrentIndex(0);
            // The packet is the one chosen when the dialog opened, even if the selection moves
            // meanwhile (a recompare finishing while the user types).
            const int64_t syn = itemOf(w.mergedView()->content()->layout, p, true, 1);
            w.selectMatch(syn);
            w.notes()->setTextQuestion([&](const QString&, const QString&) {
                w.selectMatch(fin);
                return std::optional<QString>(QStringLiteral("the handshake"));
            });
            w.notes()->editNote();
            QVERIFY(w.notes()->noteOf(syn) != 0);
            QCOMPARE(QString::fromStdString(w.notes()->document()->find(w.notes()->noteOf(fin))->text),
                     QStringLiteral("lost on the way"));
            w.notes()->setNote(syn, QString()); // empty: removed
            QCOMPARE(w.notes()->noteOf(syn), uint64_t{0});
            // A note kept as B saw a packet (made while another offset left it unmatched) is found on
            // that packet when both captures saw it: shown, and edited rather than doubled.
            const int64_t fin18 = itemOf(w.mergedView()->content()->layout, p, true, 18);
            QVERIFY(p.packets[static_cast<size_t>(fin18)].inBoth());
            core::Annotation asB;
            asB.inCaptureB = true;
            asB.flow = p.b;
            asB.frame = p.packets[static_cast<size_t>(fin18)].bFrame;
            asB.text = "client's FIN";
            const uint64_t idB = w.notes()->document()->add(asB);
            QCOMPARE(w.notes()->noteOf(fin18), idB);
            QCOMPARE(texts(w).size(), 3);
            QCOMPARE(w.notes()->setNote(fin18, QStringLiteral("the client's FIN")), idB);
            QCOMPARE(texts(w).size(), 3);
            w.notes()->setNote(fin18, QString());
            QCOMPARE(texts(w).size(), 2);
            // Undo and redo.
            w.notes()->undoAction()->trigger(); // the removal
            QVERIFY(texts(w).contains(QStringLiteral("the client's FIN")));
            w.notes()->redoAction()->trigger();
            QCOMPARE(texts(w), (QStringList{QStringLiteral("forged by the ASA"), QStringLiteral("lost on the way")}));
            // Another clock offset: the notes stay on their packets.
            w.setClockOffset(0.9);
            QVERIFY(shown.wait(20000));
            QCOMPARE(texts(w).size(), 2);
            w.close(); // saves
            QVERIFY(QFile::exists(sidecar));
        }
        QFile f(sidecar);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("\"in_capture\": \"B\""));
        QVERIFY(!QFile::exists(a + QStringLiteral(".flowladder.json"))); // A alone has no notes
        CompareWindow again;
        QSignalSpy shown(&again, &CompareWindow::comparisonShown);
        again.openFiles(a, b);
        QVERIFY(shown.wait(20000));
        QCOMPARE(texts(again), (QStringList{QStringLiteral("forged by the ASA"), QStringLiteral("lost on the way")}));
        // Emptying a note's text removes it.
        again.notes()->setTextQuestion([](const QString&, const QString& initial) {
            return initial == QStringLiteral("forged by the ASA") ? std::optional<QString>(QString()) : std::nullopt;
        });
        again.notes()->editNote(); // the window opens on the RST again
        QCOMPARE(texts(again), QStringList{QStringLiteral("lost on the way")});
    }

    void menusKeysAndExport()
    {
        QWidget main; // stands for the main window the comparison belongs to
        auto* w = new CompareWindow(&main);
        w->setWindowFlag(Qt::Window);
        w->resize(1400, 850);
        w->show();
        QSignalSpy shown(w, &CompareWindow::comparisonShown);
        w->openFiles(SampleA, SampleB);
        QVERIFY(shown.wait(20000));
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(w->menuBar()->actions().size() >= 4);

        const int n = w->findingsModel()->rowCount();
        QVERIFY(n >= 2);
        w->findingsView()->setCurrentIndex(w->findingsModel()->index(0, 0));
        auto* next = w->findChild<QAction*>(QStringLiteral("compareNextFinding"));
        auto* prev = w->findChild<QAction*>(QStringLiteral("comparePrevFinding"));
        QVERIFY(next && prev);
        QVERIFY(next->shortcuts().contains(QKeySequence(QStringLiteral("N"))));
        next->trigger();
        QCOMPARE(w->findingsView()->currentIndex().row(), 1);
        prev->trigger();
        prev->trigger(); // before the first: wraps to the last
        QCOMPARE(w->findingsView()->currentIndex().row(), n - 1);
        QVERIFY(w->statusBar()->currentMessage().contains(QStringLiteral("Wrapped")));

        w->mergedView()->setFocus();
        w->mergedView()->selectItem(0);
        QTest::keyClick(w->mergedView(), Qt::Key_J);
        QCOMPARE(w->mergedView()->selectedItem(), int64_t{1});
        QTest::keyClick(w->mergedView(), Qt::Key_K);
        QCOMPARE(w->mergedView()->selectedItem(), int64_t{0});

        QTemporaryDir dir;
        const QList<std::pair<QString, QByteArray>> formats = {{QStringLiteral("merged.png"), QByteArray("\x89PNG")},
                                                               {QStringLiteral("merged.svg"), QByteArray("<?xml")},
                                                               {QStringLiteral("merged.pdf"), QByteArray("%PDF")}};
        for (int tab : {0, 1}) {
            w->tabs()->setCurrentIndex(tab);
            for (const auto& [name, magic] : formats) {
                const QString path = dir.filePath(QString::number(tab) + name);
                QString error;
                QVERIFY2(w->exportPicture(path, &error), qPrintable(error));
                QFile f(path);
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray head = f.read(4096);
                QVERIFY2(head.startsWith(magic), qPrintable(path));
                QVERIFY(f.size() > 2000);
            }
        }
        // The merged ladder's SVG keeps its text as text (frame labels are searchable).
        QFile svg(dir.filePath(QStringLiteral("0merged.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<text"));
        QString error;
        QVERIFY(!w->exportPicture(dir.filePath(QStringLiteral("x.bmpx")), &error));
        QVERIFY(error.contains(QStringLiteral("x.bmpx")));

        auto* close = w->findChild<QAction*>(QStringLiteral("compareClose"));
        QVERIFY(close && close->shortcuts().contains(QKeySequence(Qt::Key_Escape)) &&
                close->shortcuts().contains(QKeySequence(QKeySequence::Close)));
        close->trigger();
        QVERIFY(!w->isVisible());
    }

    void unreadableFileFails()
    {
        CompareWindow w;
        QSignalSpy failed(&w, &CompareWindow::loadFailed);
        w.openFiles(SampleA, QStringLiteral("/nonexistent/b.pcap"));
        QVERIFY(failed.wait(20000));
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("b.pcap")));
        QVERIFY(!w.loader()->busy());
    }
};

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
