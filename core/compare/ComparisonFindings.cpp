#include "core/compare/ComparisonInternal.h"
#include "core/report/TextFormat.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

namespace flowladder::core::compare_detail {

namespace {

std::string fmt(const char* f, ...)
{
    va_list ap;
    va_start(ap, f);
    char buf[1024];
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

std::string capitalized(std::string_view s)
{
    std::string r(s);
    if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = static_cast<char>(r[0] - 'a' + 'A');
    return r;
}

std::string who(Side s)
{
    return std::string(sideName(s));
}

// "#5, #7 and #9", "#5, #7, #9 and 4 more"
std::string frameList(const std::vector<uint32_t>& frames)
{
    std::string r;
    const size_t shown = std::min<size_t>(frames.size(), frames.size() > 4 ? 3 : 4);
    for (size_t i = 0; i < shown; ++i) {
        if (i > 0) r += (i + 1 == shown && shown == frames.size()) ? " and " : ", ";
        r += '#';
        r += std::to_string(frames[i]); // (not "#" + ...: GCC 12 warns falsely of overlapping memcpy)
    }
    if (shown < frames.size()) r += " and " + std::to_string(frames.size() - shown) + " more";
    return r;
}

struct Ctx {
    const Analysis& A;
    const Analysis& B;
    Comparison& c;
};

std::string captureLabel(char cap, const FlowPair& p)
{
    const bool near = cap == 'a';
    std::string s = cap == 'a' ? "capture A" : "capture B";
    if (p.nearAKnown) s += " (" + who(near ? p.nearA : otherSide(p.nearA)) + " side)";
    return s;
}

// What every finding of a pair carries: which capture its flow and frame refer to, and both flows.
PairRef pairRef(char cap, const FlowPair& pr)
{
    return PairRef{cap == 'a' ? CaptureId::A : CaptureId::B, pr.a, pr.b};
}

void addFinding(Ctx& x, FlowPair& pr, Finding f)
{
    pr.findings.push_back(static_cast<uint32_t>(x.c.findings.size()));
    x.c.findings.push_back(std::move(f));
}

// Replaces the summary's final period with `tail` (which ends the sentence anew).
void extendSummary(Finding& f, const std::string& tail)
{
    if (!f.summary.empty() && f.summary.back() == '.') f.summary.pop_back();
    f.summary += tail;
}

void addPacketFindings(Ctx& x, FlowPair& pr)
{
    // Group the one-sided packets: a FIN/SYN/RST (with its copies) each, the rest per capture and sender.
    struct Bucket {
        bool injected;
        char cap;
        Side sender;
        uint8_t control; // 0 for the data/ACK bucket
        uint32_t seq;
        std::vector<uint32_t> frames;
        std::vector<uint32_t> packets;
        bool allAfterEnd = true; // every packet came after the other capture's last packet
        uint32_t afterEnd = 0;
    };
    std::vector<Bucket> buckets;
    constexpr uint8_t controlFlags = tcpflag::SYN | tcpflag::FIN | tcpflag::RST;
    for (const PacketMatch& m : pr.packets) {
        if (!m.lost && !m.injected) continue;
        const char cap = m.inA() ? 'a' : 'b';
        const Analysis& X = cap == 'a' ? x.A : x.B;
        const PacketRecord& p = X.packets[cap == 'a' ? m.a : m.b];
        const uint8_t control = p.flags & controlFlags;
        auto it = std::find_if(buckets.begin(), buckets.end(), [&](const Bucket& b) {
            return b.injected == m.injected && b.cap == cap && b.sender == m.sender && b.control == control &&
                   (control == 0 || b.seq == p.seq);
        });
        if (it == buckets.end()) {
            buckets.push_back(Bucket{m.injected, cap, m.sender, control, p.seq, {}, {}});
            it = buckets.end() - 1;
        }
        it->frames.push_back(p.frame);
        it->packets.push_back(cap == 'a' ? m.a : m.b);
        it->allAfterEnd = it->allAfterEnd && m.afterOtherCaptureEnd;
        it->afterEnd += m.afterOtherCaptureEnd;
    }
    for (const Bucket& bk : buckets) {
        const Analysis& X = bk.cap == 'a' ? x.A : x.B;
        const Flow& flow = *X.flowById(bk.cap == 'a' ? pr.a : pr.b);
        const PacketRecord& first = X.packets[bk.packets.front()];
        const Side s = bk.sender, r = otherSide(s);
        const std::string capName = bk.cap == 'a' ? "capture A" : "capture B";
        Finding f;
        f.kind = bk.injected ? FindingKind::InjectedPacket : FindingKind::LostPacket;
        f.flow = X.idOf(flow);
        f.frame = bk.frames.front();
        OneSidedPackets d;
        d.pair = pairRef(bk.cap, pr);
        d.side = s;
        d.flags = first.flags;
        d.frames = bk.frames;
        std::optional<bool> arrivedField;
        f.relatedFrames.assign(bk.frames.begin() + 1, bk.frames.end());
        const uint32_t rel = X.relativeSeq(flow, first);
        const char* what = (bk.control & tcpflag::RST) ? "RST" : (bk.control & tcpflag::SYN) ? "SYN" : "FIN";
        const std::string copies =
            bk.frames.size() > 1
                ? fmt(" and %zu more cop%s of it (%s)", bk.frames.size() - 1, bk.frames.size() == 2 ? "y" : "ies",
                      frameList(std::vector<uint32_t>(bk.frames.begin() + 1, bk.frames.end())).c_str())
                : std::string();
        if (bk.control) d.seq = first.seq;
        if (bk.injected) {
            f.severity = (bk.control & tcpflag::RST) ? Severity::Error : Severity::Warning;
            if (bk.control)
                f.summary = fmt("%s #%u in %s (seq %u)%s reached the %s but never left the %s: it was created between "
                                "the capture points (a middlebox).",
                                what, f.frame, capName.c_str(), rel, copies.c_str(), who(r).c_str(), who(s).c_str());
            else
                f.summary = fmt("%zu packet%s in %s claiming to come from the %s (%s) never left the %s: created "
                                "between the capture points (a middlebox answering on its behalf).",
                                bk.frames.size(), bk.frames.size() == 1 ? "" : "s", capName.c_str(), who(s).c_str(),
                                frameList(bk.frames).c_str(), who(s).c_str());
        } else {
            f.severity = Severity::Warning;
            if (bk.control & tcpflag::FIN) {
                // Did any copy of this FIN get through?
                bool arrived = false;
                for (const PacketMatch& m : pr.packets) {
                    if (!m.inBoth() || m.sender != s) continue;
                    const PacketRecord& q = x.A.packets[m.a];
                    if ((q.flags & tcpflag::FIN) &&
                        q.seq == (bk.cap == 'a' ? first.seq : first.seq - pr.seqDelta[sideIndex(s)]))
                        arrived = true;
                }
                arrivedField = arrived;
                if (!arrived) f.severity = Severity::Error;
                f.summary =
                    arrived
                        ? fmt("FIN #%u in %s (seq %u)%s left the %s but never reached the %s (another copy of the FIN "
                              "got through).",
                              f.frame, capName.c_str(), rel, copies.c_str(), who(s).c_str(), who(r).c_str())
                        : fmt("FIN #%u in %s (seq %u)%s left the %s but never reached the %s: lost between the capture "
                              "points, so the %s never learned that the %s closed.",
                              f.frame, capName.c_str(), rel, copies.c_str(), who(s).c_str(), who(r).c_str(),
                              who(r).c_str(), who(s).c_str());
            } else if (bk.control) {
                f.summary = fmt("%s #%u in %s (seq %u)%s left the %s but never reached the %s: lost between the "
                                "capture points%s.",
                                what, f.frame, capName.c_str(), rel, copies.c_str(), who(s).c_str(), who(r).c_str(),
                                (bk.control & tcpflag::RST)
                                    ? fmt(", so the %s never reset the connection", who(r).c_str()).c_str()
                                    : "");
            } else {
                f.summary = fmt("%zu packet%s from the %s (%s in %s) left the %s but never reached the %s: lost "
                                "between the capture points.",
                                bk.frames.size(), bk.frames.size() == 1 ? "" : "s", who(s).c_str(),
                                frameList(bk.frames).c_str(), capName.c_str(), who(s).c_str(), who(r).c_str());
            }
        }
        if (bk.afterEnd > 0 && !bk.allAfterEnd) {
            d.afterOtherCaptureEnd = bk.afterEnd;
            extendSummary(f,
                          fmt(" (%u of them after capture %c's last packet).", bk.afterEnd, bk.cap == 'a' ? 'B' : 'A'));
        }
        if (bk.allAfterEnd) {
            // The other capture may just have stopped: say so, and do not shout.
            d.afterOtherCaptureEnd = bk.afterEnd;
            if (f.severity == Severity::Error && !(bk.control & tcpflag::RST)) f.severity = Severity::Warning;
            extendSummary(f, fmt(", unless capture %c had simply stopped: its last packet comes before %s.",
                                 bk.cap == 'a' ? 'B' : 'A', bk.frames.size() == 1 ? "it" : "them"));
        }
        if (bk.injected)
            f.detail = InjectedPacket{std::move(d)};
        else
            f.detail = LostPacket{std::move(d), arrivedField};
        addFinding(x, pr, std::move(f));
    }
}

bool statesEquivalent(TcpState x, TcpState y)
{
    auto closed = [](TcpState s) { return s == TcpState::Closed || s == TcpState::TimeWait; };
    return x == y || (closed(x) && closed(y));
}

// Where two captures' end states part: for each side they disagree on, the packet that set its
// last state in each capture. When only that capture saw the packet (lost on the way, or created
// between the capture points) that packet is where they diverge. Empty when no such packet.
std::string divergence(const Ctx& x, const FlowPair& pr, const Flow& fa, const Flow& fb,
                       const std::vector<Side>& differing)
{
    const StateTimelines ta = x.A.stateTimelines(fa), tb = x.B.stateTimelines(fb);
    struct Diverging {
        const PacketMatch* m;
        char cap;
        std::string effects; // "the client to FIN_WAIT_2 (assumed) and the server to CLOSE_WAIT"
    };
    std::vector<Diverging> found;
    for (Side s : differing) {
        for (char cap : {'a', 'b'}) {
            const auto& changes = cap == 'a' ? ta.side(s) : tb.side(pr.bSide(s));
            if (changes.empty()) continue;
            const StateChange& last = changes.back();
            const auto m = std::find_if(pr.packets.begin(), pr.packets.end(),
                                        [&](const PacketMatch& p) { return (cap == 'a' ? p.a : p.b) == last.packet; });
            if (m == pr.packets.end() || m->inBoth() || !(m->lost || m->injected)) continue;
            const std::string effect =
                fmt("the %s to %s%s", who(s).c_str(), std::string(tcpStateName(last.state)).c_str(),
                    last.basis == StateBasis::Assumed ? " (assumed)" : "");
            auto same = std::find_if(found.begin(), found.end(), [&](const Diverging& d) { return d.m == &*m; });
            if (same == found.end())
                found.push_back({&*m, cap, effect});
            else
                same->effects += " and " + effect;
        }
    }
    std::string out;
    for (const Diverging& d : found) {
        const bool inA = d.cap == 'a';
        const PacketRecord& p = inA ? x.A.packets[d.m->a] : x.B.packets[d.m->b];
        out += fmt("%s the %s's %s #%u in capture %c, %s (capture %c never saw it), which in capture %c takes %s",
                   out.empty() ? "; they part at" : ", and at", who(d.m->sender).c_str(),
                   flagsToString(p.flags).c_str(), p.frame, inA ? 'A' : 'B',
                   d.m->injected ? "created between the capture points" : "lost between the capture points",
                   inA ? 'B' : 'A', inA ? 'A' : 'B', d.effects.c_str());
    }
    return out;
}

void addStateFinding(Ctx& x, FlowPair& pr)
{
    const Flow& fa = *x.A.flowById(pr.a);
    const Flow& fb = *x.B.flowById(pr.b);
    TcpState inA[2], inB[2];
    std::vector<Side> differing;
    for (Side s : {Side::Client, Side::Server}) {
        inA[sideIndex(s)] = fa.side(s).finalState;
        inB[sideIndex(s)] = fb.side(pr.bSide(s)).finalState;
        const TcpState p = inA[sideIndex(s)], q = inB[sideIndex(s)];
        if (p != TcpState::Unknown && q != TcpState::Unknown && !statesEquivalent(p, q)) differing.push_back(s);
    }
    if (differing.empty()) return;
    const std::string cause = divergence(x, pr, fa, fb, differing);
    const bool explained = !cause.empty();
    auto st = [](TcpState s) { return std::string(tcpStateName(s)); };
    Finding f;
    f.kind = FindingKind::StateDisagreement;
    f.severity = explained ? Severity::Error : Severity::Warning;
    f.flow = pr.a;
    f.frame = x.A.lastFrame(fa);
    f.detail = StateDisagreement{pairRef('a', pr), inA[0], inA[1], inB[0], inB[1], differing};
    f.relatedFrames.push_back(x.B.lastFrame(fb));
    f.summary = fmt("%s ends with the client in %s and the server in %s, %s with the client in %s and the server in "
                    "%s: the two ends disagree about the connection%s.",
                    capitalized(captureLabel('a', pr)).c_str(), st(inA[0]).c_str(), st(inA[1]).c_str(),
                    captureLabel('b', pr).c_str(), st(inB[0]).c_str(), st(inB[1]).c_str(), cause.c_str());
    addFinding(x, pr, std::move(f));
}

} // namespace

void addFindings(const Analysis& A, const Analysis& B, Comparison& c)
{
    Ctx x{A, B, c};
    for (FlowPair& pr : c.pairs) {
        const size_t first = c.findings.size();
        addPacketFindings(x, pr);
        addStateFinding(x, pr);
        // Within a pair: errors first, then warnings, each in time order.
        std::stable_sort(c.findings.begin() + static_cast<std::ptrdiff_t>(first), c.findings.end(),
                         [](const Finding& p, const Finding& q) { return p.severity > q.severity; });
        pr.findings.clear();
        for (size_t i = first; i < c.findings.size(); ++i)
            pr.findings.push_back(static_cast<uint32_t>(i));
    }
}

} // namespace flowladder::core::compare_detail
