// Every item model under QAbstractItemModelTester, with content checks on the incident.
#include "IncidentFixture.h"
#include "ui/models/FindingsModel.h"
#include "ui/models/FlowDerived.h"
#include "ui/models/FlowFilterProxy.h"
#include "ui/models/FlowTableModel.h"
#include "ui/models/Format.h"
#include "ui/models/PacketDetailsModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace flowladder;
using namespace flowladder::ui;

class TestModels : public QObject {
    Q_OBJECT
private slots:
    // The ladder and the details pane share one replay of a flow: the same data for the same
    // flow of the same capture, worked out anew for another flow or capture, and the same as
    // replaying it directly.
    void flowDerivedIsWorkedOutOncePerFlow()
    {
        core::AnalysisPtr a = test::makeIncidentAnalysis();
        const auto d2 = flowDerived(a, 2);
        QVERIFY(d2);
        QCOMPARE(flowDerived(a, 2).get(), d2.get());
        QVERIFY(!flowDerived(a, 99));
        QVERIFY(!flowDerived(nullptr, 2));
        const core::Flow& f = *a->flowById(2);
        const core::StateTimelines direct = a->stateTimelines(f);
        for (core::Side s : {core::Side::Client, core::Side::Server}) {
            QCOMPARE(d2->timelines.side(s).size(), direct.side(s).size());
            for (size_t i = 0; i < direct.side(s).size(); ++i) {
                QCOMPARE(d2->timelines.side(s)[i].packet, direct.side(s)[i].packet);
                QCOMPARE(int(d2->timelines.side(s)[i].state), int(direct.side(s)[i].state));
            }
        }
        const auto resends = core::findResends(*a, f);
        QVERIFY(!resends.empty()); // the incident's server retransmits
        QCOMPARE(d2->resends.size(), resends.size());
        for (size_t i = 0; i < resends.size(); ++i) {
            QCOMPARE(d2->resends[i].row, resends[i].row);
            QCOMPARE(d2->resends[i].originalRow, resends[i].originalRow);
        }
        // Other flows and another capture do not get flow 2's data; flow 2 stays cached while
        // a comparison's few flows come and go.
        QVERIFY(flowDerived(a, 3).get() != d2.get());
        core::AnalysisPtr b = test::makeIncidentAnalysis();
        auto other = flowDerived(b, 2);
        QVERIFY(other.get() != d2.get());
        QCOMPARE(flowDerived(a, 2).get(), d2.get());
        // A closed capture's entries are dropped, not matched by a new one at the same address.
        const std::weak_ptr<const FlowDerived> gone = other;
        other.reset();
        QVERIFY(!gone.expired()); // still cached
        b.reset();
        (void)flowDerived(a, 1);
        QVERIFY(gone.expired());
    }

    void flowTable()
    {
        FlowTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setAnalysis(test::makeIncidentAnalysis());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(FlowTableModel::ColumnCount));
        const QModelIndex client = model.index(1, FlowTableModel::Client);
        QCOMPARE(client.data().toString(), QStringLiteral("198.51.100.23:51234"));
        QCOMPARE(model.index(1, FlowTableModel::Packets).data().toInt(), 35);
        QCOMPARE(model.index(1, FlowTableModel::ServerState).data().toString(), QStringLiteral("CLOSE-WAIT"));
        QCOMPARE(model.index(0, FlowTableModel::ClientState).data().toString(), QStringLiteral("TIME-WAIT"));
        QVERIFY(model.index(1, FlowTableModel::Findings).data().toString().contains(QStringLiteral("RST seq≠")));
        QCOMPARE(model.index(1, 0).data(FlowTableModel::MaxSeverityRole).toInt(), int(core::Severity::Error));
        QCOMPARE(model.index(0, 0).data(FlowTableModel::MaxSeverityRole).toInt(), -1);
        QCOMPARE(model.index(1, 0).data(FlowTableModel::FlowIdRole).toUInt(), 2u);
        model.setAnalysis(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void flowFilterProxy()
    {
        FlowTableModel model;
        FlowFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(test::makeIncidentAnalysis());
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setText(QStringLiteral("51234"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 2u);
        proxy.setText(QStringLiteral("10.77 41002"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u);
        // The tool's own spellings match: states as the CLI writes them, finding kinds by their
        // JSON names (flows 2 and 3 end in CLOSE-WAIT after a RST; only 3's drew a challenge ACK).
        proxy.setText(QStringLiteral("CLOSE_WAIT"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setText(QStringLiteral("close-wait"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setText(QStringLiteral("rst"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setText(QStringLiteral("challenge_ack"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u);
        proxy.setText({});
        proxy.setOnlyWithFindings(true);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setKind(core::FindingKind::ChallengeAck); // only flow 3's RST drew one
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u);
        proxy.setKind(core::FindingKind::RstSeqMismatch);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setKind(core::FindingKind::FinRetransmit); // the server-side captures show none
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setKind(std::nullopt);
        proxy.setOnlyWithFindings(false);
        proxy.sort(FlowTableModel::Packets, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 2u);
        proxy.sort(FlowTableModel::Findings, Qt::DescendingOrder); // errors, then the most findings
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u);
        QCOMPARE(proxy.index(2, 0).data(FlowTableModel::FlowIdRole).toUInt(), 1u);
        proxy.sort(FlowTableModel::Client, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u); // 10.77.1.2:41002 sorts first
        QCOMPARE(proxy.index(2, 0).data(FlowTableModel::FlowIdRole).toUInt(), 2u); // 198.51.100.23 last
    }

    void findings()
    {
        FindingsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto a = test::makeIncidentAnalysis();
        model.setAnalysis(a);
        QCOMPARE(model.rowCount(), int(a->findings.size()));
        // most severe first
        QCOMPARE(model.index(0, 0).data(FindingsModel::SeverityRole).toInt(), int(core::Severity::Error));
        model.setFlowFilter(1); // the clean close
        QCOMPARE(model.rowCount(), 0);
        model.setFlowFilter(3);
        QCOMPARE(model.rowCount(), 5); // RST mismatch, challenge ACK, forged RST, lingering close, retransmissions
        // errors first, each severity in frame order: the lingering close from the server's
        // ACK of the FIN (#19 of its capture), then the RST (#20)
        QCOMPARE(model.index(0, FindingsModel::Frame).data().toString(),
                 QStringLiteral("#%1").arg(19 + test::InWindowOffset));
        QCOMPARE(model.index(1, FindingsModel::Frame).data().toString(),
                 QStringLiteral("#%1").arg(20 + test::InWindowOffset));
        QCOMPARE(model.index(4, 0).data(FindingsModel::SeverityRole).toInt(),
                 int(core::Severity::Info)); // challenge ACK
        model.setFlowFilter(2);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(a->findings[0].kind, core::FindingKind::RstSeqMismatch);
        QVERIFY(model.rowOfFinding(0) >= 0); // index 0 = the incident's RST mismatch, present
        QCOMPARE(model.rowOfFinding(4), -1); // flow 3's first finding is filtered out
        QCOMPARE(a->findings[4].flow, 3u);
        model.setAnalysis(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void packetDetailsShowExpectedVersusActual()
    {
        PacketDetailsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto a = test::sampleIncident();
        const core::Flow& f = *a->flowById(1);
        const auto rstRow = a->rowOfFrame(f, 22);
        model.setPacket(a, 1, rstRow);
        QVERIFY(model.rowCount() > 15);
        QCOMPARE(model.value(QStringLiteral("Frame")), QStringLiteral("22"));
        QCOMPARE(model.value(QStringLiteral("Flags")), QStringLiteral("RST,ACK"));
        QCOMPARE(model.value(QStringLiteral("RST sequence number")), QStringLiteral("276"));
        QVERIFY(model.expected(QStringLiteral("RST sequence number")).startsWith(QStringLiteral("277")));
        QCOMPARE(model.value(QStringLiteral("Offset from RCV.NXT")), QStringLiteral("-1"));
        QCOMPARE(model.value(QStringLiteral("TTL / hop limit")), QStringLiteral("249"));
        QVERIFY(model.expected(QStringLiteral("TTL / hop limit")).startsWith(QStringLiteral("57")));
        QCOMPARE(model.value(QStringLiteral("Server state after")), QStringLiteral("CLOSE-WAIT"));
        // the finding's typed fields are listed under their JSON names
        // Human field names, not the JSON keys (issue 15).
        QCOMPARE(model.value(QStringLiteral("    Class")), QStringLiteral("off_by_one_after_fin"));
        QCOMPARE(model.value(QStringLiteral("    Outcome")), QStringLiteral("ignored"));
        QCOMPARE(model.value(QStringLiteral("    Challenge ACK")), QStringLiteral("none"));
        QCOMPARE(model.value(QStringLiteral("    challenge_ack_frame")), QString());
        QCOMPARE(fieldLabel("since_frame"), QStringLiteral("Since"));
        QCOMPARE(fieldLabel("some_new_key"), QStringLiteral("Some new key"));
        QCOMPARE(fieldValue("duration", "597.4"), durationText(597.4));
        // a row that differs is flagged
        bool flagged = false;
        for (int r = 0; r < model.rowCount(); ++r)
            flagged |= model.index(r, PacketDetailsModel::Value).data(PacketDetailsModel::DiffersRole).toBool();
        QVERIFY(flagged);
        model.setPacket(a, 1, 0);
        QCOMPARE(model.value(QStringLiteral("MSS option")), QStringLiteral("1380"));
        QVERIFY(model.expected(QStringLiteral("TTL / hop limit")).isEmpty());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
