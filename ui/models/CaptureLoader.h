#pragma once
// Runs core::analyzeFile off the GUI thread. One load at a time: starting another
// cancels the running one, and a generation counter drops results that arrive late.
// Progress is reported with an ETA.

#include "core/model/Analysis.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <vector>

namespace flowladder::ui {

class CaptureLoader : public QObject {
    Q_OBJECT
public:
    explicit CaptureLoader(QObject* parent = nullptr);
    ~CaptureLoader() override;

    void load(const QString& path);
    // Several files as one capture, merged by time (core::analyzeFiles); signals name the first.
    void load(const QStringList& files);
    void cancel();
    bool busy() const { return busy_; }
    uint64_t generation() const { return generation_; }

signals:
    void started(const QString& path);
    void progress(double fraction, double etaSeconds); // eta < 0 when not known yet
    void loaded(const QString& path, const core::AnalysisPtr& analysis);
    void failed(const QString& path, const QString& message);
    void cancelled(const QString& path);

private:
    struct Result {
        core::AnalysisPtr analysis;
        QString error;
    };
    void onProgress(uint64_t generation, double fraction);

    uint64_t generation_ = 0;
    bool busy_ = false;
    QString path_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    QFutureWatcher<Result>* watcher_ = nullptr;
    // Every load still running (including cancelled ones), so the destructor can wait for them.
    std::vector<std::pair<std::shared_ptr<std::atomic<bool>>, QFuture<Result>>> running_;
    QElapsedTimer clock_;
};

} // namespace flowladder::ui
