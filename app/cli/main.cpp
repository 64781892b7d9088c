// flowladder-cli: the command-line face of the core (DESIGN.md, "The CLI contract").
// Exit status: 0 on success, 1 when a file cannot be read, 2 for bad usage.

#include "app/cli/CompareCommand.h"
#include "app/cli/RenderCommand.h"
#include "core/report/JsonReport.h"
#include "core/report/TextReport.h"
#include "core/tcp/Analyzer.h"

#include <CLI/CLI.hpp>
#include <iostream>

using namespace flowladder::core;

namespace {

constexpr int ExitUnreadable = 1;
constexpr int ExitUsage = 2;

int runAnalyze(const std::string& capture, bool json)
{
    std::string error;
    const AnalysisPtr analysis = analyzeFile(capture, error);
    if (!analysis) {
        std::cerr << "flowladder-cli: " << error << "\n";
        return ExitUnreadable;
    }
    for (const std::string& e : analysis->capture.errors)
        std::cerr << "flowladder-cli: warning: " << e << "\n";
    if (json)
        writeAnalysisJson(*analysis, std::cout);
    else
        writeTextReport(*analysis, std::cout);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"FlowLadder: explains why TCP connections in a capture misbehaved"};
    app.require_subcommand(1);

    std::string capture;
    bool json = false;
    auto* analyze = app.add_subcommand("analyze", "Per-flow summary and findings of a capture");
    analyze->add_option("CAPTURE", capture, "pcap or pcapng file")->required();
    analyze->add_flag("--json", json, "Print the JSON of the CLI contract");
    flowladder::cli::CompareArgs compareArgs;
    auto* compare = flowladder::cli::addCompareCommand(app, compareArgs);
    flowladder::cli::RenderArgs renderArgs;
    auto* render = flowladder::cli::addRenderCommand(app, renderArgs);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return ExitUsage;
    }
    if (*analyze) return runAnalyze(capture, json);
    if (*compare) return flowladder::cli::runCompare(compareArgs);
    if (*render) return flowladder::cli::runRender(renderArgs, argc, argv);
    return ExitUsage;
}
