#include "core/report/TextReport.h"

#include "core/report/TextFormat.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace flowladder::core {

namespace {

// Left-aligned in a column of `w`; a longer value still gets one space, so columns never run
// together (a 5-digit flow id, a long IPv6 endpoint).
std::string pad(std::string s, size_t w)
{
    s.append(s.size() < w ? w - s.size() : 1, ' ');
    return s;
}

int severityRank(Severity s)
{
    return s == Severity::Error ? 0 : s == Severity::Warning ? 1 : 2;
}

// " (b.pcap #45)": the file and frame there of a merged capture's frame; empty for one file.
std::string where(const Analysis& a, uint32_t frame)
{
    if (!a.capture.merged()) return {};
    const FrameOrigin o = a.capture.origin(frame);
    return " (" + std::filesystem::path(a.capture.sources[o.source].path).filename().string() + " #" +
           std::to_string(o.frame) + ")";
}

} // namespace

void writeTextReport(const Analysis& a, std::ostream& out)
{
    const CaptureInfo& ci = a.capture;
    if (ci.merged())
        out << ci.displayName() << ", merged by time";
    else
        out << ci.file << ": " << captureFormatName(ci.format)
            << (ci.compression.empty() ? "" : " in " + ci.compression);
    out << ", " << ci.linktype << ", " << ci.packets << " packets (" << ci.tcpPackets << " TCP) in "
        << formatDuration(ci.lastNs - ci.firstNs) << ", " << a.flows.size() << " TCP connection"
        << (a.flows.size() == 1 ? "" : "s") << "\n";
    for (const SourceFile& f : ci.sources)
        out << "  " << f.path << ": " << captureFormatName(f.format)
            << (f.compression.empty() ? "" : " in " + f.compression) << ", " << f.packets << " packets"
            << (f.truncated ? ", truncated" : "") << "\n";
    for (const std::string& e : ci.errors)
        out << "warning: " << e << "\n";
    if (ci.truncated) out << "warning: the file is truncated or damaged; what came before the damage was analysed\n";

    // Headline: the serious findings first.
    std::vector<const Finding*> serious;
    for (const Finding& f : a.findings)
        if (f.severity != Severity::Info) serious.push_back(&f);
    std::stable_sort(serious.begin(), serious.end(), [](const Finding* x, const Finding* y) {
        return severityRank(x->severity) < severityRank(y->severity);
    });
    out << "\n";
    if (serious.empty()) out << "No problems found.\n";
    for (const Finding* f : serious)
        out << (f->severity == Severity::Error ? "ERROR   " : "WARNING ") << "flow " << f->flow << " #" << f->frame
            << where(a, f->frame) << " " << findingKindName(f->kind) << ": " << f->summary << "\n";

    out << "\n"
        << pad("ID", 5) << pad("CLIENT", 28) << pad("SERVER", 28) << pad("PKTS", 8) << pad("BYTES", 11)
        << pad("DURATION", 10) << pad("CLIENT STATE", 14) << pad("SERVER STATE", 14) << "FINDINGS\n";
    uint32_t nextFinding = 0; // the flows' findings, walked in order
    for (const Flow& f : a.flows) {
        std::string kinds;
        for (uint32_t i : a.findingsOf(f, nextFinding)) {
            const std::string k(findingKindName(a.findings[i].kind));
            if (kinds.find(k) == std::string::npos) kinds += (kinds.empty() ? "" : ",") + k;
        }
        out << pad(std::to_string(a.idOf(f)), 5) << pad(f.endpoint(Side::Client).toString(), 28)
            << pad(f.endpoint(Side::Server).toString(), 28) << pad(std::to_string(f.packetCount()), 8)
            << pad(std::to_string(a.totals(f).allBytes()), 11) << pad(formatDuration(a.endNs(f) - a.startNs(f)), 10)
            << pad(std::string(tcpStateName(f.side(Side::Client).finalState)), 14)
            << pad(std::string(tcpStateName(f.side(Side::Server).finalState)), 14) << kinds << "\n";
    }
}

} // namespace flowladder::core
