// Export: SVG keeps the annotation and finding text as text, PNG has the expected size and
// is drawn, PDF pages, a whole flow with no item limit (pages), the postmortem Markdown,
// pcapng with notes as packet comments (checked with tshark when present), and the exit
// codes of `flowladder-cli render`.
#include "IncidentFixture.h"
#include "core/capture/PcapngExport.h"
#include "ui/export/FlowRenderer.h"
#include "ui/export/Postmortem.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace flowladder;
using namespace flowladder::ui;

namespace {
std::vector<core::Annotation> incidentNotes(const core::Analysis& a)
{
    std::vector<core::Annotation> v;
    core::Annotation n;
    n.id = 1, n.kind = core::AnnotationKind::Note, n.flow = 1, n.frame = 22, n.text = "ASA forged this RST";
    v.push_back(n);
    core::Annotation c;
    c.id = 2, c.kind = core::AnnotationKind::Callout, c.flow = 1, c.frame = 22, c.anchorX = 0.4, c.boxFrame = 26,
    c.boxX = 0.05;
    c.text = "ASA drops state after its own RST";
    v.push_back(c);
    core::Annotation r;
    r.id = 3, r.kind = core::AnnotationKind::TimeRange, r.flow = 1, r.text = "retransmitting into the void";
    const core::Flow& f = *a.flowById(1);
    r.startNs = a.tsNs(f, 22), r.endNs = a.endNs(f); // the first retransmission (#23) to the end
    v.push_back(r);
    return v;
}
QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
int inked(const QImage& img, QColor background)
{
    int n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QColor c = img.pixelColor(x, y);
            if (qAbs(c.red() - background.red()) + qAbs(c.green() - background.green()) +
                    qAbs(c.blue() - background.blue()) >
                30)
                ++n;
        }
    return n;
}
} // namespace

class TestExport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    core::AnalysisPtr analysis_ = test::sampleIncident();

    std::unique_ptr<FlowRenderer> renderer(RenderOptions o = {}) const
    {
        auto content = std::make_shared<LadderContent>(LadderContent::build(analysis_, 1, {}));
        return std::make_unique<FlowRenderer>(content, incidentNotes(*analysis_), o);
    }

private slots:
    void svgKeepsText()
    {
        auto r = renderer();
        QVERIFY(r->valid());
        const QString path = dir_.filePath(QStringLiteral("flow1.svg"));
        QString error;
        QVERIFY2(exportFlow(*r, path, 1.0, error), qPrintable(error));
        const QString svg = QString::fromUtf8(readAll(path));
        QVERIFY(svg.contains(QStringLiteral("<text")));
        QVERIFY(svg.contains(QStringLiteral("ASA forged this RST")));
        QVERIFY(svg.contains(QStringLiteral("retransmitting into the void")));
        QVERIFY(
            svg.contains(QStringLiteral("Server ignored RST #22 from the client"))); // a finding, in the title block
        QVERIFY(svg.contains(QStringLiteral("IGNORED")));                            // a finding's note on the ladder
        QVERIFY(svg.contains(QStringLiteral("flow #1")));
        QVERIFY(svg.contains(QStringLiteral("198.51.100.23:51234")));
        // Fonts fall back to a generic family browsers have (Qt's own "Sans Serif" alias is none).
        static const QRegularExpression family(QStringLiteral("font-family=\"([^\"]*)\""));
        int families = 0;
        for (auto it = family.globalMatch(svg); it.hasNext(); ++families) {
            const QString f = it.next().captured(1);
            QVERIFY2(f.endsWith(QLatin1String("sans-serif")) || f.endsWith(QLatin1String("monospace")) ||
                         f.endsWith(QLatin1String("serif")),
                     qPrintable(f));
        }
        QVERIFY(families > 0);
        // The state bands' legend travels with the picture.
        for (const char* entry : {"open (SYN, ESTABLISHED)", "stuck closing", "closed", "assumed, not seen"})
            QVERIFY2(svg.contains(QString::fromLatin1(entry)), entry);
    }

    // Findings are wrapped, never cut: on a narrow page every word of every finding of the flow is
    // in the SVG's text, and the title block grows to hold the extra lines.
    void findingsAreWrappedNotTruncated()
    {
        RenderOptions narrow;
        narrow.width = 640;
        auto r = renderer(narrow);
        auto wide = renderer();
        QVERIFY(r->valid());
        const QString path = dir_.filePath(QStringLiteral("narrow.svg"));
        QString error;
        QVERIFY2(exportFlow(*r, path, 1.0, error), qPrintable(error));
        QString text;
        const QString svg = QString::fromUtf8(readAll(path));
        static const QRegularExpression textEl(QStringLiteral("<text[^>]*>([^<]*)</text>"));
        for (auto it = textEl.globalMatch(svg); it.hasNext();)
            text += it.next().captured(1) + QLatin1Char(' ');
        text.replace(QStringLiteral("&apos;"), QStringLiteral("'"))
            .replace(QStringLiteral("&#39;"), QStringLiteral("'"))
            .replace(QStringLiteral("&quot;"), QStringLiteral("\""))
            .replace(QStringLiteral("&lt;"), QStringLiteral("<"))
            .replace(QStringLiteral("&gt;"), QStringLiteral(">"))
            .replace(QStringLiteral("&amp;"), QStringLiteral("&"));
        const core::Flow& f = *analysis_->flowById(1);
        QVERIFY(!analysis_->findingsOf(f).empty());
        for (uint32_t i : analysis_->findingsOf(f)) {
            const QString summary = QString::fromStdString(analysis_->findings[i].summary);
            QVERIFY2(QFontMetricsF(QFont()).horizontalAdvance(summary) > 640 || summary.size() < 60,
                     qPrintable(summary));
            for (const QString& word : summary.split(QLatin1Char(' '), Qt::SkipEmptyParts))
                QVERIFY2(text.contains(word), qPrintable(QStringLiteral("'%1' of: %2").arg(word, summary)));
        }
        // The same findings take more lines on the narrow page (the ladder is as tall on both):
        // its title block is taller.
        QVERIFY2(r->pageSize(0).height() > wide->pageSize(0).height(),
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->pageSize(0).height()).arg(wide->pageSize(0).height())));
    }

    void pngSizeAndInk()
    {
        RenderOptions o;
        o.width = 1000;
        auto r = renderer(o);
        const QSizeF page = r->pageSize(0);
        QCOMPARE(r->pageCount(), 1);
        const QString path = dir_.filePath(QStringLiteral("flow1.png"));
        QString error;
        QStringList written;
        QVERIFY2(exportFlow(*r, path, 2.0, error, &written), qPrintable(error));
        QCOMPARE(written, QStringList{path});
        QImage img(path);
        QCOMPARE(img.size(), (page * 2.0).toSize());
        QCOMPARE(img.width(), 2000);
        // Not blank: arrows, text, bands, notes cover a good share of the picture.
        const int ink = inked(img, LadderStyle::light().background);
        QVERIFY2(ink > (img.width() / 2) * (img.height() / 2) / 50, qPrintable(QString::number(ink)));
        // The note's yellow is there.
        bool yellow = false;
        for (int y = 0; y < img.height() && !yellow; y += 2)
            for (int x = 0; x < img.width() && !yellow; x += 2) {
                const QColor c = img.pixelColor(x, y);
                yellow = c.red() > 240 && c.green() > 230 && c.blue() < 200 && c.blue() > 150;
            }
        QVERIFY(yellow);
    }

    void pdfPagesForAWholeFlow()
    {
        // No item limit: a 3000-packet flow becomes several pages.
        auto large = test::makeLargeAnalysis(3000);
        RenderOptions o;
        o.maxPageHeight = 4000;
        auto content = std::make_shared<LadderContent>(LadderContent::build(large, 1, {}));
        FlowRenderer r(content, {}, o);
        QVERIFY(r.pageCount() > 5);
        const QString path = dir_.filePath(QStringLiteral("large.pdf"));
        QString error;
        QVERIFY2(exportFlow(r, path, 1.0, error), qPrintable(error));
        const QByteArray pdf = readAll(path);
        QVERIFY(pdf.startsWith("%PDF"));
        QCOMPARE(pdf.count("/Type /Page\n") + pdf.count("/Type /Page ") + pdf.count("/Type /Page>") +
                     pdf.count("/Type/Page\n"),
                 qsizetype(r.pageCount()));
        // A frame range gives one page with just those rows.
        RenderOptions part;
        part.firstFrame = 100, part.lastFrame = 150;
        FlowRenderer rp(content, {}, part);
        QCOMPARE(rp.firstFrame(), 100u);
        QCOMPARE(rp.lastFrame(), 150u);
        QCOMPARE(rp.pageCount(), 1);
    }

    void postmortem()
    {
        const QString md =
            postmortemMarkdown(*analysis_, {{1, {QStringLiteral("incident-flow1.png")}}}, incidentNotes(*analysis_));
        QVERIFY(md.contains(QStringLiteral("# Postmortem: incident.pcap, flow #1")));
        // The capture by its name, not by the folder it was opened from on this machine.
        QVERIFY(md.contains(QStringLiteral("- Capture: `incident.pcap`")));
        QVERIFY(!md.contains(QStringLiteral(FLOWLADDER_SAMPLE_DIR)));
        QVERIFY(md.contains(QStringLiteral("![Ladder of flow 1](incident-flow1.png)")));
        QVERIFY(md.contains(QStringLiteral("| #22 | error | `rst_seq_mismatch` |")));
        QVERIFY(md.contains(QStringLiteral("+2.061 s"))); // the RST, from the flow's start
        QVERIFY(md.contains(QStringLiteral("**Note** on frame #22")));
        QVERIFY(md.contains(QStringLiteral("ASA drops state after its own RST")));
        QVERIFY(md.contains(QStringLiteral("**Time range**")));
    }

    void pcapngCommentsForWireshark()
    {
        const QString in = QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident.pcap");
        const QString out = dir_.filePath(QStringLiteral("notes.pcapng"));
        std::string error;
        QVERIFY2(core::writePcapngWithComments(in.toStdString(), out.toStdString(),
                                               {{22, "ASA forged this RST"}, {19, "FIN acknowledged"}}, error),
                 error.c_str());
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty()) QSKIP("tshark not installed");
        QProcess p;
        p.start(tshark,
                {QStringLiteral("-r"), out, QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                 QStringLiteral("frame.number"), QStringLiteral("-e"), QStringLiteral("frame.comment")});
        QVERIFY(p.waitForFinished(30000));
        const QStringList lines =
            QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 35);
        QCOMPARE(lines[21], QStringLiteral("22\tASA forged this RST"));
        QCOMPARE(lines[18], QStringLiteral("19\tFIN acknowledged"));
        QCOMPARE(lines[0].trimmed(), QStringLiteral("1"));
    }

    void cliRenderExitCodes()
    {
        const QString cli = QStringLiteral(FLOWLADDER_CLI);
        const QString sample = QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident.pcap");
        auto run = [&](const QStringList& args) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("DISPLAY"));
            env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the CLI picks offscreen itself
            p.setProcessEnvironment(env);
            p.start(cli, args);
            if (!p.waitForFinished(60000)) return -100;
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -99;
        };
        const QString png = dir_.filePath(QStringLiteral("cli.png"));
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("1"),
                      QStringLiteral("--out"), png}),
                 0);
        QVERIFY(!QImage(png).isNull());
        const QString svg = dir_.filePath(QStringLiteral("cli.svg"));
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("1"),
                      QStringLiteral("--out"), svg, QStringLiteral("--frames"), QStringLiteral("18-25")}),
                 0);
        QVERIFY(readAll(svg).contains("frames 18–25"));
        QCOMPARE(run({QStringLiteral("render"), dir_.filePath(QStringLiteral("missing.pcap")), QStringLiteral("--flow"),
                      QStringLiteral("1"), QStringLiteral("--out"), png}),
                 1);
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("1"),
                      QStringLiteral("--out"), png, QStringLiteral("--annotations"),
                      dir_.filePath(QStringLiteral("missing.json"))}),
                 1);
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("9"),
                      QStringLiteral("--out"), png}),
                 2);
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("1"),
                      QStringLiteral("--out"), dir_.filePath(QStringLiteral("x.bmp"))}),
                 2);
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("1"),
                      QStringLiteral("--out"), png, QStringLiteral("--frames"), QStringLiteral("30-10")}),
                 2);
        QCOMPARE(run({QStringLiteral("render"), sample, QStringLiteral("--flow"), QStringLiteral("1")}), 2); // no --out
    }
};

QTEST_MAIN(TestExport)
#include "tst_export.moc"
