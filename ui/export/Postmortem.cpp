#include "ui/export/Postmortem.h"

#include "ui/models/Format.h"
#include "ui/models/WiresharkFilter.h"

#include <QFileInfo>
#include <algorithm>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
QString utc(int64_t ns)
{
    return clockText(ns, 3);
}
QString timeOfDay(int64_t ns)
{
    return timeOfDayText(ns);
}
// Markdown table cells: no pipes, no line breaks.
QString cell(QString s)
{
    return s.replace(QLatin1Char('|'), QStringLiteral("\\|")).replace(QLatin1Char('\n'), QLatin1Char(' '));
}
QString quoteLines(const QString& s)
{
    return QString(s).replace(QLatin1Char('\n'), QStringLiteral("\n  "));
}

QString frameTime(const Analysis& a, const Flow& f, uint32_t frame)
{
    const int64_t row = a.rowOfFrame(f, frame);
    if (row < 0) return QStringLiteral("?");
    const int64_t ts = a.tsNs(f, static_cast<uint32_t>(row));
    return QStringLiteral("+%1 s (%2)").arg(a.relativeSeconds(f, ts), 0, 'f', 3).arg(timeOfDay(ts));
}
} // namespace

QString postmortemMarkdown(const Analysis& a, const std::vector<PostmortemFlow>& flows,
                           const std::vector<Annotation>& annotations, const QString& notesFile)
{
    const QString file = QFileInfo(QString::fromStdString(a.capture.file)).fileName();
    QString md;
    QStringList ids;
    for (const auto& pf : flows)
        ids << QStringLiteral("#%1").arg(pf.flowId);
    md += QStringLiteral("# Postmortem: %1, flow %2\n\n").arg(file, ids.join(QStringLiteral(", ")));
    md += QStringLiteral("- Capture: `%1` (%2, link type %3, %4 packets, %5 TCP)\n")
              .arg(file, QString::fromLatin1(captureFormatName(a.capture.format).data()),
                   QString::fromStdString(a.capture.linktype))
              .arg(a.capture.packets)
              .arg(a.capture.tcpPackets);
    if (a.capture.firstNs)
        md += QStringLiteral("- Captured: %1 – %2\n").arg(utc(a.capture.firstNs), utc(a.capture.lastNs));
    if (a.capture.truncated)
        md += QStringLiteral("- ⚠ The capture is cut short: only the packets read are described.\n");
    if (!notesFile.isEmpty()) md += QStringLiteral("- Notes file: `%1`\n").arg(notesFile);
    md += QStringLiteral("- Frame numbers are Wireshark's; times are relative to each flow's first packet.\n");

    for (const auto& pf : flows) {
        const Flow* f = a.flowById(pf.flowId);
        if (!f) continue;
        const QString c = endpointText(f->endpoint(Side::Client)), s = endpointText(f->endpoint(Side::Server));
        md += QStringLiteral("\n## Flow %1: %2 → %3\n\n").arg(pf.flowId).arg(c, s);
        md += QStringLiteral("- Time: %1 – %2 (%3)\n")
                  .arg(utc(a.startNs(*f)), timeOfDay(a.endNs(*f)), durationText(a.durationSeconds(*f)));
        md += QStringLiteral("- Frames %1–%2, %3 packets, %4 of payload\n")
                  .arg(a.firstFrame(*f))
                  .arg(a.lastFrame(*f))
                  .arg(f->packetCount())
                  .arg(bytesText(a.totals(*f).allBytes()));
        md += QStringLiteral("- End state: client %1, server %2%3\n")
                  .arg(stateText(f->side(Side::Client).finalState), stateText(f->side(Side::Server).finalState),
                       f->handshakeSeen() ? QString() : QStringLiteral(" (roles guessed: no SYN in the capture)"));
        md += QStringLiteral("- Wireshark filter: `%1`\n").arg(wiresharkFlowFilter(*f));
        for (const QString& img : pf.images)
            md += QStringLiteral("\n![Ladder of flow %1](%2)\n").arg(pf.flowId).arg(img);

        std::vector<const Finding*> list;
        for (uint32_t i : a.findingsOf(*f))
            if (i < a.findings.size()) list.push_back(&a.findings[i]);
        std::stable_sort(list.begin(), list.end(),
                         [](const Finding* x, const Finding* y) { return x->frame < y->frame; });
        md += QStringLiteral("\n### Findings\n\n");
        if (list.empty())
            md += QStringLiteral("None.\n");
        else {
            md += QStringLiteral("| Time | Frame | Severity | Kind | What happened |\n|---|---|---|---|---|\n");
            for (const Finding* fi : list) {
                QString related;
                if (!fi->relatedFrames.empty()) {
                    QStringList r;
                    for (uint32_t x : fi->relatedFrames)
                        r << QStringLiteral("#%1").arg(x);
                    related = QStringLiteral(" (see %1)").arg(r.join(QStringLiteral(", ")));
                }
                md += QStringLiteral("| %1 | #%2 | %3 | `%4` | %5%6 |\n")
                          .arg(frameTime(a, *f, fi->frame))
                          .arg(fi->frame)
                          .arg(severityText(fi->severity), QString::fromLatin1(findingKindName(fi->kind).data()),
                               cell(QString::fromStdString(fi->summary)), related);
            }
        }
        std::vector<const Annotation*> notes;
        for (const Annotation& an : annotations)
            if (an.flow == pf.flowId) notes.push_back(&an);
        md += QStringLiteral("\n### Annotations\n\n");
        if (notes.empty()) md += QStringLiteral("None.\n");
        for (const Annotation* an : notes) {
            const QString text = quoteLines(QString::fromStdString(an->text));
            switch (an->kind) {
            case AnnotationKind::Note:
                md += QStringLiteral("- **Note** on frame #%1, %2: %3\n")
                          .arg(an->frame)
                          .arg(frameTime(a, *f, an->frame), text);
                break;
            case AnnotationKind::Callout:
                md += QStringLiteral("- **Callout** pointing at frame #%1, %2: %3\n")
                          .arg(an->frame)
                          .arg(frameTime(a, *f, an->frame), text);
                break;
            case AnnotationKind::TimeRange: {
                const int64_t t0 = std::min(an->startNs, an->endNs), t1 = std::max(an->startNs, an->endNs);
                md += QStringLiteral("- **Time range** +%1 s – +%2 s (%3 – %4, %5): %6\n")
                          .arg(a.relativeSeconds(*f, t0), 0, 'f', 3)
                          .arg(a.relativeSeconds(*f, t1), 0, 'f', 3)
                          .arg(timeOfDay(t0), timeOfDay(t1), durationText((t1 - t0) / 1e9), text);
                break;
            }
            }
        }
    }
    md += QStringLiteral("\n---\nWritten by FlowLadder.\n");
    return md;
}

} // namespace flowladder::ui
