#include "app/cli/WatchCommand.h"

#include "core/capture/Libpcap.h"
#include "core/live/LiveWatch.h"
#include "core/report/JsonReport.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <poll.h>

namespace flowladder::cli {

using namespace flowladder::core;

namespace {

constexpr int ExitCapture = 1;
constexpr int ExitUsage = 2;

const Libpcap* lib = nullptr; // loaded by runWatch
std::atomic<bool> stopRequested{false};
pcap_t* activeCapture = nullptr;
extern "C" void onStop(int)
{
    stopRequested.store(true);
    if (activeCapture) lib->pcap_breakloop(activeCapture);
}

int64_t nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string clockTime(int64_t ns)
{
    const time_t s = static_cast<time_t>(ns / 1'000'000'000);
    tm t{};
    localtime_r(&s, &t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", t.tm_hour, t.tm_min, t.tm_sec,
                  static_cast<int>(ns / 1'000'000 % 1000));
    return buf;
}

struct Context {
    const WatchArgs* args;
    LiveWatch* watch;
    int dlt;
    int64_t tickNs; // 1 when the capture gives nanoseconds, else 1000
};

extern "C" void onPacket(u_char* user, const pcap_pkthdr* h, const u_char* data)
{
    auto* ctx = reinterpret_cast<Context*>(user);
    const int64_t ts = static_cast<int64_t>(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec * ctx->tickNs;
    ctx->watch->add(ctx->dlt, ts, data, h->caplen, h->len);
}

void printFinding(const WatchArgs& args, const LiveFinding& lf)
{
    const Finding& f = lf.finding;
    if (args.json) {
        nlohmann::ordered_json j;
        j["type"] = "finding";
        j["interface"] = args.interface;
        j["time"] = static_cast<double>(lf.seenNs) / 1e9;
        j["connection"] = lf.connection;
        j["client"] = lf.client;
        j["server"] = lf.server;
        const auto finding = findingToJson(f);
        for (const auto& [key, value] : finding.items())
            if (key != "flow") j[key] = value;
        std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << std::endl;
        return;
    }
    const char* sev = f.severity == Severity::Error     ? "ERROR  "
                      : f.severity == Severity::Warning ? "WARNING"
                                                        : "info   ";
    std::cout << clockTime(lf.seenNs) << " " << sev << " connection " << lf.connection << " (" << lf.client << " → "
              << lf.server << ") #" << f.frame << " " << findingKindName(f.kind) << ": " << f.summary << std::endl;
}

// DIR/<connection>-<ends>.pcap with the connection's frames as captured.
void writeFlow(const WatchArgs& args, const LiveFlowFrames& ff)
{
    std::string name = std::to_string(ff.connection) + "-" + ff.ends + ".pcap";
    for (char& ch : name)
        if (ch == '/' || ch == '[' || ch == ']') ch = '_';
    const std::string path = (std::filesystem::path(args.writeFlows) / name).string();
    pcap_t* dead = lib->pcap_open_dead_with_tstamp_precision(ff.dlt, args.snaplen, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t* d = dead ? lib->pcap_dump_open(dead, path.c_str()) : nullptr;
    if (!d) {
        std::cerr << "flowladder-cli watch: " << path
                  << ": cannot write: " << (dead ? lib->pcap_geterr(dead) : "out of memory") << "\n";
        if (dead) lib->pcap_close(dead);
        return;
    }
    for (const RawFrame& f : ff.frames) {
        pcap_pkthdr h{};
        h.ts.tv_sec = static_cast<time_t>(f.tsNs / 1'000'000'000);
        h.ts.tv_usec = static_cast<suseconds_t>(f.tsNs % 1'000'000'000); // nanoseconds: the file says so
        h.caplen = f.caplen;
        h.len = f.wirelen;
        lib->pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data);
    }
    lib->pcap_dump_close(d);
    lib->pcap_close(dead);
    if (!args.json) std::cerr << "flowladder-cli watch: wrote " << path << " (" << ff.frames.size() << " frames)\n";
}

} // namespace

CLI::App* addWatchCommand(CLI::App& app, WatchArgs& args)
{
    auto* w = app.add_subcommand("watch", "Live capture on an interface, findings printed as they become certain");
    w->add_option("-i,--interface", args.interface, "interface to capture on (needs CAP_NET_RAW)")->required();
    w->add_option("BPF", args.filter, "capture filter (tcpdump syntax), ANDed with tcp");
    w->add_flag("--json", args.json, "one JSON line per finding (and a summary line at the end)");
    w->add_option("--write-flows", args.writeFlows, "save a pcap of each connection that had a finding into DIR");
    w->add_option("--duration", args.duration, "stop after SECONDS (default: at Ctrl+C)")
        ->check(CLI::NonNegativeNumber);
    w->add_option("--idle", args.idle, "drop a connection after SECONDS of quiet (default 300)")
        ->check(CLI::PositiveNumber);
    w->add_option("--snaplen", args.snaplen, "bytes kept of each packet (default 256: headers)")
        ->check(CLI::Range(96, 262144));
    return w;
}

int runWatch(const WatchArgs& args)
{
    std::string loadError;
    lib = libpcap(loadError);
    if (!lib) {
        std::cerr << "flowladder-cli watch: " << loadError << "\n";
        return ExitCapture;
    }
    if (!args.writeFlows.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(args.writeFlows, ec);
        if (ec) {
            std::cerr << "flowladder-cli watch: " << args.writeFlows << ": cannot create: " << ec.message() << "\n";
            return ExitCapture;
        }
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = lib->pcap_create(args.interface.c_str(), errbuf);
    if (!p) {
        std::cerr << "flowladder-cli watch: " << args.interface << ": " << errbuf << "\n";
        return ExitCapture;
    }
    lib->pcap_set_snaplen(p, args.snaplen);
    lib->pcap_set_immediate_mode(p, 1); // findings within a second need packets as they come
    lib->pcap_set_timeout(p, 100);
    lib->pcap_set_buffer_size(p, 16 << 20);
    lib->pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    const int rc = lib->pcap_activate(p);
    if (rc < 0) {
        std::string why = lib->pcap_geterr(p);
        if (rc == PCAP_ERROR_PERM_DENIED)
            why = "capturing needs the CAP_NET_RAW capability: run as root, or give it to the program once with "
                  "`sudo setcap cap_net_raw,cap_net_admin=eip $(command -v flowladder-cli)` (" +
                  why + ")";
        else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            why = "no such interface (`ip link` lists them)";
        std::cerr << "flowladder-cli watch: " << args.interface << ": " << why << "\n";
        lib->pcap_close(p);
        return ExitCapture;
    }
    if (rc > 0) std::cerr << "flowladder-cli watch: " << args.interface << ": warning: " << lib->pcap_geterr(p) << "\n";
    std::string filter = "tcp";
    if (!args.filter.empty()) {
        std::string user;
        for (const std::string& w : args.filter)
            user += (user.empty() ? "" : " ") + w;
        filter = "tcp and (" + user + ")";
    }
    bpf_program prog{};
    if (lib->pcap_compile(p, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        lib->pcap_setfilter(p, &prog) != 0) {
        std::cerr << "flowladder-cli watch: filter '" << filter << "': " << lib->pcap_geterr(p) << "\n";
        lib->pcap_freecode(&prog);
        lib->pcap_close(p);
        return ExitUsage;
    }
    lib->pcap_freecode(&prog);
    // Non-blocking, with our own poll: in immediate mode a blocking read on Linux waits for the
    // next packet however long, and a finding must not wait for traffic that may never come.
    lib->pcap_setnonblock(p, 1, errbuf);
    const int fd = lib->pcap_get_selectable_fd(p);

    LiveOptions options;
    options.idleExpireNs = static_cast<int64_t>(args.idle * 1e9);
    LiveWatch watch(options);
    // Nanosecond timestamps where the capture gives them (asked for above), else microseconds.
    Context ctx{&args, &watch, lib->pcap_datalink(p),
                lib->pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? int64_t{1} : int64_t{1000}};
    activeCapture = p;
    std::signal(SIGINT, onStop);
    std::signal(SIGTERM, onStop);
    std::cerr << "flowladder-cli watch: capturing on " << args.interface << " (" << filter
              << "); Ctrl+C ends with a summary" << std::endl;

    std::map<std::string, uint64_t> byKind;
    uint64_t findings = 0;
    const auto report = [&](const std::vector<LiveFinding>& found) {
        for (const LiveFinding& lf : found) {
            printFinding(args, lf);
            ++findings;
            ++byKind[std::string(findingKindName(lf.finding.kind))];
        }
        for (const LiveFlowFrames& ff : watch.takeExpiredWithFindings())
            if (!args.writeFlows.empty()) writeFlow(args, ff);
    };
    const int64_t start = nowNs();
    std::string captureError;
    while (!stopRequested.load()) {
        if (fd >= 0) {
            pollfd pfd{fd, POLLIN, 0};
            ::poll(&pfd, 1, 100);
        }
        const int n = lib->pcap_dispatch(p, -1, onPacket, reinterpret_cast<u_char*>(&ctx));
        if (n == PCAP_ERROR) {
            captureError = lib->pcap_geterr(p);
            break;
        }
        const int64_t now = nowNs();
        report(watch.poll(now));
        if (args.duration > 0 && static_cast<double>(now - start) / 1e9 >= args.duration) break;
    }
    activeCapture = nullptr;
    const int64_t end = nowNs();
    report(watch.finish(end));
    pcap_stat st{};
    const bool haveStats = lib->pcap_stats(p, &st) == 0;
    lib->pcap_close(p);

    if (args.json) {
        nlohmann::ordered_json j;
        j["type"] = "summary";
        j["interface"] = args.interface;
        j["seconds"] = static_cast<double>(end - start) / 1e9;
        j["frames"] = watch.frames();
        j["tcp_frames"] = watch.tcpFrames();
        j["connections"] = watch.connectionsSeen();
        j["findings"] = findings;
        j["by_kind"] = byKind;
        if (haveStats) j["dropped_by_kernel"] = st.ps_drop;
        if (!captureError.empty()) j["error"] = captureError;
        std::cout << j.dump() << std::endl;
    } else {
        std::cerr << "\nflowladder-cli watch: " << args.interface << ", " << static_cast<double>(end - start) / 1e9
                  << " s: " << watch.frames() << " frames (" << watch.tcpFrames() << " TCP), "
                  << watch.connectionsSeen() << " connections, " << findings << " finding"
                  << (findings == 1 ? "" : "s");
        for (const auto& [kind, n] : byKind)
            std::cerr << (kind == byKind.begin()->first ? ": " : ", ") << n << " " << kind;
        if (haveStats) std::cerr << "; " << st.ps_drop << " dropped by the kernel";
        std::cerr << "\n";
        if (!captureError.empty()) std::cerr << "flowladder-cli watch: capture stopped: " << captureError << "\n";
    }
    return captureError.empty() ? 0 : ExitCapture;
}

} // namespace flowladder::cli
