#pragma once
// Where the tests find the project's fixtures and the shared public captures.

#include "tests/support/TempDir.h"

#include <cstdlib>
#include <filesystem>
#include <string>

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

// A path in this process's own temporary directory (removed when the process exits).
inline std::string tempPath(const std::string& name)
{
    return testsupport::processTempPath(name);
}

} // namespace flowladder::testing
