#pragma once
// The arguments of `flowladder-cli render CAPTURE --flow ID --out FILE.{png,svg,pdf} [--annotations FILE]
// [--no-annotations] [--frames A-B] [--scale N] [--width PX]` and of `render CAPTURE_A CAPTURE_B --pair N
// --out FILE [--view merged|side-by-side] [--width PX] [--scale N]`, shared by flowladder-cli (which checks
// them and links no Qt) and flowladder-render (the Qt program that draws, app/render). No Qt here.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace flowladder::cli {

// Pages of a rendered flow are at most this many points tall (longer flows get more pages).
inline constexpr double MaxPageHeightPoints = 4000;
// A PNG page holds at most this many pixels (256 MB of RGBA), whatever --width and --scale say.
inline constexpr double MaxPngPixels = 64e6;

struct RenderArgs {
    std::vector<std::string> captures; // one capture, or two (A and B) with --pair
    std::string capture;               // captures[0], once checked (checkRenderArgs)
    std::string captureB;              // captures[1] when comparing
    uint32_t flow = 0;
    uint32_t pair = 0;           // 1-based, as `compare --json` lists its flow pairs
    std::string view = "merged"; // of a pair: "merged" (one ladder) or "side-by-side"
    std::string out;
    std::string annotations; // explicit file; default: the capture's sidecar when present
    std::string frames;      // "A-B", "A-" or "-B"
    double scale = 1.0;      // PNG pixels per point
    double width = 1200;
    bool noAnnotations = false;
    // The name before flowladder-render's messages: flowladder-cli passes its own, so that
    // `flowladder-cli render` says what it always said.
    std::string programName = "flowladder-render";
};

// The options and the CAPTURE positional of `render` on `cmd` (a subcommand or a program).
void addRenderOptions(CLI::App& cmd, RenderArgs& args);

// What can be checked without reading a file: --frames and the output format. 0 when they make
// sense (with the frame range in `firstFrame`, `lastFrame`; 0 for an open end); else prints why
// on stderr and returns 2 (bad usage).
// Also settles `capture` and `captureB` from the CAPTURE arguments.
int checkRenderArgs(RenderArgs& args, uint32_t& firstFrame, uint32_t& lastFrame);

// The arguments (without argv[0]) that make flowladder-render do what `args` asks.
std::vector<std::string> renderArgv(const RenderArgs& args);

} // namespace flowladder::cli
