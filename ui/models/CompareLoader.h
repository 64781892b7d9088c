#pragma once
// Loads two captures off the GUI thread (two CaptureLoaders, in parallel) and then
// compares them off the GUI thread too. Recomparing with a user-chosen clock offset
// reuses the loaded analyses. A generation counter drops results that arrive after
// the user started something newer; cancel stops the loads at their next batch and a running
// comparison between its phases.

#include "core/compare/Comparison.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>

namespace flowladder::ui {

class CaptureLoader;

using ComparisonPtr = std::shared_ptr<const core::Comparison>;

class CompareLoader : public QObject {
    Q_OBJECT
public:
    explicit CompareLoader(QObject* parent = nullptr);
    ~CompareLoader() override;

    void load(const QString& pathA, const QString& pathB);
    // Compares analyses already in memory (tests, or after a load).
    void compare(const core::AnalysisPtr& a, const core::AnalysisPtr& b,
                 std::optional<double> offsetSeconds = std::nullopt);
    // Recompares the current analyses with this offset (nullopt: the estimate).
    void recompare(std::optional<double> offsetSeconds);
    void cancel();
    bool busy() const { return busy_; }
    const core::AnalysisPtr& analysisA() const { return a_; }
    const core::AnalysisPtr& analysisB() const { return b_; }

signals:
    void started();
    void progress(double fraction); // both loads together, 0..1
    void compared(const flowladder::ui::ComparisonPtr& comparison);
    void failed(const QString& message);
    void cancelled();

private:
    void onLoaded();
    void finishLoad();

    CaptureLoader* loaderA_;
    CaptureLoader* loaderB_;
    double fractionA_ = 0, fractionB_ = 0;
    core::AnalysisPtr a_, b_;
    QString pathA_, pathB_;
    int pending_ = 0;
    bool busy_ = false;
    uint64_t generation_ = 0;
    std::shared_ptr<std::atomic<bool>> compareCancel_; // of the comparison running now
    std::vector<QFuture<ComparisonPtr>> running_;      // waited for in the destructor
};

} // namespace flowladder::ui
