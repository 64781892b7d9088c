// libFuzzer target: a pcap file read in two parts at once gives the analysis of one reading.
//
// FlowLadder reads a large pcap of short connections in two parts, one per core, and joins
// them (readCapture in core/tcp/Analyzer.cpp); anything the join cannot follow exactly reads the
// later part again. Whatever the bytes, the result must be that of one reading, record for
// record (tests/support/AnalysisDiff.h). The input is written to an in-memory file and read whole,
// then in two parts from three boundaries: a quarter, half and three quarters into the file,
// moved by a value taken from the input so that the boundary lands on every kind of byte.
// (The unit tests check the same on generated captures at many boundaries: ReadInParts.*.)

#include "core/tcp/Analyzer.h"
#include "fuzz/MemFile.h"
#include "tests/support/AnalysisDiff.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

using namespace flowladder::core;

AnalysisPtr analyse(const std::string& path, uint64_t from, std::string& error)
{
    AnalyzeOptions options;
    options.partBoundaryFrom = from;
    return analyzeFile(path, error, options);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static flowladder::fuzz::MemFile file;
    if (size < 64) return 0; // a pcap header and a record or two: nothing to cut
    file.set(data, size);

    std::string error;
    // A boundary past the end: one reading.
    const AnalysisPtr whole = analyse(file.path(), size, error);
    uint32_t shift = 0; // the last bytes of the input, which the readers see as the file's end
    for (size_t i = size - 4; i < size; ++i)
        shift = shift << 8 | data[i];
    for (const uint64_t quarter : {1, 2, 3}) {
        const uint64_t from = 1 + (size * quarter / 4 + shift % (size / 8 + 1)) % size;
        std::string partsError;
        const AnalysisPtr parts = analyse(file.path(), from, partsError);
        if (!whole || !parts) {
            if (static_cast<bool>(whole) != static_cast<bool>(parts) || error != partsError) __builtin_trap();
            continue;
        }
        const std::string difference = flowladder::testing::firstDifference(*whole, *parts);
        if (!difference.empty()) {
            std::fprintf(stderr, "read in two parts from byte %llu: %s\n", static_cast<unsigned long long>(from),
                         difference.c_str());
            __builtin_trap();
        }
    }
    return 0;
}
