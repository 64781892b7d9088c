#include "core/report/TextFormat.h"
#include "core/tcp/FindingBuilderImpl.h"

namespace flowladder::core {

namespace findings_detail {

namespace {
// A closing state held at least this long, retransmitting, is worth a finding even when it ends.
constexpr int64_t LingeringNs = 1'000'000'000;
} // namespace

void Builder::handshakeUnanswered()
{
    for (Side s : {Side::Client, Side::Server}) {
        if (f_.side(otherSide(s)).sent) continue;
        HandshakeUnanswered d;
        d.side = s;
        int64_t firstTs = 0, lastTs = 0;
        for (uint32_t row = 0; row < f_.packetCount(); ++row) {
            const PacketRecord& p = rec(row);
            if (p.side() != s || !p.has(tcpflag::SYN) || p.has(tcpflag::ACK)) continue;
            if (d.count++ == 0) firstTs = ts(p);
            lastTs = ts(p);
            if (d.frames.size() < MaxListedFrames) d.frames.push_back(p.frame);
        }
        if (d.count == 0) continue;
        d.durationNs = lastTs - firstTs;
        Finding& x =
            add(FindingKind::HandshakeUnanswered, d.count > 1 ? Severity::Error : Severity::Info, d.frames.front());
        if (d.count > 1)
            x.summary = fmt("%s's SYN #%u was never answered: sent %u times over %s, no SYN-ACK and no RST came "
                            "back (the %s is unreachable or a box in the path drops the connection silently).",
                            capitalized(who(s)).c_str(), d.frames.front(), d.count,
                            formatDuration(d.durationNs).c_str(), who(otherSide(s)).c_str());
        else
            x.summary = fmt("%s's SYN #%u got no answer in the capture (no SYN-ACK, no RST).",
                            capitalized(who(s)).c_str(), d.frames.front());
        x.relatedFrames.assign(d.frames.begin() + 1, d.frames.end());
        x.detail = std::move(d);
    }
}

void Builder::simultaneousClose()
{
    if (ev_.crossedFinRow[0] < 0 || ev_.crossedFinRow[1] < 0) return;
    const uint32_t c = frame(static_cast<uint32_t>(ev_.crossedFinRow[0]));
    const uint32_t s = frame(static_cast<uint32_t>(ev_.crossedFinRow[1]));
    Finding& x = add(FindingKind::SimultaneousClose, Severity::Info, std::min(c, s));
    x.summary = fmt("Simultaneous close: the client's FIN #%u and the server's FIN #%u crossed (each was sent "
                    "before the other arrived), so both sides went through CLOSING (RFC 9293 \u00a73.6).",
                    c, s);
    x.relatedFrames.push_back(std::max(c, s));
    x.detail = SimultaneousClose{c, s};
}

void Builder::finRetransmits()
{
    for (Side s : {Side::Client, Side::Server}) {
        uint32_t original = 0, count = 0;
        std::vector<uint32_t> frames;
        for (const FinEvent& e : ev_.fins) {
            if (e.sender != s) continue;
            if (!e.retransmit)
                original = frame(e.row);
            else {
                ++count;
                if (frames.size() < MaxListedFrames) frames.push_back(frame(e.row));
            }
        }
        if (count == 0) continue;
        const bool acked = ev_.finAcked[sideIndex(s)];
        Finding& x = add(FindingKind::FinRetransmit, Severity::Warning, frames.front());
        x.summary = fmt("%s sent its FIN #%u %u more time%s: %s.", capitalized(who(s)).c_str(), original, count,
                        count == 1 ? "" : "s",
                        acked ? "it was acknowledged only late"
                              : fmt("the %s never acknowledged it", who(otherSide(s)).c_str()).c_str());
        x.relatedFrames = frames;
        x.relatedFrames.push_back(original);
        x.detail = FinRetransmit{s, original, count, acked, std::move(frames)};
    }
}

void Builder::lingering(Side s)
{
    const auto& states = ev_.states.side(s);
    // The last run of closing states, and what ended it.
    int64_t runStart = -1, runEnd = -1;
    for (size_t i = 0; i < states.size(); ++i) {
        if (isLingeringState(states[i].state)) {
            if (runStart < 0 || runEnd >= 0) {
                runStart = static_cast<int64_t>(i);
                runEnd = -1;
            }
        } else if (runStart >= 0 && runEnd < 0) {
            runEnd = static_cast<int64_t>(i);
        }
    }
    if (runStart < 0) return;
    const StateChange& since = states[static_cast<size_t>(runStart)];
    const bool resolved = runEnd >= 0;
    const StateChange& stuck =
        states[static_cast<size_t>(resolved ? runEnd - 1 : static_cast<int64_t>(states.size()) - 1)];
    const int64_t endTs = resolved ? states[static_cast<size_t>(runEnd)].tsNs : endNs_;
    const uint32_t endIdx = resolved ? states[static_cast<size_t>(runEnd)].packet : UINT32_MAX;
    uint32_t retransmits = 0;
    if (ev_.marksGiven & mark::Retransmission) { // else there are none to count
        for (uint32_t idx : f_.packets) {
            if (idx < since.packet) continue;
            if (idx >= endIdx) break;
            const PacketRecord& p = a_.packets[idx];
            if (p.side() == s && p.marked(mark::Retransmission)) ++retransmits;
        }
    }
    const int64_t duration = endTs - since.tsNs;
    const bool outstanding = ev_.outstanding[sideIndex(s)];
    // Worth a finding: retransmitting into silence for a while, or left hanging at the end.
    const bool longEnough = duration >= LingeringNs;
    const bool report =
        longEnough && (retransmits > 0 || (!resolved && (outstanding || stuck.state == TcpState::CloseWait)));
    if (!report) return;
    const uint32_t sinceFrame = a_.packets[since.packet].frame;
    Finding& x = add(FindingKind::LingeringClose, !resolved && retransmits > 0 ? Severity::Error : Severity::Warning,
                     sinceFrame);
    const std::string peer = who(otherSide(s));
    std::string why;
    switch (stuck.state) {
    case TcpState::CloseWait:
        why = fmt("it got the %s's FIN but never sent its own", peer.c_str());
        break;
    case TcpState::FinWait1:
        why = "its FIN was never acknowledged";
        break;
    case TcpState::FinWait2:
        why = fmt("its FIN was acknowledged but the %s never sent one", peer.c_str());
        break;
    case TcpState::LastAck:
        why = "its FIN was never acknowledged";
        break;
    case TcpState::Closing:
        why = "both sent FINs, its own was never acknowledged";
        break;
    default:
        break;
    }
    const std::string retr =
        retransmits ? fmt(", retransmitting %u time%s into silence", retransmits, retransmits == 1 ? "" : "s")
                    : std::string();
    x.summary = fmt("%s stuck in %s for %s since #%u (%s)%s; %s.", capitalized(who(s)).c_str(),
                    std::string(tcpStateName(stuck.state)).c_str(), formatDuration(duration).c_str(), sinceFrame,
                    why.c_str(), retr.c_str(),
                    resolved ? fmt("left it at #%u", a_.packets[endIdx].frame).c_str()
                             : "still unresolved when the capture ends");
    x.detail = LingeringClose{s, stuck.state, sinceFrame, retransmits, duration, !resolved, outstanding};
}

void Builder::usual()
{
    struct Kind {
        uint16_t bit;
        FindingKind kind;
        Severity sev;
        const char* text; // %s side, %u count, %s plural, %u first frame
    };
    static constexpr Kind kinds[] = {
        {mark::Retransmission, FindingKind::Retransmission, Severity::Warning,
         "%s retransmitted %u segment%s (first #%u)."},
        {mark::DupAck, FindingKind::DupAck, Severity::Info, "%s sent %u duplicate ACK%s (first #%u)."},
        {mark::ZeroWindow, FindingKind::ZeroWindow, Severity::Warning,
         "%s advertised a zero window %u time%s (first #%u): its receive buffer was full."},
        {mark::KeepAlive, FindingKind::KeepAlive, Severity::Info, "%s sent %u keep-alive%s (first #%u)."},
        {mark::ZeroWindowProbe, FindingKind::ZeroWindowProbe, Severity::Info,
         "%s sent %u zero-window probe%s (first #%u): the peer's receive window was closed."},
        {mark::SegmentNotCaptured, FindingKind::SegmentNotCaptured, Severity::Info,
         "%s's sequence jumps %u time%s (first #%u): segments before them were not captured."},
    };
    // One pass over the flow collects every kind for both sides.
    constexpr size_t KindCount = std::size(kinds);
    std::vector<uint32_t> frames[2][KindCount];
    uint32_t counts[2][KindCount] = {};
    constexpr uint16_t anyBit = mark::Retransmission | mark::DupAck | mark::ZeroWindow | mark::KeepAlive |
                                mark::ZeroWindowProbe | mark::SegmentNotCaptured;
    if (!(ev_.marksGiven & anyBit)) return; // no packet has any of them
    for (uint32_t idx : f_.packets) {
        const PacketRecord& p = a_.packets[idx];
        if (!(p.marks & anyBit)) continue;
        const int s = sideIndex(p.side());
        for (size_t k = 0; k < KindCount; ++k) {
            if (!p.marked(kinds[k].bit)) continue;
            ++counts[s][k];
            if (frames[s][k].size() < MaxListedFrames) frames[s][k].push_back(p.frame);
        }
    }
    for (Side s : {Side::Client, Side::Server}) {
        for (size_t k = 0; k < KindCount; ++k) {
            const uint32_t count = counts[sideIndex(s)][k];
            if (count == 0) continue;
            std::vector<uint32_t>& fr = frames[sideIndex(s)][k];
            Finding& x = add(kinds[k].kind, kinds[k].sev, fr.front());
            x.summary = fmt(kinds[k].text, capitalized(who(s)).c_str(), count, count == 1 ? "" : "s", fr.front());
            x.relatedFrames = fr;
            x.detail = MarkedPackets{s, count, std::move(fr)};
        }
    }
}

} // namespace findings_detail

void buildFindings(const Analysis& analysis, Flow& flow, const FlowEvents& events, int64_t captureEndNs,
                   FindingList& out)
{
    findings_detail::Builder(analysis, flow, events, captureEndNs, out).run();
}

} // namespace flowladder::core
