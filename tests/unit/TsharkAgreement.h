#pragma once
// FlowLadder's per-packet marks against tshark's tcp.analysis flags (retransmission, duplicate
// ACK, zero window, keep-alive), with every principled difference explained packet by packet.
// Used on the real-kernel captures (test_netns_captures.cpp) and the public ones
// (test_public_captures.cpp).
#include "core/model/Analysis.h"
#include "tests/support/RunCommand.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace flowladder::testing {

// Frames tshark flags, per flag: one tshark run per file, one column per flag.
inline std::vector<std::set<uint32_t>> tsharkFlags(const std::filesystem::path& file,
                                                   const std::vector<std::string>& fields)
{
    std::string cmd = "tshark -n -r '" + file.string() + "' -Y tcp.analysis.flags -T fields -e frame.number";
    for (const std::string& f : fields)
        cmd += " -e " + f;
    const std::string out = testsupport::runCommand(cmd + " 2>/dev/null").out;
    std::vector<std::set<uint32_t>> sets(fields.size());
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cols;
        std::istringstream row(line);
        for (std::string c; std::getline(row, c, '\t');)
            cols.push_back(c);
        if (cols.empty()) continue;
        const auto frame = static_cast<uint32_t>(std::stoul(cols[0]));
        for (size_t i = 1; i < cols.size() && i <= fields.size(); ++i)
            if (!cols[i].empty()) sets[i - 1].insert(frame);
    }
    return sets;
}

inline std::set<uint32_t> ourFrames(const core::Analysis& a, uint16_t marks)
{
    std::set<uint32_t> frames;
    for (const core::Flow& f : a.flows)
        for (uint32_t row = 0; row < f.packetCount(); ++row)
            if (a.packet(f, row).marks & marks) frames.insert(a.packet(f, row).frame);
    return frames;
}

// The flow and row of a frame.
inline std::pair<const core::Flow*, uint32_t> locate(const core::Analysis& a, uint32_t frame)
{
    for (const core::Flow& f : a.flows)
        for (uint32_t row = 0; row < f.packetCount(); ++row)
            if (a.packet(f, row).frame == frame) return {&f, row};
    return {nullptr, 0};
}

// RFC 5681 section 2 (a): a duplicate ACK needs data outstanding at its receiver. True when the
// ACK at `frame` covers everything its receiver was seen sending before it.
inline bool nothingOutstanding(const core::Analysis& a, uint32_t frame)
{
    const auto [f, row] = locate(a, frame);
    if (!f) return false;
    const auto& p = a.packet(*f, row);
    bool any = false;
    uint32_t highest = 0;
    for (uint32_t r = 0; r < row; ++r) {
        const auto& q = a.packet(*f, r);
        if (q.side() == p.side() || q.has(core::tcpflag::RST)) continue;
        const uint32_t end = q.seq + q.seqLen();
        highest = any ? core::seqMax(highest, end) : end;
        any = true;
    }
    return !any || !core::seqGt(highest, p.ack);
}

// A segment below the sequence number of an inexact (forged) RST that claimed to come from its
// sender: tshark moves the sender's next sequence number with that RST, so the next real segment
// looks retransmitted to it. A RST carries no data; it does not move SND.NXT.
inline bool belowAForgedRst(const core::Analysis& a, uint32_t frame)
{
    const auto [f, row] = locate(a, frame);
    if (!f) return false;
    const auto& p = a.packet(*f, row);
    for (uint32_t r = 0; r < row; ++r) {
        const auto& q = a.packet(*f, r);
        if (q.side() == p.side() && q.marked(core::mark::RstSeqMismatch) && core::seqGt(q.seq, p.seq)) return true;
    }
    return false;
}

// RFC 5681 (e): a duplicate ACK repeats the greatest ACK its sender has sent; an ACK below that
// (ACKs reordered on the way, or a stale one) is none. tshark compares with the previous ACK only.
inline bool belowGreatestAck(const core::Analysis& a, uint32_t frame)
{
    const auto [f, row] = locate(a, frame);
    if (!f) return false;
    const auto& p = a.packet(*f, row);
    for (uint32_t r = 0; r < row; ++r) {
        const auto& q = a.packet(*f, r);
        if (q.side() == p.side() && q.has(core::tcpflag::ACK) && core::seqGt(q.ack, p.ack)) return true;
    }
    return false;
}

// Either of the two rules above.
inline bool notADuplicateByRfc5681(const core::Analysis& a, uint32_t frame)
{
    return nothingOutstanding(a, frame) || belowGreatestAck(a, frame);
}

// A segment below its sender's high-water mark whose first copy the capture never saw (lost
// before the capture point, or a hole the receiver's duplicate ACKs and SACK blocks point at):
// tshark calls it out-of-order, having no earlier copy; FlowLadder calls it a retransmission when
// it comes later than the round trip after the sender moved past it (it was sent again).
inline bool firstCopyNotCaptured(const core::Analysis& a, uint32_t frame)
{
    const auto [f, row] = locate(a, frame);
    if (!f) return false;
    const auto& p = a.packet(*f, row);
    const uint32_t end = p.seq + p.seqLen();
    for (uint32_t r = 0; r < row; ++r) {
        const auto& q = a.packet(*f, r);
        if (q.side() != p.side() || q.seqLen() == 0 || q.has(core::tcpflag::RST)) continue;
        if (core::seqLt(q.seq, end) && core::seqGt(q.seq + q.seqLen(), p.seq)) return false; // seen before
    }
    return true;
}

// An ACK advertising a zero window: tshark never calls it a duplicate ACK; RFC 5681 section 2
// does when it repeats the greatest ACK with the same (zero) window while data is outstanding,
// and so does Linux (tcp_ack counts it: no data, no window update, SND.UNA unchanged).
inline bool zeroWindowAck(const core::Analysis& a, uint32_t frame)
{
    const auto [f, row] = locate(a, frame);
    return f && a.packet(*f, row).window == 0;
}

inline std::string frameText(const std::set<uint32_t>& s)
{
    std::string r;
    for (uint32_t f : s)
        r += " #" + std::to_string(f);
    return r.empty() ? " none" : r;
}

struct TsharkComparison {
    size_t principled = 0;             // frames only tshark flags, each explained
    std::vector<std::string> problems; // unexplained differences, one line per flag
};

// Retransmissions, duplicate ACKs, zero windows and keep-alives of one capture against tshark
// 4.0's tcp.analysis flags. Where the two differ, the difference must be one of these, checked
// packet by packet against our own marks:
//  - tshark calls a challenge ACK (RFC 5961 3.2) a duplicate ACK: we mark it ChallengeAck.
//  - tshark counts an ACK as duplicate whether or not its receiver had data outstanding;
//    RFC 5681 section 2 requires outstanding data (condition (a)), so a repeated ACK towards an
//    idle peer (the challenge ACKs seen from the client's side, where the RST is not) is none;
//    nor is an ACK below the greatest ACK already sent (condition (e)): tshark compares with the
//    previous ACK only.
//  - tshark calls a zero-window probe "TCP Keep-Alive" (and its answers "Keep-Alive ACK"):
//    we mark the probe ZeroWindowProbe (the kernel counted TCPWinProbe 3, TCPKeepAlive 0).
//  - tshark's retransmission flag also covers what we call out-of-order (a segment below the
//    high-water mark within the RTT of it); we mark those OutOfOrder.
//  - tshark never calls an ACK advertising a zero window a duplicate ACK; RFC 5681 and Linux do.
//  - a segment below the sender's high-water mark whose first copy the capture never saw is
//    out-of-order to tshark; to FlowLadder it is a retransmission when it comes later than the
//    round trip (the originals were lost before the capture point).
//  - tshark moves a sender's next sequence number with a forged RST's (20097 in rst-storm-*), so
//    the sender's next real segment (its FIN at 97) is a "retransmission" to it; a RST carries no
//    data and moves no SND.NXT.
inline TsharkComparison compareWithTshark(const std::filesystem::path& file, const core::Analysis& a)
{
    using namespace core::mark;
    TsharkComparison out;
    struct Flag {
        std::vector<std::string> tshark; // any of these fields
        uint16_t ours;
        uint16_t explainsTheirExtra;                       // our marks that account for a frame only tshark flags
        bool (*explains)(const core::Analysis&, uint32_t); // or a rule that does
        bool (*explainsOurs)(const core::Analysis&, uint32_t) = nullptr; // a frame only we mark
    };
    const Flag flags[] = {
        {{"tcp.analysis.retransmission", "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission"},
         Retransmission,
         OutOfOrder,
         belowAForgedRst,
         firstCopyNotCaptured},
        {{"tcp.analysis.duplicate_ack"}, DupAck, ChallengeAck, notADuplicateByRfc5681, zeroWindowAck},
        {{"tcp.analysis.zero_window"}, ZeroWindow, 0, nullptr},
        {{"tcp.analysis.keep_alive"}, KeepAlive, ZeroWindowProbe, nullptr},
    };
    std::vector<std::string> fields;
    for (const Flag& fl : flags)
        fields.insert(fields.end(), fl.tshark.begin(), fl.tshark.end());
    const auto flagged = tsharkFlags(file, fields);
    size_t column = 0;
    for (const Flag& fl : flags) {
        std::set<uint32_t> theirs;
        for (size_t i = 0; i < fl.tshark.size(); ++i, ++column)
            theirs.insert(flagged[column].begin(), flagged[column].end());
        const auto ours = ourFrames(a, fl.ours);
        std::set<uint32_t> onlyTheirs, onlyOurs;
        std::set_difference(theirs.begin(), theirs.end(), ours.begin(), ours.end(),
                            std::inserter(onlyTheirs, onlyTheirs.end()));
        std::set_difference(ours.begin(), ours.end(), theirs.begin(), theirs.end(),
                            std::inserter(onlyOurs, onlyOurs.end()));
        const auto explainedTheirs = ourFrames(a, fl.explainsTheirExtra);
        std::set<uint32_t> unexplained;
        for (uint32_t f : onlyTheirs)
            if (!explainedTheirs.contains(f) && !(fl.explains && fl.explains(a, f))) unexplained.insert(f);
        std::set<uint32_t> oursUnexplained;
        for (uint32_t f : onlyOurs)
            if (!(fl.explainsOurs && fl.explainsOurs(a, f))) oursUnexplained.insert(f);
        out.principled += onlyTheirs.size() - unexplained.size() + onlyOurs.size() - oursUnexplained.size();
        if (!unexplained.empty()) out.problems.push_back(fl.tshark[0] + ": only tshark flags" + frameText(unexplained));
        if (!oursUnexplained.empty())
            out.problems.push_back(fl.tshark[0] + ": only FlowLadder marks" + frameText(oursUnexplained));
    }
    return out;
}

} // namespace flowladder::testing
