#include "core/scan/Scan.h"

#include "core/capture/CaptureReader.h"
#include "core/report/JsonReport.h"
#include "core/tcp/Analyzer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

namespace flowladder::core {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::vector<std::string> findCaptures(const std::vector<std::string>& paths, std::vector<std::string>& problems)
{
    std::vector<std::string> files;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {
            files.push_back(p); // named: read as a capture, and reading says what is wrong
            continue;
        }
        fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
        if (ec) {
            problems.push_back(p + ": cannot read the folder: " + ec.message());
            continue;
        }
        for (; it != end; it.increment(ec)) {
            if (ec) {
                problems.push_back(p + ": walking the folder stopped: " + ec.message());
                break;
            }
            std::error_code fe;
            if (it->is_regular_file(fe) && looksLikeCapture(it->path().string())) files.push_back(it->path().string());
        }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
}

std::vector<std::string> shardOf(const std::vector<std::string>& files, unsigned index, unsigned count)
{
    std::vector<std::string> out;
    if (count == 0) return out;
    for (size_t i = index; i < files.size(); i += count)
        out.push_back(files[i]);
    return out;
}

ordered_json findingLine(const std::string& file, const Analysis& a, const Finding& f)
{
    ordered_json j;
    j["type"] = "finding";
    j["file"] = file;
    const ordered_json finding = findingToJson(f);
    for (const auto& [key, value] : finding.items()) {
        j[key] = value;
        if (key == "flow") {
            if (const Flow* flow = a.flowById(f.flow)) {
                j["client"] = flow->endpoint(Side::Client).toString();
                j["server"] = flow->endpoint(Side::Server).toString();
            }
        }
    }
    return j;
}

ordered_json flowLine(const std::string& file, const Analysis& a, const Flow& f)
{
    ordered_json j;
    j["type"] = "flow";
    j["file"] = file;
    const ordered_json flow = flowToJson(a, f); // items() refers to it: not a temporary
    for (const auto& [key, value] : flow.items())
        j[key] = value;
    return j;
}

std::vector<ordered_json> resultLines(const ScanResult& r)
{
    std::vector<ordered_json> lines;
    if (!r.error.empty()) {
        ordered_json j;
        j["type"] = "error";
        j["file"] = r.path;
        j["error"] = r.error;
        lines.push_back(std::move(j));
        return lines;
    }
    for (const std::string& w : r.warnings) {
        ordered_json j;
        j["type"] = "warning";
        j["file"] = r.path;
        j["warning"] = w;
        lines.push_back(std::move(j));
    }
    lines.insert(lines.end(), r.flowLines.begin(), r.flowLines.end());
    lines.insert(lines.end(), r.findings.begin(), r.findings.end());
    return lines;
}

namespace {

// Analyses one file and keeps only what the scan writes: the analysis is freed on return.
ScanResult scanOne(const std::string& path, bool flows, const AnalyzeOptions& options);

// scanOne, where an exception (memory exhausted) is this file's error line: a worker thread must
// not end the scan.
ScanResult scanOneNeverThrowing(const std::string& path, bool flows, const AnalyzeOptions& options)
{
    try {
        return scanOne(path, flows, options);
    } catch (const std::exception& e) {
        ScanResult r;
        r.path = path;
        r.error = path + ": internal error: " + e.what();
        return r;
    }
}

ScanResult scanOne(const std::string& path, bool flows, const AnalyzeOptions& options)
{
    ScanResult r;
    r.path = path;
    std::string error;
    const AnalysisPtr a = analyzeFile(path, error, options);
    if (!a) {
        r.error = error.empty() ? path + ": could not be read" : error;
        return r;
    }
    const CaptureInfo& ci = a->capture;
    r.fileBytes = ci.fileBytes;
    r.format = ci.format;
    r.compression = ci.compression;
    r.packets = ci.packets;
    r.tcpPackets = ci.tcpPackets;
    r.flows = static_cast<uint32_t>(a->flows.size());
    r.truncated = ci.truncated;
    r.warnings = ci.errors;
    for (const Finding& f : a->findings)
        r.findings.push_back(findingLine(path, *a, f));
    if (flows)
        for (const Flow& f : a->flows)
            r.flowLines.push_back(flowLine(path, *a, f));
    return r;
}

} // namespace

void scanFiles(const std::vector<std::string>& files, const ScanOptions& options,
               const std::function<void(ScanResult&&)>& done, const std::function<void(const ScanProgress&)>& progress)
{
    const size_t n = files.size();
    std::vector<uint64_t> sizes(n, 0);
    ScanProgress p;
    p.filesTotal = n;
    for (size_t i = 0; i < n; ++i) {
        std::error_code ec;
        const auto s = fs::file_size(files[i], ec);
        sizes[i] = ec ? 0 : s;
        p.bytesTotal += sizes[i];
    }

    std::mutex m;
    std::condition_variable cv;
    std::vector<std::optional<ScanResult>> ready(n);
    std::vector<double> fraction(n, 0.0); // of the files running (under m)
    size_t nextFile = 0;
    const auto stop = [&] { return options.cancel && options.cancel->load(std::memory_order_relaxed); };

    const auto worker = [&] {
        for (;;) {
            size_t i;
            {
                std::lock_guard lock(m);
                if (nextFile >= n || stop()) return;
                i = nextFile++;
            }
            AnalyzeOptions ao;
            ao.cancel = options.cancel;
            ao.progress = [&, i](double f) {
                std::lock_guard lock(m);
                fraction[i] = f;
            };
            ScanResult r = scanOneNeverThrowing(files[i], options.flows, ao);
            {
                std::lock_guard lock(m);
                ready[i] = std::move(r);
            }
            cv.notify_one();
        }
    };
    const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(std::max<size_t>(n, 1))));
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned t = 0; t < jobs; ++t)
        threads.emplace_back(worker);

    // Hand the results out in file order as they complete; a slow file holds back only the
    // (small) results of the files after it.
    size_t emitted = 0;
    while (emitted < n && !stop()) {
        std::optional<ScanResult> r;
        ScanProgress now;
        {
            std::unique_lock lock(m);
            cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return ready[emitted].has_value(); });
            if (ready[emitted]) {
                r = std::move(ready[emitted]);
                ready[emitted].reset();
            }
            now = p;
            for (size_t i = emitted + (r ? 1 : 0); i < n; ++i)
                if (ready[i])
                    now.bytesDone += sizes[i];
                else if (fraction[i] > 0)
                    now.bytesDone += static_cast<uint64_t>(fraction[i] * static_cast<double>(sizes[i]));
        }
        if (r) {
            ++emitted;
            ++p.filesDone;
            p.bytesDone += sizes[emitted - 1];
            if (!r->error.empty()) ++p.unreadable;
            p.packets += r->packets;
            p.findings += r->findings.size();
            now.filesDone = p.filesDone;
            now.unreadable = p.unreadable;
            now.packets = p.packets;
            now.findings = p.findings;
            now.bytesDone += sizes[emitted - 1];
            done(std::move(*r));
        }
        if (progress) progress(now);
    }
    for (auto& t : threads)
        t.join();
}

} // namespace flowladder::core
