#include "ui/models/CaptureLoader.h"

#include "core/tcp/Analyzer.h"

#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

namespace flowladder::ui {

CaptureLoader::CaptureLoader(QObject* parent) : QObject(parent) {}

CaptureLoader::~CaptureLoader()
{
    for (auto& [flag, future] : running_)
        flag->store(true);
    for (auto& [flag, future] : running_)
        future.waitForFinished();
}

void CaptureLoader::cancel()
{
    if (cancel_) cancel_->store(true);
}

void CaptureLoader::load(const QString& path)
{
    load(QStringList{path});
}

void CaptureLoader::load(const QStringList& files)
{
    const QString path = files.value(0);
    cancel(); // the running load stops at its next batch; its result is dropped below
    const uint64_t gen = ++generation_;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    path_ = path;
    busy_ = true;
    clock_.start();
    emit started(path);

    auto flag = cancel_;
    std::erase_if(running_, [](const auto& r) { return r.second.isFinished(); });
    auto* watcher = new QFutureWatcher<Result>(this);
    if (watcher_) watcher_->disconnect(this); // an old watcher still finishes; nobody listens
    watcher_ = watcher;
    connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher, gen, path] {
        const Result r = watcher->result();
        watcher->deleteLater();
        if (watcher_ == watcher) watcher_ = nullptr;
        if (gen != generation_) return; // a newer load started: stale
        busy_ = false;
        if (!r.analysis)
            emit failed(path, r.error);
        else if (r.analysis->capture.cancelled)
            emit cancelled(path);
        else
            emit loaded(path, r.analysis);
    });
    // `this` outlives the worker: the destructor cancels and waits for every running load.
    std::vector<std::string> paths;
    for (const QString& f : files)
        paths.push_back(f.toStdString());
    QFuture<Result> future = QtConcurrent::run([paths, flag, self = this, gen]() -> Result {
        core::AnalyzeOptions options;
        options.cancel = flag.get();
        options.progress = [self, gen](double fraction) {
            QMetaObject::invokeMethod(
                self, [self, gen, fraction] { self->onProgress(gen, fraction); }, Qt::QueuedConnection);
        };
        std::string error;
        Result r;
        try {
            r.analysis = core::analyzeFiles(paths, error, options);
        } catch (const std::exception& e) {
            error = paths.front() + ": " + e.what();
        }
        r.error = QString::fromStdString(error);
        if (!r.analysis && r.error.isEmpty())
            r.error = QString::fromStdString(paths.front()) + QStringLiteral(": could not be read");
        return r;
    });
    running_.emplace_back(flag, future);
    watcher->setFuture(future);
}

void CaptureLoader::onProgress(uint64_t generation, double fraction)
{
    if (generation != generation_ || !busy_) return;
    const double elapsed = clock_.elapsed() / 1000.0;
    const double eta = (fraction > 0.02 && elapsed > 0.3) ? elapsed * (1.0 - fraction) / fraction : -1.0;
    emit progress(fraction, eta);
}

} // namespace flowladder::ui
