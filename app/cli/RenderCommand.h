#pragma once
// `flowladder-cli render CAPTURE --flow ID --out FILE.{png,svg,pdf} [--annotations FILE]
// [--frames A-B] [--scale N] [--width PX]`: the ladder picture without a display.
// Needs the ui library (FLOWLADDER_GUI=ON); without it the command says so and exits 2.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace flowladder::cli {

struct RenderArgs {
    std::string capture;
    uint32_t flow = 0;
    std::string out;
    std::string annotations; // explicit file; default: the capture's sidecar when present
    std::string frames;      // "A-B", "A-" or "-B"
    double scale = 1.0;      // PNG pixels per point
    double width = 1200;
    bool noAnnotations = false;
};

CLI::App* addRenderCommand(CLI::App& app, RenderArgs& args);
// 0 on success, 1 when a file cannot be read or written, 2 for bad usage (unknown flow,
// bad --frames, unknown output format) or a build without the renderer.
int runRender(const RenderArgs& args, int argc, char** argv);

} // namespace flowladder::cli
