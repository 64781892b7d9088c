#include "core/tcp/TcpTracker.h"

#include "core/tcp/RstOutcomes.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace flowladder::core {

namespace {

// Below this gap (or the RTT when known) a segment below the send high-water mark
// is out of order rather than retransmitted (as Wireshark decides).
constexpr int64_t OutOfOrderThresholdNs = 3'000'000;

struct SideTrack {
    bool sent = false;
    bool nextSeqValid = false;
    uint32_t nextSeq = 0; // highest sequence number sent + 1 (SND.NXT as seen)
    int64_t nextSeqTs = 0;
    bool ackValid = false;
    uint32_t lastAck = 0;
    uint32_t highestAck = 0; // what this side acknowledged of the peer: its RCV.NXT
    uint16_t lastWindow = 0;
    uint32_t dupAcks = 0;
    bool finSent = false;
    uint32_t finSeq = 0;
    bool peerFinAcked = false; // this side acknowledged the peer's FIN
    bool synSent = false;
    bool synAckSent = false;
    bool lastWasKeepAlive = false; // keep-alive or zero-window probe
    bool lastWasProbe = false;
    bool closedByOwnRst = false;
    TcpState stateBeforeRst = TcpState::Unknown;
    StateBasis basisBeforeRst = StateBasis::Unknown;
    TcpState state = TcpState::Unknown;
    StateBasis basis = StateBasis::Unknown;
    std::array<uint64_t, 4> ttlSeen{}; // bitmap of TTLs of non-RST packets
    // The most common TTL: counts of the first few distinct values (a host uses one or two).
    static constexpr int TrackedTtls = 8;
    std::array<uint8_t, TrackedTtls> ttlValues{};
    std::array<uint32_t, TrackedTtls> ttlCounts{};
    int distinctTtls = 0;
    bool ipIdKnown = false;
    uint16_t lastIpId = 0;
    uint32_t ipIdSteps = 0;
    uint32_t maxIpIdStep = 0;
    int64_t pendingChallenge = -1;     // index into events.rsts of a mismatched RST this side received
    uint32_t unansweredProbes = 0;     // keep-alives, probes and retransmissions since the peer last sent
    uint32_t unansweredKeepAlives = 0; // of those, keep-alives
    uint64_t bytesUnanswered = 0;      // new data sent since the peer last sent data
    int64_t firstUnansweredRow = -1;   // the first of that data
    int64_t finRow = -1;
};

// Runs over one flow's packets in order. `marksOut` is where packet marks go: the
// analysis' own store on the first run, null when only the timelines are recomputed
// (the decisions that read marks then find the ones the first run wrote).
class FlowTracker {
public:
    FlowTracker(const Analysis& a, Flow& f, int64_t captureEndNs, PacketStore* marksOut, FlowEvents& out)
        : a_(a), f_(f), captureEndNs_(captureEndNs), marksOut_(marksOut), events_(out)
    {
        events_.rsts.clear();
        events_.fins.clear();
        events_.crossedFinRow[0] = events_.crossedFinRow[1] = -1;
        events_.marksGiven = 0;
        for (int s = 0; s < 2; ++s) {
            events_.finAcked[s] = events_.outstanding[s] = false;
            states_[s].clear();
        }
    }

    void run()
    {
        const uint32_t n = f_.packetCount();
        for (uint32_t row = 0; row < n; ++row)
            step(row);
        finishSides();
        judgeRstOutcomes(a_, f_, captureEndNs_, marksOut_, events_);
    }

private:
    const PacketRecord& rec(uint32_t row) const { return a_.packets[f_.packets[row]]; }
    int64_t ts(const PacketRecord& p) const { return a_.packets.tsNs(p, times_); }
    // From a packet out to its answer; -1 (unknown) when the capture's clock ran backwards.
    static int64_t roundTrip(int64_t sentNs, int64_t answeredNs)
    {
        return answeredNs >= sentNs ? answeredNs - sentNs : -1;
    }
    void addMark(uint32_t row, uint16_t bits)
    {
        events_.marksGiven |= bits;
        if (marksOut_) (*marksOut_)[f_.packets[row]].marks |= bits;
    }

    // Side `s` goes to `st` because of the packet at `row`: observed when `s` sent that packet,
    // assumed when it was heading to `s` (the capture point cannot know it arrived).
    void setState(int s, TcpState st, uint32_t row)
    {
        setState(s, st, row, sideIndex(rec(row).side()) == s ? StateBasis::Observed : StateBasis::Assumed);
    }
    void setState(int s, TcpState st, uint32_t row, StateBasis basis)
    {
        const PacketRecord& p = rec(row);
        if (side_[s].state == st) {
            if (basis == StateBasis::Observed) confirmState(s, row);
            return;
        }
        side_[s].state = st;
        side_[s].basis = basis;
        states_[s].push_back({f_.packets[row], st, basis, ts(p)});
    }

    // Side `s` sent the packet at `row`: in a state where a side itself sends, that shows it
    // is still there (an assumed state becomes observed from this packet on).
    void confirmState(int s, uint32_t row)
    {
        SideTrack& S = side_[s];
        if (S.basis == StateBasis::Observed) return;
        switch (S.state) {
        case TcpState::SynSent:
        case TcpState::SynReceived:
        case TcpState::Established:
        case TcpState::CloseWait:
        case TcpState::FinWait1:
        case TcpState::Closing:
        case TcpState::LastAck:
            break;
        default:
            return; // FIN-WAIT-2, TIME-WAIT, CLOSED: a packet from the side does not show these
        }
        S.basis = StateBasis::Observed;
        const PacketRecord& p = rec(row);
        states_[s].push_back({f_.packets[row], S.state, StateBasis::Observed, ts(p)});
    }

    void start(const PacketRecord& p, uint32_t row)
    {
        const int x = sideIndex(p.side()), y = 1 - x;
        const bool syn = p.has(tcpflag::SYN), ack = p.has(tcpflag::ACK);
        if (syn && !ack) {
            setState(x, TcpState::SynSent, row);
            setState(y, TcpState::Listen, row);
        } else if (syn && ack) {
            setState(x, TcpState::SynReceived, row);
            setState(y, TcpState::SynSent, row);
        } else {
            // Mid-stream: the handshake happened before the capture started.
            setState(x, TcpState::Established, row);
            setState(y, TcpState::Established, row);
        }
    }

    void step(uint32_t row)
    {
        const PacketRecord& p = rec(row);
        if (row == 0) start(p, row);
        const int x = sideIndex(p.side()), y = 1 - x;
        SideTrack& X = side_[x];
        SideTrack& Y = side_[y];
        FlowSide& fx = f_.sides[x];
        fx.sent = true;
        const bool syn = p.has(tcpflag::SYN), ack = p.has(tcpflag::ACK), fin = p.has(tcpflag::FIN),
                   rst = p.has(tcpflag::RST);

        if (!X.sent) {
            X.sent = true;
            if (!syn) fx.isn = p.seq - 1; // mid-stream: first byte seen is relative 1
        }
        if (syn) {
            fx.isn = p.seq;
            fx.isnKnown = true;
            if (!ack && !X.synSent) {
                X.synSent = true;
                synRow_ = row;
            }
            if (ack && !X.synAckSent) {
                X.synAckSent = true;
                fx.synAckSent = true;
                synAckRow_ = row;
                // SYN out, SYN-ACK back: the round trip from the capture point to this side.
                if (synRow_ >= 0) fx.setRtt(roundTrip(ts(rec(static_cast<uint32_t>(synRow_))), ts(p)));
            }
        }

        if (rst) {
            onRst(p, row, x);
            return;
        }
        Y.unansweredProbes = Y.unansweredKeepAlives = 0; // this side answered, whatever the peer sent before
        if (X.closedByOwnRst) {
            // It kept talking after "its" RST: that RST did not come from this host.
            X.closedByOwnRst = false;
            setState(x, X.stateBeforeRst, row);
        }
        confirmState(x, row);
        noteFingerprint(X, p);
        markSegment(p, row, X, Y);
        const uint16_t marks = rec(row).marks;
        if (marks & (mark::KeepAlive | mark::ZeroWindowProbe | mark::Retransmission)) ++X.unansweredProbes;
        if (marks & mark::KeepAlive) ++X.unansweredKeepAlives;
        if (p.payload() > 0 && !(marks & mark::Retransmission)) {
            // New data: it answers what the peer sent, and waits for an answer itself.
            if (X.bytesUnanswered == 0) X.firstUnansweredRow = row;
            X.bytesUnanswered += p.payload();
            Y.bytesUnanswered = 0;
            Y.firstUnansweredRow = -1;
        }
        if (ack) onAck(p, row, x);
        if (syn) onSynState(p, row, x);
        if (fin) onFin(p, row, x);
    }

    void noteFingerprint(SideTrack& X, const PacketRecord& p)
    {
        X.ttlSeen[p.ttl >> 6] |= uint64_t{1} << (p.ttl & 63);
        int k = 0;
        while (k < X.distinctTtls && X.ttlValues[k] != p.ttl)
            ++k;
        if (k == X.distinctTtls && k < SideTrack::TrackedTtls) X.ttlValues[X.distinctTtls++] = p.ttl;
        if (k < X.distinctTtls) ++X.ttlCounts[k];
        if (p.info & pinfo::HasIpId) {
            if (X.ipIdKnown) {
                const uint32_t stepFwd = static_cast<uint16_t>(p.ipId - X.lastIpId);
                X.maxIpIdStep = std::max(X.maxIpIdStep, stepFwd);
                ++X.ipIdSteps;
            }
            X.ipIdKnown = true;
            X.lastIpId = p.ipId;
        }
    }

    void markSegment(const PacketRecord& p, uint32_t row, SideTrack& X, SideTrack& Y)
    {
        const uint32_t len = p.seqLen();
        const uint32_t end = p.seq + len;
        const bool keepAlive =
            p.payloadLen <= 1 && !p.has(tcpflag::SYN | tcpflag::FIN) && X.nextSeqValid && p.seq == X.nextSeq - 1;
        // The same shape into a window the peer closed (its last advertised window was 0) is a
        // persist probe (RFC 9293 3.8.6.1), not a keep-alive.
        const bool probe = keepAlive && Y.ackValid && Y.lastWindow == 0;
        if (probe) {
            addMark(row, mark::ZeroWindowProbe);
        } else if (keepAlive) {
            addMark(row, mark::KeepAlive);
        } else if (len > 0 && X.nextSeqValid && seqLt(p.seq, X.nextSeq)) {
            const int64_t rtt = f_.sides[sideIndex(p.side())].rttNs;
            const int64_t threshold = rtt > 0 ? std::min(rtt, OutOfOrderThresholdNs) : OutOfOrderThresholdNs;
            if (ts(p) - X.nextSeqTs < threshold && end != X.nextSeq) {
                addMark(row, mark::OutOfOrder);
            } else {
                addMark(row, mark::Retransmission);
                if (Y.dupAcks >= 2 && Y.ackValid && p.seq == Y.lastAck) addMark(row, mark::FastRetransmission);
            }
        } else if (X.nextSeqValid && seqGt(p.seq, X.nextSeq) && !p.has(tcpflag::SYN)) {
            addMark(row, mark::SegmentNotCaptured);
        }
        // Data laid over an earlier FIN's sequence number: that FIN was not this stack's
        // (an injected FIN, as in TCB-teardown evasion), so the side has not closed.
        if (X.finSent && p.payload() > 0 && seqLe(p.seq, X.finSeq) && seqLt(X.finSeq, p.seq + p.payload()))
            X.finSent = false;
        X.lastWasKeepAlive = keepAlive;
        X.lastWasProbe = probe;
        if (!X.nextSeqValid || seqGt(end, X.nextSeq)) {
            X.nextSeq = end;
            X.nextSeqTs = ts(p);
            X.nextSeqValid = true;
        }
        if (p.window == 0 && !p.has(tcpflag::SYN | tcpflag::FIN)) addMark(row, mark::ZeroWindow);
    }

    void onAck(const PacketRecord& p, uint32_t row, int x)
    {
        const int y = 1 - x;
        SideTrack& X = side_[x];
        SideTrack& Y = side_[y];
        const bool pure = p.payloadLen == 0 && !p.has(tcpflag::SYN | tcpflag::FIN | tcpflag::RST);
        const bool sameAck = X.ackValid && p.ack == X.lastAck;
        bool challenge = false;
        if (X.pendingChallenge >= 0) {
            RstEvent& ev = events_.rsts[static_cast<size_t>(X.pendingChallenge)];
            const int64_t waited = ts(p) - ts(rec(ev.row));
            const int64_t rtt = std::min<int64_t>(f_.sides[x].rttNs, int64_t{1} << 40); // ~18 min: 4x stays small
            if (pure && sameAck && waited <= std::max<int64_t>(1'000'000'000, 4 * rtt)) {
                addMark(row, mark::ChallengeAck);
                ev.challengeAckRow = row;
                challenge = true;
            }
            X.pendingChallenge = -1;
        }
        if (!challenge && pure && sameAck) {
            // RFC 5681 section 2: a duplicate ACK acknowledges the same number with the same window,
            // carries no data, SYN or FIN, while its receiver has data outstanding. A keep-alive or
            // a zero-window probe (or the ACK answering one) is none of that.
            const bool outstanding = Y.nextSeqValid && seqGt(Y.nextSeq, p.ack);
            // (e) of RFC 5681's definition: it acknowledges the greatest ACK sent so far; a repeat
            // of an old ACK that arrived late is not a duplicate ACK.
            const bool greatest = p.ack == X.highestAck;
            if (p.window != X.lastWindow) {
                addMark(row, mark::WindowUpdate);
            } else if (Y.lastWasKeepAlive) {
                if (!Y.lastWasProbe) addMark(row, mark::KeepAliveAck);
            } else if (outstanding && greatest && !X.lastWasKeepAlive) {
                addMark(row, mark::DupAck);
                ++X.dupAcks;
            }
        } else if (!sameAck) {
            X.dupAcks = 0;
        }
        if (Y.nextSeqValid && seqGt(p.ack, Y.nextSeq)) addMark(row, mark::AckedUnseen);
        X.lastAck = p.ack;
        X.highestAck = X.ackValid ? seqMax(X.highestAck, p.ack) : p.ack;
        X.lastWindow = p.window;
        X.ackValid = true;

        // The SYN's sender acknowledges the SYN-ACK: established on its side.
        if (X.state == TcpState::SynSent && Y.synAckSent && !p.has(tcpflag::SYN) && p.ack == f_.sides[y].isn + 1)
            setState(x, TcpState::Established, row);
        // The handshake completes when the SYN-ACK's sender sees its SYN acknowledged.
        if (Y.state == TcpState::SynReceived && Y.synAckSent && p.ack == f_.sides[y].isn + 1)
            setState(y, TcpState::Established, row);
        if (handshakeAckRow_ < 0 && synAckRow_ >= 0 && !p.has(tcpflag::SYN) && Y.synAckSent) {
            handshakeAckRow_ = row;
            f_.sides[x].setRtt(roundTrip(ts(rec(static_cast<uint32_t>(synAckRow_))), ts(p)));
        }
        // The peer's FIN acknowledged: this side received it, the peer knows it arrived.
        if (Y.finSent && !X.peerFinAcked && seqGe(p.ack, Y.finSeq + 1)) {
            X.peerFinAcked = true;
            switch (X.state) {
            case TcpState::Established:
            case TcpState::SynReceived:
                setState(x, TcpState::CloseWait, row);
                break;
            case TcpState::FinWait1:
                setState(x, TcpState::Closing, row);
                break;
            case TcpState::FinWait2:
                setState(x, TcpState::TimeWait, row);
                break;
            default:
                break;
            }
            switch (Y.state) {
            case TcpState::FinWait1:
                setState(y, TcpState::FinWait2, row);
                break;
            case TcpState::Closing:
                setState(y, TcpState::TimeWait, row);
                break;
            case TcpState::LastAck:
                setState(y, TcpState::Closed, row);
                break;
            default:
                break;
            }
        }
    }

    void onSynState(const PacketRecord& p, uint32_t row, int x)
    {
        const int y = 1 - x;
        if (!p.has(tcpflag::ACK)) {
            if (side_[x].state == TcpState::Unknown || side_[x].state == TcpState::Closed)
                setState(x, TcpState::SynSent, row);
            return;
        }
        if (side_[x].state == TcpState::Listen || side_[x].state == TcpState::Unknown ||
            side_[x].state == TcpState::Closed)
            setState(x, TcpState::SynReceived, row);
        if (side_[y].state == TcpState::SynSent) setState(y, TcpState::Established, row);
    }

    void onFin(const PacketRecord& p, uint32_t row, int x)
    {
        SideTrack& X = side_[x];
        const uint32_t finSeq = p.seq + p.payload() + (p.has(tcpflag::SYN) ? 1u : 0u);
        if (!X.finSent) {
            X.finSent = true;
            X.finSeq = finSeq;
            f_.sides[x].finSent = true;
            X.finRow = row;
            events_.fins.push_back({row, static_cast<Side>(x), false});
            SideTrack& Y = side_[1 - x];
            // The peer's FIN went out first, yet this FIN does not acknowledge it: each was sent
            // before the other arrived (RFC 9293 3.6, simultaneous close). Each side gets the other's
            // FIN in FIN-WAIT-1 and goes to CLOSING; that they arrive is assumed.
            const bool crossed = Y.finSent && Y.state == TcpState::FinWait1 && !X.peerFinAcked &&
                                 !(p.has(tcpflag::ACK) && seqGe(p.ack, Y.finSeq + 1));
            if (crossed && (X.state == TcpState::Established || X.state == TcpState::SynReceived)) {
                events_.crossedFinRow[1 - x] = Y.finRow;
                events_.crossedFinRow[x] = row;
                setState(x, TcpState::Closing, row, StateBasis::Assumed);
                setState(1 - x, TcpState::Closing, row, StateBasis::Assumed);
                return;
            }
            switch (X.state) {
            case TcpState::CloseWait:
                setState(x, TcpState::LastAck, row);
                break;
            case TcpState::Established:
            case TcpState::SynReceived:
            case TcpState::SynSent:
            case TcpState::Unknown:
                setState(x, TcpState::FinWait1, row);
                break;
            default:
                break;
            }
        } else if (finSeq == X.finSeq) {
            addMark(row, mark::FinRetransmit | mark::Retransmission);
            events_.fins.push_back({row, static_cast<Side>(x), true});
            // Sending its FIN again: the ACK of it seen earlier never reached this side.
            if (X.state == TcpState::FinWait2) setState(x, TcpState::FinWait1, row);
            if (X.state == TcpState::TimeWait && X.basis == StateBasis::Assumed) setState(x, TcpState::Closing, row);
        }
    }

    void onRst(const PacketRecord& p, uint32_t row, int x)
    {
        const int y = 1 - x;
        SideTrack& X = side_[x];
        SideTrack& Y = side_[y];
        f_.sides[x].rstSent = true;
        RstEvent ev;
        ev.row = row;
        ev.sender = static_cast<Side>(x);
        ev.receiverState = Y.state;
        ev.senderState = X.closedByOwnRst ? X.stateBeforeRst : X.state;
        ev.receiverSilentBefore = X.unansweredProbes > 0;
        ev.senderUnansweredKeepAlives = X.unansweredKeepAlives;
        ev.senderUnansweredRetransmits = X.unansweredProbes - X.unansweredKeepAlives;
        ev.receiverBytesUnanswered = static_cast<uint32_t>(std::min<uint64_t>(Y.bytesUnanswered, UINT32_MAX));
        ev.receiverDataRow = Y.firstUnansweredRow;
        // Fingerprint: does the RST look like its sender's other packets?
        if (std::any_of(X.ttlSeen.begin(), X.ttlSeen.end(), [](uint64_t b) { return b != 0; }))
            ev.ttlMismatch = !(X.ttlSeen[p.ttl >> 6] & (uint64_t{1} << (p.ttl & 63)));
        if ((p.info & pinfo::HasIpId) && X.ipIdKnown) {
            ev.previousIpId = X.lastIpId;
            // The sender's IDs move in small steps; this RST's ID is nowhere near them. Alone this
            // proves little (Linux sends RSTs for closed sockets from a control socket with its
            // own IDs), so it only supports a TTL mismatch.
            const bool sequential = X.ipIdSteps >= 2 && X.maxIpIdStep <= 64;
            ev.ipIdUnusual = sequential && static_cast<uint16_t>(p.ipId - X.lastIpId) > 1000;
        }
        if (Y.state == TcpState::SynSent) {
            ev.receiverInSynSent = true; // an answer to a SYN: validated by its ACK, not its seq
        } else if (X.nextSeqValid || Y.ackValid) {
            uint32_t expected;
            if (X.nextSeqValid && Y.ackValid)
                expected = seqMax(X.nextSeq, Y.highestAck);
            else
                expected = X.nextSeqValid ? X.nextSeq : Y.highestAck;
            ev.expectedSeq = expected;
            ev.delta = seqDiff(p.seq, expected);
            const int8_t scale = (f_.sides[0].wscale >= 0 && f_.sides[1].wscale >= 0) ? f_.sides[y].wscale : 0;
            ev.receiveWindow = Y.ackValid ? (uint32_t{Y.lastWindow} << scale) : 65535u;
            // A correct stack puts its SND.NXT in a RST; the receiver accepts only its RCV.NXT.
            // Both are the expected value here: what the sender was seen sending, or what the
            // receiver acknowledged when the capture missed part of the sender's data.
            if (ev.delta == 0) {
                ev.cls = RstClass::Exact;
            } else if (ev.delta == -1 && X.finSent && expected == X.finSeq + 1) {
                ev.cls = RstClass::OffByOneAfterFin;
            } else if (ev.delta > 0 && static_cast<uint32_t>(ev.delta) < ev.receiveWindow) {
                ev.cls = RstClass::InWindow;
            } else {
                ev.cls = RstClass::OutOfWindow;
            }
        }
        if (ev.cls != RstClass::Exact && ev.cls != RstClass::NotJudged) {
            addMark(row, mark::RstSeqMismatch);
            Y.pendingChallenge = static_cast<int64_t>(events_.rsts.size());
        }
        // Acceptance before state: a RST closes its claimed sender only if that sender plausibly
        // sent it. A stack puts its own SND.NXT in a RST (or answers a SYN), so an inexact RST,
        // or one whose TTL its sender never used, came from somewhere else and closes nobody.
        ev.plausible =
            !ev.ttlMismatch && (ev.receiverInSynSent || ev.cls == RstClass::Exact || ev.cls == RstClass::NotJudged);
        events_.rsts.push_back(ev);
        if (!ev.plausible) return;
        if (!X.closedByOwnRst) X.stateBeforeRst = X.state;
        X.closedByOwnRst = true;
        setState(x, TcpState::Closed, row);
    }

    void finishSides()
    {
        for (int s = 0; s < 2; ++s) {
            FlowSide& fs = f_.sides[s];
            const SideTrack& t = side_[s];
            const int best = static_cast<int>(
                std::max_element(t.ttlCounts.begin(), t.ttlCounts.begin() + t.distinctTtls) - t.ttlCounts.begin());
            fs.usualTtl = t.distinctTtls ? t.ttlValues[best] : 0;
            if (!side_[s].sent && side_[1 - s].ackValid) fs.isn = firstAckOf(1 - s) - 1;
            fs.finalState = side_[s].state;
            fs.finalBasis = side_[s].basis;
            if (!side_[s].sent) {
                // Nothing of this side was seen: no LISTEN or SYN-RECEIVED is claimed for it.
                fs.finalState = TcpState::Unknown;
                fs.finalBasis = StateBasis::Unknown;
                states_[s].clear();
            }
            const SideTrack& me = side_[s];
            const SideTrack& peer = side_[1 - s];
            events_.finAcked[s] = me.finSent && peer.peerFinAcked;
            events_.outstanding[s] = me.nextSeqValid && (!peer.ackValid || seqGt(me.nextSeq, peer.highestAck));
        }
    }

    uint32_t firstAckOf(int s)
    {
        for (uint32_t row = 0; row < f_.packetCount(); ++row) {
            const PacketRecord& p = rec(row);
            if (sideIndex(p.side()) == s && p.has(tcpflag::ACK)) return p.ack;
        }
        return 0;
    }

    const Analysis& a_;
    Flow& f_;
    mutable FrameTimes::Cursor times_; // for ts(): the flow's records come in frame order
    int64_t captureEndNs_;
    PacketStore* marksOut_;
    FlowEvents& events_;
    SideTrack side_[2];
    std::vector<StateChange>* states_ = events_.states.sides.data();
    int64_t synRow_ = -1, synAckRow_ = -1, handshakeAckRow_ = -1;
};

} // namespace

void trackFlow(Analysis& analysis, Flow& flow, int64_t captureEndNs, FlowEvents& out)
{
    FlowTracker(analysis, flow, captureEndNs, &analysis.packets, out).run();
}

StateTimelines replayStates(const Analysis& analysis, const Flow& flow)
{
    // The flow as trackFlow found it: what FlowTable settled, nothing trackFlow adds.
    Flow f;
    f.packets = flow.packets;
    for (int s = 0; s < 2; ++s) {
        f.sides[s].flowHandshakeSeen = flow.sides[s].flowHandshakeSeen;
        f.sides[s].flowIpv6 = flow.sides[s].flowIpv6; // its addresses: in the sides' `addr`
        f.sides[s].addr = flow.sides[s].addr;
        f.sides[s].port = flow.sides[s].port;
        f.sides[s].mss = flow.sides[s].mss;
        f.sides[s].wscale = flow.sides[s].wscale;
    }
    FlowEvents events;
    FlowTracker(analysis, f, analysis.capture.lastNs, nullptr, events).run();
    return std::move(events.states);
}

} // namespace flowladder::core
