#include "app/cli/CompareCommand.h"

#include "core/compare/Comparison.h"
#include "core/report/ComparisonReport.h"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace flowladder::cli {

using namespace flowladder::core;

CLI::App* addCompareCommand(CLI::App& app, CompareArgs& args)
{
    auto* cmd = app.add_subcommand("compare", "Line up two captures of the same traffic (two vantage points)");
    cmd->add_option("CAPTURE_A", args.captureA, "pcap or pcapng file (e.g. the client side)")->required();
    cmd->add_option("CAPTURE_B", args.captureB, "pcap or pcapng file (e.g. the server side)")->required();
    cmd->add_flag("--json", args.json, "Print the JSON of the CLI contract");
    cmd->add_option("--offset", args.offset, "Seconds to add to B's timestamps (default: estimated)")
        ->check(CLI::Validator(
            [](const std::string& text) -> std::string {
                double v = 0;
                try {
                    size_t used = 0;
                    v = std::stod(text, &used);
                    if (used != text.size()) return "not a number: " + text;
                } catch (const std::exception&) {
                    return "not a number: " + text;
                }
                if (!std::isfinite(v) || std::abs(v) > MaxClockOffsetSeconds)
                    return "must be a finite number of seconds within +-10 years";
                return {};
            },
            "SECONDS", "finite, within +-10 years"));
    return cmd;
}

int runCompare(const CompareArgs& args)
{
    CompareOptions options;
    options.clockOffsetSeconds = args.offset;
    std::string error;
    const std::optional<Comparison> c = compareFiles(args.captureA, args.captureB, error, options);
    if (!c) {
        std::cerr << "flowladder-cli: " << error << "\n";
        return 1;
    }
    for (const AnalysisPtr& x : {c->a, c->b})
        for (const std::string& e : x->capture.errors)
            std::cerr << "flowladder-cli: warning: " << e << "\n";
    if (args.json)
        std::cout << comparisonToJson(*c).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
        writeComparisonText(*c, std::cout);
    return 0;
}

} // namespace flowladder::cli
