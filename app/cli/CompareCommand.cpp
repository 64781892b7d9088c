#include "app/cli/CompareCommand.h"

#include "core/Comparison.h"
#include "core/FindingBuilder.h"

#include <cstdio>
#include <iostream>

namespace flowladder::cli {

using namespace flowladder::core;

CLI::App* addCompareCommand(CLI::App& app, CompareArgs& args) {
    auto* cmd = app.add_subcommand("compare", "Line up two captures of the same traffic (two vantage points)");
    cmd->add_option("CAPTURE_A", args.captureA, "pcap or pcapng file (e.g. the client side)")->required();
    cmd->add_option("CAPTURE_B", args.captureB, "pcap or pcapng file (e.g. the server side)")->required();
    cmd->add_flag("--json", args.json, "Print the JSON of the CLI contract");
    cmd->add_option("--offset", args.offset, "Seconds to add to B's timestamps (default: estimated)");
    return cmd;
}

namespace {

std::string signedSeconds(int64_t ns) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%+.6f s", static_cast<double>(ns) / 1e9);
    return buf;
}

std::string frames(const std::vector<uint32_t>& v) {
    std::string r;
    for (size_t i = 0; i < v.size() && i < 12; ++i) r += (i ? " #" : "#") + std::to_string(v[i]);
    if (v.size() > 12) r += " ... (" + std::to_string(v.size()) + ")";
    return r;
}

void writeText(const Comparison& c, std::ostream& out) {
    out << "A: " << c.fileA << " (" << c.a->capture.packets << " packets, " << c.a->flows.size() << " TCP connections)\n"
        << "B: " << c.fileB << " (" << c.b->capture.packets << " packets, " << c.b->flows.size()
        << " TCP connections)\n";
    out << "Clock offset: " << signedSeconds(c.clockOffsetNs) << " added to B's times";
    if (c.clockOffsetEstimated) out << " (estimated from " << c.offsetSamples << " packets)";
    else out << (c.offsetSamples || c.pairs.empty() ? " (given)" : " (nothing to estimate from)");
    if (c.oneWayDelayNs) out << "; one-way delay between the capture points " << formatDuration(*c.oneWayDelayNs);
    out << "\n";

    int problems = 0;
    for (const Finding& f : c.findings)
        if (f.severity != Severity::Info) ++problems;
    out << "\n";
    if (problems == 0) out << "The two captures agree.\n";
    for (int rank = 0; rank < 3; ++rank)
        for (const Finding& f : c.findings) {
            const int r = f.severity == Severity::Error ? 0 : f.severity == Severity::Warning ? 1 : 2;
            if (r != rank || r == 2) continue;
            out << (r == 0 ? "ERROR   " : "WARNING ") << "flow A" << f.intField("flow_a") << "/B" << f.intField("flow_b")
                << " " << findingKindName(f.kind) << ": " << f.summary << "\n";
        }

    out << "\nMatched connections:\n";
    for (const FlowPair& p : c.pairs) {
        const Flow& fa = *c.a->flowById(p.a);
        const Flow& fb = *c.b->flowById(p.b);
        out << "  A" << p.a << " " << fa.side(Side::Client).endpoint.toString() << " -> "
            << fa.side(Side::Server).endpoint.toString() << "  =  B" << p.b << " "
            << fb.side(p.bSide(Side::Client)).endpoint.toString() << " -> "
            << fb.side(p.bSide(Side::Server)).endpoint.toString() << "  (by " << flowMatchMethodName(p.matchedBy)
            << ")\n";
        out << "    " << p.matched << " packets in both";
        if (p.oneWayDelayNs) out << ", one-way delay " << formatDuration(*p.oneWayDelayNs);
        if (p.nearAKnown) out << ", A is on the " << sideName(p.nearA) << " side";
        out << "\n";
        if (!p.onlyInA.empty()) out << "    only in A: " << frames(p.onlyInA) << "\n";
        if (!p.onlyInB.empty()) out << "    only in B: " << frames(p.onlyInB) << "\n";
        if (!p.aOutsideB.empty()) out << "    in A while B was not capturing: " << frames(p.aOutsideB) << "\n";
        if (!p.bOutsideA.empty()) out << "    in B while A was not capturing: " << frames(p.bOutsideA) << "\n";
    }
    if (c.pairs.empty()) out << "  none\n";
    if (!c.unmatchedA.empty() || !c.unmatchedB.empty()) {
        out << "\nUnmatched connections:";
        for (uint32_t id : c.unmatchedA) out << " A" << id;
        for (uint32_t id : c.unmatchedB) out << " B" << id;
        out << "\n";
    }
}

} // namespace

int runCompare(const CompareArgs& args) {
    CompareOptions options;
    options.clockOffsetSeconds = args.offset;
    std::string error;
    const std::optional<Comparison> c = compareFiles(args.captureA, args.captureB, error, options);
    if (!c) {
        std::cerr << "flowladder-cli: " << error << "\n";
        return 1;
    }
    for (const AnalysisPtr& x : {c->a, c->b})
        for (const std::string& e : x->capture.errors) std::cerr << "flowladder-cli: warning: " << e << "\n";
    if (args.json) std::cout << comparisonToJson(*c).dump(2) << "\n";
    else writeText(*c, std::cout);
    return 0;
}

} // namespace flowladder::cli
