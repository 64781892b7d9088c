// libFuzzer target: the annotations reader (a sidecar's text, as the GUI and `render
// --annotations` read it). Whatever the bytes, annotationsFromJson either says what is wrong or
// returns a set that survives its own writer: written and read back it is the same set (ids
// already normalized, every field in range), and merging it with itself changes nothing but the
// order (a merge is sorted by id).

#include "core/annotations/Annotations.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace flowladder::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::string error;
    const auto set = annotationsFromJson(text, error);
    if (!set) {
        if (error.empty()) {
            std::fprintf(stderr, "rejected without saying why\n");
            std::abort();
        }
        return 0;
    }
    std::string again;
    const auto back = annotationsFromJson(annotationsToJson(*set), again);
    if (!back || back->items != set->items || back->capture.size != set->capture.size ||
        back->capture.hash != set->capture.hash) {
        std::fprintf(stderr, "the writer's output does not read back as the same set: %s\n", again.c_str());
        std::abort();
    }
    // The merge returns its notes sorted by id (ids are unique after reading).
    std::vector<Annotation> sorted = set->items;
    std::sort(sorted.begin(), sorted.end(), [](const Annotation& x, const Annotation& y) { return x.id < y.id; });
    if (mergeAnnotations(set->items, set->items, back->items) != sorted) {
        std::fprintf(stderr, "merging a set with itself changed it\n");
        std::abort();
    }
    return 0;
}
