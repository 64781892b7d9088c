#pragma once
// `flowladder-cli compare CAPTURE_A CAPTURE_B [--json] [--offset SECONDS]`:
// two vantage points of the same traffic (DESIGN.md, "The CLI contract").

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace flowladder::cli {

struct CompareArgs {
    std::string captureA;
    std::string captureB;
    bool json = false;
    std::optional<double> offset; // seconds to add to B's timestamps; estimated when unset
};

// Registers the subcommand on `app`, filling `args` when parsed.
CLI::App* addCompareCommand(CLI::App& app, CompareArgs& args);
// Runs it: 0 on success, 1 when a file cannot be read (message on stderr).
int runCompare(const CompareArgs& args);

} // namespace flowladder::cli
