#pragma once
// Where the tests find the project's fixtures and the shared public captures.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace flowladder::testing {

inline std::filesystem::path sourceDir()
{
    return FLOWLADDER_SOURCE_DIR;
}

// ../shared/captures/public beside the checkout, or $FLOWLADDER_PUBLIC_CAPTURES; empty when absent.
inline std::filesystem::path publicCapturesDir()
{
    if (const char* env = std::getenv("FLOWLADDER_PUBLIC_CAPTURES")) return env;
    const auto p = sourceDir().parent_path() / "shared" / "captures" / "public";
    return std::filesystem::exists(p / "MANIFEST.tsv") ? p : std::filesystem::path();
}

inline std::string tempPath(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / ("flowladder-test-" + std::to_string(::getpid()) + "-" + name))
        .string();
}

} // namespace flowladder::testing
