#include "core/capture/MergedReader.h"

#include <algorithm>

namespace flowladder::core {

MergedReader::~MergedReader() = default;

std::unique_ptr<MergedReader> MergedReader::open(const std::vector<std::string>& paths, std::string& error)
{
    std::unique_ptr<MergedReader> m(new MergedReader());
    std::vector<std::string> failures;
    for (const std::string& path : paths) {
        std::string why;
        auto r = CaptureReader::open(path, why);
        if (!r) {
            failures.push_back(why);
            continue;
        }
        SourceFile s;
        s.path = path;
        s.format = r->format();
        if (r->compression() != Compression::None) s.compression = compressionName(r->compression());
        s.fileBytes = r->fileSize();
        m->sources_.push_back(std::move(s));
        m->readers_.push_back(std::move(r));
    }
    if (m->readers_.empty()) {
        error.clear();
        for (const std::string& f : failures)
            error += (error.empty() ? "" : "; ") + f;
        if (error.empty()) error = "no capture files given";
        return nullptr;
    }
    for (std::string& f : failures)
        m->warnings_.push_back(f + " (left out of the merge)");
    m->heads_.resize(m->readers_.size());
    m->heap_.reserve(m->readers_.size());
    for (uint32_t i = 0; i < m->readers_.size(); ++i)
        m->advance(i);
    return m;
}

bool MergedReader::earlier(uint32_t a, uint32_t b) const
{
    if (heads_[a].tsNs != heads_[b].tsNs) return heads_[a].tsNs < heads_[b].tsNs;
    return a < b;
}

void MergedReader::advance(uint32_t i)
{
    switch (readers_[i]->next(heads_[i])) {
    case Status::Frame:
        ++sources_[i].packets;
        heap_.push_back(i);
        std::push_heap(heap_.begin(), heap_.end(), later());
        return;
    case Status::End:
        return;
    case Status::Error:
        sources_[i].truncated = readers_[i]->truncated();
        warnings_.push_back(readers_[i]->error());
        return;
    }
}

CaptureReader::Status MergedReader::next(RawFrame& frame)
{
    if (emitted_ != None) {
        // The frame handed out last is no longer needed: its file reads on.
        advance(emitted_);
        emitted_ = None;
    }
    if (heap_.empty()) return Status::End;
    std::pop_heap(heap_.begin(), heap_.end(), later());
    const uint32_t i = heap_.back();
    heap_.pop_back();
    frame = heads_[i];
    frame.frame = ++frames_;
    const uint32_t inFile = heads_[i].frame;
    if (runs_.empty() || runs_.back().source != i ||
        runs_.back().sourceFrame + (frame.frame - runs_.back().firstFrame) != inFile)
        runs_.push_back({frame.frame, i, inFile});
    emitted_ = i;
    return Status::Frame;
}

bool MergedReader::truncated() const
{
    return std::any_of(sources_.begin(), sources_.end(), [](const SourceFile& s) { return s.truncated; });
}

CaptureFormat MergedReader::format() const
{
    return readers_.front()->format();
}

int MergedReader::dlt() const
{
    return readers_.front()->dlt();
}

uint64_t MergedReader::position() const
{
    uint64_t sum = 0;
    for (const auto& r : readers_)
        sum += r->position();
    return sum;
}

uint64_t MergedReader::fileSize() const
{
    uint64_t sum = 0;
    for (const auto& r : readers_)
        sum += r->fileSize();
    return sum;
}

} // namespace flowladder::core
