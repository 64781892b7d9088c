#include "app/cli/RenderCommand.h"

#include "core/annotations/Annotations.h"
#include "core/tcp/Analyzer.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#ifdef FLOWLADDER_HAS_RENDERER
#include "ui/export/FlowRenderer.h"
#include "ui/ladder/LadderContent.h"

#include <QApplication>
#include <QFileInfo>
#endif

namespace flowladder::cli {

using namespace flowladder::core;

namespace {
[[maybe_unused]] constexpr int ExitUnreadable = 1; // used only with the renderer
constexpr int ExitUsage = 2;

[[maybe_unused]] bool parseFrames(const std::string& s, uint32_t& a, uint32_t& b)
{
    a = b = 0;
    if (s.empty()) return true;
    const auto dash = s.find('-');
    if (dash == std::string::npos) return false;
    try {
        const std::string lo = s.substr(0, dash), hi = s.substr(dash + 1);
        if (lo.empty() && hi.empty()) return false;
        size_t n = 0;
        if (!lo.empty()) {
            a = static_cast<uint32_t>(std::stoul(lo, &n));
            if (n != lo.size()) return false;
        }
        if (!hi.empty()) {
            b = static_cast<uint32_t>(std::stoul(hi, &n));
            if (n != hi.size()) return false;
        }
    } catch (const std::exception&) {
        return false;
    }
    return !(a && b && b < a);
}
} // namespace

CLI::App* addRenderCommand(CLI::App& app, RenderArgs& args)
{
    auto* cmd = app.add_subcommand("render", "Draw a flow's ladder (with findings and notes) to PNG, SVG or PDF");
    cmd->add_option("CAPTURE", args.capture, "pcap or pcapng file")->required();
    cmd->add_option("--flow", args.flow, "Flow id (as `analyze` lists them)")->required();
    cmd->add_option("--out", args.out, "Output file: .png, .svg or .pdf")->required();
    cmd->add_option("--annotations", args.annotations,
                    "Annotations file (default: the capture's .flowladder.json when present)");
    cmd->add_flag("--no-annotations", args.noAnnotations, "Draw without annotations");
    cmd->add_option("--frames", args.frames, "Only frames A-B (inclusive; A- or -B for open ends)");
    cmd->add_option("--scale", args.scale, "PNG pixels per point (default 1)")->check(CLI::Range(0.25, 8.0));
    cmd->add_option("--width", args.width, "Page width in points (default 1200)")->check(CLI::Range(400.0, 10000.0));
    return cmd;
}

int runRender(const RenderArgs& args, int argc, char** argv)
{
#ifndef FLOWLADDER_HAS_RENDERER
    (void)args;
    (void)argc;
    (void)argv;
    std::cerr << "flowladder-cli: this build has no renderer (configure with -DFLOWLADDER_GUI=ON)\n";
    return ExitUsage;
#else
    uint32_t firstFrame = 0, lastFrame = 0;
    if (!parseFrames(args.frames, firstFrame, lastFrame)) {
        std::cerr << "flowladder-cli: --frames " << args.frames << ": expected A-B with A <= B (or A-, -B)\n";
        return ExitUsage;
    }
    std::string ext = std::filesystem::path(args.out).extension().string();
    for (char& ch : ext)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext != ".png" && ext != ".svg" && ext != ".pdf") {
        std::cerr << "flowladder-cli: --out " << args.out << ": unknown format (use .png, .svg or .pdf)\n";
        return ExitUsage;
    }
    std::string error;
    const AnalysisPtr analysis = analyzeFile(args.capture, error);
    if (!analysis) {
        std::cerr << "flowladder-cli: " << error << "\n";
        return ExitUnreadable;
    }
    for (const std::string& e : analysis->capture.errors)
        std::cerr << "flowladder-cli: warning: " << e << "\n";
    if (!analysis->flowById(args.flow)) {
        std::cerr << "flowladder-cli: " << args.capture << " has no flow " << args.flow << " (it has "
                  << analysis->flows.size() << "; see `flowladder-cli analyze`)\n";
        return ExitUsage;
    }
    std::vector<Annotation> notes;
    if (!args.noAnnotations) {
        if (!args.annotations.empty()) {
            auto set = AnnotationStore::load(args.annotations, error);
            if (!set) {
                std::cerr << "flowladder-cli: " << error << "\n";
                return ExitUnreadable;
            }
            notes = std::move(set->items);
        } else {
            AnnotationStore store = AnnotationStore::open(args.capture); // reads only
            if (!store.problem().empty()) std::cerr << "flowladder-cli: warning: " << store.problem() << "\n";
            notes = store.set().items;
        }
    }
    // Only this subcommand starts Qt; without a display it draws offscreen.
    if (!std::getenv("QT_QPA_PLATFORM") && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    // QApplication (a QGuiApplication with widgets): the ladder plottable lives in a QCustomPlot.
    QApplication app(argc, argv);
    ui::LadderLayout::Params params;
    auto content = std::make_shared<ui::LadderContent>(ui::LadderContent::build(analysis, args.flow, params));
    ui::RenderOptions o;
    o.width = args.width;
    o.firstFrame = firstFrame;
    o.lastFrame = lastFrame;
    o.maxPageHeight = 4000;
    o.title = QFileInfo(QString::fromStdString(args.capture)).fileName();
    ui::FlowRenderer renderer(content, notes, o);
    if (!renderer.valid()) {
        std::cerr << "flowladder-cli: flow " << args.flow << " has no packets in frames " << args.frames << "\n";
        return ExitUsage;
    }
    QString qerror;
    QStringList written;
    if (!ui::exportFlow(renderer, QString::fromStdString(args.out), args.scale, qerror, &written)) {
        std::cerr << "flowladder-cli: " << qerror.toStdString() << "\n";
        return ExitUnreadable;
    }
    for (const QString& w : written)
        std::cout << w.toStdString() << "\n";
    return 0;
#endif
}

} // namespace flowladder::cli
