// flowladder-render: draws a flow's ladder (title block, findings, notes) to PNG, SVG or PDF
// without a display. `flowladder-cli render` runs it with the same arguments; it is a separate
// program so that flowladder-cli links no Qt. Exit status as `flowladder-cli render`'s: 0 on
// success, 1 when a file cannot be read or written (or on an internal error), 2 for bad usage.

#include "app/cli/NeverAbort.h"
#include "app/cli/RenderArgs.h"
#include "core/annotations/Annotations.h"
#include "core/tcp/Analyzer.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/compare/CompareMergedView.h"
#include "ui/compare/CompareNotes.h"
#include "ui/compare/CompareWindow.h"
#include "ui/export/FlowRenderer.h"
#include "ui/ladder/LadderContent.h"

#include <CLI/CLI.hpp>
#include <QApplication>
#include <QFileInfo>
#include <QTabWidget>
#include <iostream>

using namespace flowladder::core;
namespace ui = flowladder::ui;

namespace {

constexpr int ExitUnreadable = 1;
constexpr int ExitUsage = 2;

flowladder::cli::RenderArgs args;

// Without a display it draws offscreen.
void offscreenWithoutDisplay()
{
    if (!std::getenv("QT_QPA_PLATFORM") && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
}

// A pair of the comparison of two captures, drawn as the comparison window shows it (merged
// ladder or side by side) and exported the same way as its File > Export.
int renderPair()
{
    const std::string& prog = args.programName;
    std::string error;
    const AnalysisPtr a = analyzeFile(args.capture, error);
    const AnalysisPtr b = a ? analyzeFile(args.captureB, error) : nullptr;
    if (!a || !b) {
        std::cerr << prog << ": " << error << "\n";
        return ExitUnreadable;
    }
    offscreenWithoutDisplay();
    int qtArgc = 1;
    char programName[] = "flowladder-render";
    char* qtArgv[] = {programName, nullptr};
    QApplication app(qtArgc, qtArgv);
    ui::CompareWindow window;
    int rc = -1;
    QObject::connect(&window, &ui::CompareWindow::loadFailed, &app, [&](const QString& message) {
        std::cerr << prog << ": " << message.toStdString() << "\n";
        rc = ExitUnreadable;
        app.quit();
    });
    QObject::connect(&window, &ui::CompareWindow::comparisonShown, &app, [&] { app.quit(); });
    window.resize(static_cast<int>(args.width), 900);
    window.notes()->setShown(!args.noAnnotations); // the notes saved with the pair, as the window shows them
    window.compareAnalyses(a, b);
    if (!window.comparison()) app.exec();
    if (rc >= 0) return rc;
    if (const QString problem = window.notes()->document()->problem(); !args.noAnnotations && !problem.isEmpty())
        std::cerr << prog << ": warning: " << problem.toStdString() << "\n";
    const auto& pairs = window.comparison()->pairs;
    if (args.pair > pairs.size()) {
        std::cerr << prog << ": the comparison has no flow pair " << args.pair << " (it has " << pairs.size()
                  << "; see `flowladder-cli compare --json`)\n";
        return ExitUsage;
    }
    window.selectPair(static_cast<int>(args.pair) - 1);
    window.tabs()->setCurrentIndex(args.view == "side-by-side" ? 1 : 0);
    window.show(); // laid out and painted offscreen: the export draws what the window shows
    QApplication::processEvents();
    if (args.view == "merged") {
        // The whole pair from its first packet, at the window's readable scale: the window grows
        // to hold it (up to a page of MaxPageHeightPoints).
        ui::CompareMergedView* merged = window.mergedView();
        const int need = merged->showFromTop();
        const int grow = std::min(need, static_cast<int>(flowladder::cli::MaxPageHeightPoints)) - merged->height();
        if (grow > 0) window.resize(window.width(), window.height() + grow);
        QApplication::processEvents();
        merged->showFromTop();
    }
    QString qerror;
    if (!window.exportPicture(QString::fromStdString(args.out), &qerror)) {
        std::cerr << prog << ": " << qerror.toStdString() << "\n";
        return ExitUnreadable;
    }
    std::cout << args.out << "\n";
    return 0;
}

int render()
{
    const std::string& prog = args.programName;
    uint32_t firstFrame = 0, lastFrame = 0;
    if (const int rc = flowladder::cli::checkRenderArgs(args, firstFrame, lastFrame)) return rc;
    if (!args.captureB.empty()) return renderPair();
    std::string error;
    const AnalysisPtr analysis = analyzeFile(args.capture, error);
    if (!analysis) {
        std::cerr << prog << ": " << error << "\n";
        return ExitUnreadable;
    }
    for (const std::string& e : analysis->capture.errors)
        std::cerr << prog << ": warning: " << e << "\n";
    if (!analysis->flowById(args.flow)) {
        std::cerr << prog << ": " << args.capture << " has no flow " << args.flow << " (it has "
                  << analysis->flows.size() << "; see `flowladder-cli analyze`)\n";
        return ExitUsage;
    }
    std::vector<Annotation> notes;
    if (!args.noAnnotations) {
        if (!args.annotations.empty()) {
            auto set = AnnotationStore::load(args.annotations, error);
            if (!set) {
                std::cerr << prog << ": " << error << "\n";
                return ExitUnreadable;
            }
            notes = std::move(set->items);
        } else {
            AnnotationStore store = AnnotationStore::open(args.capture); // reads only
            if (!store.problem().empty()) std::cerr << prog << ": warning: " << store.problem() << "\n";
            notes = store.set().items;
        }
    }
    offscreenWithoutDisplay();
    // QApplication (a QGuiApplication with widgets): the ladder plottable lives in a QCustomPlot.
    // Qt sees only the program name: the arguments were CLI11's.
    int qtArgc = 1;
    char programName[] = "flowladder-render";
    char* qtArgv[] = {programName, nullptr};
    QApplication app(qtArgc, qtArgv);
    ui::LadderLayout::Params params;
    auto content = std::make_shared<ui::LadderContent>(ui::LadderContent::build(analysis, args.flow, params));
    ui::RenderOptions o;
    o.width = args.width;
    o.firstFrame = firstFrame;
    o.lastFrame = lastFrame;
    o.maxPageHeight = flowladder::cli::MaxPageHeightPoints;
    o.title = QFileInfo(QString::fromStdString(args.capture)).fileName();
    ui::FlowRenderer renderer(content, notes, o);
    if (!renderer.valid()) {
        std::cerr << prog << ": flow " << args.flow << " has no packets in frames " << args.frames << "\n";
        return ExitUsage;
    }
    QString qerror;
    QStringList written;
    if (!ui::exportFlow(renderer, QString::fromStdString(args.out), args.scale, qerror, &written)) {
        std::cerr << prog << ": " << qerror.toStdString() << "\n";
        return ExitUnreadable;
    }
    for (const QString& w : written)
        std::cout << w.toStdString() << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return flowladder::cli::runNeverAborting(
        [] { return args.programName + (args.capture.empty() ? std::string() : ": " + args.capture); },
        [&] {
            CLI::App app{
                "flowladder-render: draws a flow's ladder to PNG, SVG or PDF (`flowladder-cli render` runs it)"};
            flowladder::cli::addRenderOptions(app, args);
            app.set_version_flag("--version", "flowladder-render " FLOWLADDER_VERSION);
            try {
                app.parse(argc, argv);
            } catch (const CLI::Success& e) { // --help, --version
                return app.exit(e);
            } catch (const CLI::ParseError& e) {
                app.exit(e);
                return ExitUsage;
            }
            return render();
        });
}
