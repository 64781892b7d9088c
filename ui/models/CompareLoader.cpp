#include "ui/models/CompareLoader.h"

#include "ui/models/CaptureLoader.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace flowladder::ui {

CompareLoader::CompareLoader(QObject* parent)
    : QObject(parent), loaderA_(new CaptureLoader(this)), loaderB_(new CaptureLoader(this))
{
    for (CaptureLoader* l : {loaderA_, loaderB_}) {
        const bool isA = l == loaderA_;
        connect(l, &CaptureLoader::progress, this, [this, isA](double f, double) {
            (isA ? fractionA_ : fractionB_) = f;
            emit progress((fractionA_ + fractionB_) / 2);
        });
        connect(l, &CaptureLoader::loaded, this, [this, isA](const QString&, const core::AnalysisPtr& an) {
            (isA ? a_ : b_) = an;
            (isA ? fractionA_ : fractionB_) = 1.0;
            emit progress((fractionA_ + fractionB_) / 2);
            if (--pending_ == 0) finishLoad();
        });
        connect(l, &CaptureLoader::failed, this, [this, isA](const QString& path, const QString& msg) {
            if (!busy_) return;
            (isA ? loaderB_ : loaderA_)->cancel();
            busy_ = false;
            pending_ = 0;
            emit failed(msg.isEmpty() ? path + QStringLiteral(": could not be read") : msg);
        });
        connect(l, &CaptureLoader::cancelled, this, [this] {
            if (!busy_) return;
            busy_ = false;
            pending_ = 0;
            emit cancelled();
        });
    }
}

CompareLoader::~CompareLoader()
{
    if (compareCancel_) compareCancel_->store(true);
    for (auto& f : running_)
        f.waitForFinished();
}

void CompareLoader::load(const QString& pathA, const QString& pathB)
{
    ++generation_;
    pathA_ = pathA;
    pathB_ = pathB;
    a_.reset();
    b_.reset();
    fractionA_ = fractionB_ = 0;
    pending_ = 2;
    busy_ = true;
    emit started();
    loaderA_->load(pathA);
    loaderB_->load(pathB);
}

void CompareLoader::finishLoad()
{
    compare(a_, b_);
}

void CompareLoader::cancel()
{
    if (!busy_) return;
    ++generation_; // a comparison still running is dropped when it finishes
    loaderA_->cancel();
    loaderB_->cancel();
    if (compareCancel_) compareCancel_->store(true);
    if (pending_ == 0) { // loads are done, only the comparison was running
        busy_ = false;
        emit cancelled();
    }
}

void CompareLoader::recompare(std::optional<double> offsetSeconds)
{
    if (a_ && b_) compare(a_, b_, offsetSeconds);
}

void CompareLoader::compare(const core::AnalysisPtr& a, const core::AnalysisPtr& b, std::optional<double> offsetSeconds)
{
    if (!a || !b) return;
    a_ = a;
    b_ = b;
    const uint64_t gen = ++generation_;
    if (compareCancel_) compareCancel_->store(true); // the previous comparison's result is not wanted
    compareCancel_ = std::make_shared<std::atomic<bool>>(false);
    auto flag = compareCancel_;
    pending_ = 0;
    busy_ = true;
    std::erase_if(running_, [](const auto& f) { return f.isFinished(); });
    auto* watcher = new QFutureWatcher<ComparisonPtr>(this);
    connect(watcher, &QFutureWatcher<ComparisonPtr>::finished, this, [this, watcher, gen] {
        ComparisonPtr c = watcher->result();
        watcher->deleteLater();
        if (gen != generation_) return; // something newer started
        busy_ = false;
        emit compared(c);
    });
    QFuture<ComparisonPtr> future = QtConcurrent::run([a, b, offsetSeconds, flag]() -> ComparisonPtr {
        core::CompareOptions options;
        options.clockOffsetSeconds = offsetSeconds;
        options.cancel = flag.get();
        auto c = std::make_shared<core::Comparison>(core::compareAnalyses(a, b, options));
        if (c->fileA.empty()) c->fileA = a->capture.file;
        if (c->fileB.empty()) c->fileB = b->capture.file;
        return c;
    });
    running_.push_back(future);
    watcher->setFuture(future);
}

} // namespace flowladder::ui
