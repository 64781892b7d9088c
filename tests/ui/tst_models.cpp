// Every item model under QAbstractItemModelTester, with content checks on the incident.
#include "IncidentFixture.h"
#include "ui/models/FindingsModel.h"
#include "ui/models/FlowFilterProxy.h"
#include "ui/models/FlowTableModel.h"
#include "ui/models/PacketDetailsModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace flowladder;
using namespace flowladder::ui;

class TestModels : public QObject {
    Q_OBJECT
private slots:
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
        QCOMPARE(model.index(1, FlowTableModel::Packets).data().toInt(), 24);
        QCOMPARE(model.index(1, FlowTableModel::ServerState).data().toString(), QStringLiteral("CLOSED"));
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
        proxy.setText(QStringLiteral("10.0.0 443"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setText({});
        proxy.setOnlyWithFindings(true);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setKind(core::FindingKind::FinRetransmit);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u);
        proxy.setKind(std::nullopt);
        proxy.setOnlyWithFindings(false);
        proxy.sort(FlowTableModel::Packets, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 2u);
        proxy.sort(FlowTableModel::Findings, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 2u);
        proxy.sort(FlowTableModel::Client, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data(FlowTableModel::FlowIdRole).toUInt(), 3u); // 10.0.0.7 sorts first
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
        model.setFlowFilter(3);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, FindingsModel::Frame).data().toString(), QStringLiteral("#37"));
        model.setFlowFilter(2);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.rowOfFinding(0), model.rowOfFinding(0)); // index 0 = RST mismatch, present
        QVERIFY(model.rowOfFinding(0) >= 0);
        QCOMPARE(model.rowOfFinding(6), -1); // flow 3's finding is filtered out
        model.setAnalysis(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void packetDetailsShowExpectedVersusActual()
    {
        PacketDetailsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto a = test::makeIncidentAnalysis();
        const core::Flow& f = *a->flowById(2);
        const auto rstRow = a->rowOfFrame(f, 20);
        model.setPacket(a, 2, rstRow);
        QVERIFY(model.rowCount() > 15);
        QCOMPARE(model.value(QStringLiteral("Frame")), QStringLiteral("20"));
        QCOMPARE(model.value(QStringLiteral("Flags")), QStringLiteral("RST"));
        QCOMPARE(model.value(QStringLiteral("RST sequence number")), QStringLiteral("276"));
        QVERIFY(model.expected(QStringLiteral("RST sequence number")).startsWith(QStringLiteral("277")));
        QCOMPARE(model.value(QStringLiteral("TTL / hop limit")), QStringLiteral("243"));
        QVERIFY(model.expected(QStringLiteral("TTL / hop limit")).startsWith(QStringLiteral("52")));
        QCOMPARE(model.value(QStringLiteral("Server state after")), QStringLiteral("CLOSE-WAIT"));
        // a row that differs is flagged
        bool flagged = false;
        for (int r = 0; r < model.rowCount(); ++r)
            flagged |= model.index(r, PacketDetailsModel::Value).data(PacketDetailsModel::DiffersRole).toBool();
        QVERIFY(flagged);
        model.setPacket(a, 2, 0);
        QCOMPARE(model.value(QStringLiteral("MSS option")), QStringLiteral("1460"));
        QVERIFY(model.expected(QStringLiteral("TTL / hop limit")).isEmpty());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
