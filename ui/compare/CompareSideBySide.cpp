#include "ui/compare/CompareSideBySide.h"

#include "ui/ladder/LadderView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace flowladder::ui {
using namespace flowladder::core;

CompareSideBySide::CompareSideBySide(QWidget* parent)
    : QWidget(parent), a_(new LadderView(this)), b_(new LadderView(this)), captionA_(new QLabel(this)),
      captionB_(new QLabel(this))
{
    a_->setObjectName(QStringLiteral("ladderA"));
    b_->setObjectName(QStringLiteral("ladderB"));
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    for (auto [view, caption] : {std::pair{a_, captionA_}, std::pair{b_, captionB_}}) {
        auto* col = new QVBoxLayout;
        caption->setTextFormat(Qt::PlainText);
        caption->setContentsMargins(6, 2, 6, 2);
        col->addWidget(caption);
        col->addWidget(view, 1);
        row->addLayout(col, 1);
    }
    connect(a_, &LadderView::rowSelected, this, [this](int64_t r) { onRowSelected(true, r); });
    connect(b_, &LadderView::rowSelected, this, [this](int64_t r) { onRowSelected(false, r); });
    connect(a_->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { syncScroll(true); });
    connect(b_->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { syncScroll(false); });
}

void CompareSideBySide::setContent(std::shared_ptr<const CompareMergedContent> content)
{
    // The same flows (a recompare with another offset); a recompare may also number pairs anew.
    const FlowPair* before = content_ ? content_->pair() : nullptr;
    const FlowPair* after = content ? content->pair() : nullptr;
    const bool samePair = before && after && before->a == after->a && before->b == after->b;
    content_ = std::move(content);
    const FlowPair* p = content_ ? content_->pair() : nullptr;
    if (!p) {
        a_->setTimeline(nullptr);
        b_->setTimeline(nullptr);
        a_->clear();
        b_->clear();
        match_ = -1;
        updateCaptions();
        return;
    }
    // Both sides on the merged ladder's timeline (A's clock): a moment sits at the same height on
    // both, whatever idle gaps either side saw alone.
    auto timeline = std::shared_ptr<const LadderLayout>(content_, &content_->layout.layout);
    syncing_ = true;
    if (!samePair) { // not laid out twice: the old flows are not laid out on the new timeline first
        a_->clear();
        b_->clear();
    }
    a_->setTimeline(timeline, 0);
    b_->setTimeline(timeline, content_->comparison->clockOffsetNs);
    if (!samePair) {
        a_->setFlow(content_->comparison->a, p->a);
        b_->setFlow(content_->comparison->b, p->b);
        match_ = -1;
    }
    syncing_ = false;
    updateCaptions();
    syncScroll(true); // the offset may have changed
}

void CompareSideBySide::updateCaptions()
{
    const FlowPair* p = content_ ? content_->pair() : nullptr;
    captionA_->setText(p ? QStringLiteral("%1 — %2, flow %3").arg(content_->nameA, content_->fileA).arg(p->a)
                         : QString());
    captionB_->setText(p ? QStringLiteral("%1 — %2, flow %3").arg(content_->nameB, content_->fileB).arg(p->b)
                         : QString());
}

void CompareSideBySide::selectMatch(int64_t match)
{
    const FlowPair* p = content_ ? content_->pair() : nullptr;
    if (!p || match < 0 || static_cast<size_t>(match) >= p->packets.size()) match = -1;
    const bool changed = match != match_;
    match_ = match;
    syncing_ = true;
    const PacketMatch* m = match >= 0 ? &p->packets[static_cast<size_t>(match)] : nullptr;
    a_->selectRow(m && m->inA() ? content_->a->rowOfPacketIndex(m->a) : -1);
    b_->selectRow(m && m->inB() ? content_->b->rowOfPacketIndex(m->b) : -1);
    syncing_ = false;
    // One timeline: the other side follows the side that scrolled to the packet (A when it saw it).
    if (m) syncScroll(m->inA());
    if (changed) emit matchSelected(match_);
}

void CompareSideBySide::revealSelection()
{
    // Laid out first: while hidden, the plots' heights (and so where a row is) were not known.
    a_->replot();
    b_->replot();
    selectMatch(match_);
}

void CompareSideBySide::onRowSelected(bool fromA, int64_t row)
{
    if (syncing_ || !content_ || !content_->valid()) return;
    const auto& c = fromA ? content_->a : content_->b;
    int64_t match = -1;
    if (row >= 0 && row < c->rows()) {
        const uint32_t packet = c->flow->packets[static_cast<size_t>(row)];
        match = fromA ? content_->layout.matchOfPacketA(packet) : content_->layout.matchOfPacketB(packet);
    }
    selectMatch(match);
}

void CompareSideBySide::syncScroll(bool fromA)
{
    if (syncing_ || !content_ || !content_->valid()) return;
    LadderView* src = fromA ? a_ : b_;
    LadderView* dst = fromA ? b_ : a_;
    if (!src->content() || !dst->content()) return;
    // One timeline: the same y is the same moment on both sides.
    syncing_ = true;
    dst->yAxis->setRange(src->yAxis->range());
    dst->replot(QCustomPlot::rpQueuedReplot);
    syncing_ = false;
}

} // namespace flowladder::ui
