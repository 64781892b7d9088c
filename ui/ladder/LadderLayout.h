#pragma once
// The vertical geometry of a ladder: where each packet row sits, in "layout units"
// (one unit is the minimum distance between two rows), for the two vertical scales.
//
// - PerPacket: row i sits at y = i.
// - TimeProportional: the distance between consecutive rows follows the time between
//   them (never less than one unit, so labels do not collide); an idle gap longer than
//   `foldAboveUnits` is folded into a break of `foldedHeight` units that remembers how
//   much time it hides.
//
// Plain C++, no Qt: pixel mapping is a linear map of y (see pixelOf / yOfPixel) so the
// same struct is unit-tested and used by the plottable for culling.

#include <cstdint>
#include <utility>
#include <vector>

namespace flowladder::ui {

struct LadderLayout {
    enum class Scale { PerPacket, TimeProportional };

    struct Params {
        Scale scale = Scale::TimeProportional;
        double unitNs = 0;           // time per layout unit; 0 = median gap between packets
        double foldAboveUnits = 6.0; // gaps longer than this many units are folded
        double foldedHeight = 1.6;   // height of a folded break, in units
    };

    // A folded idle gap between row `afterRow` and row `afterRow + 1`.
    struct Gap {
        uint32_t afterRow = 0;
        int64_t foldedNs = 0; // idle time the break hides
        double y = 0;         // centre of the break
    };

    Scale scale = Scale::PerPacket;
    double unitNs = 0;
    std::vector<double> rowY; // strictly increasing
    std::vector<int64_t> rowNs;
    std::vector<Gap> gaps; // in row order

    // Builds the layout for rows with these timestamps (non-decreasing is expected;
    // a timestamp going backwards is treated as no time passing).
    static LadderLayout build(std::vector<int64_t> tsNs, const Params& params);
    // Lays rows out on another layout's timeline, so that a moment sits at the same y in both:
    // `tsNs` are on `base`'s clock, and every one of them is expected among base's row times (as
    // when base was built over these times and others). Rows at one time take base's successive
    // rows of that time, so they stay at least a unit apart; base's folded gaps between this
    // layout's first and last row are kept, at their y.
    static LadderLayout onTimeline(const LadderLayout& base, std::vector<int64_t> tsNs);

    uint32_t rows() const { return static_cast<uint32_t>(rowY.size()); }
    double yOfRow(uint32_t row) const { return rowY[row]; }
    // Extent of the diagram: [0, height()].
    double height() const { return rowY.empty() ? 0.0 : rowY.back(); }

    // Rows whose y lies in [yLo, yHi]: returns [first, last) (binary search).
    std::pair<uint32_t, uint32_t> rowsInRange(double yLo, double yHi) const;
    // Row nearest to y (-1 when there are no rows).
    int64_t rowNearest(double y) const;
    // Time at y: interpolated between rows; inside a folded gap, the gap is
    // treated as linear too (so the mapping stays monotonic and invertible).
    int64_t timeAtY(double y) const;
    double yOfTime(int64_t ns) const;
    // Gap whose break lies between these rows' y, or nullptr.
    const Gap* gapAfter(uint32_t row) const;

    // Linear map between layout y and pixels for a view showing [yTop, yBottom]
    // over [pixTop, pixBottom].
    struct PixelMap {
        double yTop = 0, yBottom = 1;
        double pixTop = 0, pixBottom = 1;
        double pixelOf(double y) const { return pixTop + (y - yTop) * (pixBottom - pixTop) / (yBottom - yTop); }
        double yOfPixel(double p) const { return yTop + (p - pixTop) * (yBottom - yTop) / (pixBottom - pixTop); }
        double pixelsPerUnit() const { return (pixBottom - pixTop) / (yBottom - yTop); }
    };

    // Culling: the rows to draw for a view. When rows are closer than `minPixels`
    // apart, one row per `minPixels` band is returned (the first in the band), so the
    // work is bounded by the view height, not by the number of packets.
    std::vector<uint32_t> rowsToDraw(const PixelMap& map, double minPixels = 1.0) const;
};

} // namespace flowladder::ui
