#include "ui/panes/SummaryPane.h"

#include "ui/models/CurrentSelection.h"
#include "ui/models/Format.h"

#include <QFileInfo>
#include <QUrl>
#include <algorithm>

namespace flowladder::ui {
using namespace flowladder::core;

SummaryPane::SummaryPane(CurrentSelection* selection, QWidget* parent) : QTextBrowser(parent), selection_(selection)
{
    setObjectName(QStringLiteral("summaryPane"));
    setOpenLinks(false);
    setOpenExternalLinks(false);
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        const QString s = url.toString();
        if (s.startsWith(QStringLiteral("finding:")))
            selection_->selectFinding(s.mid(8).toUInt());
        else if (s.startsWith(QStringLiteral("flow:")))
            selection_->setFlow(s.mid(5).toUInt());
    });
    connect(selection_, &CurrentSelection::analysisChanged, this, &SummaryPane::rebuild);
    rebuild();
}

void SummaryPane::rebuild()
{
    const AnalysisPtr& a = selection_->analysis();
    if (!a) {
        setHtml(tr("<p><b>No capture open.</b></p><p>Open a pcap or pcapng file with <i>File › Open</i>, drop one "
                   "here, or try <i>Help › Open sample incident</i>.</p>"));
        return;
    }
    const CaptureInfo& c = a->capture;
    QString html;
    html += QStringLiteral("<p style='margin:0'><b>%1</b><br>")
                .arg(QFileInfo(QString::fromStdString(c.file)).fileName().toHtmlEscaped());
    if (c.sources.size() > 1) // several files merged by time: say so, and name them
        html += tr("and %1 more files, merged by time<br>").arg(c.sources.size() - 1);
    const QString flows = a->flows.size() == 1 ? tr("1 flow") : tr("%1 flows").arg(a->flows.size());
    html += tr("%1 packets, %2 TCP, %3 · %4 · %5")
                .arg(c.packets)
                .arg(c.tcpPackets)
                .arg(flows)
                .arg(durationText(static_cast<double>(c.lastNs - c.firstNs) / 1e9))
                .arg(QString::fromStdString(c.linktype).toHtmlEscaped());
    if (!c.compression.empty()) html += tr(" · read through %1").arg(QString::fromStdString(c.compression));
    html += QStringLiteral("</p>");
    if (c.truncated || !c.errors.empty() || c.malformed) {
        html += QStringLiteral("<p style='color:#c05800'><b>⚠ ");
        html += c.truncated ? tr("The file is cut short: showing what could be read.")
                            : tr("Some frames could not be read.");
        html += QStringLiteral("</b>");
        for (size_t i = 0; i < std::min<size_t>(c.errors.size(), 3); ++i)
            html += QStringLiteral("<br>") + QString::fromStdString(c.errors[i]).toHtmlEscaped();
        if (c.malformed) html += QStringLiteral("<br>") + tr("%1 damaged frames skipped.").arg(c.malformed);
        html += QStringLiteral("</p>");
    }

    std::vector<uint32_t> order, infos;
    for (uint32_t i = 0; i < a->findings.size(); ++i)
        (a->findings[i].severity != Severity::Info ? order : infos).push_back(i);
    auto item = [&a](uint32_t i, const QString& color) {
        const Finding& f = a->findings[i];
        return QStringLiteral("<li><span style='color:%1'>●</span> <a href='finding:%2'>Flow %3, #%4</a>: %5</li>")
            .arg(color)
            .arg(i)
            .arg(f.flow)
            .arg(f.frame)
            .arg(QString::fromStdString(f.summary).toHtmlEscaped());
    };
    std::stable_sort(order.begin(), order.end(),
                     [&a](uint32_t x, uint32_t y) { return a->findings[x].severity > a->findings[y].severity; });
    if (order.empty()) {
        html += tr("<p>No problems found in %1.</p>").arg(flows);
    } else {
        html += tr("<p style='margin-bottom:2px'><b>What went wrong</b> (click to see it on the ladder):</p><ul "
                   "style='margin-top:0; -qt-list-indent:1'>");
        for (size_t i = 0; i < std::min<size_t>(order.size(), MaxHeadlines); ++i)
            html += item(order[i], a->findings[order[i]].severity == Severity::Error ? QStringLiteral("#d31f1f")
                                                                                     : QStringLiteral("#d07000"));
        html += QStringLiteral("</ul>");
        if (order.size() > MaxHeadlines)
            html += tr("<p>…and %1 more in the Findings list.</p>").arg(order.size() - MaxHeadlines);
    }
    // Informational findings (a simultaneous close, challenge ACKs, keep-alives) are not problems,
    // but the status bar counts them: say what they are instead of leaving "No problems" alone.
    if (!infos.empty()) {
        html += tr("<p style='margin-bottom:2px'><b>Also seen</b> (informational, not problems):</p><ul "
                   "style='margin-top:0; -qt-list-indent:1'>");
        constexpr size_t MaxInfos = 3;
        for (size_t i = 0; i < std::min(infos.size(), MaxInfos); ++i)
            html += item(infos[i], QStringLiteral("#6b7785"));
        html += QStringLiteral("</ul>");
        if (infos.size() > MaxInfos)
            html += tr("<p>…and %1 more in the Findings list.</p>").arg(infos.size() - MaxInfos);
    }
    setHtml(html);
}

} // namespace flowladder::ui
