#include "core/live/LiveWatch.h"

#include "core/capture/Decoder.h"
#include "core/tcp/Analyzer.h"

#include <algorithm>

namespace flowladder::core {

namespace {

constexpr size_t KeptHead = 32; // a connection's first frames are never dropped (handshake, options)

// Findings about how a connection ended: certain only once it has gone quiet for good.
bool aboutTheEnd(FindingKind k)
{
    return k == FindingKind::LingeringClose || k == FindingKind::HandshakeUnanswered;
}

std::string pairKey(const Endpoint& a, const Endpoint& b)
{
    std::string x = a.toString(), y = b.toString();
    return x < y ? x + ' ' + y : y + ' ' + x;
}

} // namespace

void LiveWatch::add(int dlt, int64_t tsNs, const uint8_t* data, uint32_t caplen, uint32_t wirelen)
{
    const auto frame = static_cast<uint32_t>(++frames_);
    DecodedPacket p;
    if (decodeFrame(dlt, data, caplen, p).status != DecodeStatus::Tcp) return;
    ++tcpFrames_;
    auto [it, fresh] = conns_.try_emplace(pairKey(p.src, p.dst));
    Connection& c = it->second;
    if (fresh) {
        c.id = nextConnection_++;
        c.firstSrc = p.src.toString();
        if (conns_.size() > options_.maxConnections) {
            // Too many at once (a scan, a flood): the longest-quiet one goes.
            auto oldest = conns_.end();
            for (auto i = conns_.begin(); i != conns_.end(); ++i)
                if (i != it && (oldest == conns_.end() || i->second.lastNs < oldest->second.lastNs)) oldest = i;
            if (oldest != conns_.end()) expire(oldest);
        }
    }
    if (c.frames.size() >= options_.maxFramesPerConnection && c.frames.size() > KeptHead) {
        bytesHeld_ -= c.frames[KeptHead].bytes.size();
        c.frames.erase(c.frames.begin() + KeptHead);
        c.trimmed = true;
    }
    c.frames.push_back({tsNs, frame, wirelen, dlt, std::string(reinterpret_cast<const char*>(data), caplen)});
    bytesHeld_ += caplen;
    c.lastNs = tsNs;
    c.changed = true;
    if (p.flags & tcpflag::RST) c.closed = true;
    if (p.flags & tcpflag::FIN) {
        c.finFrom |= p.src.toString() == c.firstSrc ? 1 : 2;
        if (c.finFrom == 3) c.closed = true;
    }
}

void LiveWatch::analyse(Connection& c, int64_t nowNs, bool final, std::vector<LiveFinding>& out)
{
    c.changed = false;
    c.analysedNs = nowNs;
    std::vector<RawFrame> raw;
    raw.reserve(c.frames.size());
    for (const Held& h : c.frames)
        raw.push_back({h.frame, h.tsNs, h.dlt, static_cast<uint32_t>(h.bytes.size()), h.wirelen,
                       reinterpret_cast<const uint8_t*>(h.bytes.data())});
    const AnalysisPtr a = analyzeFrames(raw, "live capture");
    if (!a) return;
    for (const Finding& f : a->findings) {
        if (!final && aboutTheEnd(f.kind)) continue;
        // Frames dropped from the middle of a long connection look like segments not captured.
        if (c.trimmed && f.kind == FindingKind::SegmentNotCaptured) continue;
        const auto side = f.side();
        std::string key = std::string(findingKindName(f.kind)) + ' ' + std::to_string(f.frame) + ' ' +
                          (side ? std::string(sideName(*side)) : std::string());
        if (!c.reported.insert(std::move(key)).second) continue;
        LiveFinding lf;
        lf.connection = c.id;
        if (const Flow* flow = a->flowById(f.flow)) {
            lf.client = flow->endpoint(Side::Client).toString();
            lf.server = flow->endpoint(Side::Server).toString();
        }
        lf.seenNs = nowNs;
        lf.finding = f;
        out.push_back(std::move(lf));
        c.hadFindings = true;
    }
}

LiveWatch::Connections::iterator LiveWatch::expire(Connections::iterator it)
{
    Connection& c = it->second;
    for (const Held& h : c.frames)
        bytesHeld_ -= h.bytes.size();
    if (c.hadFindings) {
        LiveFlowFrames ff;
        ff.connection = c.id;
        ff.dlt = c.frames.empty() ? 0 : c.frames.front().dlt;
        for (Held& h : c.frames) {
            ff.bytes.push_back(std::move(h.bytes));
            ff.frames.push_back({h.frame, h.tsNs, h.dlt, 0, h.wirelen, nullptr});
        }
        for (size_t i = 0; i < ff.frames.size(); ++i) {
            ff.frames[i].caplen = static_cast<uint32_t>(ff.bytes[i].size());
            ff.frames[i].data = reinterpret_cast<const uint8_t*>(ff.bytes[i].data());
        }
        ff.ends = it->first;
        std::replace(ff.ends.begin(), ff.ends.end(), ' ', '-');
        expired_.push_back(std::move(ff));
    }
    return conns_.erase(it);
}

std::vector<LiveFinding> LiveWatch::poll(int64_t nowNs)
{
    std::vector<LiveFinding> out;
    for (auto it = conns_.begin(); it != conns_.end();) {
        Connection& c = it->second;
        const int64_t quiet = nowNs - c.lastNs;
        const bool busyTooLong = c.analysedNs >= 0
                                     ? nowNs - c.analysedNs >= options_.busyRecheckNs
                                     : !c.frames.empty() && nowNs - c.frames.front().tsNs >= options_.busyRecheckNs;
        if (c.changed && (quiet >= options_.settleNs || busyTooLong)) analyse(c, nowNs, false, out);
        if (quiet >= (c.closed ? options_.closedExpireNs : options_.idleExpireNs)) {
            analyse(c, nowNs, true, out);
            it = expire(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<LiveFinding> LiveWatch::finish(int64_t nowNs)
{
    std::vector<LiveFinding> out;
    for (auto it = conns_.begin(); it != conns_.end();) {
        analyse(it->second, nowNs, true, out);
        it = expire(it);
    }
    return out;
}

std::vector<LiveFlowFrames> LiveWatch::takeExpiredWithFindings()
{
    std::vector<LiveFlowFrames> out;
    out.swap(expired_);
    return out;
}

} // namespace flowladder::core
