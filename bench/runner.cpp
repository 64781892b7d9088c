// Times commands for bench/run.sh: runs each one RUNS times, interleaved (so a change
// in machine load hits every command alike), stdout to /dev/null, and prints per command
//
//     LABEL WALL_MEDIAN_S CPU_MEDIAN_S MAX_RSS_KB PAGE_FAULTS_MEDIAN
//
// Wall: fork to exit. CPU (user + system), peak RSS and page faults (minor + major): the
// child's rusage from wait4(), microsecond resolution. Written with libc only and kept
// small on purpose: Linux carries the forking process's RSS high-water mark across exec
// into ru_maxrss, so the parent must be smaller than anything it measures (a Python
// parent is ~8 MB).
//
// Usage: flowladder-bench-run RUNS LABEL CMD... [--- LABEL CMD...]...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

struct Command {
    const char* label;
    std::vector<char*> argv;
    std::vector<double> wall, cpu, faults;
    long maxrssKb = 0;
};

double now()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s RUNS LABEL CMD... [--- LABEL CMD...]...\n", argv[0]);
        return 2;
    }
    const int runs = std::max(1, std::atoi(argv[1]));
    std::vector<Command> commands;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "---") == 0) continue;
        if (commands.empty() || std::strcmp(argv[i - 1], "---") == 0 || i == 2) {
            commands.push_back({argv[i], {}, {}, {}, {}});
            continue;
        }
        commands.back().argv.push_back(argv[i]);
    }
    for (auto& c : commands) {
        if (c.argv.empty()) {
            std::fprintf(stderr, "no command for %s\n", c.label);
            return 2;
        }
        c.argv.push_back(nullptr);
    }
    for (int r = 0; r < runs; ++r) {
        for (auto& c : commands) {
            const double t0 = now();
            const pid_t pid = fork();
            if (pid == 0) {
                const int fd = open("/dev/null", O_WRONLY);
                dup2(fd, 1);
                execvp(c.argv[0], c.argv.data());
                _exit(127);
            }
            int status = 0;
            rusage ru{};
            wait4(pid, &status, 0, &ru);
            const double wall = now() - t0;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                std::fprintf(stderr, "failed (status %d): %s\n", status, c.argv[0]);
                return 1;
            }
            c.wall.push_back(wall);
            c.cpu.push_back(static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
            c.maxrssKb = std::max(c.maxrssKb, ru.ru_maxrss);
            c.faults.push_back(static_cast<double>(ru.ru_minflt + ru.ru_majflt));
        }
    }
    for (auto& c : commands)
        std::printf("%s %.3f %.3f %ld %.0f\n", c.label, median(c.wall), median(c.cpu), c.maxrssKb, median(c.faults));
    return 0;
}
