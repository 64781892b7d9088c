// libFuzzer target: a whole capture file through the core.
//
// The input is written to an in-memory file (fuzz/MemFile.h) and read as a file
// on disk. Then analyzeFile runs, every flow, side, state change and finding is
// touched, and the JSON and text reports are produced, so the whole path from
// bytes to `flowladder-cli analyze --json` runs.
// The readers alone (with the built-in pcapng reader's own contract) are fuzzed
// faster by fuzz_capture_parse.

#include "core/capture/CaptureReader.h"
#include "core/capture/Decoder.h"
#include "core/report/JsonReport.h"
#include "core/report/TextReport.h"
#include "core/tcp/Analyzer.h"
#include "fuzz/MemFile.h"

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <streambuf>
#include <string>

namespace {

using namespace flowladder::core;

// A streambuf that discards everything (the text report is produced, not kept).
class NullBuf final : public std::streambuf {
protected:
    int_type overflow(int_type c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

void check(bool ok)
{
    if (!ok) __builtin_trap();
}

void touchAnalysis(const Analysis& a)
{
    const CaptureInfo& c = a.capture;
    check(c.tcpPackets <= c.packets);
    check(c.malformed <= c.packets);
    check(!c.linktype.empty());
    for (const std::string& e : c.errors)
        check(!e.empty());

    uint64_t flowPackets = 0;
    for (size_t i = 0; i < a.flows.size(); ++i) {
        const Flow& f = a.flows[i];
        check(a.idOf(f) == i + 1);
        check(a.flowById(a.idOf(f)) == &f);
        check(!f.packets.empty());
        flowPackets += f.packets.size();
        check(a.firstFrame(f) <= a.lastFrame(f));
        const StateTimelines timelines = a.stateTimelines(f);
        for (uint32_t row = 0; row < f.packetCount(); ++row) {
            check(a.packets.holds(f.packets[row]));
            check(f.packets.contains(f.packets[row]));
            const PacketRecord& p = a.packet(f, row);
            check(row == 0 || p.frame > a.packet(f, row - 1).frame); // frame order within the flow
            check(p.frame >= 1); // (pcapng custom blocks take frame numbers too: no upper bound)
            check(a.rowOfFrame(f, p.frame) >= 0);
            (void)a.relativeSeq(f, p);
            (void)a.relativeAck(f, p);
            (void)timelines.stateAfter(Side::Client, f.packets[row]);
        }
        for (Side s : {Side::Client, Side::Server}) {
            // The replayed timeline covers only this flow's packets and ends in the final state.
            for (const StateChange& sc : timelines.side(s))
                check(f.packets.contains(sc.packet));
            // A side none of whose packets was seen has no timeline (no LISTEN is claimed for it).
            if (timelines.side(s).empty())
                check(f.side(s).finalState == TcpState::Unknown);
            else
                check(timelines.side(s).back().state == f.side(s).finalState);
        }
        for (uint32_t fi : a.findingsOf(f))
            check(fi < a.findings.size() && a.findings[fi].flow == a.idOf(f));
        (void)a.durationSeconds(f);
        const FlowTotals t = a.totals(f);
        check(t.packets[0] + t.packets[1] == f.packetCount());
    }
    check(flowPackets == c.tcpPackets);
    for (const Finding& fd : a.findings) {
        check(a.flowById(fd.flow) != nullptr);
        check(!fd.summary.empty());
    }

    // The CLI's two outputs. dump() throws on invalid UTF-8: that would be a bug.
    const std::string json = analysisToJson(a).dump(2);
    check(!json.empty());
    NullBuf nb;
    std::ostream null(&nb);
    writeTextReport(a, null);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static flowladder::fuzz::MemFile file;
    file.set(data, size);

    std::string error;
    const AnalysisPtr analysis = analyzeFile(file.path(), error);
    if (!analysis) {
        // Refused outright: the message must name the file.
        check(error.find(file.path()) != std::string::npos);
    } else {
        touchAnalysis(*analysis);
    }
    return 0;
}
