#pragma once
// Geometry of the merged ladder of a compared flow pair: the left lifeline is capture
// point A, the right one capture point B, time runs down on A's clock (B's times with
// the comparison's clock offset applied). A packet both captures saw is a slanted
// arrow from the capture point it passed first to the other one; a packet only one
// capture saw is a stub: a lost one leaves its capture point and ends half-way, an
// injected one starts half-way and reaches the capture point that saw it.
//
// What is lost or injected is the core's verdict (core::PacketMatch); this only places
// it. Plain C++, no Qt, unit-tested; the vertical scale is a LadderLayout over every
// arrival and departure time, so idle gaps fold as in the single ladder.

#include "core/compare/Comparison.h"
#include "ui/ladder/LadderLayout.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace flowladder::ui {

struct CompareMergedLayout {
    enum class Kind : uint8_t {
        Both,     // seen at both capture points
        Lost,     // seen only at the capture point it passed first
        Injected, // seen only at the capture point it passed second: created in between
        Unseen,   // seen at one capture point while the other was not capturing (neither)
    };
    // x: 0 = lifeline A, 1 = lifeline B, 0.5 = between the capture points.
    struct Item {
        uint32_t match = 0; // index into FlowPair::packets
        Kind kind = Kind::Both;
        double x0 = 0, x1 = 1;
        int64_t t0 = 0, t1 = 0;     // A's clock
        double y0 = 0, y1 = 0;      // layout y
        bool afterOtherEnd = false; // one-sided, after the other capture's last packet
        bool seenAtA = false;       // one-sided items: which capture saw it
        double topY() const { return y0 < y1 ? y0 : y1; }
        double bottomY() const { return y0 < y1 ? y1 : y0; }
    };

    LadderLayout layout;     // rows = every time a packet passed a capture point
    std::vector<Item> items; // in FlowPair::packets order
    int64_t stubNs = 0;      // length of a stub: half the one-way delay (or a default)

    static CompareMergedLayout build(const core::Comparison& c, const core::FlowPair& pair,
                                     const LadderLayout::Params& params = {});

    double height() const { return layout.height(); }
    // Item (index into items) at pixel (px, py), or -1: nearest segment within tolerance.
    struct Pixels {
        double aX = 0, bX = 1;
        LadderLayout::PixelMap map;
        double xOf(double x01) const { return aX + (bX - aX) * x01; }
    };
    int64_t itemAt(const Pixels& px, double x, double y, double tolerancePx = 6.0) const;
    // Items whose vertical extent meets [yLo, yHi] (layout y), in order.
    std::vector<uint32_t> itemsInRange(double yLo, double yHi) const;

    // Match lookups: index into FlowPair::packets, or -1.
    int64_t matchOfPacketA(uint32_t packetIndex) const;
    int64_t matchOfPacketB(uint32_t packetIndex) const;
    int64_t itemOfMatch(uint32_t match) const { return match < items.size() ? match : -1; }

private:
    std::vector<std::pair<double, uint32_t>> byTop_; // (topY, item), sorted
    double maxSpan_ = 0;
    std::unordered_map<uint32_t, uint32_t> ofA_, ofB_;
};

} // namespace flowladder::ui
