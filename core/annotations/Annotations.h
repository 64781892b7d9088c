#pragma once
// The user's annotations on a capture (notes on packets, callouts, labelled time ranges) and
// their sidecar file beside the capture. User work is never lost: saves are atomic (write,
// fsync, rename; SidecarFile.h), a sidecar made for another capture, damaged, or that is not a
// regular file is reported and left untouched (saves then go to a fresh numbered sidecar), notes
// saved meanwhile by another instance are merged by id, notes that cannot be saved beside the
// capture go to a per-user folder, and nothing is dropped silently.

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
    // A comparison's notes (AnnotationStore::openCompared): the packet is frame `frame` of flow
    // `flow` in capture B rather than A ("in_capture": "B" in the file).
    bool inCaptureB = false;

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
// The fingerprint of several files merged into one capture: the sum of their sizes and a hash
// of their fingerprints in the order given (nullopt when one cannot be read).
std::optional<CaptureFingerprint> mergedFingerprint(const std::vector<std::string>& capturePaths, std::string& error);

// The fingerprint of a comparison of capture A with capture B (in that order): the files'
// fingerprints together, distinct from the same files merged into one capture.
std::optional<CaptureFingerprint> comparedFingerprint(const std::string& pathA, const std::string& pathB,
                                                      std::string& error);

struct AnnotationSet {
    static constexpr int FormatVersion = 1;
    // Ids are 1..MaxId (they fit a signed 64-bit integer): a sidecar's 0, larger or repeated ids
    // are replaced when it is read.
    static constexpr uint64_t MaxId = (uint64_t{1} << 63) - 1;
    CaptureFingerprint capture;
    std::vector<Annotation> items;

    // An id for a new annotation: unused here and unlikely to be chosen by another instance
    // adding notes to the same capture (milliseconds since the epoch and 20 random bits, so
    // ids grow with time and file order stays creation order).
    uint64_t newId() const;
    const Annotation* find(uint64_t id) const;
};

// Gives every annotation with id 0, an id above MaxId or an id already used earlier in the list
// a new one, chosen from its position and content (two instances reading the same file agree).
// Returns how many ids changed.
size_t normalizeIds(AnnotationSet& set);

// Three-way merge by id of the notes saved meanwhile by someone else (`theirs`) into ours
// (`mine`), both descended from `base`: what one side changed or added is kept; a note deleted
// on one side and unchanged on the other stays deleted; a note edited on one side and deleted on
// the other is kept; a note both sides changed differently is kept twice (theirs with a new id).
// Sorted by id.
std::vector<Annotation> mergeAnnotations(const std::vector<Annotation>& base, const std::vector<Annotation>& mine,
                                         const std::vector<Annotation>& theirs);

// "<capture>.flowladder.json"
std::string sidecarPathFor(const std::string& capturePath);
// Where notes go when they cannot be saved beside the capture:
// "$XDG_DATA_HOME/flowladder/notes/<hash>-<size>.json" (XDG_DATA_HOME defaults to
// ~/.local/share), found again from the capture's fingerprint wherever the capture is opened.
std::string fallbackNotesPath(const CaptureFingerprint& capture);

std::string annotationsToJson(const AnnotationSet& set);
// Parses a sidecar's text; on failure returns nullopt and says what is wrong, naming the field
// ("field \"annotations[3].frame\": expected an integer from 0 to 4294967295, got 1e+300").
// Every field is type- and range-checked; ids are normalized (normalizeIds).
std::optional<AnnotationSet> annotationsFromJson(const std::string& text, std::string& error);

// Writes `set` to `path` atomically (writeSidecarFile: temporary file made with mkstemp in the
// destination's folder, permissions kept, fsync of file and folder, rename; links written
// through).
bool saveAnnotations(const AnnotationSet& set, const std::string& path, std::string& error);

// The annotations of one capture and where they are saved.
class AnnotationStore {
public:
    // Loads the notes of `capturePath`: its sidecar (or the numbered sidecar that replaced a
    // damaged one) beside it first, then its per-user fallback file. Problems (damaged sidecar,
    // one of another capture, one that is not a regular file or is too large) end up in
    // problem(): the store then keeps that file untouched and saves to a new numbered sidecar.
    static AnnotationStore open(const std::string& capturePath);
    // The notes of several files read as one capture (merged by time): identified by all the
    // files' fingerprints together (mergedFingerprint), kept beside the first file in
    // "<first>.merged-<N>.flowladder.json" (N files), found again whenever the same files are
    // merged; the same rules as open() otherwise.
    static AnnotationStore openMerged(const std::vector<std::string>& capturePaths);
    // The notes of a comparison of capture A with capture B (the comparison window's): identified
    // by comparedFingerprint, kept beside A in "<A>.compare-<B's file name>.flowladder.json";
    // notes on packets of B say so (Annotation::inCaptureB).
    static AnnotationStore openCompared(const std::string& pathA, const std::string& pathB);
    // Loads an explicit annotations file (CLI --annotations), read-only use.
    static std::optional<AnnotationSet> load(const std::string& path, std::string& error);

    const AnnotationSet& set() const { return set_; }
    AnnotationSet& set() { return set_; }
    const std::string& savePath() const { return savePath_; }
    const std::string& problem() const { return problem_; }
    // What the user should know about where the notes are: after open(), that they were found
    // in the fallback file; after save(), that they went there because the folder could not be
    // written (saying why), or that notes saved meanwhile by another instance were merged in.
    // "" when there is nothing to say.
    const std::string& notice() const { return notice_; }
    bool usesFallback() const { return fallback_; }

    // Saves: when the file changed on disk since it was read or written (another instance),
    // merges by id (mergeAnnotations) and set() becomes the merged notes. When the file cannot
    // be written, saves to fallbackNotesPath() from then on. False (and `error`, naming both
    // files) when neither could be written; the notes stay in memory.
    bool save(std::string& error);
    // Saves to `path` (the user chose it) and saves there from then on.
    bool saveAs(const std::string& path, std::string& error);

private:
    // open() with the capture's fingerprint (none when it could not be read) and the path its
    // sidecar names start from.
    static AnnotationStore openAt(const std::optional<CaptureFingerprint>& fp, const std::string& base);
    bool saveTo(const std::string& path, std::string& error);
    // Reads `path` as this capture's notes; the reason when it cannot be used.
    bool tryLoad(const std::string& path, std::string& why);

    AnnotationSet set_;
    AnnotationSet base_;                  // what savePath_ held when last read or written
    std::optional<std::string> baseText_; // its bytes (nullopt: it did not exist)
    std::string savePath_;
    std::string problem_;
    std::string notice_;
    bool fallback_ = false;
};

} // namespace flowladder::core
