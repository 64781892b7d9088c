#pragma once
// Two single-flow ladders of a compared pair, A left and B right, laid out on one timeline
// (the merged ladder's, B's clock shifted by the offset) so that the same moment sits at the
// same height on both, scrolling and zooming together, and selecting together: a packet selected
// in one selects the same packet in the other, when that capture saw it.

#include "ui/compare/CompareMergedLadder.h"

#include <QWidget>

class QLabel;

namespace flowladder::ui {

class LadderView;

class CompareSideBySide : public QWidget {
    Q_OBJECT
public:
    explicit CompareSideBySide(QWidget* parent = nullptr);
    // The pair to show; content's lookups map packets of A and B to matches.
    void setContent(std::shared_ptr<const CompareMergedContent> content);
    LadderView* ladderA() const { return a_; }
    LadderView* ladderB() const { return b_; }
    int64_t selectedMatch() const { return match_; }

public slots:
    void selectMatch(int64_t match); // index into FlowPair::packets, -1 for none
    // Scrolls both ladders to the selected packet (they were hidden while it was chosen elsewhere).
    void revealSelection();

signals:
    void matchSelected(int64_t match);

private:
    void onRowSelected(bool fromA, int64_t row);
    void syncScroll(bool fromA);
    void updateCaptions();

    std::shared_ptr<const CompareMergedContent> content_;
    LadderView* a_;
    LadderView* b_;
    QLabel* captionA_;
    QLabel* captionB_;
    int64_t match_ = -1;
    bool syncing_ = false;
};

} // namespace flowladder::ui
