#pragma once
// Runs a shell command and collects its standard output and exit status (tests of the CLI
// and comparisons with tshark).

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace flowladder::testsupport {

struct CommandResult {
    int status = -1; // exit status, -1 when the command did not exit normally
    std::string out;
};

inline CommandResult runCommand(const std::string& cmd)
{
    CommandResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 65536> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

#ifdef FLOWLADDER_CLI
// flowladder-cli with `args`; stderr folded into the output when `withStderr`, else dropped.
inline CommandResult runCli(const std::string& args, bool withStderr = false)
{
    return runCommand(std::string(FLOWLADDER_CLI) + " " + args + (withStderr ? " 2>&1" : " 2>/dev/null"));
}
#endif

} // namespace flowladder::testsupport
