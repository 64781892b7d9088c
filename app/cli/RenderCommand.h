#pragma once
// `flowladder-cli render`: checks its arguments, then runs flowladder-render (the Qt program that
// draws, installed beside flowladder-cli) with them and forwards its exit status. flowladder-cli
// itself links no Qt.

#include "app/cli/RenderArgs.h"

#include <CLI/CLI.hpp>

namespace flowladder::cli {

CLI::App* addRenderCommand(CLI::App& app, RenderArgs& args);

// flowladder-render's exit status: 0 on success, 1 when a file cannot be read or written, 2 for
// bad usage (unknown flow, bad --frames, unknown output format). 2 when no flowladder-render is
// found (a build without the GUI), 1 when it dies of a signal.
int runRender(const RenderArgs& args);

// Where runRender looks for flowladder-render, in order: beside this executable (/proc/self/exe),
// $FLOWLADDER_RENDER, then each directory of $PATH. Empty when none is an executable file; then
// `searched` says where it looked.
std::string findRenderer(std::string& searched);

} // namespace flowladder::cli
