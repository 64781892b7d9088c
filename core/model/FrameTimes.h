#pragma once
// The upper half of every stored packet's timestamp, by frame number. A PacketRecord keeps only
// the lower 32 bits of its time (nanoseconds since the epoch: they wrap every 4.29 s); the upper
// 32 change that seldom, so they are kept once per run of frames that share them: 28 bytes a
// packet instead of 32. Frames are numbered in file order, and a capture's clock mostly runs
// forwards, so a capture of an hour has about 840 runs; one whose clock jumps back and forth
// every frame has a run per frame (8 bytes each: what the record saved).
//
// A lookup is two reads in the common case: a table with the run at the start of every 4,096
// frames, then the runs after it until the frame's.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flowladder::core {

class FrameTimes {
public:
    // Notes the time of frame `frame`. Frames come in increasing order (a frame may be noted
    // more than once, with the same time).
    void note(uint32_t frame, int64_t tsNs)
    {
        const auto high = static_cast<int32_t>(tsNs >> 32); // |tsNs| < 2^62: readers clamp it
        if (runs_.empty() || runs_.back().high != high) runs_.push_back({frame, high});
        if ((frame >> BlockBits) >= blockRun_.size()) coverBlocks(frame);
        last_ = frame;
    }
    // The time of frame `frame`, noted before, whose lower 32 bits are `low`.
    int64_t tsNs(uint32_t frame, uint32_t low) const { return join(high(frame), low); }

    // The run of frames last looked up through it: a reader that goes through frames in order
    // (the analysis, flow by flow) finds the next one's time mostly there, with one comparison.
    struct Cursor {
        uint32_t from = 0, to = 0; // frames [from, to) share `high` (none at first)
        int32_t high = 0;
    };
    int64_t tsNs(uint32_t frame, uint32_t low, Cursor& c) const
    {
        if (frame - c.from >= c.to - c.from) c = runAt(frame);
        return join(c.high, low);
    }
    // Appends `other`'s frames, their numbers raised by `shift`: they follow this one's.
    void append(const FrameTimes& other, uint32_t shift)
    {
        if (other.runs_.empty()) return;
        for (const Run& r : other.runs_)
            if (runs_.empty() || runs_.back().high != r.high) runs_.push_back({r.first + shift, r.high});
        last_ = other.last_ + shift;
        coverBlocks(last_);
    }
    size_t runs() const { return runs_.size(); }
    size_t memoryBytes() const { return runs_.capacity() * sizeof(Run) + blockRun_.capacity() * sizeof(uint32_t); }

private:
    static constexpr uint32_t BlockBits = 12;
    struct Run {
        uint32_t first; // from this frame on, until the next run's first
        int32_t high;   // the upper 32 bits of the frames' times
    };
    static int64_t join(int32_t high, uint32_t low)
    {
        return static_cast<int64_t>(static_cast<uint64_t>(int64_t{high}) << 32 | low);
    }
    size_t runIndex(uint32_t frame) const
    {
        size_t i = blockRun_[std::min<size_t>(frame >> BlockBits, blockRun_.size() - 1)];
        while (i + 1 < runs_.size() && runs_[i + 1].first <= frame)
            ++i;
        return i;
    }
    int32_t high(uint32_t frame) const { return runs_.empty() ? 0 : runs_[runIndex(frame)].high; }
    Cursor runAt(uint32_t frame) const
    {
        if (runs_.empty()) return {};
        const size_t i = runIndex(frame);
        // The run's frames: from its first (or the frame asked for, below it) to the next run's.
        const uint32_t from = std::min(runs_[i].first, frame);
        return {from, i + 1 < runs_.size() ? runs_[i + 1].first : UINT32_MAX, runs_[i].high};
    }
    // Extends the table of blocks up to the one holding `frame`.
    void coverBlocks(uint32_t frame)
    {
        size_t i = blockRun_.empty() ? 0 : blockRun_.back();
        for (size_t k = blockRun_.size(); k <= (frame >> BlockBits); ++k) {
            const uint64_t start = uint64_t{k} << BlockBits;
            while (i + 1 < runs_.size() && runs_[i + 1].first <= start)
                ++i;
            blockRun_.push_back(static_cast<uint32_t>(i));
        }
    }

    std::vector<Run> runs_;
    std::vector<uint32_t> blockRun_; // per 4,096 frames: the run holding the first of them
    uint32_t last_ = 0;
};

} // namespace flowladder::core
