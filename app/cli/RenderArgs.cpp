#include "app/cli/RenderArgs.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <iostream>

namespace flowladder::cli {

namespace {

constexpr int ExitUsage = 2;

// "A-B", "A-" or "-B": frame numbers are 1-based decimal numbers that fit 32 bits, A <= B.
bool parseFrames(const std::string& s, uint32_t& a, uint32_t& b)
{
    a = b = 0;
    if (s.empty()) return true;
    const auto dash = s.find('-');
    if (dash == std::string::npos) return false;
    const std::string lo = s.substr(0, dash), hi = s.substr(dash + 1);
    if (lo.empty() && hi.empty()) return false;
    auto number = [](const std::string& text, uint32_t& out) {
        if (text.empty()) return true;
        const char* end = text.data() + text.size();
        const auto r = std::from_chars(text.data(), end, out); // digits only: no sign, no spaces
        return r.ec == std::errc() && r.ptr == end && out >= 1;
    };
    if (!number(lo, a) || !number(hi, b)) return false;
    return !(a && b && b < a);
}

// Shortest text that reads back as the same double.
std::string exact(double v)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

} // namespace

void addRenderOptions(CLI::App& cmd, RenderArgs& args)
{
    cmd.add_option("CAPTURE", args.captures,
                   "pcap or pcapng file; two files (A, then B) with --pair: a flow pair of their comparison")
        ->required()
        ->expected(1, 2);
    cmd.add_option("--flow", args.flow, "Flow id (as `analyze` lists them); one capture");
    cmd.add_option("--pair", args.pair, "Flow pair N of the comparison (as `compare --json` lists them); two captures");
    cmd.add_option("--view", args.view, "Of a pair: merged (one ladder, both capture points) or side-by-side")
        ->check(CLI::IsMember({"merged", "side-by-side"}));
    cmd.add_option("--out", args.out, "Output file: .png, .svg or .pdf")->required();
    cmd.add_option("--annotations", args.annotations,
                   "Annotations file (default: the capture's .flowladder.json when present)");
    cmd.add_flag("--no-annotations", args.noAnnotations, "Draw without annotations");
    cmd.add_option("--frames", args.frames, "Only frames A-B (inclusive; A- or -B for open ends)");
    cmd.add_option("--scale", args.scale, "PNG pixels per point (default 1)")->check(CLI::Range(0.25, 8.0));
    cmd.add_option("--width", args.width, "Page width in points (default 1200)")->check(CLI::Range(400.0, 10000.0));
    cmd.add_option("--program-name", args.programName, "Name before messages")->group(""); // hidden
}

int checkRenderArgs(RenderArgs& args, uint32_t& firstFrame, uint32_t& lastFrame)
{
    args.capture = args.captures.empty() ? std::string() : args.captures[0];
    args.captureB = args.captures.size() > 1 ? args.captures[1] : std::string();
    if (args.captureB.empty()) {
        if (args.flow == 0 || args.pair != 0) {
            std::cerr << args.programName
                      << ": one capture needs --flow ID (two captures, A and B, take --pair N instead)\n";
            return ExitUsage;
        }
    } else if (args.pair == 0 || args.flow != 0 || !args.frames.empty() || !args.annotations.empty()) {
        std::cerr << args.programName
                  << ": two captures (A and B) need --pair N, a flow pair of their comparison (`flowladder-cli "
                     "compare --json A B` lists them), and take neither --flow, --frames nor --annotations\n";
        return ExitUsage;
    }
    if (!parseFrames(args.frames, firstFrame, lastFrame)) {
        std::cerr << args.programName << ": --frames " << args.frames
                  << ": expected A-B, A- or -B with frame numbers 1 to 4294967295 and A <= B\n";
        return ExitUsage;
    }
    std::string ext = std::filesystem::path(args.out).extension().string();
    for (char& ch : ext)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext != ".png" && ext != ".svg" && ext != ".pdf") {
        std::cerr << args.programName << ": --out " << args.out << ": unknown format (use .png, .svg or .pdf)\n";
        return ExitUsage;
    }
    // A PNG page is at most width x MaxPageHeightPoints points, times --scale squared in pixels.
    const double pixels = args.width * args.scale * MaxPageHeightPoints * args.scale;
    if (ext == ".png" && pixels > MaxPngPixels) {
        std::cerr << args.programName << ": --width " << exact(args.width) << " with --scale " << exact(args.scale)
                  << " makes PNG pages of up to " << static_cast<long long>(args.width * args.scale) << " x "
                  << static_cast<long long>(MaxPageHeightPoints * args.scale) << " pixels; at most "
                  << static_cast<long long>(MaxPngPixels / 1e6)
                  << " million pixels a page (lower --scale or --width)\n";
        return ExitUsage;
    }
    return 0;
}

std::vector<std::string> renderArgv(const RenderArgs& args)
{
    // --name=value: a value may start with '-' ("--frames=-25", "--out=-x.png").
    std::vector<std::string> v{"--program-name=" + args.programName};
    if (args.flow) v.push_back("--flow=" + std::to_string(args.flow));
    if (args.pair) v.insert(v.end(), {"--pair=" + std::to_string(args.pair), "--view=" + args.view});
    v.insert(v.end(), {"--out=" + args.out, "--scale=" + exact(args.scale), "--width=" + exact(args.width)});
    if (!args.frames.empty()) v.push_back("--frames=" + args.frames);
    if (!args.annotations.empty()) v.push_back("--annotations=" + args.annotations);
    if (args.noAnnotations) v.push_back("--no-annotations");
    v.push_back("--"); // CAPTURE may start with '-' ("-" is standard input)
    v.insert(v.end(), args.captures.begin(), args.captures.end());
    return v;
}

} // namespace flowladder::cli
