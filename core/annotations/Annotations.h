#pragma once
// The user's annotations on a capture (notes on packets, callouts, labelled time ranges) and
// their sidecar file beside the capture. User work is never lost: saves are atomic (write,
// fsync, rename), a sidecar made for another capture or damaged is reported and left untouched
// (saves then go to a fresh numbered sidecar), and nothing is dropped silently.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowladder::core {

enum class AnnotationKind : uint8_t {
    Note,      // text attached to a packet (frame)
    Callout,   // text box with an arrow to a point on the ladder
    TimeRange, // highlighted time range with a label
};
std::string_view annotationKindName(AnnotationKind k); // "note" | "callout" | "time_range"

struct Annotation {
    uint64_t id = 0;
    AnnotationKind kind = AnnotationKind::Note;
    uint32_t flow = 0; // flow id (Flow::id)
    std::string text;
    // Note: the packet. Callout: the packet the arrow points at.
    uint32_t frame = 0;
    // Callout: where the arrow points across the ladder (0 = client lifeline, 1 = server) and
    // where its text box sits, as a frame (vertical) and a fraction (horizontal).
    double anchorX = 0.5;
    uint32_t boxFrame = 0;
    double boxX = 0.5;
    // TimeRange: capture timestamps, nanoseconds since the epoch.
    int64_t startNs = 0;
    int64_t endNs = 0;
    std::string color; // "#rrggbb", empty for the default

    bool operator==(const Annotation&) const = default;
};

// Identifies a capture file cheaply but surely enough to keep notes off the wrong file:
// its size and a 64-bit FNV-1a hash of its first and last MiB.
struct CaptureFingerprint {
    uint64_t size = 0;
    std::string hash; // 16 hex digits
    bool operator==(const CaptureFingerprint&) const = default;
};
std::optional<CaptureFingerprint> fingerprintCapture(const std::string& capturePath, std::string& error);

struct AnnotationSet {
    static constexpr int FormatVersion = 1;
    CaptureFingerprint capture;
    std::vector<Annotation> items;

    uint64_t nextId() const;
    const Annotation* find(uint64_t id) const;
};

// "<capture>.flowladder.json"
std::string sidecarPathFor(const std::string& capturePath);

std::string annotationsToJson(const AnnotationSet& set);
// Parses a sidecar's text; on failure returns nullopt and says what is wrong.
std::optional<AnnotationSet> annotationsFromJson(const std::string& text, std::string& error);

// Writes `set` to `path` atomically: a temporary file in the same folder, fsync, rename.
bool saveAnnotations(const AnnotationSet& set, const std::string& path, std::string& error);

// The annotations of one capture and where they are saved.
class AnnotationStore {
public:
    // Loads the sidecar of `capturePath` if there is one. Problems (damaged sidecar, sidecar
    // of another capture) end up in problem(): the store then keeps that file untouched and
    // saves to a new numbered sidecar instead.
    static AnnotationStore open(const std::string& capturePath);
    // Loads an explicit annotations file (CLI --annotations), read-only use.
    static std::optional<AnnotationSet> load(const std::string& path, std::string& error);

    const AnnotationSet& set() const { return set_; }
    AnnotationSet& set() { return set_; }
    const std::string& savePath() const { return savePath_; }
    const std::string& problem() const { return problem_; }
    bool save(std::string& error) const { return saveAnnotations(set_, savePath_, error); }

private:
    AnnotationSet set_;
    std::string savePath_;
    std::string problem_;
};

} // namespace flowladder::core
