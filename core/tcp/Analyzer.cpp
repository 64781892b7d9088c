#include "core/tcp/Analyzer.h"

#include "core/capture/CaptureReader.h"
#include "core/capture/Decoder.h"
#include "core/capture/MergedReader.h"
#include "core/tcp/FindingBuilder.h"
#include "core/tcp/FlowTable.h"
#include "core/tcp/TcpTracker.h"
#include "core/util/HelperThread.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace flowladder::core {

namespace {

constexpr uint32_t ProgressBatch = 4096; // frames between progress / cancel checks
// Timestamps are kept within +-2^62 ns of the epoch (1824 to 2116): the difference of any two
// fits in 64 bits. (Sums of a timestamp and a difference saturate: satAdd.)
constexpr int64_t MaxTimestampNs = (int64_t{1} << 62) - 1;
constexpr int64_t MinTimestampNs = -(int64_t{1} << 62);

void noteLinktype(CaptureInfo& info, int dlt)
{
    if (dlt < 0) return; // no interface described yet
    const std::string name = linktypeName(dlt);
    if (std::find(info.linktypes.begin(), info.linktypes.end(), name) == info.linktypes.end())
        info.linktypes.push_back(name);
}

bool stopRequested(const std::atomic<bool>* cancel)
{
    return cancel && cancel->load(std::memory_order_relaxed);
}

// What reading counts for the messages it ends with (finishMessages): kept apart from
// CaptureInfo so that two parts of a file read at once add up to one reading of it.
struct FrameTally {
    uint32_t badTimestamps = 0, firstBadTimestampFrame = 0;
    const char* firstMalformed = nullptr; // why the first malformed frame was
    uint32_t firstMalformedFrame = 0;
    bool unsupportedReported = false;
};

// Which bytes of the file one reading covers, and how it reports (see readCapture).
struct ReadPart {
    uint64_t begin = 0;                                // where it starts
    uint64_t end = 0;                                  // where it is expected to end (for the flow table's estimates)
    bool report = true;                                // calls options.progress
    const std::atomic<uint64_t>* otherBytes = nullptr; // read so far by the reader of the later part
    std::atomic<uint64_t>* bytes = nullptr;            // publishes what this reading read so far
    const std::atomic<bool>* abandon = nullptr;        // stop: the reading is no longer wanted
};

// Reads every frame (up to the reader's limit, if any), counts what is not TCP, and stores the
// TCP packets in their flows.
//
// One thread reads, decodes and stores. Handing decoded packets to a second thread that
// stores them was tried and measured slower: the other core has to fetch every decoded
// packet (~100 bytes) from this core's cache, and on the 2-core VMs this is measured on
// that transfer cost more than the storing it moved (docs/benchmarks.md). Two parts of a file
// can be read at once, each on its own thread into its own table (readCapture).
void readFrames(CaptureReader& reader, const std::string& path, CaptureInfo& info, FrameTally& tally,
                const AnalyzeOptions& options, FlowTable& table, const ReadPart& part)
{
    RawFrame frame;
    DecodedPacket packet;
    int lastDlt = reader.dlt();
    double lastProgress = -1;
    const uint64_t partBytes = part.end - part.begin;
    table.noteProgress(reader.position() - part.begin, partBytes, info.tcpPackets);
    for (;;) {
        const auto status = reader.next(frame);
        if (status == CaptureReader::Status::End) break;
        if (status == CaptureReader::Status::Error) {
            // Whether the file ended inside a record or a length field lied, reading stops
            // here: what came before is kept, and `truncated` says the rest is missing.
            info.errors.push_back(reader.error());
            info.truncated = true;
            break;
        }
        ++info.packets;
        if (frame.tsNs < MinTimestampNs || frame.tsNs > MaxTimestampNs) {
            // Only a damaged or hostile pcapng (64-bit ticks, offsets) gets here: clamped, every
            // difference of two timestamps stays within 64 bits.
            if (!tally.badTimestamps++) tally.firstBadTimestampFrame = frame.frame;
            frame.tsNs = std::clamp<int64_t>(frame.tsNs, MinTimestampNs, MaxTimestampNs);
        }
        if (info.packets == 1 || frame.tsNs < info.firstNs) info.firstNs = frame.tsNs;
        if (frame.tsNs > info.lastNs || info.packets == 1) info.lastNs = frame.tsNs;
        if (frame.dlt != lastDlt) {
            lastDlt = frame.dlt;
            noteLinktype(info, frame.dlt);
        }
        const DecodeResult r = decodeFrame(frame.dlt, frame.data, frame.caplen, packet);
        switch (r.status) {
        case DecodeStatus::Tcp:
            ++info.tcpPackets;
            table.add(frame.frame, frame.tsNs, packet);
            break;
        case DecodeStatus::Fragment:
            ++info.ipFragments;
            break;
        case DecodeStatus::Malformed:
            if (!tally.firstMalformed) {
                tally.firstMalformed = r.error;
                tally.firstMalformedFrame = frame.frame;
            }
            ++info.malformed;
            break;
        case DecodeStatus::Unsupported:
            ++info.unsupportedLink;
            if (!tally.unsupportedReported) {
                tally.unsupportedReported = true;
                info.errors.push_back(path + ": frames with link type " + std::to_string(frame.dlt) +
                                      " are not supported (first: frame " + std::to_string(frame.frame) + ")");
            }
            break;
        default:
            break;
        }
        if ((info.packets % ProgressBatch) == 0) {
            const uint64_t at = reader.position();
            table.noteProgress(at - part.begin, partBytes, info.tcpPackets);
            if (part.bytes) part.bytes->store(at - part.begin, std::memory_order_relaxed);
            if ((options.cancel && options.cancel->load(std::memory_order_relaxed)) ||
                (part.abandon && part.abandon->load(std::memory_order_relaxed))) {
                info.cancelled = true;
                break;
            }
            if (part.report && options.progress && info.fileBytes > 0) {
                const uint64_t done = at + (part.otherBytes ? part.otherBytes->load(std::memory_order_relaxed) : 0);
                const double fraction = static_cast<double>(done) / static_cast<double>(info.fileBytes);
                if (fraction - lastProgress >= 0.001) {
                    lastProgress = fraction;
                    options.progress(std::min(fraction, 1.0));
                }
            }
        }
    }
}

// The messages that sum up what reading met, once reading is over.
void finishMessages(const std::string& path, CaptureInfo& info, const FrameTally& tally)
{
    if (tally.badTimestamps) {
        info.errors.push_back(path + ": " + std::to_string(tally.badTimestamps) + " frame" +
                              (tally.badTimestamps == 1 ? "" : "s") +
                              " with a timestamp outside 1824-2116, clamped (first: frame " +
                              std::to_string(tally.firstBadTimestampFrame) + ")");
    }
    if (tally.firstMalformed) {
        info.errors.push_back(path + ": " + std::to_string(info.malformed) + " frame" +
                              (info.malformed == 1 ? "" : "s") + " with damaged headers (first: frame " +
                              std::to_string(tally.firstMalformedFrame) + ", " + tally.firstMalformed + ")");
    }
}

// How long the helper stays awake after reading the later part: the join and settling (5 ms
// on 50,000 connections) come before the per-flow analysis hands it the next task.
constexpr int64_t AwakeAfterPartNs = 10'000'000;

// readCapture's reading in two parts: `later` reads from its position to the end on the helper
// thread while `reader` reads up to there. False when the later part was dropped (nothing of it
// is kept): `reader` then stands at or past the boundary, or stopped early. When the later part's
// reader stopped at a record it could not read (the file ends inside it: a capture copied while
// it was written; or it is damaged), one reading stops there too: the part is kept, with the
// message one reading gives there (CaptureReader::failureAt: the part's reader numbers frames
// from the part's start).
bool readLaterPartAtOnce(CaptureReader& reader, std::unique_ptr<CaptureReader> later, const std::string& path,
                         CaptureInfo& info, FrameTally& tally, const AnalyzeOptions& options, FlowTable& table,
                         HelperThread& helper)
{
    const uint64_t size = info.fileBytes, boundary = later->position();
    Analysis other;
    CaptureInfo& otherInfo = other.capture;
    otherInfo.fileBytes = size;
    FrameTally otherTally;
    FlowTable otherTable(other);
    otherTable.readsLaterPart();
    otherTable.reserveFor(size - boundary);
    std::atomic<uint64_t> otherBytes{0};
    std::atomic<bool> abandon{false};
    std::exception_ptr otherFailure;
    uint64_t laterStop = 0; // where the later part's reader stopped
    const auto readLater = [&] {
        try {
            const ReadPart part{boundary, size, false, nullptr, &otherBytes, &abandon};
            readFrames(*later, path, otherInfo, otherTally, options, otherTable, part);
            laterStop = later->position();
            later.reset(); // its buffer, and the table's, before both parts are whole
            otherTable.partRead();
        } catch (...) {
            otherFailure = std::current_exception();
        }
    };
    helper.start(readLater, AwakeAfterPartNs);
    try {
        reader.setLimit(boundary);
        readFrames(reader, path, info, tally, options, table, ReadPart{0, boundary, true, &otherBytes});
    } catch (...) {
        abandon.store(true);
        helper.finish();
        throw;
    }
    helper.wait();
    if (otherInfo.cancelled && stopRequested(options.cancel)) info.cancelled = true;
    // (The later part's messages: only its reader's, when it stopped at a record; see above.)
    const bool exact = !otherFailure && !otherInfo.cancelled &&
                       otherInfo.errors.size() == (otherInfo.truncated ? 1u : 0u) && otherInfo.unsupportedLink == 0 &&
                       otherTally.badTimestamps == 0 && !info.truncated && !info.cancelled &&
                       reader.position() == boundary;
    const uint32_t framesBefore = info.packets;
    std::string stopped; // otherInfo.truncated: one reading's message where the part's reader stopped
    if (exact && otherInfo.truncated) stopped = reader.failureAt(laterStop, framesBefore + otherInfo.packets);
    if (!exact || (otherInfo.truncated && stopped.empty()) || !table.absorb(otherTable, framesBefore)) return false;
    info.packets += otherInfo.packets;
    info.tcpPackets += otherInfo.tcpPackets;
    info.ipFragments += otherInfo.ipFragments;
    info.malformed += otherInfo.malformed;
    if (otherInfo.packets > 0) { // this part has packets too: its sample had flows
        info.firstNs = std::min(info.firstNs, otherInfo.firstNs);
        info.lastNs = std::max(info.lastNs, otherInfo.lastNs);
    }
    if (!tally.firstMalformed && otherTally.firstMalformed) {
        tally.firstMalformed = otherTally.firstMalformed;
        tally.firstMalformedFrame = framesBefore + otherTally.firstMalformedFrame;
    }
    if (otherInfo.truncated) {
        info.errors.push_back(std::move(stopped));
        info.truncated = true;
    }
    return true;
}

// Reads the whole capture into `table`.
//
// A plain pcap file of many short connections is read in two parts at once: its cost is
// storing each packet in its flow (a hash lookup, a record written), which only more cores can
// share, and the reading thread otherwise leaves the second core idle for two-thirds of the
// analysis. The first sixteenth is read first; when its flows are all short, a second reader
// starts at a record boundary near the middle of the rest (CaptureReader::openPartFrom) and
// reads to the end on a second thread into a table of its own, while this thread reads up to
// that boundary; then this table takes the other's flows and records (FlowTable::absorb), as
// if this thread had read on. Anything the merge does not follow exactly (the boundary was not
// one: this reading went past it; the later part met damage; a connection crossing the
// boundary is long, or the options of its SYNs cannot be told apart) drops the later part, and
// this thread reads it again: the result is always that of one reading. Captures of long flows
// are not split: each of those crosses the boundary, and their records would have to be moved.
void readCapture(CaptureReader& reader, const std::string& path, CaptureInfo& info, FrameTally& tally,
                 const AnalyzeOptions& options, FlowTable& table, HelperOnDemand& helper)
{
    constexpr uint64_t PartsFrom = uint64_t{8} << 20; // bytes: below this a thread costs more than it saves
    constexpr uint32_t ShortFlowPackets = 32;         // most packets an average flow of the sample may have
    constexpr int64_t AwakeForSampleNs = 5'000'000;   // reading the first sixteenth of 50,000 connections: 2-4 ms
    const uint64_t size = info.fileBytes;
    const ReadPart whole{0, size};
    const auto readRest = [&] {
        reader.setLimit(UINT64_MAX);
        if (!info.truncated && !info.cancelled) readFrames(reader, path, info, tally, options, table, whole);
    };
    if (options.partsJoined) *options.partsJoined = false;
    if (!reader.readsInParts()) {
        readFrames(reader, path, info, tally, options, table, whole);
        return;
    }
    if (options.partBoundaryFrom > 0) {
        std::unique_ptr<CaptureReader> later = reader.openPartFrom(options.partBoundaryFrom);
        const bool joined =
            later && readLaterPartAtOnce(reader, std::move(later), path, info, tally, options, table, helper.get());
        if (options.partsJoined) *options.partsJoined = joined;
        if (!joined) readRest();
        return;
    }
    if (size < PartsFrom) {
        readFrames(reader, path, info, tally, options, table, whole);
        return;
    }
    helper.awakeFor(AwakeForSampleNs); // so that it is awake when the later part is handed to it
    reader.setLimit(size / 16);
    readFrames(reader, path, info, tally, options, table, whole);
    if (info.truncated || info.cancelled || reader.position() < size / 16) return; // read whole, or stopped
    if (!table.shortFlowsOnly(ShortFlowPackets)) return readRest();
    const uint64_t at = reader.position();
    std::unique_ptr<CaptureReader> later = reader.openPartFrom(at + (size - at) / 2);
    if (!later) return readRest();
    if (!readLaterPartAtOnce(reader, std::move(later), path, info, tally, options, table, helper.get()))
        readRest();
    else if (options.partsJoined)
        *options.partsJoined = true;
}

// Tracks flows [begin, end) and builds their findings into `out`; stops early when cancelled.
// `events` is reused from call to call: its buffers grow once, not once per flow.
void analyseFlowRange(Analysis& a, size_t begin, size_t end, FindingList& out, FlowEvents& events,
                      const std::atomic<bool>* cancel)
{
    constexpr size_t CancelCheckFlows = 256;
    for (size_t i = begin; i < end; ++i) {
        if ((i - begin) % CancelCheckFlows == 0 && stopRequested(cancel)) return;
        Flow& f = a.flows[i];
        trackFlow(a, f, a.capture.lastNs, events);
        buildFindings(a, f, events, a.capture.lastNs, out);
    }
}

// Groups the flows' head records (FlowTable::groupHeads) and runs the per-flow analysis.
//
// Flows are independent (each writes only its own records' marks and its own Flow), so with
// many packets they are analysed on two threads: the flows are cut into chunks of about
// ChunkPackets packets, which a helper thread takes from the front and this thread from the
// back until they meet. The helper starts at once, while this thread moves the head records:
// a chunk waits until its flows' heads are in place (they are in flow order, so the first
// chunks are ready almost at once), and this thread starts on the last chunks when all are
// placed. On 50,000 short connections the grouping (a third of the analysis' time) so runs
// beside the analysis instead of before it. (Both threads taking the next chunk from the
// front was 5 % slower on 64 interleaved streams: two threads walking the blocks of
// neighbouring flows, which lie interleaved in memory, contend where two far apart do not.)
// Findings keep flow order: each chunk's go into a list of their own, joined at the end.
void groupAndAnalyse(Analysis& a, FlowTable& table, const std::atomic<bool>* cancel, HelperOnDemand& helper)
{
    constexpr uint32_t ParallelFrom = 100'000; // packets: below this a thread costs more than it saves
    constexpr uint64_t ChunkPackets = 8192;
    const size_t n = a.flows.size();
    if (n < 2 || a.packets.size() < ParallelFrom) {
        table.groupHeads({});
        FlowEvents events;
        FindingList found;
        analyseFlowRange(a, 0, n, found, events, cancel);
        a.findings.assign(std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
        return;
    }
    std::vector<size_t> chunkStart; // first flow of each chunk, then n
    uint64_t packets = ChunkPackets;
    for (size_t i = 0; i < n; ++i) {
        if (packets >= ChunkPackets) {
            chunkStart.push_back(i);
            packets = 0;
        }
        packets += a.flows[i].packets.size();
    }
    chunkStart.push_back(n);
    const size_t chunks = chunkStart.size() - 1;
    std::vector<FindingList> found(chunks);

    std::atomic<uint32_t> placedBelow{0}; // head positions below this hold their final records
    std::atomic<bool> abandoned{false};   // the grouping failed: nothing more is analysed
    std::mutex taking;
    size_t front = 0, back = chunks; // chunks not taken yet: [front, back)
    const auto work = [&](bool fromBack) {
        FlowEvents events;
        for (;;) {
            size_t c = 0;
            {
                const std::lock_guard<std::mutex> lock(taking);
                if (front == back) return;
                c = fromBack ? --back : front++;
            }
            const Flow& last = a.flows[chunkStart[c + 1] - 1];
            const uint32_t ready = last.packets.first + last.packets.headCount();
            while (placedBelow.load(std::memory_order_acquire) < ready) {
                if (abandoned.load() || stopRequested(cancel)) return;
                std::this_thread::yield();
            }
            analyseFlowRange(a, chunkStart[c], chunkStart[c + 1], found[c], events, cancel);
        }
    };
    HelperThread& other = helper.get();
    other.start([&] { work(false); });
    try {
        table.groupHeads([&](uint32_t below) { placedBelow.store(below, std::memory_order_release); });
        work(true);
    } catch (...) {
        abandoned.store(true);
        other.finish();
        throw;
    }
    other.wait();
    size_t total = 0;
    for (const auto& f : found)
        total += f.size();
    a.findings.reserve(total);
    for (size_t c = 0; c < chunks; ++c) {
        a.findings.insert(a.findings.end(), std::make_move_iterator(found[c].begin()),
                          std::make_move_iterator(found[c].end()));
        FindingList().swap(found[c]); // its pages go back now (FindingList)
    }
}

} // namespace

namespace {

// Reads `reader` (which `name` names in messages) into a new Analysis and analyses it.
// `merged` (may be null) is the same reader when it merges several files.
AnalysisPtr analyzeReader(CaptureReader& reader, const std::string& file, const std::string& name,
                          const MergedReader* merged, const AnalyzeOptions& options)
{
    auto analysis = std::make_shared<Analysis>();
    CaptureInfo& info = analysis->capture;
    info.file = file;
    info.format = reader.format();
    if (reader.compression() != Compression::None) info.compression = compressionName(reader.compression());
    info.fileBytes = reader.fileSize();
    noteLinktype(info, reader.dlt());

    FlowTable table(*analysis);
    table.reserveFor(info.fileBytes);
    FrameTally tally;
    HelperOnDemand helper(options.helper); // the caller's, or one of its own when first needed
    readCapture(reader, name, info, tally, options, table, helper);
    finishMessages(name, info, tally);
    if (merged) {
        info.sources = merged->sources();
        info.frameRuns = merged->frameRuns();
        info.errors.insert(info.errors.begin(), merged->warnings().begin(), merged->warnings().end());
        info.truncated = info.truncated || merged->truncated();
    }

    if (info.linktypes.empty())
        info.linktype = "NONE";
    else
        info.linktype = info.linktypes.size() > 1 ? "MIXED" : info.linktypes.front();

    // Cancel between phases too: grouping and the per-flow analysis of a large capture take
    // as long as reading it.
    auto cancelled = [&] {
        if (!info.cancelled && !stopRequested(options.cancel)) return false;
        info.cancelled = true;
        analysis->flows.clear();
        analysis->findings.clear();
        return true;
    };
    if (cancelled()) return analysis;
    table.settle();
    if (cancelled()) return analysis;
    groupAndAnalyse(*analysis, table, options.cancel, helper);
    if (cancelled()) return analysis;
    if (options.progress) options.progress(1.0);
    return analysis;
}

} // namespace

AnalysisPtr analyzeFile(const std::string& path, std::string& error, const AnalyzeOptions& options)
{
    auto reader = CaptureReader::open(path, error);
    if (!reader) return nullptr;
    return analyzeReader(*reader, path, path, nullptr, options);
}

namespace {

// Frames in memory, read like a file.
class FrameListReader final : public CaptureReader {
public:
    explicit FrameListReader(const std::vector<RawFrame>& frames) : frames_(frames) {}
    Status next(RawFrame& frame) override
    {
        if (at_ >= frames_.size()) return Status::End;
        frame = frames_[at_++];
        return Status::Frame;
    }
    std::string error() const override { return {}; }
    bool truncated() const override { return false; }
    CaptureFormat format() const override { return CaptureFormat::Pcap; }
    int dlt() const override { return frames_.empty() ? -1 : frames_.front().dlt; }
    uint64_t position() const override { return 0; }
    uint64_t fileSize() const override { return 0; }

private:
    const std::vector<RawFrame>& frames_;
    size_t at_ = 0;
};

} // namespace

AnalysisPtr analyzeFrames(const std::vector<RawFrame>& frames, const std::string& name)
{
    FrameListReader reader(frames);
    return analyzeReader(reader, name, name, nullptr, {});
}

AnalysisPtr analyzeFiles(const std::vector<std::string>& paths, std::string& error, const AnalyzeOptions& options)
{
    if (paths.size() == 1) return analyzeFile(paths.front(), error, options);
    auto reader = MergedReader::open(paths, error);
    if (!reader) return nullptr;
    const std::string& first = reader->sources().front().path;
    return analyzeReader(*reader, first, captureDisplayName(first, reader->sources().size()), reader.get(), options);
}

} // namespace flowladder::core
