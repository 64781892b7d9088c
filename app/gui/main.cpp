// flowladder: the desktop program. Options exist for scripted screenshots.
#include "ui/MainWindow.h"
#include "ui/compare/CompareOpenDialog.h"
#include "ui/compare/CompareWindow.h"
#include "ui/ladder/LadderView.h"
#include "ui/models/CurrentSelection.h"
#include "ui/scan/ScanResultsWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QIcon>
#include <QPalette>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>
#include <cstdlib>

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2e, 0x33), base(0x1e, 0x21, 0x26), text(0xe6, 0xe8, 0xeb), dis(0x80, 0x84, 0x8c);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x29, 0x2f));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x6c, 0x9d, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, dis);
    for (auto role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, dis);
    return p;
}

} // namespace

int main(int argc, char** argv)
{
    QElapsedTimer sinceStart; // --quit-when-shown reports from here
    sinceStart.start();
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Explains, on a ladder diagram, why a TCP connection misbehaved."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("capture"),
        QStringLiteral("pcap or pcapng file to open (compressed or not); two files: compare them (A, "
                       "then B); with --merge, any number read as one capture; a scan "
                       "database (flowladder-cli scan --db) opens its findings"),
        QStringLiteral("[CAPTURE | CAPTURE_A CAPTURE_B | --merge CAPTURE...]"));
    const QCommandLineOption dark(QStringLiteral("dark"), QStringLiteral("Use a dark palette."));
    const QCommandLineOption sample(QStringLiteral("sample"), QStringLiteral("Open the bundled sample incident."));
    const QCommandLineOption flow(QStringLiteral("flow"), QStringLiteral("Select flow ID after loading."),
                                  QStringLiteral("ID"));
    const QCommandLineOption frame(QStringLiteral("frame"), QStringLiteral("Select frame N after loading."),
                                   QStringLiteral("N"));
    const QCommandLineOption scale(QStringLiteral("scale"), QStringLiteral("Ladder scale: time or rows."),
                                   QStringLiteral("SCALE"));
    const QCommandLineOption tab(QStringLiteral("graph"), QStringLiteral("Show the time-sequence graph."));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size WxH."), QStringLiteral("WxH"));
    const QCommandLineOption shot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a screenshot of the window to FILE and quit."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption quitShown(
        QStringLiteral("quit-when-shown"),
        QStringLiteral("Benchmark: quit as soon as the capture is shown and painted, printing the time since start."));
    const QCommandLineOption merge(
        QStringLiteral("merge"),
        QStringLiteral("Read the files given as one capture, merged by time (a ring buffer)."));
    parser.addOptions({dark, sample, flow, frame, scale, tab, size, shot, quitShown, merge});

    // --version needs no display: it is answered before QApplication, which needs a platform
    // (without one it aborts). Arguments Qt itself takes (-platform ...) make this parse fail;
    // then QApplication and process() below see them.
    {
        QStringList args;
        for (int i = 0; i < argc; ++i)
            args << QString::fromLocal8Bit(argv[i]);
        if (parser.parse(args) && parser.isSet(QStringLiteral("version"))) {
            std::printf("flowladder %s\n", FLOWLADDER_VERSION);
            return 0;
        }
        if (parser.isSet(QStringLiteral("help"))) { // no display needed either (help2man, man page)
            // Without an application object Qt cannot name the program: say it.
            std::fputs(qPrintable(parser.helpText().replace(QStringLiteral("<executable_name>"),
                                                            QStringLiteral("flowladder"))),
                       stdout);
            return 0;
        }
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FlowLadder"));
    QApplication::setApplicationName(QStringLiteral("flowladder"));
    QApplication::setApplicationDisplayName(QStringLiteral("FlowLadder"));
    QApplication::setApplicationVersion(QStringLiteral(FLOWLADDER_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.flowladder.FlowLadder"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/flowladder.svg")));

    parser.process(app);

    if (parser.isSet(dark)) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
    }

    flowladder::ui::MainWindow window;
    QSize sz(1400, 900);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2) sz = QSize(wh[0].toInt(), wh[1].toInt());
    }
    // --size (scripted screenshots, benchmarks) ignores the layout the user left.
    if (parser.isSet(size) || !window.restoreWindowLayout()) window.resize(sz);
    if (parser.value(scale) == QLatin1String("rows"))
        window.ladder()->setScale(flowladder::ui::LadderLayout::Scale::PerPacket);
    if (parser.value(scale) == QLatin1String("time"))
        window.ladder()->setScale(flowladder::ui::LadderLayout::Scale::TimeProportional);
    const QStringList files = parser.positionalArguments();
    if (files.size() == 2 && !parser.isSet(merge)) { // flowladder A B: two vantage points of the same traffic
        auto* cmp = flowladder::ui::CompareOpenDialog::open(&window, files[0], files[1]);
        if (parser.isSet(size)) cmp->resize(sz);
        auto save = [&, cmp](int code) {
            if (!parser.isSet(shot)) return;
            QTimer::singleShot(400, cmp, [&, cmp, code] {
                const bool ok = cmp->grab().save(parser.value(shot));
                std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "saved" : "could not save",
                             qPrintable(parser.value(shot)));
                QApplication::exit(ok ? code : 1);
            });
        };
        QObject::connect(
            cmp, &flowladder::ui::CompareWindow::comparisonShown, cmp, [save] { save(0); }, Qt::SingleShotConnection);
        QObject::connect(cmp, &flowladder::ui::CompareWindow::loadFailed, cmp, [save](const QString& msg) {
            std::fprintf(stderr, "%s\n", qPrintable(msg));
            save(1);
        });
        return app.exec();
    }
    window.show();

    auto afterLoad = [&] {
        if (parser.isSet(quitShown)) {
            // The first ladder and lists painted (what the user sees), then out at once: the
            // time to free everything is not the user's wait (bench/run.sh measures this).
            window.repaint();
            std::printf("shown after %.3f s\n", static_cast<double>(sinceStart.nsecsElapsed()) / 1e9);
            std::fflush(stdout);
            std::_Exit(0);
        }
        auto* sel = window.selection();
        if (parser.isSet(flow)) sel->setFlow(parser.value(flow).toUInt());
        if (parser.isSet(frame)) sel->selectFrame(sel->flowId(), parser.value(frame).toUInt());
        if (parser.isSet(tab)) window.findChild<QTabWidget*>()->setCurrentIndex(1);
        if (parser.isSet(shot)) {
            QTimer::singleShot(400, &window, [&] {
                const bool ok = window.grab().save(parser.value(shot));
                std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "saved" : "could not save",
                             qPrintable(parser.value(shot)));
                QApplication::exit(ok ? 0 : 1);
            });
        }
    };
    QObject::connect(&window, &flowladder::ui::MainWindow::captureShown, &window, afterLoad);
    QObject::connect(&window, &flowladder::ui::MainWindow::loadFailed, &window,
                     [&](const QString&, const QString& msg) {
                         std::fprintf(stderr, "%s\n", qPrintable(msg));
                         if (parser.isSet(shot))
                             QTimer::singleShot(200, &window, [&] {
                                 window.grab().save(parser.value(shot));
                                 QApplication::exit(1);
                             });
                     });

    QString path = parser.positionalArguments().value(0);
    if (parser.isSet(sample)) path = flowladder::ui::MainWindow::sampleIncidentPath();
    if (parser.isSet(merge) && files.size() > 1)
        window.openFiles(files);
    else if (flowladder::ui::isScanDatabaseFile(path)) {
        if (!window.openScanResults(path)) return 1;
        auto* scan = window.findChild<flowladder::ui::ScanResultsWindow*>();
        if (parser.isSet(size)) scan->resize(sz);
        scan->raise();
        if (parser.isSet(shot))
            QTimer::singleShot(600, scan, [&, scan] {
                const bool ok = scan->grab().save(parser.value(shot));
                QApplication::exit(ok ? 0 : 1);
            });
    } else if (!path.isEmpty())
        window.openFile(path);
    else if (parser.isSet(shot))
        QTimer::singleShot(400, &window, [&] {
            window.grab().save(parser.value(shot));
            QApplication::exit(0);
        });
    return app.exec();
}
