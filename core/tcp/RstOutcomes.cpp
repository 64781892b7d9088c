// The RST outcome judge of the TCP tracker (TcpTracker.cpp): split out by responsibility.

#include "core/tcp/RstOutcomes.h"

#include <algorithm>
#include <vector>

namespace flowladder::core {

namespace {
// A receiver silent for this long after a RST, while the capture goes on, took it.
constexpr int64_t SilenceProvesResetNs = 1'000'000'000;
} // namespace

// For each RST: did its receiver keep sending (ignored), go silent while the
// capture went on (took effect), or does the capture end too soon to tell?
void judgeRstOutcomes(const Analysis& a, Flow& f, int64_t captureEndNs, PacketStore* marksOut, FlowEvents& events)
{
    if (events.rsts.empty()) return;
    auto rec = [&](uint32_t row) -> const PacketRecord& { return a.packets[f.packets[row]]; };
    auto ts = [&](const PacketRecord& p) { return a.packets.tsNs(p); };
    auto addMark = [&](uint32_t row, uint16_t bits) {
        events.marksGiven |= bits;
        if (marksOut) (*marksOut)[f.packets[row]].marks |= bits;
    };
    const uint32_t n = f.packetCount();
    // Suffix counts per side of non-RST packets, their retransmissions and the last
    // such row, so that each RST is judged without rescanning the flow.
    for (FlowEvents::RstScratch& x : events.rstScratch) {
        x.after.assign(n + 1, 0);
        x.retrans.assign(n + 1, 0);
        x.lastFrom.assign(n + 1, -1);
    }
    uint32_t* const after[2] = {events.rstScratch[0].after.data(), events.rstScratch[1].after.data()};
    uint32_t* const retrans[2] = {events.rstScratch[0].retrans.data(), events.rstScratch[1].retrans.data()};
    int64_t* const lastFrom[2] = {events.rstScratch[0].lastFrom.data(), events.rstScratch[1].lastFrom.data()};
    int64_t lastRow[2] = {-1, -1};
    for (uint32_t row = n; row-- > 0;) {
        const PacketRecord& q = rec(row);
        for (int s = 0; s < 2; ++s) {
            after[s][row] = after[s][row + 1];
            retrans[s][row] = retrans[s][row + 1];
        }
        const int s = sideIndex(q.side());
        if (!q.has(tcpflag::RST)) {
            ++after[s][row];
            if (q.marked(mark::Retransmission)) ++retrans[s][row];
            if (lastRow[s] < 0) lastRow[s] = row;
        }
        lastFrom[0][row] = lastRow[0];
        lastFrom[1][row] = lastRow[1];
    }
    // Where the previous RST's look past in-flight packets stopped, per receiver: RSTs come
    // in row order, so the scan only moves forward (a RST flood stays linear).
    uint32_t scanned[2] = {0, 0};
    for (RstEvent& ev : events.rsts) {
        const int y = 1 - sideIndex(ev.sender);
        const PacketRecord& r = rec(ev.row);
        // Packets the receiver sent before the RST reached it can still follow it here.
        const int64_t crossing = satAdd(ts(r), std::max<int64_t>(f.sides[y].rttNs, 0));
        uint32_t from = std::max(ev.row + 1, scanned[y]);
        while (from < n && ts(rec(from)) <= crossing)
            ++from;
        scanned[y] = from;
        ev.framesAfter = after[y][from];
        ev.retransmitsAfter = retrans[y][from];
        ev.lastRowAfter = lastFrom[y][from];
        if (ev.challengeAckRow >= 0 && ev.challengeAckRow < from) {
            ++ev.framesAfter; // a challenge ACK proves the RST was ignored, however soon it came
            if (ev.lastRowAfter < 0) ev.lastRowAfter = ev.challengeAckRow;
        }
        if (ev.framesAfter > 0) {
            ev.outcome = RstOutcome::Ignored;
            continue;
        }
        // Silent afterwards: proof enough when the capture went on, or when the RST was one
        // every stack must accept (exact, or answering a SYN).
        // Not when the receiver had stopped answering before the RST (keep-alives or
        // retransmissions unanswered): it may never have got the RST either.
        // The capture went on: the sender sent something other than a RST afterwards (a live
        // receiver would have answered it). More RSTs do not count: in a RST storm the
        // receiver's silence between them proves nothing (challenge ACKs are rate-limited).
        const bool flowWentOn = after[sideIndex(ev.sender)][ev.row + 1] > 0;
        // Nor from a receiver in TIME-WAIT, which sends nothing either way (Linux kills it on a
        // RST with tcp_rfc1337 = 0, keeps it with 1: the capture cannot tell which).
        if (ev.receiverSilentBefore || ev.receiverState == TcpState::TimeWait) continue;
        if (ev.receiverInSynSent || ev.cls == RstClass::Exact || flowWentOn ||
            captureEndNs - ts(r) >= SilenceProvesResetNs)
            ev.outcome = RstOutcome::TookEffect;
    }
    // Mark what was sent after an ignored RST, and close the sides that took one.
    bool marked[2] = {false, false};
    for (const RstEvent& ev : events.rsts) {
        const int y = 1 - sideIndex(ev.sender);
        if (ev.outcome == RstOutcome::Ignored && !marked[y]) {
            marked[y] = true; // later ignored RSTs would mark a subset of these rows
            for (uint32_t row = ev.row + 1; row < n; ++row) {
                const PacketRecord& q = rec(row);
                if (sideIndex(q.side()) == y && !q.has(tcpflag::RST)) addMark(row, mark::AfterRst);
            }
        } else if (ev.outcome == RstOutcome::Unknown && f.sides[y].finalBasis == StateBasis::Observed) {
            // The receiver sent nothing after it (capture ended, or it was silent already):
            // whether it took the RST is unknown, so its end state is no longer observed.
            f.sides[y].finalBasis = StateBasis::Assumed;
        } else if (ev.outcome == RstOutcome::TookEffect) {
            auto& states = events.states.sides[y];
            const uint32_t idx = f.packets[ev.row];
            while (!states.empty() && states.back().packet > idx)
                states.pop_back();
            if (states.empty() || states.back().state != TcpState::Closed)
                states.push_back({idx, TcpState::Closed, StateBasis::Assumed, ts(rec(ev.row))});
            f.sides[y].finalState = TcpState::Closed;
            f.sides[y].finalBasis = StateBasis::Assumed; // its silence says so, not its packets
        }
        if (ev.ttlMismatch) addMark(ev.row, mark::RstFingerprint);
    }
    for (RstEvent& ev : events.rsts)
        ev.usualTtl = f.sides[sideIndex(ev.sender)].usualTtl;
}

} // namespace flowladder::core
