#include "app/cli/RenderCommand.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace flowladder::cli {

namespace fs = std::filesystem;

namespace {

constexpr int ExitUnreadable = 1;
constexpr int ExitUsage = 2;
constexpr const char* RendererName = "flowladder-render";

bool isExecutableFile(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

} // namespace

CLI::App* addRenderCommand(CLI::App& app, RenderArgs& args)
{
    auto* cmd = app.add_subcommand(
        "render", "Draw a flow's ladder (with findings and notes), or a compared pair's, to PNG, SVG or PDF");
    addRenderOptions(*cmd, args);
    return cmd;
}

std::string findRenderer(std::string& searched)
{
    std::vector<std::string> looked;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path beside = self.parent_path() / RendererName;
        if (isExecutableFile(beside)) return beside.string();
        looked.push_back(beside.string() + " (beside flowladder-cli)");
    } else {
        looked.push_back("beside flowladder-cli (/proc/self/exe: " + ec.message() + ")");
    }
    if (const char* env = std::getenv("FLOWLADDER_RENDER"); env && *env) {
        if (isExecutableFile(env)) return env;
        looked.push_back(std::string("$FLOWLADDER_RENDER=") + env + " (not an executable file)");
    } else {
        looked.push_back("$FLOWLADDER_RENDER (not set)");
    }
    const char* path = std::getenv("PATH");
    if (path && *path) {
        const std::string dirs = path;
        for (size_t start = 0;;) {
            const size_t colon = dirs.find(':', start);
            const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            const fs::path candidate = fs::path(dir.empty() ? "." : dir) / RendererName; // empty: the current directory
            if (isExecutableFile(candidate)) return candidate.string();
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
        looked.push_back("$PATH=" + dirs);
    } else {
        looked.push_back("$PATH (not set)");
    }
    searched.clear();
    for (size_t i = 0; i < looked.size(); ++i)
        searched += (i ? ", " : "") + looked[i];
    return {};
}

int runRender(const RenderArgs& args)
{
    // Usage errors first: they exit 2 before anything starts.
    uint32_t firstFrame = 0, lastFrame = 0;
    RenderArgs forwarded = args;
    forwarded.programName = "flowladder-cli";
    if (const int rc = checkRenderArgs(forwarded, firstFrame, lastFrame)) return rc;

    std::string searched;
    const std::string renderer = findRenderer(searched);
    if (renderer.empty()) {
        std::cerr << "flowladder-cli: render needs " << RendererName << ", the program that draws; not found in "
                  << searched << ". A build without the GUI (-DFLOWLADDER_GUI=OFF) has none.\n";
        return ExitUsage;
    }

    std::vector<std::string> strings = renderArgv(forwarded);
    strings.insert(strings.begin(), renderer);
    std::vector<char*> argv;
    argv.reserve(strings.size() + 1);
    for (std::string& s : strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    std::cout.flush();
    std::cerr.flush();
    pid_t pid = 0;
    if (const int err = ::posix_spawn(&pid, renderer.c_str(), nullptr, nullptr, argv.data(), environ)) {
        std::cerr << "flowladder-cli: cannot run " << renderer << ": " << std::strerror(err) << "\n";
        return ExitUsage;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::cerr << "flowladder-cli: waiting for " << renderer << ": " << std::strerror(errno) << "\n";
            return ExitUnreadable;
        }
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    std::cerr << "flowladder-cli: " << forwarded.capture << ": " << renderer << " was killed by signal " << sig << " ("
              << (sig ? ::strsignal(sig) : "unknown") << ")\n";
    return ExitUnreadable;
}

} // namespace flowladder::cli
