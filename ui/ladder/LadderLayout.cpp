#include "ui/ladder/LadderLayout.h"

#include <algorithm>
#include <cmath>

namespace flowladder::ui {

LadderLayout LadderLayout::build(std::vector<int64_t> tsNs, const Params& params)
{
    LadderLayout l;
    l.scale = params.scale;
    l.rowNs = std::move(tsNs);
    const size_t n = l.rowNs.size();
    l.rowY.resize(n);
    if (params.scale == Scale::PerPacket || n < 2) {
        for (size_t i = 0; i < n; ++i)
            l.rowY[i] = static_cast<double>(i);
        l.unitNs = params.unitNs;
        return l;
    }

    double unit = params.unitNs;
    if (unit <= 0) {
        std::vector<int64_t> deltas;
        deltas.reserve(n - 1);
        for (size_t i = 1; i < n; ++i) {
            const int64_t d = l.rowNs[i] - l.rowNs[i - 1];
            if (d > 0) deltas.push_back(d);
        }
        if (deltas.empty()) {
            unit = 1e6;
        } else {
            auto mid = deltas.begin() + static_cast<std::ptrdiff_t>(deltas.size() / 2);
            std::nth_element(deltas.begin(), mid, deltas.end());
            unit = static_cast<double>(*mid);
        }
        unit = std::max(unit, 1000.0); // at least 1 us per unit
    }
    l.unitNs = unit;

    double y = 0;
    l.rowY[0] = 0;
    for (size_t i = 1; i < n; ++i) {
        const int64_t d = std::max<int64_t>(0, l.rowNs[i] - l.rowNs[i - 1]);
        const double units = static_cast<double>(d) / unit;
        if (units > params.foldAboveUnits) {
            l.gaps.push_back(Gap{static_cast<uint32_t>(i - 1), d, y + params.foldedHeight / 2 + 0.5});
            y += params.foldedHeight + 1.0;
        } else {
            y += std::max(1.0, units);
        }
        l.rowY[i] = y;
    }
    return l;
}

LadderLayout LadderLayout::onTimeline(const LadderLayout& base, std::vector<int64_t> tsNs)
{
    LadderLayout l;
    l.scale = Scale::TimeProportional;
    l.unitNs = base.unitNs;
    l.rowNs = std::move(tsNs);
    const size_t n = l.rowNs.size();
    l.rowY.resize(n);
    size_t sameTime = 0; // rows before this one at the same time
    for (size_t i = 0; i < n; ++i) {
        const int64_t t = l.rowNs[i];
        sameTime = (i > 0 && l.rowNs[i - 1] == t) ? sameTime + 1 : 0;
        auto it = std::lower_bound(base.rowNs.begin(), base.rowNs.end(), t);
        const size_t k = static_cast<size_t>(it - base.rowNs.begin()) + sameTime;
        double y = (k < base.rowNs.size() && base.rowNs[k] == t) ? base.rowY[k] : base.yOfTime(t);
        if (i > 0) y = std::max(y, l.rowY[i - 1] + 1.0); // a time missing from base: keep rows apart
        l.rowY[i] = y;
    }
    if (n == 0) return l;
    uint32_t row = 0;
    for (const Gap& g : base.gaps) {
        if (g.y <= l.rowY.front() || g.y >= l.rowY.back()) continue;
        while (row + 1 < n && l.rowY[row + 1] < g.y)
            ++row;
        l.gaps.push_back(Gap{row, g.foldedNs, g.y});
    }
    return l;
}

std::pair<uint32_t, uint32_t> LadderLayout::rowsInRange(double yLo, double yHi) const
{
    auto first = std::lower_bound(rowY.begin(), rowY.end(), yLo);
    auto last = std::upper_bound(first, rowY.end(), yHi);
    return {static_cast<uint32_t>(first - rowY.begin()), static_cast<uint32_t>(last - rowY.begin())};
}

int64_t LadderLayout::rowNearest(double y) const
{
    if (rowY.empty()) return -1;
    auto it = std::lower_bound(rowY.begin(), rowY.end(), y);
    if (it == rowY.end()) return static_cast<int64_t>(rowY.size()) - 1;
    if (it == rowY.begin()) return 0;
    auto prev = it - 1;
    return (y - *prev <= *it - y) ? prev - rowY.begin() : it - rowY.begin();
}

int64_t LadderLayout::timeAtY(double y) const
{
    if (rowY.empty()) return 0;
    if (y <= rowY.front()) return rowNs.front();
    if (y >= rowY.back()) return rowNs.back();
    auto it = std::upper_bound(rowY.begin(), rowY.end(), y);
    const size_t hi = static_cast<size_t>(it - rowY.begin());
    const size_t lo = hi - 1;
    const double f = (y - rowY[lo]) / (rowY[hi] - rowY[lo]);
    return rowNs[lo] + static_cast<int64_t>(std::llround(f * static_cast<double>(rowNs[hi] - rowNs[lo])));
}

double LadderLayout::yOfTime(int64_t ns) const
{
    if (rowY.empty()) return 0;
    if (ns <= rowNs.front()) return rowY.front();
    if (ns >= rowNs.back()) return rowY.back();
    auto it = std::upper_bound(rowNs.begin(), rowNs.end(), ns);
    const size_t hi = static_cast<size_t>(it - rowNs.begin());
    const size_t lo = hi - 1;
    const int64_t span = rowNs[hi] - rowNs[lo];
    if (span <= 0) return rowY[lo];
    const double f = static_cast<double>(ns - rowNs[lo]) / static_cast<double>(span);
    return rowY[lo] + f * (rowY[hi] - rowY[lo]);
}

const LadderLayout::Gap* LadderLayout::gapAfter(uint32_t row) const
{
    auto it = std::lower_bound(gaps.begin(), gaps.end(), row, [](const Gap& g, uint32_t r) { return g.afterRow < r; });
    return (it != gaps.end() && it->afterRow == row) ? &*it : nullptr;
}

std::vector<uint32_t> LadderLayout::rowsToDraw(const PixelMap& map, double minPixels) const
{
    std::vector<uint32_t> out;
    const double yLo = std::min(map.yTop, map.yBottom);
    const double yHi = std::max(map.yTop, map.yBottom);
    auto [first, last] = rowsInRange(yLo, yHi);
    if (first >= last) return out;
    const double ppu = std::abs(map.pixelsPerUnit());
    if (ppu >= minPixels) { // every row is at least minPixels from its neighbour
        out.reserve(last - first);
        for (uint32_t r = first; r < last; ++r)
            out.push_back(r);
        return out;
    }
    // Bands of minPixels: take the first row at or after each band start.
    const double bandUnits = minPixels / ppu;
    uint32_t r = first;
    while (r < last) {
        out.push_back(r);
        const double nextY = rowY[r] + bandUnits;
        auto it = std::lower_bound(rowY.begin() + r + 1, rowY.begin() + last, nextY);
        r = static_cast<uint32_t>(it - rowY.begin());
    }
    return out;
}

} // namespace flowladder::ui
