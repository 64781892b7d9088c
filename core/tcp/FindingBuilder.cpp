#include "core/tcp/FindingBuilder.h"

#include "core/report/TextFormat.h"

#include <cinttypes>
#include <cstdio>

namespace flowladder::core {

namespace {

constexpr size_t MaxListedFrames = 100;
// A closing state held at least this long, retransmitting, is worth a finding even when it ends.
constexpr int64_t LingeringNs = 1'000'000'000;

std::string fmt(const char* f, auto... args)
{
    char buf[512];
    std::snprintf(buf, sizeof buf, f, args...);
    return buf;
}

std::string capitalized(std::string_view s)
{
    std::string out(s);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
}

class Builder {
public:
    Builder(const Analysis& a, Flow& f, const FlowEvents& ev, int64_t endNs, std::vector<Finding>& out)
        : a_(a), f_(f), ev_(ev), endNs_(endNs), out_(out)
    {
    }

    void run()
    {
        for (const RstEvent& r : ev_.rsts)
            rst(r);
        rstIgnored();
        finRetransmits();
        lingering(Side::Client);
        lingering(Side::Server);
        usual();
    }

private:
    const PacketRecord& rec(uint32_t row) const { return a_.packets[f_.packets[row]]; }
    uint32_t frame(uint32_t row) const { return rec(row).frame; }
    std::string who(Side s) const { return std::string(sideName(s)); }
    uint32_t rel(Side sender, uint32_t seq) const { return seq - f_.side(sender).isn; }

    Finding& add(FindingKind kind, Severity sev, uint32_t frameNo)
    {
        f_.findings.push_back(static_cast<uint32_t>(out_.size()));
        Finding& x = out_.emplace_back();
        x.kind = kind;
        x.severity = sev;
        x.flow = f_.id;
        x.frame = frameNo;
        return x;
    }

    std::string rstSeqText(const RstEvent& r) const
    {
        const uint32_t rs = rel(r.sender, rec(r.row).seq), ex = rel(r.sender, r.expectedSeq);
        switch (r.cls) {
        case RstClass::OffByOneAfterFin:
            return fmt("seq %u = RCV.NXT \u2212 1 after the %s's FIN, %s expected %u", rs, who(r.sender).c_str(),
                       who(otherSide(r.sender)).c_str(), ex);
        case RstClass::InWindow:
            return fmt("seq %u is %d past RCV.NXT %u, inside the %u-byte window", rs, r.delta, ex, r.receiveWindow);
        case RstClass::OutOfWindow:
            if (r.delta > 0)
                return fmt("seq %u is %d past RCV.NXT %u, beyond the %u-byte window", rs, r.delta, ex, r.receiveWindow);
            return fmt("seq %u is %d below RCV.NXT %u", rs, -static_cast<int64_t>(r.delta), ex);
        default:
            return fmt("seq %u", rs);
        }
    }

    void rst(const RstEvent& r)
    {
        const Side sender = r.sender, receiver = otherSide(sender);
        const PacketRecord& p = rec(r.row);
        if (r.receiverInSynSent) {
            Finding& x = add(FindingKind::ConnectionRefused, Severity::Warning, p.frame);
            x.summary = fmt("%s refused the connection: RST #%u answered the %s's SYN.",
                            capitalized(who(sender)).c_str(), p.frame, who(receiver).c_str());
            x.detail = ConnectionRefused{sender};
            return;
        }
        if (r.cls == RstClass::Exact || r.cls == RstClass::NotJudged) {
            if (r.ttlMismatch) fingerprint(r);
            return;
        }

        const bool ignored = r.outcome == RstOutcome::Ignored;
        Finding& x = add(FindingKind::RstSeqMismatch,
                         ignored || r.cls == RstClass::OffByOneAfterFin ? Severity::Error : Severity::Warning, p.frame);
        const std::string seqText = rstSeqText(r);
        const std::string challenge =
            r.challengeAckRow >= 0 ? fmt("; challenge ACK #%u", frame(static_cast<uint32_t>(r.challengeAckRow))) : "";
        const std::string R = capitalized(who(receiver));
        if (ignored) {
            const int64_t span = r.lastRowAfter >= 0 ? rec(static_cast<uint32_t>(r.lastRowAfter)).tsNs - p.tsNs : 0;
            std::string tail;
            const TcpState endState = f_.side(receiver).finalState;
            if (isLingeringState(endState))
                tail = fmt("; still in %s when the capture ends", std::string(tcpStateName(endState)).c_str());
            const std::string retrans =
                r.retransmitsAfter ? fmt(", %u of them retransmissions", r.retransmitsAfter) : std::string();
            x.summary = fmt("%s ignored RST #%u from the %s (%s%s) and kept sending %u packets for %s%s%s.", R.c_str(),
                            p.frame, who(sender).c_str(), seqText.c_str(), challenge.c_str(), r.framesAfter,
                            formatDuration(span).c_str(), retrans.c_str(), tail.c_str());
        } else if (r.outcome == RstOutcome::TookEffect) {
            const bool linuxLenient = r.cls == RstClass::OffByOneAfterFin &&
                                      (r.receiverState == TcpState::CloseWait || r.receiverState == TcpState::LastAck ||
                                       r.receiverState == TcpState::Closing);
            x.summary = fmt("RST #%u from the %s was not exact (%s%s), yet the %s went silent: it took effect%s.",
                            p.frame, who(sender).c_str(), seqText.c_str(), challenge.c_str(), who(receiver).c_str(),
                            linuxLenient ? " (Linux accepts RCV.NXT \u2212 1 in CLOSE-WAIT, LAST-ACK and CLOSING; "
                                           "strict RFC 5961 stacks ignore it)"
                                         : "");
        } else {
            x.summary = fmt("RST #%u from the %s was not exact (%s%s); the capture ends before showing whether "
                            "the %s accepted it.",
                            p.frame, who(sender).c_str(), seqText.c_str(), challenge.c_str(), who(receiver).c_str());
        }
        RstSeqMismatch d;
        d.side = sender;
        d.rstSeq = p.seq;
        d.expectedSeq = r.expectedSeq;
        d.delta = r.delta;
        d.cls = r.cls;
        d.outcome = r.outcome;
        if (r.challengeAckRow >= 0) d.challengeAckFrame = frame(static_cast<uint32_t>(r.challengeAckRow));
        d.receiveWindow = r.receiveWindow;
        d.receiverState = r.receiverState;
        d.framesAfter = r.framesAfter;
        d.rstSeqRelative = rel(sender, p.seq);
        d.expectedSeqRelative = rel(sender, r.expectedSeq);
        x.detail = d;
        if (r.challengeAckRow >= 0) {
            const uint32_t caFrame = frame(static_cast<uint32_t>(r.challengeAckRow));
            x.relatedFrames.push_back(caFrame);
            Finding& c = add(FindingKind::ChallengeAck, Severity::Info, caFrame);
            c.summary =
                fmt("ACK #%u from the %s is a challenge ACK answering the inexact RST #%u (RFC 5961 \u00a73.2), "
                    "not a duplicate ACK: the %s did not accept the RST.",
                    caFrame, who(receiver).c_str(), p.frame, who(receiver).c_str());
            c.detail = ChallengeAck{receiver, p.frame};
            c.relatedFrames.push_back(p.frame);
        }
        if (r.ttlMismatch) fingerprint(r);
    }

    void fingerprint(const RstEvent& r)
    {
        const PacketRecord& p = rec(r.row);
        Finding& x = add(FindingKind::RstFingerprintMismatch, Severity::Warning, p.frame);
        std::string why;
        if (r.ttlMismatch)
            why = fmt("its TTL is %u while the %s's other packets have %u", p.ttl, who(r.sender).c_str(), r.usualTtl);
        if (r.ipIdUnusual) {
            if (!why.empty()) why += ", and ";
            why += fmt("its IP ID %u breaks the %s's sequence (previous %u)", p.ipId, who(r.sender).c_str(),
                       r.previousIpId);
        }
        x.summary = fmt("RST #%u claims to come from the %s but %s: likely forged by a box in the path.", p.frame,
                        who(r.sender).c_str(), why.c_str());
        RstFingerprintMismatch d;
        d.side = r.sender;
        d.ttl = p.ttl;
        d.usualTtl = r.usualTtl;
        if (p.info & pinfo::HasIpId) {
            d.ipId = p.ipId;
            d.previousIpId = r.previousIpId;
        }
        d.ttlMismatch = r.ttlMismatch;
        d.ipIdUnusual = r.ipIdUnusual;
        x.detail = d;
    }

    void rstIgnored()
    {
        for (Side receiver : {Side::Client, Side::Server}) {
            const RstEvent* first = nullptr;
            std::vector<uint32_t> rstFrames;
            for (const RstEvent& r : ev_.rsts) {
                if (otherSide(r.sender) != receiver || r.outcome != RstOutcome::Ignored) continue;
                if (!first) first = &r;
                rstFrames.push_back(frame(r.row));
            }
            if (!first) continue;
            const PacketRecord& p = rec(first->row);
            Finding& x = add(FindingKind::RstIgnored, Severity::Error, p.frame);
            const int64_t span =
                first->lastRowAfter >= 0 ? rec(static_cast<uint32_t>(first->lastRowAfter)).tsNs - p.tsNs : 0;
            x.summary =
                fmt("%s kept sending after RST #%u: %u more packets over %s%s.", capitalized(who(receiver)).c_str(),
                    p.frame, first->framesAfter, formatDuration(span).c_str(),
                    rstFrames.size() > 1 ? fmt(" (%zu RSTs ignored in all)", rstFrames.size()).c_str() : "");
            x.relatedFrames = rstFrames;
            x.detail = RstIgnored{receiver, p.frame, first->framesAfter, std::move(rstFrames)};
        }
    }

    void finRetransmits()
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

    void lingering(Side s)
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
        for (uint32_t idx : f_.packets) {
            if (idx < since.packet) continue;
            if (idx >= endIdx) break;
            const PacketRecord& p = a_.packets[idx];
            if (p.side() == s && p.marked(mark::Retransmission)) ++retransmits;
        }
        const int64_t duration = endTs - since.tsNs;
        const bool outstanding = ev_.outstanding[sideIndex(s)];
        // Worth a finding: retransmitting into silence for a while, or left hanging at the end.
        const bool longEnough = duration >= LingeringNs;
        const bool report =
            longEnough && (retransmits > 0 || (!resolved && (outstanding || stuck.state == TcpState::CloseWait)));
        if (!report) return;
        const uint32_t sinceFrame = a_.packets[since.packet].frame;
        Finding& x = add(FindingKind::LingeringClose,
                         !resolved && retransmits > 0 ? Severity::Error : Severity::Warning, sinceFrame);
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

    void usual()
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
            {mark::SegmentNotCaptured, FindingKind::SegmentNotCaptured, Severity::Info,
             "%s's sequence jumps %u time%s (first #%u): segments before them were not captured."},
        };
        // One pass over the flow collects every kind for both sides.
        constexpr size_t KindCount = std::size(kinds);
        std::vector<uint32_t> frames[2][KindCount];
        uint32_t counts[2][KindCount] = {};
        constexpr uint16_t anyBit =
            mark::Retransmission | mark::DupAck | mark::ZeroWindow | mark::KeepAlive | mark::SegmentNotCaptured;
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

    const Analysis& a_;
    Flow& f_;
    const FlowEvents& ev_;
    int64_t endNs_;
    std::vector<Finding>& out_;
};

} // namespace

void buildFindings(const Analysis& analysis, Flow& flow, const FlowEvents& events, int64_t captureEndNs,
                   std::vector<Finding>& out)
{
    Builder(analysis, flow, events, captureEndNs, out).run();
}

} // namespace flowladder::core
