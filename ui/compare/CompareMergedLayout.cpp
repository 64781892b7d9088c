#include "ui/compare/CompareMergedLayout.h"

#include <algorithm>
#include <cmath>

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
constexpr int64_t DefaultStubNs = 5'000'000; // 5 ms when no delay is known
}

CompareMergedLayout CompareMergedLayout::build(const Comparison& c, const FlowPair& pair,
                                               const LadderLayout::Params& params)
{
    CompareMergedLayout m;
    if (!c.a || !c.b) return m;
    const Analysis& a = *c.a;
    const Analysis& b = *c.b;
    const int64_t delay = pair.oneWayDelayNs.value_or(c.oneWayDelayNs.value_or(0));
    m.stubNs = delay > 0 ? delay / 2 : DefaultStubNs;

    std::vector<int64_t> times;
    times.reserve(pair.packets.size() * 2);
    m.items.reserve(pair.packets.size());
    for (uint32_t i = 0; i < pair.packets.size(); ++i) {
        const PacketMatch& pm = pair.packets[i];
        Item it;
        it.match = i;
        const int64_t ta = pm.inA() ? a.packets.tsNs(pm.a) : 0;
        const int64_t tb = pm.inB() ? c.toA(b.packets.tsNs(pm.b)) : 0;
        if (pm.inA()) m.ofA_.emplace(pm.a, i);
        if (pm.inB()) m.ofB_.emplace(pm.b, i);
        if (pm.inBoth()) {
            it.kind = Kind::Both;
            const bool aFirst = pm.sender == pair.nearA; // its sender is on A's side of the path
            it.x0 = aFirst ? 0 : 1;
            it.x1 = aFirst ? 1 : 0;
            it.t0 = aFirst ? ta : tb;
            it.t1 = aFirst ? tb : ta;
            times.push_back(ta);
            times.push_back(tb);
        } else {
            it.seenAtA = pm.inA();
            const int64_t t = it.seenAtA ? ta : tb;
            const double own = it.seenAtA ? 0.0 : 1.0;
            times.push_back(t);
            it.afterOtherEnd = pm.afterOtherCaptureEnd;
            if (pm.injected) {
                it.kind = Kind::Injected; // appears between the capture points, arrives where seen
                it.x0 = 0.5;
                it.x1 = own;
                it.t0 = t - m.stubNs;
                it.t1 = t;
            } else {
                it.kind = pm.lost ? Kind::Lost : Kind::Unseen; // leaves where seen, ends between
                it.x0 = own;
                it.x1 = 0.5;
                it.t0 = t;
                it.t1 = t + m.stubNs;
            }
        }
        m.items.push_back(it);
    }
    std::sort(times.begin(), times.end());
    m.layout = LadderLayout::build(std::move(times), params);
    m.byTop_.reserve(m.items.size());
    for (uint32_t i = 0; i < m.items.size(); ++i) {
        Item& it = m.items[i];
        it.y0 = m.layout.yOfTime(it.t0);
        it.y1 = m.layout.yOfTime(it.t1);
        // Stubs are drawn with half a row at least, even where the layout clamps at its ends.
        if (it.kind != Kind::Both && std::abs(it.y1 - it.y0) < 0.5) {
            if (it.kind == Kind::Injected)
                it.y0 = it.y1 - 0.5;
            else
                it.y1 = it.y0 + 0.5;
        }
        m.byTop_.emplace_back(it.topY(), i);
        m.maxSpan_ = std::max(m.maxSpan_, it.bottomY() - it.topY());
    }
    std::sort(m.byTop_.begin(), m.byTop_.end());
    return m;
}

std::vector<uint32_t> CompareMergedLayout::itemsInRange(double yLo, double yHi) const
{
    if (yLo > yHi) std::swap(yLo, yHi);
    std::vector<uint32_t> out;
    auto it = std::lower_bound(byTop_.begin(), byTop_.end(), std::make_pair(yLo - maxSpan_, uint32_t{0}));
    for (; it != byTop_.end() && it->first <= yHi; ++it)
        if (items[it->second].bottomY() >= yLo) out.push_back(it->second);
    std::sort(out.begin(), out.end());
    return out;
}

int64_t CompareMergedLayout::itemAt(const Pixels& px, double x, double y, double tolerancePx) const
{
    const double yc = px.map.yOfPixel(y);
    const double tolUnits = tolerancePx / std::max(1e-9, std::abs(px.map.pixelsPerUnit()));
    int64_t best = -1;
    double bestD = tolerancePx;
    for (uint32_t i : itemsInRange(yc - tolUnits, yc + tolUnits)) {
        const Item& it = items[i];
        const double x0 = px.xOf(it.x0), x1 = px.xOf(it.x1);
        const double y0 = px.map.pixelOf(it.y0), y1 = px.map.pixelOf(it.y1);
        const double dx = x1 - x0, dy = y1 - y0;
        const double len2 = dx * dx + dy * dy;
        const double t = len2 > 0 ? std::clamp(((x - x0) * dx + (y - y0) * dy) / len2, 0.0, 1.0) : 0.0;
        const double d = std::hypot(x - (x0 + t * dx), y - (y0 + t * dy));
        if (d <= bestD) {
            bestD = d;
            best = i;
        }
    }
    return best;
}

int64_t CompareMergedLayout::matchOfPacketA(uint32_t packetIndex) const
{
    auto it = ofA_.find(packetIndex);
    return it == ofA_.end() ? -1 : it->second;
}

int64_t CompareMergedLayout::matchOfPacketB(uint32_t packetIndex) const
{
    auto it = ofB_.find(packetIndex);
    return it == ofB_.end() ? -1 : it->second;
}

} // namespace flowladder::ui
