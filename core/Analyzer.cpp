#include "core/Analyzer.h"

#include "core/CaptureReader.h"
#include "core/Decoder.h"
#include "core/FindingBuilder.h"
#include "core/FlowTable.h"
#include "core/TcpTracker.h"

#include <algorithm>

namespace flowladder::core {

namespace {

constexpr uint32_t ProgressBatch = 4096; // frames between progress / cancel checks

void noteLinktype(CaptureInfo& info, int dlt) {
    if (dlt < 0) return; // no interface described yet
    const std::string name = linktypeName(dlt);
    if (std::find(info.linktypes.begin(), info.linktypes.end(), name) == info.linktypes.end())
        info.linktypes.push_back(name);
}

} // namespace

AnalysisPtr analyzeFile(const std::string& path, std::string& error, const AnalyzeOptions& options) {
    auto reader = CaptureReader::open(path, error);
    if (!reader) return nullptr;

    auto analysis = std::make_shared<Analysis>();
    CaptureInfo& info = analysis->capture;
    info.file = path;
    info.format = reader->format();
    info.fileBytes = reader->fileSize();
    noteLinktype(info, reader->dlt());

    FlowTable table(*analysis);
    DecodedPacket decoded;
    RawFrame frame;
    int lastDlt = reader->dlt();
    double lastProgress = -1;
    const char* firstMalformed = nullptr;
    uint32_t firstMalformedFrame = 0;
    bool unsupportedReported = false;
    for (;;) {
        const auto status = reader->next(frame);
        if (status == CaptureReader::Status::End) break;
        if (status == CaptureReader::Status::Error) {
            info.errors.push_back(reader->error());
            info.truncated = reader->truncated();
            break;
        }
        ++info.packets;
        if (info.packets == 1 || frame.tsNs < info.firstNs) info.firstNs = frame.tsNs;
        if (frame.tsNs > info.lastNs || info.packets == 1) info.lastNs = frame.tsNs;
        if (frame.dlt != lastDlt) {
            lastDlt = frame.dlt;
            noteLinktype(info, frame.dlt);
        }
        const DecodeResult r = decodeFrame(frame.dlt, frame.data, frame.caplen, decoded);
        switch (r.status) {
        case DecodeStatus::Tcp:
            ++info.tcpPackets;
            table.add(frame.frame, frame.tsNs, decoded);
            break;
        case DecodeStatus::Fragment: ++info.ipFragments; break;
        case DecodeStatus::Malformed:
            if (!firstMalformed) {
                firstMalformed = r.error;
                firstMalformedFrame = frame.frame;
            }
            ++info.malformed;
            break;
        case DecodeStatus::Unsupported:
            ++info.unsupportedLink;
            if (!unsupportedReported) {
                unsupportedReported = true;
                info.errors.push_back(path + ": frames with link type " + std::to_string(frame.dlt) +
                                      " are not supported (first: frame " + std::to_string(frame.frame) + ")");
            }
            break;
        case DecodeStatus::NotTcp: break;
        }
        if ((info.packets % ProgressBatch) == 0) {
            if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
                info.cancelled = true;
                break;
            }
            if (options.progress && info.fileBytes > 0) {
                const double fraction = static_cast<double>(reader->position()) / static_cast<double>(info.fileBytes);
                if (fraction - lastProgress >= 0.001) {
                    lastProgress = fraction;
                    options.progress(std::min(fraction, 1.0));
                }
            }
        }
    }
    if (firstMalformed) {
        info.errors.push_back(path + ": " + std::to_string(info.malformed) + " frame" +
                              (info.malformed == 1 ? "" : "s") + " with damaged headers (first: frame " +
                              std::to_string(firstMalformedFrame) + ", " + firstMalformed + ")");
    }
    if (info.linktypes.empty()) info.linktype = "NONE";
    else info.linktype = info.linktypes.size() > 1 ? "MIXED" : info.linktypes.front();

    table.finish();
    for (Flow& flow : analysis->flows) {
        const FlowEvents events = trackFlow(*analysis, flow, info.lastNs);
        buildFindings(*analysis, flow, events, info.lastNs);
    }
    if (options.progress) options.progress(1.0);
    return analysis;
}

} // namespace flowladder::core
