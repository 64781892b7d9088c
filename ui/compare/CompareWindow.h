#pragma once
// The comparison window: two captures of the same traffic, loaded and compared off
// the GUI thread. Left: the matched flow pairs (and flows only one capture has) and
// the comparison's findings; top: the clock offset, adjustable; centre: the merged
// ladder and the two ladders side by side for the selected pair. Facts come from
// core::Comparison; this window only shows them and keeps the selection in step.

#include "ui/models/CompareLoader.h"

#include <QMainWindow>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QTimer;

namespace flowladder::ui {

class ComparePairsModel;
class CompareFindingsModel;
class CompareMergedView;
class CompareNotes;
class CompareSideBySide;
struct CompareMergedContent;

class CompareWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit CompareWindow(QWidget* parent = nullptr);
    ~CompareWindow() override;

    CompareLoader* loader() const { return loader_; }
    ComparePairsModel* pairsModel() const { return pairs_; }
    CompareFindingsModel* findingsModel() const { return findings_; }
    QTableView* pairsView() const { return pairsView_; }
    QTableView* findingsView() const { return findingsView_; }
    CompareMergedView* mergedView() const { return merged_; }
    CompareSideBySide* sideBySide() const { return sideBySide_; }
    CompareNotes* notes() const { return notes_; }
    QDoubleSpinBox* offsetBox() const { return offset_; }
    QPushButton* resetOffsetButton() const { return reset_; }
    QTabWidget* tabs() const { return tabs_; }
    const ComparisonPtr& comparison() const { return comparison_; }
    int currentPair() const { return pair_; }
    int64_t currentMatch() const { return match_; }

public slots:
    void openFiles(const QString& pathA, const QString& pathB);
    void compareAnalyses(const core::AnalysisPtr& a, const core::AnalysisPtr& b);
    void selectPair(int pairIndex);
    void selectMatch(int64_t match);
    // Selects the pair and packet a comparison finding points at.
    void selectFinding(uint32_t findingIndex);
    // Recomputes with this clock offset in seconds (nullopt: the estimate).
    void setClockOffset(std::optional<double> seconds);
    // Moves to the next (+1) or previous (-1) difference in the findings list, wrapping around
    // (the status bar says so).
    void stepFinding(int delta);
    // Saves the shown view (merged ladder or side by side) as .png, .svg or .pdf.
    bool exportPicture(const QString& path, QString* error = nullptr);

signals:
    void comparisonShown();
    void loadFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override; // saves the notes

private:
    void setupMenus();
    void exportPictureAsked();
    void onCompared(const ComparisonPtr& c);
    void setBusy(bool busy);
    void updateOffsetText();
    void updateStatus();

    CompareLoader* loader_;
    ComparePairsModel* pairs_;
    CompareFindingsModel* findings_;
    QTableView* pairsView_;
    QTableView* findingsView_;
    CompareMergedView* merged_;
    CompareSideBySide* sideBySide_;
    CompareNotes* notes_;
    QTabWidget* tabs_;
    QDoubleSpinBox* offset_;
    QPushButton* reset_;
    QLabel* offsetInfo_;
    QLabel* files_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLabel* status_;
    QTimer* offsetDebounce_;

    ComparisonPtr comparison_;
    std::shared_ptr<const CompareMergedContent> content_;
    std::optional<int64_t> estimateNs_; // the estimate, kept while the user overrides it
    int pair_ = -1;
    int64_t match_ = -1;
    bool inSelect_ = false;
    bool firstShow_ = true;
};

} // namespace flowladder::ui
