// The RST half of the findings builder: sequence checks (a storm is one finding), challenge
// ACKs, forged RSTs, RSTs ignored, and abortive closes.

#include "core/report/TextFormat.h"
#include "core/tcp/FindingBuilderImpl.h"

namespace flowladder::core::findings_detail {

std::string Builder::rstSeqText(const RstEvent& r) const
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

std::string Builder::frameList(const std::vector<uint32_t>& frames, size_t shown)
{
    std::string out;
    for (size_t i = 0; i < frames.size() && i < shown; ++i)
        out += fmt("%s#%u", i ? ", " : "", frames[i]);
    if (frames.size() > shown) out += ", \u2026";
    return out;
}

void Builder::rsts()
{
    std::vector<const RstEvent*> inexact[2], forged[2];
    const RstEvent* abortive[2] = {nullptr, nullptr};
    for (const RstEvent& r : ev_.rsts) {
        const int s = sideIndex(r.sender);
        if (r.receiverInSynSent) {
            refused(r);
            if (r.ttlMismatch) forged[s].push_back(&r);
            continue;
        }
        if (r.cls != RstClass::Exact && r.cls != RstClass::NotJudged) inexact[s].push_back(&r);
        if (r.ttlMismatch) forged[s].push_back(&r);
        if (!abortive[s] && r.plausible && r.cls == RstClass::Exact && isOpenState(r.senderState)) abortive[s] = &r;
    }
    for (int s = 0; s < 2; ++s) {
        if (!inexact[s].empty()) rstRun(inexact[s]);
        if (!forged[s].empty()) fingerprint(forged[s]);
        if (abortive[s]) abortiveClose(*abortive[s]);
    }
}

bool Builder::isOpenState(TcpState s)
{
    return s == TcpState::Established || s == TcpState::SynReceived || s == TcpState::CloseWait ||
           s == TcpState::FinWait1 || s == TcpState::FinWait2 || s == TcpState::Closing || s == TcpState::LastAck;
}

void Builder::refused(const RstEvent& r)
{
    const PacketRecord& p = rec(r.row);
    Finding& x = add(FindingKind::ConnectionRefused, Severity::Warning, p.frame);
    x.summary = fmt("%s refused the connection: RST #%u answered the %s's SYN.", capitalized(who(r.sender)).c_str(),
                    p.frame, who(otherSide(r.sender)).c_str());
    x.detail = ConnectionRefused{r.sender};
}

NoChallengeReason Builder::noChallengeReason(const std::vector<const RstEvent*>& run, uint32_t challenged)
{
    bool allOutOfWindow = true, allTookEffect = true, any = false;
    for (const RstEvent* r : run) {
        if (r->challengeAckRow >= 0) continue;
        any = true;
        // RCV.NXT - 1 is below the window too: RFC 5961 drops it without a challenge ACK.
        allOutOfWindow = allOutOfWindow && (r->cls == RstClass::OutOfWindow || r->cls == RstClass::OffByOneAfterFin);
        allTookEffect = allTookEffect && r->outcome == RstOutcome::TookEffect;
    }
    if (!any) return NoChallengeReason::None;
    if (allOutOfWindow) return NoChallengeReason::OutOfWindow; // RFC 5961 3.2: dropped silently
    if (challenged > 0) return NoChallengeReason::RateLimit;   // it does answer, just not to all
    if (allTookEffect) return NoChallengeReason::Accepted;
    return NoChallengeReason::Unknown;
}

void Builder::rstRun(const std::vector<const RstEvent*>& run)
{
    const RstEvent& r = *run.front();
    const Side sender = r.sender, receiver = otherSide(sender);
    const PacketRecord& p = rec(r.row);
    RstSeqMismatch d;
    d.count = static_cast<uint32_t>(run.size());
    std::vector<uint32_t> challengeFrames, rstFrames;
    int64_t lastChallengeTs = -1;
    const RstEvent* tookEffect = nullptr;
    bool offByOne = false;
    for (const RstEvent* e : run) {
        if (rstFrames.size() < MaxListedFrames) rstFrames.push_back(frame(e->row));
        if (e->outcome == RstOutcome::Ignored) ++d.ignored;
        if (e->outcome == RstOutcome::TookEffect && !tookEffect) tookEffect = e;
        offByOne = offByOne || e->cls == RstClass::OffByOneAfterFin;
        if (e->challengeAckRow < 0) continue;
        ++d.challengeAcks;
        const PacketRecord& c = rec(static_cast<uint32_t>(e->challengeAckRow));
        if (challengeFrames.size() < MaxListedFrames) challengeFrames.push_back(c.frame);
        if (lastChallengeTs >= 0 && (d.challengeAckSpacingNs < 0 || ts(c) - lastChallengeTs < d.challengeAckSpacingNs))
            d.challengeAckSpacingNs = ts(c) - lastChallengeTs;
        lastChallengeTs = ts(c);
    }
    d.withoutChallengeAck = d.count - d.challengeAcks;
    d.noChallengeReason = noChallengeReason(run, d.challengeAcks);
    d.frames = rstFrames;

    Finding& x =
        add(FindingKind::RstSeqMismatch, d.ignored > 0 || offByOne ? Severity::Error : Severity::Warning, p.frame);
    const std::string seqText = rstSeqText(r);
    const std::string R = capitalized(who(receiver));
    if (run.size() == 1) {
        x.summary = singleRstText(r, seqText);
    } else {
        const int64_t span = ts(rec(run.back()->row)) - ts(p);
        std::string outcome;
        if (d.ignored == d.count) {
            const int64_t after = r.lastRowAfter >= 0 ? ts(rec(static_cast<uint32_t>(r.lastRowAfter))) - ts(p) : 0;
            outcome = fmt("the %s ignored all of them and kept sending (%u packets over %s)", who(receiver).c_str(),
                          r.framesAfter, formatDuration(after).c_str());
        } else if (tookEffect) {
            outcome = fmt("the %s ignored %u; RST #%u took effect (it went silent)", who(receiver).c_str(), d.ignored,
                          frame(tookEffect->row));
        } else {
            outcome = fmt("the %s ignored %u; the capture does not show whether it accepted the others",
                          who(receiver).c_str(), d.ignored);
        }
        std::string challenge;
        if (d.challengeAcks > 0)
            challenge = fmt("; %u drew a challenge ACK (%s)", d.challengeAcks, frameList(challengeFrames).c_str());
        if (d.withoutChallengeAck > 0) {
            challenge += fmt("%s %u drew none", d.challengeAcks > 0 ? " and" : ";", d.withoutChallengeAck);
            switch (d.noChallengeReason) {
            case NoChallengeReason::RateLimit:
                challenge += fmt(": the %s's challenge-ACK rate limit (Linux answers at most one per "
                                 "net.ipv4.tcp_invalid_ratelimit, 500 ms by default, per connection, within "
                                 "net.ipv4.tcp_challenge_ack_limit per second)",
                                 who(receiver).c_str());
                if (d.challengeAckSpacingNs >= 0)
                    challenge += fmt("; its challenge ACKs came at least %s apart",
                                     formatDuration(d.challengeAckSpacingNs).c_str());
                break;
            case NoChallengeReason::OutOfWindow:
                challenge += " (outside the window: RFC 5961 drops those silently)";
                break;
            case NoChallengeReason::Accepted:
                challenge += " (they were accepted)";
                break;
            default:
                break;
            }
        }
        x.summary =
            fmt("%u RSTs from the %s over %s were not exact (first #%u: %s); %s%s.", d.count, who(sender).c_str(),
                formatDuration(span).c_str(), p.frame, seqText.c_str(), outcome.c_str(), challenge.c_str());
    }
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
    x.relatedFrames = challengeFrames;
    x.relatedFrames.insert(x.relatedFrames.end(), rstFrames.begin() + 1, rstFrames.end());
    x.detail = std::move(d);
    if (!challengeFrames.empty()) challengeAcks(run, receiver, challengeFrames);
}

std::string Builder::singleRstText(const RstEvent& r, const std::string& seqText) const
{
    const Side sender = r.sender, receiver = otherSide(sender);
    const PacketRecord& p = rec(r.row);
    const std::string challenge =
        r.challengeAckRow >= 0 ? fmt("; challenge ACK #%u", frame(static_cast<uint32_t>(r.challengeAckRow))) : "";
    if (r.outcome == RstOutcome::Ignored) {
        const int64_t span = r.lastRowAfter >= 0 ? ts(rec(static_cast<uint32_t>(r.lastRowAfter))) - ts(p) : 0;
        std::string tail;
        const TcpState endState = f_.side(receiver).finalState;
        if (isLingeringState(endState))
            tail = fmt("; still in %s when the capture ends", std::string(tcpStateName(endState)).c_str());
        const std::string retrans =
            r.retransmitsAfter ? fmt(", %u of them retransmissions", r.retransmitsAfter) : std::string();
        return fmt("%s ignored RST #%u from the %s (%s%s) and kept sending %u packets for %s%s%s.",
                   capitalized(who(receiver)).c_str(), p.frame, who(sender).c_str(), seqText.c_str(), challenge.c_str(),
                   r.framesAfter, formatDuration(span).c_str(), retrans.c_str(), tail.c_str());
    }
    if (r.outcome == RstOutcome::TookEffect) {
        const bool linuxLenient = r.cls == RstClass::OffByOneAfterFin &&
                                  (r.receiverState == TcpState::CloseWait || r.receiverState == TcpState::LastAck ||
                                   r.receiverState == TcpState::Closing);
        return fmt("RST #%u from the %s was not exact (%s%s), yet the %s went silent: it took effect%s.", p.frame,
                   who(sender).c_str(), seqText.c_str(), challenge.c_str(), who(receiver).c_str(),
                   linuxLenient ? " (Linux accepts RCV.NXT \u2212 1 in CLOSE-WAIT, LAST-ACK and CLOSING; "
                                  "strict RFC 5961 stacks ignore it)"
                                : "");
    }
    return fmt("RST #%u from the %s was not exact (%s%s); the capture ends before showing whether the %s "
               "accepted it.",
               p.frame, who(sender).c_str(), seqText.c_str(), challenge.c_str(), who(receiver).c_str());
}

void Builder::challengeAcks(const std::vector<const RstEvent*>& run, Side receiver, const std::vector<uint32_t>& frames)
{
    std::vector<uint32_t> answered;
    uint32_t count = 0;
    for (const RstEvent* e : run) {
        if (e->challengeAckRow < 0) continue;
        ++count;
        if (answered.size() < MaxListedFrames) answered.push_back(frame(e->row));
    }
    Finding& c = add(FindingKind::ChallengeAck, Severity::Info, frames.front());
    const std::string R = who(receiver);
    if (frames.size() == 1) {
        c.summary = fmt("ACK #%u from the %s is a challenge ACK answering the inexact RST #%u (RFC 5961 "
                        "\u00a73.2), not a duplicate ACK: the %s did not accept the RST.",
                        frames.front(), R.c_str(), answered.front(), R.c_str());
    } else {
        c.summary = fmt("ACKs %s from the %s are challenge ACKs answering the inexact RSTs %s (RFC 5961 "
                        "\u00a73.2), not duplicate ACKs: the %s did not accept those RSTs.",
                        frameList(frames).c_str(), R.c_str(), frameList(answered).c_str(), R.c_str());
    }
    ChallengeAck d{receiver, answered.front(), count, frames};
    c.relatedFrames = answered;
    c.detail = std::move(d);
}

void Builder::fingerprint(const std::vector<const RstEvent*>& run)
{
    const RstEvent& r = *run.front();
    const PacketRecord& p = rec(r.row);
    Finding& x = add(FindingKind::RstFingerprintMismatch, Severity::Warning, p.frame);
    std::string why;
    if (r.ttlMismatch)
        why = fmt("its TTL is %u while the %s's other packets have %u", p.ttl, who(r.sender).c_str(), r.usualTtl);
    if (r.ipIdUnusual) {
        if (!why.empty()) why += ", and ";
        why +=
            fmt("its IP ID %u breaks the %s's sequence (previous %u)", p.ipId, who(r.sender).c_str(), r.previousIpId);
    }
    RstFingerprintMismatch d;
    d.count = static_cast<uint32_t>(run.size());
    for (const RstEvent* e : run)
        if (d.frames.size() < MaxListedFrames) d.frames.push_back(frame(e->row));
    if (run.size() == 1)
        x.summary = fmt("RST #%u claims to come from the %s but %s: likely forged by a box in the path.", p.frame,
                        who(r.sender).c_str(), why.c_str());
    else
        x.summary = fmt("%u RSTs (%s) claim to come from the %s but do not fit it (the first: %s): likely "
                        "forged by a box in the path.",
                        d.count, frameList(d.frames).c_str(), who(r.sender).c_str(), why.c_str());
    d.side = r.sender;
    d.ttl = p.ttl;
    d.usualTtl = r.usualTtl;
    if (p.info & pinfo::HasIpId) {
        d.ipId = p.ipId;
        d.previousIpId = r.previousIpId;
    }
    d.ttlMismatch = r.ttlMismatch;
    d.ipIdUnusual = r.ipIdUnusual;
    if (run.size() > 1) x.relatedFrames.assign(d.frames.begin() + 1, d.frames.end());
    x.detail = std::move(d);
}

void Builder::abortiveClose(const RstEvent& r)
{
    const Side s = r.sender, peer = otherSide(s);
    const uint32_t rstFrame = frame(r.row);
    AbortiveClose d;
    d.side = s;
    d.state = r.senderState;
    if (r.senderUnansweredKeepAlives > 0) {
        d.cause = AbortCause::KeepaliveTimeout;
        d.unansweredProbes = r.senderUnansweredKeepAlives + r.senderUnansweredRetransmits;
    } else if (r.senderUnansweredRetransmits > 0) {
        d.cause = AbortCause::RetransmissionTimeout;
        d.unansweredProbes = r.senderUnansweredRetransmits;
    } else if (r.receiverBytesUnanswered > 0) {
        d.cause = AbortCause::Application;
    }
    d.peerBytesUnanswered = r.receiverBytesUnanswered;
    if (r.receiverDataRow >= 0) d.peerDataFrame = frame(static_cast<uint32_t>(r.receiverDataRow));
    const std::string S = capitalized(who(s)), P = who(peer);
    const std::string state = std::string(tcpStateName(d.state));
    Finding& x = add(FindingKind::AbortiveClose,
                     d.cause == AbortCause::RetransmissionTimeout ? Severity::Error : Severity::Warning, rstFrame);
    switch (d.cause) {
    case AbortCause::KeepaliveTimeout:
        x.summary = fmt("%s gave up on the connection: %u keep-alive%s went unanswered, then it sent RST #%u "
                        "(keep-alive timeout: its application gets ETIMEDOUT; the %s may never learn of it).",
                        S.c_str(), d.unansweredProbes, d.unansweredProbes == 1 ? "" : "s", rstFrame, P.c_str());
        break;
    case AbortCause::RetransmissionTimeout:
        x.summary = fmt("%s gave up after %u unanswered retransmission%s and sent RST #%u (retransmission "
                        "timeout: its application gets ETIMEDOUT).",
                        S.c_str(), d.unansweredProbes, d.unansweredProbes == 1 ? "" : "s", rstFrame);
        break;
    case AbortCause::Application:
        x.summary = fmt("%s ended the connection in %s with RST #%u instead of a FIN while the %s's %u byte%s "
                        "(from #%u) were never answered: its application closed with data unread (Linux then "
                        "resets) or with SO_LINGER 0.",
                        S.c_str(), state.c_str(), rstFrame, P.c_str(), d.peerBytesUnanswered,
                        d.peerBytesUnanswered == 1 ? "" : "s", d.peerDataFrame.value_or(0));
        break;
    default:
        x.summary = fmt("%s ended the connection in %s with RST #%u at its exact next sequence number instead "
                        "of a FIN (an abortive close: SO_LINGER 0, a process that was killed, or a box in the "
                        "path speaking for it).",
                        S.c_str(), state.c_str(), rstFrame);
        break;
    }
    if (d.peerDataFrame) x.relatedFrames.push_back(*d.peerDataFrame);
    x.detail = d;
}

void Builder::rstIgnored()
{
    // RSTs an inexact run already explains (their rst_seq_mismatch says they were ignored)
    // are not reported twice: one RST, one error.
    for (Side receiver : {Side::Client, Side::Server}) {
        const RstEvent* first = nullptr;
        std::vector<uint32_t> rstFrames;
        for (const RstEvent& r : ev_.rsts) {
            if (otherSide(r.sender) != receiver || r.outcome != RstOutcome::Ignored) continue;
            if (r.cls != RstClass::Exact && r.cls != RstClass::NotJudged) continue;
            if (!first) first = &r;
            rstFrames.push_back(frame(r.row));
        }
        if (!first) continue;
        const PacketRecord& p = rec(first->row);
        Finding& x = add(FindingKind::RstIgnored, Severity::Error, p.frame);
        const int64_t span = first->lastRowAfter >= 0 ? ts(rec(static_cast<uint32_t>(first->lastRowAfter))) - ts(p) : 0;
        x.summary = fmt("%s kept sending after RST #%u: %u more packets over %s%s.", capitalized(who(receiver)).c_str(),
                        p.frame, first->framesAfter, formatDuration(span).c_str(),
                        rstFrames.size() > 1 ? fmt(" (%zu RSTs ignored in all)", rstFrames.size()).c_str() : "");
        x.relatedFrames = rstFrames;
        x.detail = RstIgnored{receiver, p.frame, first->framesAfter, std::move(rstFrames)};
    }
}

} // namespace flowladder::core::findings_detail
