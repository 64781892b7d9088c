#include "core/util/HelperThread.h"

#include <utility>

namespace flowladder::core {

HelperThread::HelperThread(int64_t awakeNs) : thread_([this, awakeNs] { loop(awakeNs); }) {}

HelperThread::~HelperThread()
{
    finish();
    {
        const std::lock_guard lock(m_);
        state_.store(Stop, std::memory_order_release);
    }
    changed_.notify_all();
    thread_.join();
}

void HelperThread::start(std::function<void()> task, int64_t awakeAfterNs)
{
    finish(); // at once but after a keepAwake (its task does nothing)
    {
        const std::lock_guard lock(m_);
        task_ = std::move(task);
        awakeNs_ = awakeAfterNs;
        failure_ = nullptr;
        state_.store(Posted, std::memory_order_release);
    }
    changed_.notify_all();
}

void HelperThread::keepAwake(int64_t awakeNs)
{
    start([] {}, awakeNs);
}

void HelperThread::wait()
{
    const auto done = [this] {
        const int s = state_.load(std::memory_order_acquire);
        return s == Idle || s == Stop;
    };
    waitUntil(m_, changed_, done);
    const std::lock_guard lock(m_);
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void HelperThread::finish() noexcept
{
    try {
        wait();
    } catch (...) {
    }
}

void HelperThread::loop(int64_t awake)
{
    const auto posted = [this] {
        const int s = state_.load(std::memory_order_acquire);
        return s == Posted || s == Stop;
    };
    for (;;) {
        waitUntil(m_, changed_, posted, awake);
        std::function<void()> task;
        {
            const std::lock_guard lock(m_);
            if (state_.load(std::memory_order_relaxed) == Stop) return;
            task = std::move(task_);
            awake = awakeNs_;
            state_.store(Running, std::memory_order_relaxed);
        }
        std::exception_ptr failure;
        try {
            task();
        } catch (...) {
            failure = std::current_exception();
        }
        task = nullptr; // what it holds goes before the owner hears it is done
        {
            const std::lock_guard lock(m_);
            failure_ = failure;
            state_.store(Idle, std::memory_order_release);
        }
        changed_.notify_all();
    }
}

} // namespace flowladder::core
