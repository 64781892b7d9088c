#pragma once
// Where tests write their files: a directory of this process's own, made with mkdtemp under
// $TMPDIR (or /tmp) the first time it is asked for and removed with everything in it when the
// process exits. Two test programs (or two copies of one, from two build trees) running at the
// same time never see each other's files; gtest_discover_tests runs each test in its own process.

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unistd.h>

namespace flowladder::testsupport {

namespace detail {
struct ProcessTempDir {
    std::filesystem::path path;
    pid_t owner = 0;
    ProcessTempDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "flowladder-test-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
        path = tmpl;
        owner = ::getpid();
    }
    ~ProcessTempDir()
    {
        if (::getpid() != owner) return; // a forked child exiting must not remove its parent's files
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};
} // namespace detail

// This process's own temporary directory (created on first use, removed at exit).
inline const std::filesystem::path& processTempDir()
{
    static const detail::ProcessTempDir dir;
    return dir.path;
}

// A path in this process's temporary directory; the same `name` gives the same path.
inline std::string processTempPath(const std::string& name)
{
    return (processTempDir() / name).string();
}

// A fresh subdirectory of the process's temporary directory (`stem` and a counter), for tests
// that write several files or want a clean directory of their own.
inline std::filesystem::path freshTempDir(const std::string& stem)
{
    static std::atomic<unsigned> counter{0};
    const auto dir = processTempDir() / (stem + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace flowladder::testsupport
