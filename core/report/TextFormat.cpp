#include "core/report/TextFormat.h"

#include <cinttypes>
#include <cstdio>

namespace flowladder::core {

std::string formatDuration(int64_t ns)
{
    char buf[64];
    if (ns < 0) ns = 0;
    if (ns < 1'000'000)
        std::snprintf(buf, sizeof buf, "%" PRId64 " \u00b5s", ns / 1000);
    else if (ns < 1'000'000'000)
        std::snprintf(buf, sizeof buf, "%" PRId64 " ms", ns / 1'000'000);
    else
        std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
    return buf;
}

std::string formatSignedSeconds(int64_t ns)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%+.6f s", static_cast<double>(ns) / 1e9);
    return buf;
}

std::string formatFrameList(const std::vector<uint32_t>& frames, size_t limit)
{
    std::string r;
    for (size_t i = 0; i < frames.size() && i < limit; ++i)
        r += (i ? " #" : "#") + std::to_string(frames[i]);
    if (frames.size() > limit) r += " ... (" + std::to_string(frames.size()) + ")";
    return r;
}

} // namespace flowladder::core
