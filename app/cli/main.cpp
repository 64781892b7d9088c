// flowladder-cli: the command-line face of the core (DESIGN.md, "The CLI contract").
// Exit status: 0 on success, 1 when a file cannot be read (or on an internal error: never an
// abort), 2 for bad usage.

#include "app/cli/CompareCommand.h"
#include "app/cli/RenderCommand.h"
#include "core/report/JsonReport.h"
#include "core/report/TextReport.h"
#include "core/tcp/Analyzer.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>

using namespace flowladder::core;

namespace {

constexpr int ExitUnreadable = 1;
constexpr int ExitUsage = 2;

// The file(s) the command works on, for the message of an internal error.
std::string currentFiles;

void reportInternalError(const char* what)
{
    std::cerr << "flowladder-cli: " << (currentFiles.empty() ? "" : currentFiles + ": ") << "internal error: " << what
              << "\n";
}

// Last resort for an exception that escapes where it cannot be caught (a noexcept function, a
// destructor): a message and exit status 1, not SIGABRT.
[[noreturn]] void onTerminate()
{
    const char* what = "terminate called";
    try {
        if (const std::exception_ptr e = std::current_exception()) std::rethrow_exception(e);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    reportInternalError(what);
    std::cout.flush();
    std::_Exit(ExitUnreadable);
}

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

int run(int argc, char** argv)
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
        currentFiles = capture;
        return runAnalyze(capture, json);
    }
    if (*compare) {
        currentFiles = compareArgs.captureA + ", " + compareArgs.captureB;
        return flowladder::cli::runCompare(compareArgs);
    }
    if (*render) {
        currentFiles = renderArgs.capture;
        return flowladder::cli::runRender(renderArgs);
    }
    return ExitUsage;
}

} // namespace

int main(int argc, char** argv)
{
    std::set_terminate(onTerminate);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        reportInternalError(e.what());
    } catch (...) {
        reportInternalError("unknown exception");
    }
    std::cout.flush();
    return ExitUnreadable;
}
