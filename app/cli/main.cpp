// flowladder-cli: the command-line face of the core (DESIGN.md, "The CLI contract").
// Exit status: 0 on success, 1 when a file cannot be read (or on an internal error: never an
// abort), 2 for bad usage.

#include "app/cli/CompareCommand.h"
#include "app/cli/NeverAbort.h"
#include "app/cli/RenderCommand.h"
#include "app/cli/ScanCommand.h"
#include "app/cli/WatchCommand.h"
#include "core/report/JsonReport.h"
#include "core/report/TextReport.h"
#include "core/tcp/Analyzer.h"
#include "core/util/HelperThread.h"

#include <CLI/CLI.hpp>
#include <iostream>

using namespace flowladder::core;

namespace {

constexpr int ExitUnreadable = 1;
constexpr int ExitUsage = 2;

// The file(s) the command works on, for the message of an internal error.
std::string currentFiles;

int runAnalyze(const std::vector<std::string>& captures, bool json)
{
    // One helper thread for the analysis and the JSON after it: it stays awake in between.
    HelperThread helper;
    AnalyzeOptions options;
    options.helper = &helper;
    std::string error;
    const AnalysisPtr analysis = analyzeFiles(captures, error, options);
    if (!analysis) {
        std::cerr << "flowladder-cli: " << error << "\n";
        return ExitUnreadable;
    }
    for (const std::string& e : analysis->capture.errors)
        std::cerr << "flowladder-cli: warning: " << e << "\n";
    if (json)
        writeAnalysisJson(*analysis, std::cout, &helper);
    else
        writeTextReport(*analysis, std::cout);
    // The process ends next: its memory goes back to the system whole, so the analysis is not
    // freed piece by piece first (3 ms of the 80 that 50,000 connections take; clang's driver
    // does the same with -disable-free). Kept reachable, so leak checkers do not count it.
    static const AnalysisPtr* const keptUntilExit = new AnalysisPtr(analysis);
    (void)keptUntilExit;
    return 0;
}

int run(int argc, char** argv)
{
    CLI::App app{"FlowLadder: explains why TCP connections in a capture misbehaved", "flowladder-cli"};
    app.require_subcommand(1);

    std::vector<std::string> captures;
    bool json = false;
    auto* analyze = app.add_subcommand("analyze", "Per-flow summary and findings of a capture");
    analyze
        ->add_option("CAPTURE", captures,
                     "pcap or pcapng file, compressed or not; several files are merged by time into one capture")
        ->required();
    analyze->add_flag("--json", json, "Print the JSON of the CLI contract");
    flowladder::cli::CompareArgs compareArgs;
    auto* compare = flowladder::cli::addCompareCommand(app, compareArgs);
    flowladder::cli::RenderArgs renderArgs;
    auto* render = flowladder::cli::addRenderCommand(app, renderArgs);
    flowladder::cli::ScanArgs scanArgs;
    auto* scan = flowladder::cli::addScanCommand(app, scanArgs);
    flowladder::cli::WatchArgs watchArgs;
    auto* watch = flowladder::cli::addWatchCommand(app, watchArgs);

    app.set_version_flag("--version", "flowladder-cli " FLOWLADDER_VERSION);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) { // --help, --version
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return ExitUsage;
    }
    if (*analyze) {
        for (const std::string& c : captures)
            currentFiles += (currentFiles.empty() ? "" : ", ") + c;
        return runAnalyze(captures, json);
    }
    if (*compare) {
        currentFiles = compareArgs.captureA + ", " + compareArgs.captureB;
        return flowladder::cli::runCompare(compareArgs);
    }
    if (*render) {
        for (const std::string& c : renderArgs.captures)
            currentFiles += (currentFiles.empty() ? "" : ", ") + c;
        return flowladder::cli::runRender(renderArgs);
    }
    if (*scan) {
        for (const std::string& p : scanArgs.paths)
            currentFiles += (currentFiles.empty() ? "" : ", ") + p;
        return flowladder::cli::runScan(scanArgs);
    }
    if (*watch) {
        currentFiles = watchArgs.interface;
        return flowladder::cli::runWatch(watchArgs);
    }
    return ExitUsage;
}

} // namespace

int main(int argc, char** argv)
{
    return flowladder::cli::runNeverAborting(
        [] { return "flowladder-cli" + (currentFiles.empty() ? std::string() : ": " + currentFiles); },
        [&] { return run(argc, argv); });
}
