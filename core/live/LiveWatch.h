#pragma once
// The analysis of a live capture (`flowladder-cli watch`), fed frame by frame. Each connection
// keeps its recent frames; when it has settled (no packet for a moment, or a while since it was
// last looked at while busy) its frames are analysed exactly as a capture file holding them
// would be (analyzeFrames), and the findings not reported before are handed out. A finding
// about how a connection ends (lingering in CLOSE-WAIT, a handshake never answered) is only
// certain when the connection has gone quiet for good: it comes when the connection expires
// (idle for `idleExpireNs`) or at finish(). Expired connections are dropped, so memory stays
// bounded however long the watch runs.

#include "core/capture/CaptureReader.h"
#include "core/model/Analysis.h"

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace flowladder::core {

struct LiveOptions {
    int64_t settleNs = 300'000'000;           // quiet this long: analyse
    int64_t busyRecheckNs = 2'000'000'000;    // a connection that never goes quiet: analyse this often
    int64_t idleExpireNs = 300'000'000'000;   // quiet this long: final analysis, then dropped
    int64_t closedExpireNs = 10'000'000'000;  // after a RST or both FINs: dropped after this much quiet
    uint32_t maxFramesPerConnection = 50'000; // the oldest (after the first 32) go beyond this
    uint32_t maxConnections = 200'000;        // the longest-quiet go beyond this
};

// A finding of the watch: the connection it is about (numbered in order of first packet over
// the whole watch) and the finding as analyze --json writes it.
struct LiveFinding {
    uint64_t connection = 0;
    std::string client, server;
    int64_t seenNs = 0; // time of the watch's clock when it became certain
    Finding finding;
};

// A connection that expired (or was open at finish()) after having findings: its frames, for
// `--write-flows`.
struct LiveFlowFrames {
    uint64_t connection = 0;
    std::string ends; // "10.0.0.1:80-10.0.0.2:41000": its two ends, in sorted order
    int dlt = 0;
    std::vector<RawFrame> frames; // data points into `bytes`
    std::vector<std::string> bytes;
};

class LiveWatch {
public:
    explicit LiveWatch(LiveOptions options = {}) : options_(options) {}

    // One captured frame (numbered from 1 in arrival order). Frames that are not TCP are counted.
    void add(int dlt, int64_t tsNs, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
    // Analyses the connections that settled by `nowNs` and expires the idle ones; returns the
    // findings not reported before, in the order they became certain.
    std::vector<LiveFinding> poll(int64_t nowNs);
    // The capture ends now: every connection analysed for the last time (findings about how
    // connections end included), then dropped.
    std::vector<LiveFinding> finish(int64_t nowNs);
    // Connections with findings that were dropped since the last call (expiry, finish()).
    std::vector<LiveFlowFrames> takeExpiredWithFindings();

    uint64_t frames() const { return frames_; }
    uint64_t tcpFrames() const { return tcpFrames_; }
    uint64_t connectionsSeen() const { return nextConnection_ - 1; }
    size_t connectionsOpen() const { return conns_.size(); }
    size_t bytesHeld() const { return bytesHeld_; }

private:
    struct Held {
        int64_t tsNs;
        uint32_t frame;
        uint32_t wirelen;
        int dlt;
        std::string bytes;
    };
    struct Connection {
        uint64_t id = 0;
        std::deque<Held> frames;
        int64_t lastNs = 0;      // last packet
        int64_t analysedNs = -1; // watch clock at the last analysis (-1: never)
        bool changed = false;    // packets since the last analysis
        bool closed = false;     // RST, or FIN from both ends
        uint8_t finFrom = 0;     // bit per end (0: the first packet's sender)
        std::string firstSrc;    // endpoint of the first packet's sender
        bool hadFindings = false;
        bool trimmed = false;           // frames were dropped from its middle (maxFramesPerConnection)
        std::set<std::string> reported; // findings handed out: kind, frame, side
    };
    void analyse(Connection& c, int64_t nowNs, bool final, std::vector<LiveFinding>& out);
    using Connections = std::unordered_map<std::string, Connection>;
    // Drops the connection (keeping its frames for takeExpiredWithFindings() when it had findings).
    Connections::iterator expire(Connections::iterator it);

    LiveOptions options_;
    Connections conns_; // by address/port pair, the two ends in sorted order
    std::vector<LiveFlowFrames> expired_;
    uint64_t frames_ = 0, tcpFrames_ = 0, nextConnection_ = 1;
    size_t bytesHeld_ = 0;
};

} // namespace flowladder::core
