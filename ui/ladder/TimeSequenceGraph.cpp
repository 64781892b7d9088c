#include "ui/ladder/TimeSequenceGraph.h"

#include "ui/ladder/LadderStyle.h"
#include "ui/models/Format.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {

// Sequence offsets as byte counts people read ("1.5 MB", "30 MB"), not "3·10⁷".
class ByteTicker : public QCPAxisTicker {
protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override
    {
        Q_UNUSED(locale)
        Q_UNUSED(formatChar)
        Q_UNUSED(precision)
        const double a = std::abs(tick);
        const auto scaled = [tick](double unit, const char* name) {
            const double v = tick / unit;
            const int decimals = std::abs(v - std::round(v)) < 1e-9 ? 0 : (std::abs(v) < 10 ? 2 : 1);
            return QStringLiteral("%1 %2").arg(v, 0, 'f', decimals).arg(QLatin1String(name));
        };
        if (a >= 1e9) return scaled(1e9, "GB");
        if (a >= 1e6) return scaled(1e6, "MB");
        if (a >= 1e4) return scaled(1e3, "kB");
        return QString::number(tick, 'f', 0);
    }
};

} // namespace

TimeSequenceGraph::TimeSequenceGraph(QWidget* parent)
    : QWidget(parent), direction_(new QComboBox(this)), plot_(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("timeSequenceGraph"));
    direction_->addItem(tr("client → server"), 0);
    direction_->addItem(tr("server → client"), 1);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(new QLabel(tr("Direction:"), this));
    bar->addWidget(direction_);
    auto* fitActivity = new QPushButton(tr("Fit transfer"), this);
    fitActivity->setToolTip(tr("The time the data moved, without a long idle or retransmitting tail"));
    auto* fitAll = new QPushButton(tr("Fit all"), this);
    fitAll->setToolTip(tr("The whole flow, from its first packet to its last (double-click the graph)"));
    bar->addWidget(fitActivity);
    bar->addWidget(fitAll);
    // The notes give way when the pane is narrow (cut, never widening the window).
    rangeNote_ = new QLabel(this);
    auto* hint = new QLabel(tr("drag to pan · Shift+drag to zoom into a box · wheel to zoom · click a point"), this);
    for (QLabel* l : {rangeNote_, hint}) {
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        l->setMinimumWidth(0);
    }
    hint->setToolTip(hint->text());
    bar->addWidget(rangeNote_, 2);
    bar->addWidget(hint, 3);
    connect(fitActivity, &QPushButton::clicked, this, &TimeSequenceGraph::zoomFit);
    connect(fitAll, &QPushButton::clicked, this, &TimeSequenceGraph::zoomFitAll);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);

    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->xAxis->setLabel(tr("time since flow start (s)"));
    plot_->yAxis->setLabel(tr("relative sequence number (bytes)"));
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new ByteTicker));
    plot_->legend->setVisible(true);
    // Sequence numbers climb from bottom left to top right: the legend sits where data is not.
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    auto makeGraph = [this](const QString& name, QCPScatterStyle::ScatterShape shape, double size, bool line) {
        QCPGraph* g = plot_->addGraph();
        g->setName(name);
        g->setLineStyle(line ? QCPGraph::lsStepLeft : QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shape, size));
        g->setAdaptiveSampling(true);
        return g;
    };
    window_ = makeGraph(tr("advertised window"), QCPScatterStyle::ssNone, 0, true);
    acks_ = makeGraph(tr("ACK"), QCPScatterStyle::ssNone, 0, true);
    segments_ = makeGraph(tr("segment end"), QCPScatterStyle::ssDisc, 4, false);
    retransmits_ = makeGraph(tr("retransmission"), QCPScatterStyle::ssCircle, 8, false);
    fins_ = makeGraph(tr("FIN"), QCPScatterStyle::ssTriangle, 10, false);
    rsts_ = makeGraph(tr("RST"), QCPScatterStyle::ssCross, 11, false);
    selected_ = makeGraph(tr("selected"), QCPScatterStyle::ssSquare, 13, false);
    selected_->removeFromLegend();
    cursor_ = new QCPItemStraightLine(plot_);
    cursor_->setVisible(false);
    applyStyle();

    connect(direction_, &QComboBox::currentIndexChanged, this,
            [this](int i) { setSender(i == 0 ? Side::Client : Side::Server); });
    connect(plot_, &QCustomPlot::mousePress, this, &TimeSequenceGraph::onClick);
    // Shift+drag draws a box to zoom into; a plain drag pans (QCustomPlot reads the mode right
    // after this signal, on the same press).
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        plot_->setSelectionRectMode((e->modifiers() & Qt::ShiftModifier) ? QCP::srmZoom : QCP::srmNone);
    });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { zoomFitAll(); });
}

bool TimeSequenceGraph::event(QEvent* e)
{
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::ApplicationPaletteChange) applyStyle();
    return QWidget::event(e);
}

void TimeSequenceGraph::applyStyle()
{
    const LadderStyle s = LadderStyle::forPalette(palette());
    plot_->setBackground(s.background);
    for (QCPAxis* ax : {plot_->xAxis, plot_->yAxis}) {
        ax->setBasePen(QPen(s.lifeline));
        ax->setTickPen(QPen(s.lifeline));
        ax->setSubTickPen(QPen(s.lifeline));
        ax->setTickLabelColor(s.text);
        ax->setLabelColor(s.text);
        ax->grid()->setPen(QPen(s.dark ? QColor(0x3a, 0x3e, 0x45) : QColor(0xe2, 0xe4, 0xe8)));
    }
    plot_->legend->setBrush(s.background);
    plot_->legend->setTextColor(s.text);
    plot_->legend->setBorderPen(QPen(s.gapLine));
    auto pen = [](QColor c, double w, Qt::PenStyle st = Qt::SolidLine) { return QPen(c, w, st); };
    segments_->setPen(pen(s.colorOf(ArrowKind::Data), 1));
    retransmits_->setPen(pen(s.colorOf(ArrowKind::Retransmission), 1.6));
    fins_->setPen(pen(s.colorOf(ArrowKind::Fin), 1.6));
    rsts_->setPen(pen(s.colorOf(ArrowKind::Rst), 2.2));
    acks_->setPen(pen(s.colorOf(ArrowKind::Syn), 1.4));
    window_->setPen(pen(s.mutedText, 1.2, Qt::DashLine));
    selected_->setPen(pen(s.text, 1.6));
    cursor_->setPen(QPen(s.selection.darker(130), 1, Qt::DotLine));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TimeSequenceGraph::setFlow(AnalysisPtr analysis, uint32_t flowId)
{
    analysis_ = std::move(analysis);
    flowId_ = flowId;
    selectedRow_ = -1;
    // Default to the direction that carried more data.
    const Flow* f = analysis_ ? analysis_->flowById(flowId_) : nullptr;
    Side s = Side::Client;
    if (f) {
        const FlowTotals t = analysis_->totals(*f);
        if (t.bytesOf(Side::Server) > t.bytesOf(Side::Client)) s = Side::Server;
    }
    sender_ = s;
    direction_->blockSignals(true);
    direction_->setCurrentIndex(sideIndex(s));
    direction_->blockSignals(false);
    rebuild();
    zoomFit();
}

void TimeSequenceGraph::setSender(Side sender)
{
    sender_ = sender;
    direction_->blockSignals(true);
    direction_->setCurrentIndex(sideIndex(sender));
    direction_->blockSignals(false);
    rebuild();
    zoomFit();
}

int TimeSequenceGraph::segmentCount() const
{
    return segments_->dataCount() + retransmits_->dataCount();
}

void TimeSequenceGraph::rebuild()
{
    for (QCPGraph* g : {segments_, retransmits_, fins_, rsts_, acks_, window_, selected_})
        g->data()->clear();
    rows_ = 0;
    const Flow* f = analysis_ ? analysis_->flowById(flowId_) : nullptr;
    if (!f) {
        plot_->replot();
        return;
    }
    const Analysis& a = *analysis_;
    const FlowSide& recv = f->side(otherSide(sender_));
    const FlowTotals totals = a.totals(*f);
    const uint32_t received = totals.packetsOf(otherSide(sender_));
    const uint32_t isn = f->side(sender_).isn;
    // Points go straight into the graphs' own data (QCPDataContainer::set shares the vector):
    // no separate key and value arrays to copy from, and the two large ones are sized once
    // (a 2.2 M-packet flow: 35 MB less at the peak of opening it); not for a side that sent
    // no data (its segments are a few SYN and FIN).
    QVector<QCPGraphData> seg, retx, fin, rst, ack, win;
    if (totals.bytesOf(sender_) > 0) seg.reserve(static_cast<qsizetype>(totals.packetsOf(sender_)));
    ack.reserve(static_cast<qsizetype>(received));
    win.reserve(static_cast<qsizetype>(received));
    rows_ = f->packetCount();
    const int64_t startNs = a.startNs(*f); // times count from the flow's first packet
    for (uint32_t row = 0; row < rows_; ++row) {
        const PacketRecord& p = a.packet(*f, row);
        const double t = static_cast<double>(a.tsNs(p) - startNs) / 1e9;
        if (p.side() == sender_) {
            const double end = static_cast<double>(p.endSeq() - isn);
            const bool resent = p.marked(mark::Retransmission | mark::FastRetransmission | mark::FinRetransmit);
            if (p.seqLen() > 0 || resent) (resent ? retx : seg).append(QCPGraphData(t, end));
            if (p.has(tcpflag::FIN)) fin.append(QCPGraphData(t, end));
            if (p.has(tcpflag::RST)) rst.append(QCPGraphData(t, static_cast<double>(p.seq - isn)));
        } else if (p.has(tcpflag::ACK)) {
            const double acked = static_cast<double>(p.ack - isn);
            ack.append(QCPGraphData(t, acked));
            const int shift = (recv.wscale >= 0 && !p.has(tcpflag::SYN)) ? recv.wscale : 0;
            win.append(QCPGraphData(t, acked + static_cast<double>(static_cast<uint64_t>(p.window) << shift)));
            if (p.has(tcpflag::RST)) rst.append(QCPGraphData(t, acked));
        } else if (p.has(tcpflag::RST)) {
            rst.append(QCPGraphData(t, static_cast<double>(p.ack - isn)));
        }
    }
    // In row order, as the ladder: sorted by time unless the capture's clock went back.
    segments_->data()->set(seg, true);
    retransmits_->data()->set(retx, true);
    fins_->data()->set(fin, true);
    rsts_->data()->set(rst, true);
    acks_->data()->set(ack, true);
    window_->data()->set(win, true);
    setSelectedRow(selectedRow_);
}

double TimeSequenceGraph::rowSeconds(uint32_t row) const
{
    const Flow* f = analysis_->flowById(flowId_);
    return analysis_->relativeSeconds(*f, analysis_->tsNs(*f, row));
}

uint32_t TimeSequenceGraph::firstRowAfter(double t, bool orEqual) const
{
    uint32_t lo = 0, hi = rows_;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        const double m = rowSeconds(mid);
        if (orEqual ? m < t : m <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void TimeSequenceGraph::zoomFitAll()
{
    // Fit the segments, ACKs, FINs and RSTs; the window line may run far above them.
    bool first = true;
    for (QCPGraph* g : {segments_, retransmits_, fins_, rsts_, acks_}) {
        if (g->dataCount() == 0) continue;
        g->rescaleAxes(!first);
        first = false;
    }
    plot_->xAxis->scaleRange(1.05);
    plot_->yAxis->scaleRange(1.1);
    rangeNote_->clear();
    plot_->replot();
}

double TimeSequenceGraph::activityEnd() const
{
    // When the sequence space stopped growing: the first segment to reach the highest end and the
    // first ACK to reach the highest acknowledgment. Past that only idle time, retransmissions
    // of old data, keep-alives and the close remain.
    double end = 0;
    for (const QCPGraph* g : {segments_, acks_}) {
        double best = -1, at = 0;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
            if (it->value > best) best = it->value, at = it->key;
        end = std::max(end, at);
    }
    return end;
}

void TimeSequenceGraph::zoomFit()
{
    zoomFitAll();
    if (rows_ < 2) return;
    const double total = rowSeconds(rows_ - 1);
    // The transfer plus a quarter of it, and at least the next three packets after it (so the
    // first retransmissions or the close show), when that leaves out a long tail.
    const double active = activityEnd();
    const double threeLater = rowSeconds(std::min(firstRowAfter(active, false) + 2, rows_ - 1));
    const double shown = std::max(active * 1.25, threeLater);
    if (shown <= 0 || shown >= total * 0.6) return; // the tail is short: show everything
    plot_->xAxis->setRange(-shown * 0.02, shown * 1.03);
    // Sequence numbers within that time.
    double lo = 0, hi = 0;
    bool any = false;
    for (QCPGraph* g : {segments_, retransmits_, fins_, rsts_, acks_}) {
        bool found = false;
        const QCPRange r = g->getValueRange(found, QCP::sdBoth, QCPRange(-1, shown * 1.03));
        if (!found) continue;
        lo = any ? std::min(lo, r.lower) : r.lower;
        hi = any ? std::max(hi, r.upper) : r.upper;
        any = true;
    }
    if (any && hi > lo) {
        plot_->yAxis->setRange(lo, hi);
        plot_->yAxis->scaleRange(1.1);
    }
    rangeNote_->setText(
        tr("showing the transfer: %1 of %2 (Fit all shows the rest)").arg(durationText(shown), durationText(total)));
    plot_->replot();
}

void TimeSequenceGraph::setSelectedRow(int64_t row)
{
    selectedRow_ = row;
    selected_->data()->clear();
    const Flow* f = analysis_ ? analysis_->flowById(flowId_) : nullptr;
    if (!f || row < 0 || row >= static_cast<int64_t>(rows_)) {
        cursor_->setVisible(false);
        plot_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const PacketRecord& p = analysis_->packet(*f, static_cast<uint32_t>(row));
    const uint32_t isn = f->side(sender_).isn;
    const double t = rowSeconds(static_cast<uint32_t>(row));
    const double y = p.side() == sender_ ? static_cast<double>(p.endSeq() - isn) : static_cast<double>(p.ack - isn);
    selected_->addData(t, y);
    cursor_->setVisible(true);
    cursor_->point1->setCoords(t, 0);
    cursor_->point2->setCoords(t, 1);
    if (!plot_->xAxis->range().contains(t)) plot_->xAxis->setRange(t, plot_->xAxis->range().size(), Qt::AlignCenter);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TimeSequenceGraph::onClick(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || rows_ == 0) return;
    const double t = plot_->xAxis->pixelToCoord(event->position().x());
    uint32_t row = firstRowAfter(t, true);
    if (row == rows_ || (row > 0 && t - rowSeconds(row - 1) < rowSeconds(row) - t)) --row;
    // Only a click near a point selects (within 8 px in time).
    if (std::abs(plot_->xAxis->coordToPixel(rowSeconds(row)) - event->position().x()) > 8) return;
    setSelectedRow(static_cast<int64_t>(row));
    emit rowClicked(static_cast<int64_t>(row));
}

} // namespace flowladder::ui
