// LadderLayout: row <-> y <-> time <-> pixel mapping, gap folding and culling.
#include "ui/ladder/LadderLayout.h"

#include <QTest>
#include <algorithm>

using flowladder::ui::LadderLayout;

class TestLadderLayout : public QObject {
    Q_OBJECT
private slots:
    void perPacketRowsAreUnitSpaced()
    {
        LadderLayout l =
            LadderLayout::build({0, 5, 1'000'000'000'000, 1'000'000'000'001}, {LadderLayout::Scale::PerPacket});
        QCOMPARE(l.rows(), 4u);
        for (uint32_t r = 0; r < 4; ++r)
            QCOMPARE(l.yOfRow(r), double(r));
        QVERIFY(l.gaps.empty());
        QCOMPARE(l.height(), 3.0);
    }

    void timeProportionalFollowsTimeAndKeepsMinimumSpacing()
    {
        LadderLayout::Params p;
        p.unitNs = 1e6; // 1 ms per unit
        p.foldAboveUnits = 100;
        // 0, +0.1ms (min spacing), +5ms, +20ms
        LadderLayout l = LadderLayout::build({0, 100'000, 5'100'000, 25'100'000}, p);
        QCOMPARE(l.yOfRow(1) - l.yOfRow(0), 1.0);
        QCOMPARE(l.yOfRow(2) - l.yOfRow(1), 5.0);
        QCOMPARE(l.yOfRow(3) - l.yOfRow(2), 20.0);
        QVERIFY(l.gaps.empty());
    }

    void longIdleGapsAreFoldedAndRemembered()
    {
        LadderLayout::Params p;
        p.unitNs = 1e8; // 0.1 s per unit
        p.foldAboveUnits = 6;
        p.foldedHeight = 2;
        const int64_t s = 1'000'000'000;
        LadderLayout l = LadderLayout::build({0, s / 10, 595 * s, 595 * s + s / 5, 601 * s}, p);
        QCOMPARE(l.gaps.size(), size_t(2));
        QCOMPARE(l.gaps[0].afterRow, 1u);
        QCOMPARE(l.gaps[0].foldedNs, 595 * s - s / 10);
        QCOMPARE(l.gaps[1].afterRow, 3u);
        // the fold takes foldedHeight + 1 units, whatever the idle time
        QCOMPARE(l.yOfRow(2) - l.yOfRow(1), 3.0);
        QVERIFY(l.gaps[0].y > l.yOfRow(1) && l.gaps[0].y < l.yOfRow(2));
        QVERIFY(l.gapAfter(1) != nullptr);
        QVERIFY(l.gapAfter(2) == nullptr);
        // the whole 10-minute flow is short on screen
        QVERIFY(l.height() < 12);
    }

    void twoLayoutsOnOneTimelinePutAMomentAtOneHeight()
    {
        LadderLayout::Params p;
        p.unitNs = 1e6;
        p.foldAboveUnits = 6;
        p.foldedHeight = 2;
        const int64_t ms = 1'000'000;
        // A alone sees 0, 1, 1 (twice at one time) and 500 ms; B (already on A's clock) 2, 3 ms,
        // then an idle gap only B saw before 900 ms.
        const std::vector<int64_t> a{0, 1 * ms, 1 * ms, 500 * ms};
        const std::vector<int64_t> b{2 * ms, 3 * ms, 900 * ms};
        std::vector<int64_t> all = a;
        all.insert(all.end(), b.begin(), b.end());
        std::sort(all.begin(), all.end());
        const LadderLayout base = LadderLayout::build(all, p);
        const LadderLayout la = LadderLayout::onTimeline(base, a);
        const LadderLayout lb = LadderLayout::onTimeline(base, b);
        // base: 0 1 1 2 3 | fold | 500 | fold | 900 ms at y 0 1 2 3 4 7 10; each row takes its
        // time's y there, the second of two at one time the next one.
        QCOMPARE(la.rowY, (std::vector<double>{0, 1, 2, 7}));
        QCOMPARE(lb.rowY, (std::vector<double>{3, 4, 10}));
        for (uint32_t r = 0; r < lb.rows(); ++r)
            QCOMPARE(lb.yOfRow(r), base.yOfTime(b[r]));
        QVERIFY(la.yOfRow(3) > lb.yOfRow(1) && la.yOfRow(3) < lb.yOfRow(2)); // 500 ms between 3 and 900
        // Each side keeps the folds that lie among its rows, where base has them: 3 -> 500 ms lies
        // between A's 1 and 500 ms; both of base's lie between B's 3 and 900 ms.
        QCOMPARE(base.gaps.size(), size_t(2));
        QCOMPARE(la.gaps.size(), size_t(1));
        QCOMPARE(la.gaps[0].afterRow, 2u);
        QCOMPARE(la.gaps[0].y, base.gaps[0].y);
        QCOMPARE(la.gaps[0].foldedNs, 497 * ms);
        QCOMPARE(lb.gaps.size(), size_t(2));
        QCOMPARE(lb.gaps[0].afterRow, 1u);
        QCOMPARE(lb.gaps[1].afterRow, 1u);
        QCOMPARE(lb.gaps[1].y, base.gaps[1].y);
    }

    void autoUnitIsTheMedianGap()
    {
        LadderLayout l = LadderLayout::build({0, 10'000'000, 20'000'000, 30'000'000, 900'000'000'000}, {});
        QCOMPARE(l.unitNs, 1e7);
        QCOMPARE(l.gaps.size(), size_t(1));
    }

    void timeAndYAreInverseAndMonotonic()
    {
        LadderLayout::Params p;
        p.unitNs = 1e6;
        LadderLayout l = LadderLayout::build({0, 2'000'000, 3'000'000, 500'000'000, 504'000'000}, p);
        int64_t prev = -1;
        for (double y = 0; y <= l.height(); y += 0.25) {
            const int64_t t = l.timeAtY(y);
            QVERIFY(t >= prev);
            prev = t;
            QVERIFY(qAbs(l.yOfTime(t) - y) < 1e-3);
        }
        for (uint32_t r = 0; r < l.rows(); ++r)
            QCOMPARE(l.timeAtY(l.yOfRow(r)), l.rowNs[r]);
    }

    void rangeSearchAndNearestRow()
    {
        LadderLayout l = LadderLayout::build({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {LadderLayout::Scale::PerPacket});
        auto [first, last] = l.rowsInRange(2.5, 6.0);
        QCOMPARE(first, 3u);
        QCOMPARE(last, 7u);
        QCOMPARE(l.rowNearest(4.4), int64_t(4));
        QCOMPARE(l.rowNearest(4.6), int64_t(5));
        QCOMPARE(l.rowNearest(-10), int64_t(0));
        QCOMPARE(l.rowNearest(99), int64_t(9));
        QCOMPARE(LadderLayout{}.rowNearest(1), int64_t(-1));
    }

    void pixelMapRoundTrips()
    {
        LadderLayout::PixelMap m{10, 30, 0, 400};
        QCOMPARE(m.pixelOf(10), 0.0);
        QCOMPARE(m.pixelOf(30), 400.0);
        QCOMPARE(m.pixelsPerUnit(), 20.0);
        QCOMPARE(m.yOfPixel(m.pixelOf(17.5)), 17.5);
    }

    void cullingBoundsWorkByPixelsNotPackets()
    {
        std::vector<int64_t> ts(1'000'000);
        for (size_t i = 0; i < ts.size(); ++i)
            ts[i] = static_cast<int64_t>(i) * 1000;
        LadderLayout l = LadderLayout::build(std::move(ts), {LadderLayout::Scale::PerPacket});
        // whole flow in 800 pixels: about one row per 1.5 px
        LadderLayout::PixelMap fit{0, l.height(), 0, 800};
        const auto rows = l.rowsToDraw(fit, 1.5);
        QVERIFY(rows.size() <= 800 / 1.5 + 2);
        QVERIFY(rows.size() > 400);
        QVERIFY(std::is_sorted(rows.begin(), rows.end()));
        // zoomed in: every visible row, and only those
        LadderLayout::PixelMap zoom{500'000, 500'040, 0, 800};
        const auto near = l.rowsToDraw(zoom, 1.5);
        QCOMPARE(near.size(), size_t(41));
        QCOMPARE(near.front(), 500'000u);
    }
};

QTEST_APPLESS_MAIN(TestLadderLayout)
#include "tst_ladderlayout.moc"
