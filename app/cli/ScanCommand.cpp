#include "app/cli/ScanCommand.h"

#include "core/scan/Scan.h"
#include "core/scan/ScanDatabase.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace flowladder::cli {

using namespace flowladder::core;

namespace {

constexpr int ExitUnreadable = 1;
constexpr int ExitUsage = 2;
constexpr int ExitInterrupted = 130;

std::atomic<bool> interrupted{false};
extern "C" void onInterrupt(int)
{
    interrupted.store(true);
}

// 950, 13k, 1.2M, 3.4G: a count for the progress line and the summary.
std::string count(double v)
{
    char buf[32];
    if (v >= 1e9)
        std::snprintf(buf, sizeof buf, "%.1fG", v / 1e9);
    else if (v >= 1e6)
        std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        std::snprintf(buf, sizeof buf, "%.0fk", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

std::string clock(double seconds)
{
    const long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

// One line on the terminal, rewritten in place: files, packets, findings, rate, ETA.
void drawProgress(const ScanProgress& p, double elapsed)
{
    constexpr int Width = 24;
    const double fraction =
        p.bytesTotal ? static_cast<double>(p.bytesDone) / static_cast<double>(p.bytesTotal)
                     : (p.filesTotal ? static_cast<double>(p.filesDone) / static_cast<double>(p.filesTotal) : 1.0);
    const int filled = static_cast<int>(std::min(1.0, fraction) * Width);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < Width) bar += '>';
    bar.resize(Width, ' ');
    const double rate = elapsed > 0 ? static_cast<double>(p.bytesDone) / elapsed : 0;
    std::string eta = "--:--";
    if (fraction > 0.01 && elapsed > 1 && rate > 0)
        eta = clock(static_cast<double>(p.bytesTotal - std::min(p.bytesDone, p.bytesTotal)) / rate);
    std::fprintf(stderr, "\r[%s] %zu/%zu files  %s packets  %zu finding%s  %s B/s  ETA %s\033[K", bar.c_str(),
                 p.filesDone, p.filesTotal, count(static_cast<double>(p.packets)).c_str(),
                 static_cast<size_t>(p.findings), p.findings == 1 ? "" : "s", count(rate).c_str(), eta.c_str());
    std::fflush(stderr);
}

bool parseShard(const std::string& s, unsigned& index, unsigned& count)
{
    unsigned i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(s.c_str(), "%u/%u%c", &i, &n, &tail) != 2 || n == 0 || i >= n) return false;
    index = i;
    count = n;
    return true;
}

} // namespace

CLI::App* addScanCommand(CLI::App& app, ScanArgs& args)
{
    auto* scan = app.add_subcommand("scan", "Every capture under the paths, analysed in parallel, as NDJSON findings");
    scan->add_option("PATH", args.paths, "capture files and folders (walked recursively; captures found by content)")
        ->required();
    scan->add_option("--jobs,-j", args.jobs, "files analysed at once (default: the number of cores)")
        ->check(CLI::Range(1u, 1024u));
    scan->add_option("--out,-o", args.out, "write the NDJSON to FILE instead of standard output");
    scan->add_option("--db", args.db, "also write an SQLite database of the results (replaces an older scan's)");
    scan->add_flag("--flows", args.flows, "also write one line per flow");
    scan->add_option("--shard", args.shard,
                     "only shard I of N (0 <= I < N) of the sorted file list: one task of a cluster's array job");
    scan->add_flag("--no-progress", args.noProgress, "no progress line, even on a terminal");
    return scan;
}

int runScan(const ScanArgs& args)
{
    unsigned shardIndex = 0, shardCount = 1;
    if (!args.shard.empty() && !parseShard(args.shard, shardIndex, shardCount)) {
        std::cerr << "flowladder-cli scan: --shard wants I/N with 0 <= I < N (e.g. 3/20), not '" << args.shard << "'\n";
        return ExitUsage;
    }
    std::vector<std::string> problems;
    std::vector<std::string> files = shardOf(findCaptures(args.paths, problems), shardIndex, shardCount);
    for (const std::string& p : problems)
        std::cerr << "flowladder-cli scan: warning: " << p << "\n";

    std::ofstream outFile;
    std::ostream* out = &std::cout;
    if (!args.out.empty()) {
        outFile.open(args.out, std::ios::binary | std::ios::trunc);
        if (!outFile) {
            std::cerr << "flowladder-cli scan: " << args.out << ": cannot write: " << std::strerror(errno) << "\n";
            return ExitUnreadable;
        }
        out = &outFile;
    }
    std::unique_ptr<ScanDatabase> db;
    std::string error;
    if (!args.db.empty()) {
        db = ScanDatabase::create(args.db, args.paths, error);
        if (!db) {
            std::cerr << "flowladder-cli scan: " << error << "\n";
            return ExitUnreadable;
        }
    }

    ScanOptions options;
    options.jobs = args.jobs ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
    options.flows = args.flows;
    options.cancel = &interrupted;
    const auto previous = std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);

    const bool showProgress = !args.noProgress && ::isatty(STDERR_FILENO);
    const auto t0 = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    ScanProgress last;
    size_t errors = 0, warnings = 0;
    bool writeFailed = false;
    std::string text;
    scanFiles(
        files, options,
        [&](ScanResult&& r) {
            text.clear();
            for (const auto& line : resultLines(r)) {
                text += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
                text += '\n';
            }
            out->write(text.data(), static_cast<std::streamsize>(text.size()));
            out->flush();
            if (!*out) writeFailed = true;
            for (const auto& f : r.findings) {
                const std::string sev = f.value("severity", "");
                errors += sev == "error";
                warnings += sev == "warning";
            }
            if (!r.error.empty()) // above the progress line, which is drawn again below it
                std::fprintf(stderr, "%sflowladder-cli scan: %s\n", showProgress ? "\r\033[K" : "", r.error.c_str());
            if (db && !db->add(r, error)) {
                std::cerr << "flowladder-cli scan: " << error << "\n";
                writeFailed = true;
                interrupted.store(true);
            }
        },
        [&](const ScanProgress& p) {
            last = p;
            if (showProgress) drawProgress(p, elapsed());
        });
    if (showProgress) std::fputc('\n', stderr);
    std::signal(SIGINT, previous);
    if (db && !db->finish(error)) {
        std::cerr << "flowladder-cli scan: " << error << "\n";
        writeFailed = true;
    }
    const bool stopped = interrupted.load() && !writeFailed;
    std::cerr << "flowladder-cli scan: " << (stopped ? "interrupted after " : "") << last.filesDone << " of "
              << files.size() << " file" << (files.size() == 1 ? "" : "s");
    if (last.unreadable) std::cerr << " (" << last.unreadable << " unreadable)";
    std::cerr << ", " << count(static_cast<double>(last.packets)) << " packets, " << last.findings << " finding"
              << (last.findings == 1 ? "" : "s") << " (" << errors << " error" << (errors == 1 ? "" : "s") << ", "
              << warnings << " warning" << (warnings == 1 ? "" : "s") << ") in " << clock(elapsed()) << "\n";
    if (writeFailed) return ExitUnreadable;
    if (stopped) return ExitInterrupted;
    if (files.empty()) {
        std::cerr << "flowladder-cli scan: no captures found\n";
        return ExitUnreadable;
    }
    return last.unreadable == files.size() ? ExitUnreadable : 0;
}

} // namespace flowladder::cli
