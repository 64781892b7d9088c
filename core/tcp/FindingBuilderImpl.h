#pragma once
// The findings builder behind buildFindings (FindingBuilder.h), shared by its two halves:
// FindingBuilder.cpp (handshake, closes, the usual per-packet analysis) and RstFindings.cpp
// (RSTs: sequence checks, challenge ACKs, forged RSTs, abortive closes). Internal to core/tcp.

#include "core/tcp/FindingBuilder.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace flowladder::core::findings_detail {

inline constexpr size_t MaxListedFrames = 100;

inline std::string fmt(const char* f, auto... args)
{
    char buf[512];
    std::snprintf(buf, sizeof buf, f, args...);
    return buf;
}

inline std::string capitalized(std::string_view s)
{
    std::string out(s);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
}

class Builder {
public:
    Builder(const Analysis& a, Flow& f, const FlowEvents& ev, int64_t endNs, FindingList& out)
        : a_(a), f_(f), ev_(ev), endNs_(endNs), out_(out)
    {
    }

    void run()
    {
        handshakeUnanswered();
        rsts();
        rstIgnored();
        simultaneousClose();
        finRetransmits();
        lingering(Side::Client);
        lingering(Side::Server);
        usual();
    }

private:
    const PacketRecord& rec(uint32_t row) const { return a_.packets[f_.packets[row]]; }
    int64_t ts(const PacketRecord& p) const { return a_.packets.tsNs(p); }
    uint32_t frame(uint32_t row) const { return rec(row).frame; }
    std::string who(Side s) const { return std::string(sideName(s)); }
    uint32_t rel(Side sender, uint32_t seq) const { return seq - f_.side(sender).isn; }

    Finding& add(FindingKind kind, Severity sev, uint32_t frameNo)
    {
        Finding& x = out_.emplace_back();
        x.kind = kind;
        x.severity = sev;
        x.flow = a_.idOf(f_);
        x.frame = frameNo;
        return x;
    }

    std::string rstSeqText(const RstEvent& r) const;
    // Frames as "#8, #14, #21" (the first few, then "…" when there are more).
    static std::string frameList(const std::vector<uint32_t>& frames, size_t shown = 6);
    // RSTs, grouped: refusals one by one; per claimed sender, every inexact RST is one
    // rst_seq_mismatch (a storm is one finding), its challenge ACKs one challenge_ack, every RST
    // that does not fit it one rst_fingerprint_mismatch; and the first RST a side plausibly sent
    // itself to end an open connection is an abortive_close.
    void rsts();
    static bool isOpenState(TcpState s);
    void refused(const RstEvent& r);
    // Why the RSTs of a run that drew no challenge ACK drew none.
    static NoChallengeReason noChallengeReason(const std::vector<const RstEvent*>& run, uint32_t challenged);
    void rstRun(const std::vector<const RstEvent*>& run);
    std::string singleRstText(const RstEvent& r, const std::string& seqText) const;
    void challengeAcks(const std::vector<const RstEvent*>& run, Side receiver, const std::vector<uint32_t>& frames);
    void fingerprint(const std::vector<const RstEvent*>& run);
    void abortiveClose(const RstEvent& r);
    void rstIgnored();
    // SYNs of one side that the other never answered: nothing at all came back.
    void handshakeUnanswered();
    void simultaneousClose();
    void finRetransmits();
    void lingering(Side s);
    void usual();

    const Analysis& a_;
    Flow& f_;
    const FlowEvents& ev_;
    int64_t endNs_;
    FindingList& out_;
};

} // namespace flowladder::core::findings_detail
