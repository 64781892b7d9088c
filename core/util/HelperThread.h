#pragma once
// A second thread for the two-thread phases of a large analysis: reading a capture in two
// parts, grouping beside the per-flow analysis, formatting JSON in batches.
//
// Why not a new std::thread per phase: on the 2-vCPU virtual machines FlowLadder is measured
// on, a thread started while the other vCPU idles often runs 1-4 ms later (the hypervisor has
// to run that vCPU again first), and a thread asleep on a condition variable wakes as late. On
// 50,000 short connections (50 ms in all) that happened at the start of the later part and of
// the analysis, and at many of the JSON writer's handovers of a batch. This helper spins for a
// while between tasks, so that its vCPU stays running and a task handed to it starts within
// microseconds; it spins for at most the time its owner says the next task may take to come
// (SpinNs unless told), then sleeps until it comes, so a program at rest does not keep a core
// busy. A caller waiting for a task spins the same way first (waitUntil).
//
// The spin yields the CPU (sched_yield) between looks. Spinning on the PAUSE instruction
// instead measured no faster than starting a thread each time (docs/benchmarks.md).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace flowladder::core {

// How long a waiting thread spins before it sleeps (HelperThread, waitUntil).
inline constexpr int64_t SpinNs = 2'000'000;

// Busy-waits until `ready()` holds, for at most `spinNs`; true when it held. `ready` is called
// without any lock, so it reads atomics.
template <class Ready> bool spinUntil(Ready&& ready, int64_t spinNs)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(spinNs);
    for (;;) {
        for (int i = 0; i < 16; ++i) {
            if (ready()) return true;
            std::this_thread::yield();
        }
        if (std::chrono::steady_clock::now() >= until) return ready();
    }
}

// Waits until `ready()` holds: spins for up to `spinNs` first, then sleeps on `changed`.
// Whoever makes ready() hold changes what it reads while holding `m`, then notifies `changed`.
template <class Ready>
void waitUntil(std::mutex& m, std::condition_variable& changed, Ready&& ready, int64_t spinNs = SpinNs)
{
    if (spinUntil(ready, spinNs)) return;
    std::unique_lock lock(m);
    changed.wait(lock, ready);
}

class HelperThread {
public:
    // The thread spins for `awakeNs` waiting for its first task.
    explicit HelperThread(int64_t awakeNs = SpinNs);
    // Waits for a task still running (finish()), then ends the thread.
    ~HelperThread();
    HelperThread(const HelperThread&) = delete;
    HelperThread& operator=(const HelperThread&) = delete;

    // Runs `task` on the helper, which then spins for `awakeAfterNs` waiting for the next one.
    // The task started before must have been waited for (a keepAwake need not be).
    void start(std::function<void()> task, int64_t awakeAfterNs = SpinNs);
    // Makes the helper spin for `awakeNs` from now (waking it if it sleeps): a task is coming.
    void keepAwake(int64_t awakeNs);
    // Until the task started last has finished (at once when none is running); rethrows what
    // it threw.
    void wait();
    // wait() for an owner that is failing itself: what the task threw is dropped (the owner's
    // own failure is the one to report).
    void finish() noexcept;

private:
    enum State : int { Idle, Posted, Running, Stop };
    void loop(int64_t awake);

    std::atomic<int> state_{Idle};
    std::function<void()> task_;
    int64_t awakeNs_ = SpinNs; // after task_
    std::exception_ptr failure_;
    std::mutex m_;
    std::condition_variable changed_;
    std::thread thread_;
};

// The helper thread of a piece of work: the caller's, or one of its own made when first asked
// for (work too small for two threads makes none).
class HelperOnDemand {
public:
    explicit HelperOnDemand(HelperThread* given) : given_(given) {}
    HelperThread& get()
    {
        if (!given_) given_ = &own_.emplace();
        return *given_;
    }
    // A task comes within about `ns`: the helper is to spin until then.
    void awakeFor(int64_t ns)
    {
        if (given_)
            given_->keepAwake(ns);
        else
            given_ = &own_.emplace(ns);
    }

private:
    HelperThread* given_;
    std::optional<HelperThread> own_;
};

} // namespace flowladder::core
