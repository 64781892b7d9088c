#pragma once
// Several capture files read as one, merged by timestamp as mergecap merges them: at every
// step the earliest of the files' next frames (the first file given on equal times). Frames
// are numbered from 1 in merged order; where each one came from (file, frame within it) is
// kept as runs, so a finding can name both. A ring buffer's connection that spans two files
// is then one flow.
//
// A file that cannot be opened, or that breaks part way, is a warning naming it: the others
// are read on, and what the broken one held before the damage is kept.

#include "core/capture/CaptureReader.h"

#include <vector>

namespace flowladder::core {

class MergedReader final : public CaptureReader {
public:
    // Opens every file of `paths` that can be opened (those that cannot are warnings). Returns
    // nullptr, with `error` naming each file and its problem, when none can.
    static std::unique_ptr<MergedReader> open(const std::vector<std::string>& paths, std::string& error);
    ~MergedReader() override;

    Status next(RawFrame& frame) override;
    std::string error() const override { return {}; } // never fails as a whole: see warnings()
    bool truncated() const override;
    CaptureFormat format() const override;
    int dlt() const override;
    uint64_t position() const override;
    uint64_t fileSize() const override;

    // The files read, in the order given (those that could be opened), with their frame counts
    // so far; where each merged frame came from; the problems met, each naming its file.
    const std::vector<SourceFile>& sources() const { return sources_; }
    const std::vector<FrameRun>& frameRuns() const { return runs_; }
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    MergedReader() = default;
    // Reads file i's next frame into heads_[i] and puts it into the heap; a file that ends or
    // breaks leaves the merge.
    void advance(uint32_t i);
    bool earlier(uint32_t a, uint32_t b) const;
    // The heap's order: std's heap functions keep the "largest" on top, so the later frame sinks.
    auto later() const
    {
        return [this](uint32_t a, uint32_t b) { return earlier(b, a); };
    }

    std::vector<std::unique_ptr<CaptureReader>> readers_;
    std::vector<RawFrame> heads_;
    std::vector<uint32_t> heap_; // files with a pending frame, earliest on top
    std::vector<SourceFile> sources_;
    std::vector<FrameRun> runs_;
    std::vector<std::string> warnings_;
    static constexpr uint32_t None = UINT32_MAX;
    uint32_t emitted_ = None; // file whose frame was handed out last: read on at the next call
    uint32_t frames_ = 0;
};

} // namespace flowladder::core
