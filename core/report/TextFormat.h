#pragma once
// How the reports and the findings' sentences write numbers: one place, so the CLI, the
// JSON summaries and the GUI spell a duration or a frame list the same way.

#include <cstdint>
#include <string>
#include <vector>

namespace flowladder::core {

// "601.3 s", "210 ms", "35 µs": durations as the summaries write them (negative reads as 0).
std::string formatDuration(int64_t ns);

// "+0.000120 s": a signed offset in seconds with microsecond digits.
std::string formatSignedSeconds(int64_t ns);

// "#3 #7 #9 ... (40)": the first `limit` frames, then how many there are in all.
std::string formatFrameList(const std::vector<uint32_t>& frames, size_t limit = 12);

} // namespace flowladder::core
