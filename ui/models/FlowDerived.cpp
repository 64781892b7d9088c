#include "ui/models/FlowDerived.h"

#include <algorithm>
#include <array>
#include <mutex>

namespace flowladder::ui {

namespace {
struct Entry {
    std::weak_ptr<const core::Analysis> analysis; // weak: a cached flow keeps no capture alive
    uint32_t flowId = 0;
    std::shared_ptr<const FlowDerived> data;
};
} // namespace

std::shared_ptr<const FlowDerived> flowDerived(const core::AnalysisPtr& analysis, uint32_t flowId)
{
    const core::Flow* f = analysis ? analysis->flowById(flowId) : nullptr;
    if (!f) return nullptr;
    // Most recently used first. Four: a comparison shows two flows, the main window one.
    static std::array<Entry, 4> cache;
    static std::mutex mutex; // only the GUI thread calls this today; a lock costs nothing there
    const std::lock_guard lock(mutex);
    for (Entry& e : cache)
        if (e.analysis.expired()) e = Entry{}; // that capture was closed
    const auto hit = std::find_if(cache.begin(), cache.end(), [&](const Entry& e) {
        return e.flowId == flowId && e.data && e.analysis.lock() == analysis;
    });
    if (hit != cache.end()) {
        std::rotate(cache.begin(), hit, hit + 1);
        return cache.front().data;
    }
    auto data = std::make_shared<FlowDerived>();
    data->timelines = analysis->stateTimelines(*f);
    data->resends = core::findResends(*analysis, *f);
    std::rotate(cache.begin(), cache.end() - 1, cache.end());
    cache.front() = Entry{analysis, flowId, data};
    return data;
}

} // namespace flowladder::ui
