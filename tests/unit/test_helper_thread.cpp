// The helper thread of the two-thread phases (core/util/HelperThread.h): it runs what it is
// handed, on its own thread, one task after another; it wakes from sleep as it does from
// spinning; a task's exception reaches whoever waits for it; it never outlives a running task.

#include "core/util/HelperThread.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <gtest/gtest.h>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using flowladder::core::HelperThread;
using flowladder::core::SpinNs;
using flowladder::core::waitUntil;

namespace {

// Longer than any spin: whoever waits has gone to sleep by then.
constexpr auto PastSpinning = std::chrono::nanoseconds(SpinNs) * 5;

} // namespace

TEST(HelperThread, RunsEachTaskOnItsOwnThreadOneAfterAnother)
{
    HelperThread helper;
    std::vector<int> done;
    std::thread::id ran;
    for (int i = 0; i < 200; ++i) {
        helper.start([&, i] {
            done.push_back(i);
            ran = std::this_thread::get_id();
        });
        helper.wait();
        ASSERT_EQ(done.size(), static_cast<size_t>(i + 1)); // done when wait() returns
    }
    for (int i = 0; i < 200; ++i)
        EXPECT_EQ(done[static_cast<size_t>(i)], i);
    EXPECT_NE(ran, std::this_thread::get_id());
}

TEST(HelperThread, WaitWithNoTaskReturnsAtOnce)
{
    HelperThread helper;
    const auto before = std::chrono::steady_clock::now();
    helper.wait();
    helper.wait();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
}

// Both ends asleep: the helper waiting for a task (not awake at all after starting, and after
// spinning out once its task was done), the caller waiting for a long task.
TEST(HelperThread, WakesFromSleepForTheNextTaskAndItsEnd)
{
    HelperThread helper(0);
    std::this_thread::sleep_for(PastSpinning);
    std::atomic<int> runs{0};
    helper.start([&] { ++runs; });
    helper.wait();
    EXPECT_EQ(runs.load(), 1);
    std::this_thread::sleep_for(PastSpinning);
    helper.start([&] {
        std::this_thread::sleep_for(PastSpinning);
        ++runs;
    });
    helper.wait();
    EXPECT_EQ(runs.load(), 2);
}

TEST(HelperThread, WaitRethrowsWhatTheTaskThrewOnceAndTheHelperGoesOn)
{
    HelperThread helper;
    helper.start([] { throw std::runtime_error("task failed"); });
    try {
        helper.wait();
        FAIL() << "wait() did not rethrow";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "task failed");
    }
    EXPECT_NO_THROW(helper.wait());
    bool ran = false;
    helper.start([&] { ran = true; });
    EXPECT_NO_THROW(helper.wait());
    EXPECT_TRUE(ran);
}

// An owner that fails between start() and wait() still destroys its helper before the task's
// data: the destructor waits for the task, and drops what it threw.
TEST(HelperThread, DestructorWaitsForTheRunningTask)
{
    std::atomic<bool> finished{false};
    {
        HelperThread helper;
        helper.start([&] {
            std::this_thread::sleep_for(PastSpinning);
            finished = true;
            throw std::runtime_error("nobody waits for this");
        });
    }
    EXPECT_TRUE(finished.load());
}

// keepAwake wakes a sleeping helper with a task that does nothing: the next start() need not
// wait for it, and nothing it does reaches wait().
TEST(HelperThread, KeepAwakeThenATask)
{
    HelperThread helper(0);
    std::this_thread::sleep_for(PastSpinning);
    for (int i = 0; i < 100; ++i) {
        helper.keepAwake(SpinNs);
        bool ran = false;
        helper.start([&] { ran = true; });
        helper.wait();
        ASSERT_TRUE(ran);
    }
    helper.keepAwake(SpinNs);
    EXPECT_NO_THROW(helper.wait());
}

TEST(HelperThread, TaskHandedOverJustAfterTheLastOneStillRuns)
{
    HelperThread helper;
    std::atomic<int> runs{0};
    for (int i = 0; i < 2000; ++i) {
        helper.start([&] { runs.fetch_add(1, std::memory_order_relaxed); });
        helper.wait();
    }
    EXPECT_EQ(runs.load(), 2000);
}

// waitUntil spins, then sleeps on the condition variable: a flag set long after, under the
// mutex and with a notification, ends the wait either way.
TEST(HelperThread, WaitUntilReturnsOnceTheFlagIsSetSoonerOrLater)
{
    for (const auto delay : {std::chrono::nanoseconds(0), PastSpinning}) {
        std::mutex m;
        std::condition_variable changed;
        std::atomic<bool> flag{false};
        std::thread setter([&] {
            std::this_thread::sleep_for(delay);
            {
                const std::lock_guard lock(m);
                flag = true;
            }
            changed.notify_all();
        });
        waitUntil(m, changed, [&] { return flag.load(); });
        EXPECT_TRUE(flag.load());
        setter.join();
    }
}
