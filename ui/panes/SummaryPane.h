#pragma once
// The capture at a glance: what was read, any warning about the file, and the
// headline findings in plain words, each a link to its flow and packet.

#include <QTextBrowser>

namespace flowladder::ui {

class CurrentSelection;

class SummaryPane : public QTextBrowser {
    Q_OBJECT
public:
    explicit SummaryPane(CurrentSelection* selection, QWidget* parent = nullptr);
    static constexpr int MaxHeadlines = 12;

private:
    void rebuild();

    CurrentSelection* selection_;
};

} // namespace flowladder::ui
