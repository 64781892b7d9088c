// The command-line contract of DESIGN.md: exit codes, JSON shape, messages naming the file.

#include "Scenario.h"
#include "TestPaths.h"
#include "core/annotations/Annotations.h"
#include "core/report/JsonReport.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/RunCommand.h"

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <vector>

using namespace flowladder::testing;

namespace {

using flowladder::testsupport::runCli;
using CliRun = flowladder::testsupport::CommandResult;

} // namespace

TEST(Cli, AnalyzeJsonFollowsTheContract)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::FIN | tf::ACK);
    s.send(Side::Server, tf::ACK);
    s.sendAt(Side::Client, tf::RST, s.seq(Side::Client) - 1);
    s.send(Side::Server, tf::ACK, 100, 200'000'000);
    const auto path = tempPath("cli.pcap");
    s.writeTo(path);
    const CliRun r = runCli("analyze --json " + path);
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    for (const char* key :
         {"file", "format", "linktype", "packets", "tcp_packets", "truncated", "errors", "flows", "findings"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["format"], "pcap");
    EXPECT_EQ(j["linktype"], "EN10MB");
    EXPECT_EQ(j["packets"], 7);
    const auto& f = j["flows"][0];
    for (const char* key : {"id", "client", "server", "first_frame", "last_frame", "packets", "bytes", "start",
                            "duration", "client_state", "server_state", "findings"})
        EXPECT_TRUE(f.contains(key)) << key;
    EXPECT_EQ(f["id"], 1);
    EXPECT_EQ(f["client"], "10.0.0.1:40000");
    EXPECT_EQ(f["server_state"], "CLOSE_WAIT");
    bool sawMismatch = false;
    for (const auto& x : j["findings"]) {
        for (const char* key : {"kind", "flow", "frame", "severity", "summary"})
            EXPECT_TRUE(x.contains(key)) << key;
        if (x["kind"] == "rst_seq_mismatch") {
            sawMismatch = true;
            EXPECT_EQ(x["frame"], 6);
            EXPECT_EQ(x["class"], "off_by_one_after_fin");
            EXPECT_EQ(x["delta"], -1);
            EXPECT_TRUE(x.contains("challenge_ack_frame"));
            EXPECT_EQ(x["outcome"], "ignored");
        }
    }
    EXPECT_TRUE(sawMismatch);
    // Flow finding indexes point into the findings array.
    for (const auto& idx : f["findings"])
        EXPECT_EQ(j["findings"][idx.get<size_t>()]["flow"], 1);

    const CliRun text = runCli("analyze " + path);
    EXPECT_EQ(text.status, 0);
    EXPECT_NE(text.out.find("rst_seq_mismatch"), std::string::npos) << text.out;
    std::filesystem::remove(path);
}

TEST(Cli, ExitCodes)
{
    EXPECT_EQ(runCli("").status, 2);
    EXPECT_EQ(runCli("analyze").status, 2);
    EXPECT_EQ(runCli("frobnicate x").status, 2);
    const CliRun missing = runCli("analyze /nonexistent/capture.pcap", true);
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.out.find("/nonexistent/capture.pcap"), std::string::npos) << missing.out;
    const auto path = tempPath("garbage.pcap");
    std::ofstream(path) << "not a capture at all";
    const CliRun garbage = runCli("analyze " + path, true);
    EXPECT_EQ(garbage.status, 1);
    EXPECT_NE(garbage.out.find(path), std::string::npos);
    std::filesystem::remove(path);
}

// File names are bytes: a Latin-1 name is not valid UTF-8. The JSON carries it with U+FFFD for
// the bad byte (it used to throw nlohmann's type_error 316 and abort with SIGABRT).
TEST(Cli, JsonOfAFileNamedInLatin1)
{
    const std::filesystem::path dir = tempPath("latin1");
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "caf\xe9.pcap").string();
    std::filesystem::copy_file(sourceDir() / "resources" / "sample" / "incident.pcap", path);
    const std::string shown = (dir / "caf\xef\xbf\xbd.pcap").string(); // U+FFFD in UTF-8

    const CliRun analyze = runCli("analyze --json '" + path + "'", false);
    ASSERT_EQ(analyze.status, 0) << analyze.out;
    const auto j = nlohmann::json::parse(analyze.out);
    EXPECT_EQ(j["file"], shown);
    EXPECT_FALSE(j["flows"].empty());

    const CliRun compare = runCli("compare --json '" + path + "' '" + path + "'", false);
    ASSERT_EQ(compare.status, 0) << compare.out;
    EXPECT_NE(compare.out.find(shown), std::string::npos) << compare.out;
    std::filesystem::remove_all(dir);
}

TEST(Cli, Version)
{
    const CliRun cli = runCli("--version");
    EXPECT_EQ(cli.status, 0);
    EXPECT_EQ(cli.out, "flowladder-cli " FLOWLADDER_VERSION "\n");
#ifdef FLOWLADDER_RENDER
    const CliRun render = flowladder::testsupport::runCommand(FLOWLADDER_RENDER " --version");
    EXPECT_EQ(render.status, 0);
    EXPECT_EQ(render.out, "flowladder-render " FLOWLADDER_VERSION "\n");
#endif
#ifdef FLOWLADDER_GUI_PROGRAM
    // The desktop program answers --version offscreen and also without any display (before
    // QApplication, which would abort without a platform).
    for (const char* env : {"QT_QPA_PLATFORM=offscreen", "-u QT_QPA_PLATFORM -u DISPLAY -u WAYLAND_DISPLAY"}) {
        const CliRun gui = flowladder::testsupport::runCommand(std::string("env ") + env +
                                                               " " FLOWLADDER_GUI_PROGRAM " --version 2>/dev/null");
        EXPECT_EQ(gui.status, 0) << env;
        EXPECT_EQ(gui.out, "flowladder " FLOWLADDER_VERSION "\n") << env;
    }
#endif
}

// Analysing a file never loads libpcap (FlowLadder reads captures itself; loading libpcap and the
// six libraries it links cost each run 2 ms): only live capture loads it, when it starts.
TEST(Cli, LoadsLibpcapOnlyForLiveCapture)
{
    const std::string sample = (sourceDir() / "resources" / "sample" / "incident.pcap").string();
    // LD_DEBUG=files names every library the dynamic linker maps, at start-up or by dlopen.
    const CliRun analyze =
        flowladder::testsupport::runCommand("LD_DEBUG=files " FLOWLADDER_CLI " analyze --json " + sample + " 2>&1");
    ASSERT_EQ(analyze.status, 0) << analyze.out;
    EXPECT_NE(analyze.out.find("libstdc++"), std::string::npos) << "LD_DEBUG said nothing:\n" << analyze.out;
    EXPECT_EQ(analyze.out.find("libpcap"), std::string::npos) << analyze.out;

    const CliRun watch = flowladder::testsupport::runCommand("LD_DEBUG=files " FLOWLADDER_CLI
                                                             " watch -i fl-no-such-interface --duration 1 2>&1");
    EXPECT_EQ(watch.status, 1) << watch.out;
    EXPECT_NE(watch.out.find("libpcap.so"), std::string::npos) << watch.out;
    // The error is libpcap's answer about the interface, not a failure to load it.
    EXPECT_NE(watch.out.find("flowladder-cli watch: fl-no-such-interface: "), std::string::npos) << watch.out;
    EXPECT_EQ(watch.out.find("could not be loaded"), std::string::npos) << watch.out;
}

namespace {

// A folder of this test's own (under the per-process temp folder), removed at the end.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name) : path(tempPath(name))
    {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string operator/(const std::string& f) const { return (path / f).string(); }
};

// A copy of flowladder-cli in `dir`, so that nothing sits beside it unless the test puts it there.
std::string copyCli(const TempDir& dir)
{
    const std::string copy = dir / "flowladder-cli";
    std::filesystem::copy_file(FLOWLADDER_CLI, copy);
    std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
    return copy;
}

void writeScript(const std::string& path, const std::string& body)
{
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

const std::string sample = (sourceDir() / "resources" / "sample" / "incident.pcap").string();

} // namespace

// Without flowladder-render (a build without the GUI, or a lone copy of the CLI) `render` says where
// it looked and exits 2; usage errors are reported first, without looking.
TEST(Cli, RenderWithoutTheRenderer)
{
    const TempDir dir("render-none");
    const std::string cli = copyCli(dir);
    const std::string env = "env -u FLOWLADDER_RENDER PATH=" + (dir / "nobin") + " ";
    const CliRun r = flowladder::testsupport::runCommand(env + cli + " render " + sample + " --flow 1 --out " +
                                                         (dir / "x.png") + " 2>&1");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("flowladder-render"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(dir / "flowladder-render"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("$FLOWLADDER_RENDER (not set)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("$PATH=" + (dir / "nobin")), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.png"));

    for (const std::string& bad :
         std::vector<std::string>{" --flow 1 --out " + (dir / "x.bmp"), " --flow 1 --out x.png --frames 30-10",
                                  " --flow 1", " --flow 1 --out x.png --scale 100"}) {
        const CliRun u = flowladder::testsupport::runCommand(env + cli + " render " + sample + bad + " 2>&1");
        EXPECT_EQ(u.status, 2) << bad << ": " << u.out;
        EXPECT_EQ(u.out.find("flowladder-render"), std::string::npos) << bad << ": " << u.out;
    }
}

// The CLI runs the first flowladder-render found (beside itself, then $FLOWLADDER_RENDER, then
// $PATH) with the arguments as argv and forwards its exit status; a renderer killed by a signal
// makes it exit 1 with a message. Stand-in renderers record their arguments.
TEST(Cli, RenderRunsTheRendererItFinds)
{
    const TempDir dir("render-found");
    const std::string cli = copyCli(dir);
    std::filesystem::create_directories(dir / "bin");
    std::filesystem::create_directories(dir / "env");
    const std::string log = dir / "args.txt";
    writeScript(dir / "bin/flowladder-render", "echo path >" + log + "; printf '%s\\n' \"$@\" >>" + log + "; exit 3");
    writeScript(dir / "env/renderer", "echo env >" + log + "; exit 4");
    writeScript(dir / "env/crash", "kill -SEGV $$");
    auto run = [&](const std::string& env, const std::string& args) {
        return flowladder::testsupport::runCommand("env -u FLOWLADDER_RENDER " + env + " " + cli + " render " + args +
                                                   " 2>&1");
    };
    auto logged = [&] {
        std::ifstream in(log);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string spaced = dir / "a b;$(x).pcap"; // no shell between the CLI and the renderer
    CliRun r = run("PATH=" + (dir / "bin") + ":/usr/bin:/bin",
                   "--flow 7 --out=-x.SVG --frames=-25 --scale 2 --no-annotations '" + spaced + "'");
    EXPECT_EQ(r.status, 3) << r.out;
    EXPECT_EQ(logged(), "path\n--program-name=flowladder-cli\n--flow=7\n--out=-x.SVG\n--scale=2\n--width=1200\n"
                        "--frames=-25\n--no-annotations\n--\n" +
                            spaced + "\n");

    r = run("FLOWLADDER_RENDER=" + (dir / "env/renderer") + " PATH=" + (dir / "bin") + ":/usr/bin:/bin",
            sample + " --flow 1 --out x.pdf");
    EXPECT_EQ(r.status, 4) << r.out;
    EXPECT_EQ(logged(), "env\n");

    r = run("FLOWLADDER_RENDER=" + (dir / "env/crash"), sample + " --flow 1 --out x.pdf");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("killed by signal " + std::to_string(SIGSEGV)), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(sample), std::string::npos) << r.out;

    // Beside the CLI comes first.
    writeScript(dir / "flowladder-render", "echo beside >" + log + "; exit 0");
    r = run("FLOWLADDER_RENDER=" + (dir / "env/renderer"), sample + " --flow 1 --out x.png");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(logged(), "beside\n");
}

#ifdef FLOWLADDER_RENDER
// The real renderer through $FLOWLADDER_RENDER (tests/ui/tst_export runs it beside the CLI).
TEST(Cli, RenderDrawsWithTheRendererOfTheBuild)
{
    const TempDir dir("render-real");
    const std::string cli = copyCli(dir);
    const std::string svg = dir / "flow.svg";
    const CliRun r = flowladder::testsupport::runCommand(
        "env -u DISPLAY -u WAYLAND_DISPLAY FLOWLADDER_RENDER=" FLOWLADDER_RENDER " " + cli + " render " + sample +
        " --flow 1 --out " + svg + " --frames 18-25 2>/dev/null");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, svg + "\n");
    std::ifstream in(svg);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("frames 18–25"), std::string::npos);
    const CliRun noFlow = flowladder::testsupport::runCommand("FLOWLADDER_RENDER=" FLOWLADDER_RENDER " " + cli +
                                                              " render " + sample + " --flow 9 --out " + svg + " 2>&1");
    EXPECT_EQ(noFlow.status, 2);
    EXPECT_NE(noFlow.out.find("flowladder-cli: " + sample + " has no flow 9"), std::string::npos) << noFlow.out;
}

// `render A B --pair N` (the CLI contract): the comparison window's merged ladder of that pair,
// whole, from its first packet; side by side with --view.
TEST(Cli, RenderDrawsAComparedPair)
{
    const TempDir dir("render-pair");
    const std::string cli = copyCli(dir);
    const std::string client = (sourceDir() / "resources/sample/incident-client.pcap").string();
    const std::string env = "env -u DISPLAY -u WAYLAND_DISPLAY FLOWLADDER_RENDER=" FLOWLADDER_RENDER " ";
    const std::string svg = dir / "pair.svg";
    const CliRun r = flowladder::testsupport::runCommand(env + cli + " render " + client + " " + sample +
                                                         " --pair 1 --out " + svg + " 2>/dev/null");
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.out, svg + "\n");
    std::ifstream in(svg);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    // The forged RST, created between the capture points, and the packets lost there, with both
    // files named in the header.
    for (const char* word : {"created here", "lost", "incident-client.pcap", "incident.pcap", "B#22"})
        EXPECT_NE(text.find(word), std::string::npos) << word;
    const std::string png = dir / "pair.png";
    EXPECT_EQ(flowladder::testsupport::runCommand(env + cli + " render " + client + " " + sample +
                                                  " --pair 1 --view side-by-side --out " + png + " 2>/dev/null")
                  .status,
              0);
    EXPECT_TRUE(std::filesystem::file_size(png) > 10000);
    // The notes saved with the pair (the comparison window's) are drawn, unless --no-annotations.
    const std::string a = dir / "client.pcap", b = dir / "server.pcap";
    std::filesystem::copy_file(client, a);
    std::filesystem::copy_file(sample, b);
    {
        auto store = flowladder::core::AnnotationStore::openCompared(a, b);
        flowladder::core::Annotation note;
        note.flow = 1;
        note.frame = 22;
        note.inCaptureB = true;
        note.text = "forged by the ASA, INC-2291";
        note.id = store.set().newId();
        store.set().items.push_back(note);
        std::string error;
        ASSERT_TRUE(store.save(error)) << error;
    }
    const std::string noted = dir / "noted.svg", plain = dir / "plain.svg";
    ASSERT_EQ(flowladder::testsupport::runCommand(env + cli + " render " + a + " " + b + " --pair 1 --out " + noted +
                                                  " 2>/dev/null")
                  .status,
              0);
    ASSERT_EQ(flowladder::testsupport::runCommand(env + cli + " render " + a + " " + b +
                                                  " --pair 1 --no-annotations --out " + plain + " 2>/dev/null")
                  .status,
              0);
    auto slurp = [](const std::string& p) {
        std::ifstream f(p);
        return std::string((std::istreambuf_iterator<char>(f)), {});
    };
    EXPECT_NE(slurp(noted).find("INC-2291"), std::string::npos);
    EXPECT_EQ(slurp(plain).find("INC-2291"), std::string::npos);
    // Usage: a pair that is not there, --flow with two captures, --pair with one.
    const CliRun missing = flowladder::testsupport::runCommand(env + cli + " render " + client + " " + sample +
                                                               " --pair 4 --out " + svg + " 2>&1");
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.out.find("no flow pair 4 (it has 1"), std::string::npos) << missing.out;
    EXPECT_EQ(flowladder::testsupport::runCommand(env + cli + " render " + client + " " + sample + " --flow 1 --out " +
                                                  svg + " 2>/dev/null")
                  .status,
              2);
    EXPECT_EQ(
        flowladder::testsupport::runCommand(env + cli + " render " + sample + " --pair 1 --out " + svg + " 2>/dev/null")
            .status,
        2);
}
#endif

#if !defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
#define FLOWLADDER_NO_ASAN 1
#elif !defined(__SANITIZE_ADDRESS__) && defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define FLOWLADDER_NO_ASAN 1
#endif
#endif

#ifdef FLOWLADDER_NO_ASAN
// Under any memory limit the CLI exits 0, 1 (an error naming the file, such as an internal error
// for std::bad_alloc) or 127 (the loader could not map a library): never by a signal. The limits
// tried start where `--version` first runs (it depends on the libraries linked) and go up 16 MiB.
TEST(Cli, NeverDiesOfASignalWhenMemoryRunsOut)
{
    auto underLimit = [](long kb, const std::string& args) {
        return flowladder::testsupport::runCommand("ulimit -v " + std::to_string(kb) + "; " FLOWLADDER_CLI " " + args +
                                                   " 2>&1 >/dev/null");
    };
    long lo = 1024, hi = 4L << 20; // KiB: too little to load; plenty
    ASSERT_EQ(underLimit(hi, "--version").status, 0);
    while (hi - lo > 64) {
        const long mid = (lo + hi) / 2;
        (underLimit(mid, "--version").status == 0 ? hi : lo) = mid;
    }
    int failures = 0;
    for (long kb = hi; kb <= hi + 16384; kb += 256) {
        const CliRun r = underLimit(kb, "analyze --json " + sample);
        ASSERT_TRUE(r.status == 0 || r.status == 1 || r.status == 127) << kb << " KiB: " << r.status << " " << r.out;
        if (r.status == 1) {
            ++failures;
            EXPECT_NE(r.out.find(sample), std::string::npos) << kb << " KiB: " << r.out;
        }
    }
    EXPECT_GT(failures, 0) << "no limit made the analysis itself run out of memory";
}
#endif

// Option values (issue 13): what used to be accepted silently is a usage error (exit 2) with a
// message, before any file is read.
TEST(Cli, OptionValuesOutOfRangeAreUsageErrors)
{
    const std::string a = (sourceDir() / "resources" / "sample" / "incident-client.pcap").string();
    const std::string b = (sourceDir() / "resources" / "sample" / "incident.pcap").string();
    for (const char* offset : {"nan", "inf", "-inf", "-1e300", "9.3e9", "12abc"}) {
        SCOPED_TRACE(offset);
        const CliRun r = runCli("compare " + a + " " + b + " --offset=" + offset, true);
        EXPECT_EQ(r.status, 2) << r.out;
        EXPECT_NE(r.out.find("--offset"), std::string::npos) << r.out;
    }
    const CliRun fine = runCli("compare --json " + a + " " + b + " --offset=-0.25");
    ASSERT_EQ(fine.status, 0);
    EXPECT_NE(fine.out.find("\"clock_offset\": -0.25"), std::string::npos);

    const std::string out = flowladder::testing::tempPath("frames.svg");
    for (const char* frames : {"1--5", "1-4294967296", "0-3", "5-2", "-", "+1-3", " 1-3", "1-3x"}) {
        SCOPED_TRACE(frames);
        const CliRun r = runCli("render " + b + " --flow 1 --out " + out + " '--frames=" + frames + "'", true);
        EXPECT_EQ(r.status, 2) << r.out;
        EXPECT_NE(r.out.find("--frames"), std::string::npos) << r.out;
    }
    // 80,000 x 32,000 pixels would take gigabytes: refused before anything is drawn.
    const CliRun big = runCli("render " + b + " --flow 1 --out " + flowladder::testing::tempPath("big.png") +
                                  " --scale 8 --width 10000",
                              true);
    EXPECT_EQ(big.status, 2) << big.out;
    EXPECT_NE(big.out.find("million pixels"), std::string::npos) << big.out;
}

// Captures from pipes (issue 13): `-` is standard input, a FIFO or a process substitution is read
// through one open with the format sniffed from the stream, and gives the same analysis as the
// file; devices are refused naming the file.
TEST(Cli, CapturesFromPipesAndFifos)
{
    auto withoutFile = [](std::string json) {
        const auto at = json.find("\"file\":");
        const auto end = json.find('\n', at);
        return at == std::string::npos ? json : json.erase(at, end - at);
    };
    for (const char* rel : {"resources/sample/incident.pcap", "tests/golden/captures/pcapng-mixed-links.pcapng"}) {
        SCOPED_TRACE(rel);
        const std::string file = (sourceDir() / rel).string();
        const CliRun direct = runCli("analyze --json " + file);
        ASSERT_EQ(direct.status, 0);
        const CliRun piped =
            flowladder::testsupport::runCommand("cat " + file + " | " FLOWLADDER_CLI " analyze --json - 2>&1");
        ASSERT_EQ(piped.status, 0) << piped.out;
        EXPECT_NE(piped.out.find("\"file\": \"-\""), std::string::npos);
        EXPECT_EQ(withoutFile(piped.out), withoutFile(direct.out));

        const std::string fifo = flowladder::testing::tempPath("capture.fifo");
        const CliRun viaFifo = flowladder::testsupport::runCommand("rm -f " + fifo + "; mkfifo " + fifo + " && (cat " +
                                                                   file + " > " + fifo + " &) && timeout 20 " +
                                                                   FLOWLADDER_CLI " analyze --json " + fifo + " 2>&1");
        ASSERT_EQ(viaFifo.status, 0) << viaFifo.out;
        EXPECT_EQ(withoutFile(viaFifo.out), withoutFile(direct.out));
    }
    const CliRun device = runCli("analyze /dev/zero", true);
    EXPECT_EQ(device.status, 1);
    EXPECT_NE(device.out.find("/dev/zero: is a device"), std::string::npos) << device.out;
    const CliRun shortPipe = flowladder::testsupport::runCommand("printf xy | " FLOWLADDER_CLI " analyze - 2>&1");
    EXPECT_EQ(shortPipe.status, 1);
    EXPECT_NE(shortPipe.out.find("standard input: only 2 bytes"), std::string::npos) << shortPipe.out;
}

// A capture of more than 9,999 connections: five-digit flow ids keep a space before the client
// address in the text table (issue 15: "4050610.203.0.1:19288").
TEST(Cli, WideFlowIdsStaySeparateFromTheAddress)
{
    namespace ts = flowladder::testsupport;
    ts::PcapWriter w(1); // Ethernet
    for (uint32_t i = 0; i < 10'050; ++i) {
        ts::TcpSegment s;
        s.src = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        s.sport = static_cast<uint16_t>(20000 + i % 30000);
        s.seq = 1000 + i;
        s.flags = tf::SYN;
        w.add(ts::Packet{1'700'000'000'000'000'000 + int64_t{i} * 1000, ts::buildFrame(ts::Link::Ethernet, s)});
    }
    const std::string path = tempPath("wide-ids.pcap");
    w.write(path);
    const CliRun r = runCli("analyze " + path);
    ASSERT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("\n10050 10.1.40.50:30049 "), std::string::npos);
    EXPECT_EQ(r.out.find("1005010."), std::string::npos);
}
