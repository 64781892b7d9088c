#include "core/annotations/Annotations.h"

#include "core/annotations/SidecarFile.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>

namespace flowladder::core {

using nlohmann::json;

namespace {

constexpr size_t FingerprintSpan = 1u << 20;

void fnv1a(uint64_t& h, const unsigned char* p, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * 1099511628211ull;
}

std::optional<AnnotationKind> kindFromName(const std::string& s)
{
    if (s == "note") return AnnotationKind::Note;
    if (s == "callout") return AnnotationKind::Callout;
    if (s == "time_range") return AnnotationKind::TimeRange;
    return std::nullopt;
}

// Reads fields of a sidecar, checking each one's type and range; the first problem names the
// field ("annotations[3].frame") in `error` and stops the reading.
class FieldReader {
public:
    explicit FieldReader(std::string& error) : error_(error) {}

    bool fail(const std::string& field, const std::string& what)
    {
        error_ = "field \"" + field + "\": " + what;
        return false;
    }
    static std::string shown(const json& v)
    {
        std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
        return s.size() > 40 ? s.substr(0, 37) + "..." : s;
    }
    // The member `key` of `obj`; null when absent (a failure when `required`).
    const json* member(const json& obj, const std::string& key, const std::string& field, bool required)
    {
        const auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) fail(field, "missing");
            return nullptr;
        }
        return &*it;
    }
    // An integer in [lo, hi]. JSON numbers written as 22.0 count; 1e300, 1.5, "22" do not.
    bool integer(const json& v, const std::string& field, int64_t lo, uint64_t hi, uint64_t& magnitude, bool& negative)
    {
        negative = false;
        bool ok = false;
        if (v.is_number_unsigned()) {
            magnitude = v.get<uint64_t>();
            ok = true;
        } else if (v.is_number_integer()) {
            const auto x = v.get<int64_t>();
            negative = x < 0;
            magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
            ok = true;
        } else if (v.is_number_float()) {
            const double d = v.get<double>();
            if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) { // exact below 2^53
                negative = d < 0;
                magnitude = static_cast<uint64_t>(std::fabs(d));
                ok = true;
            }
        }
        const uint64_t loMagnitude = lo < 0 ? uint64_t{0} - static_cast<uint64_t>(lo) : static_cast<uint64_t>(lo);
        if (ok && negative)
            ok = lo < 0 && magnitude <= loMagnitude;
        else if (ok)
            ok = magnitude <= hi && (lo <= 0 || magnitude >= loMagnitude);
        if (!ok)
            return fail(field, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                                   ", got " + shown(v));
        return true;
    }
    template <class T>
    bool integerField(const json& obj, const std::string& key, const std::string& where, T& out, bool required,
                      int64_t lo = std::numeric_limits<T>::min(), uint64_t hi = std::numeric_limits<T>::max())
    {
        const std::string field = where.empty() ? key : where + "." + key;
        const json* v = member(obj, key, field, required);
        if (!v) return !required;
        uint64_t m = 0;
        bool neg = false;
        if (!integer(*v, field, lo, hi, m, neg)) return false;
        out = neg ? static_cast<T>(-static_cast<int64_t>(m - 1) - 1) : static_cast<T>(m);
        return true;
    }
    bool number(const json& obj, const std::string& key, const std::string& where, double& out, double lo, double hi)
    {
        const std::string field = where + "." + key;
        const json* v = member(obj, key, field, false);
        if (!v) return true;
        if (!v->is_number() || !(v->get<double>() >= lo && v->get<double>() <= hi)) {
            char range[64];
            std::snprintf(range, sizeof range, "expected a number from %g to %g, got ", lo, hi);
            return fail(field, range + shown(*v));
        }
        out = v->get<double>();
        return true;
    }
    bool string(const json& obj, const std::string& key, const std::string& field, std::string& out, bool required)
    {
        const json* v = member(obj, key, field, required);
        if (!v) return !required;
        if (!v->is_string()) return fail(field, "expected a string, got " + shown(*v));
        out = v->get<std::string>();
        return true;
    }

private:
    std::string& error_;
};

bool validColor(const std::string& c)
{
    if (c.empty()) return true;
    if (c.size() != 7 || c[0] != '#') return false;
    return std::all_of(c.begin() + 1, c.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
}

bool readAnnotation(FieldReader& r, const json& x, const std::string& where, Annotation& a)
{
    if (!x.is_object()) return r.fail(where, "expected an object, got " + FieldReader::shown(x));
    std::string kind;
    if (!r.string(x, "kind", where + ".kind", kind, true)) return false;
    const auto k = kindFromName(kind);
    if (!k) return r.fail(where + ".kind", "unknown kind " + FieldReader::shown(x["kind"]));
    a.kind = *k;
    if (!r.integerField(x, "id", where, a.id, true) || !r.integerField(x, "flow", where, a.flow, true) ||
        !r.string(x, "text", where + ".text", a.text, false) || !r.integerField(x, "frame", where, a.frame, false))
        return false;
    a.boxFrame = a.kind == AnnotationKind::Callout ? a.frame : 0u;
    // Drags keep anchors on the ladder (0..1) and boxes a little beside it (-0.25..1.45).
    if (!r.number(x, "anchor_x", where, a.anchorX, 0.0, 1.0) ||
        !r.integerField(x, "box_frame", where, a.boxFrame, false) || !r.number(x, "box_x", where, a.boxX, -1.0, 2.0) ||
        !r.integerField(x, "start_ns", where, a.startNs, false) ||
        !r.integerField(x, "end_ns", where, a.endNs, false) || !r.string(x, "color", where + ".color", a.color, false))
        return false;
    if (!validColor(a.color))
        return r.fail(where + ".color", "expected \"#rrggbb\", got " + FieldReader::shown(x["color"]));
    std::string capture = "A";
    if (!r.string(x, "in_capture", where + ".in_capture", capture, false)) return false;
    if (capture != "A" && capture != "B")
        return r.fail(where + ".in_capture", "expected \"A\" or \"B\", got " + FieldReader::shown(x["in_capture"]));
    a.inCaptureB = capture == "B";
    // Fields of another kind are ignored, as the writer leaves them out: a note read, written and
    // read again is the same note (found by fuzz_annotations).
    const Annotation defaults;
    if (a.kind != AnnotationKind::Callout) {
        a.anchorX = defaults.anchorX;
        a.boxFrame = defaults.boxFrame;
        a.boxX = defaults.boxX;
    }
    if (a.kind != AnnotationKind::TimeRange) a.startNs = a.endNs = 0;
    if (a.kind == AnnotationKind::TimeRange) a.frame = defaults.frame;
    return true;
}

std::optional<AnnotationSet> parseChecked(const json& j, std::string& error)
{
    FieldReader r(error);
    if (!j.is_object()) {
        error = "not a FlowLadder annotations file (not a JSON object)";
        return std::nullopt;
    }
    std::string format;
    if (!r.string(j, "format", "format", format, true)) return std::nullopt;
    if (format != "flowladder-annotations") {
        r.fail("format", "not a FlowLadder annotations file (expected \"flowladder-annotations\", got " +
                             FieldReader::shown(j["format"]) + ")");
        return std::nullopt;
    }
    int version = 0;
    if (!r.integerField(j, "version", "", version, true, 1, std::numeric_limits<int>::max())) return std::nullopt;
    if (version > AnnotationSet::FormatVersion) {
        r.fail("version", "annotations format version " + std::to_string(version) +
                              " is not supported (this build reads " + std::to_string(AnnotationSet::FormatVersion) +
                              ")");
        return std::nullopt;
    }
    AnnotationSet set;
    const json* cap = r.member(j, "capture", "capture", true);
    if (!cap) return std::nullopt;
    if (!cap->is_object()) {
        r.fail("capture", "expected an object, got " + FieldReader::shown(*cap));
        return std::nullopt;
    }
    if (!r.integerField(*cap, "size", "capture", set.capture.size, true) ||
        !r.string(*cap, "hash", "capture.hash", set.capture.hash, true))
        return std::nullopt;
    const json* items = r.member(j, "annotations", "annotations", true);
    if (!items) return std::nullopt;
    if (!items->is_array()) {
        r.fail("annotations", "expected an array, got " + FieldReader::shown(*items));
        return std::nullopt;
    }
    set.items.reserve(items->size());
    for (size_t i = 0; i < items->size(); ++i) {
        Annotation a;
        if (!readAnnotation(r, (*items)[i], "annotations[" + std::to_string(i) + "]", a)) return std::nullopt;
        set.items.push_back(std::move(a));
    }
    normalizeIds(set);
    return set;
}

uint64_t randomBits()
{
    thread_local std::mt19937_64 rng([] {
        std::random_device rd;
        const auto t = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        return (uint64_t{rd()} << 32 ^ rd()) ^ t ^ (static_cast<uint64_t>(::getpid()) << 40);
    }());
    return rng();
}

std::string homeDir()
{
    if (const char* h = std::getenv("HOME"); h && *h) return h;
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
    return {};
}

} // namespace

std::string_view annotationKindName(AnnotationKind k)
{
    switch (k) {
    case AnnotationKind::Note:
        return "note";
    case AnnotationKind::Callout:
        return "callout";
    case AnnotationKind::TimeRange:
        return "time_range";
    }
    return "note";
}

std::optional<CaptureFingerprint> fingerprintCapture(const std::string& capturePath, std::string& error)
{
    // Never blocks (O_NONBLOCK: a FIFO) and reads at most two spans, whatever the size.
    const int fd = ::open(capturePath.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error = capturePath + (fd < 0 ? ": cannot open: " + std::string(std::strerror(errno))
                                      : std::string(": is not a regular file"));
        if (fd >= 0) ::close(fd);
        return std::nullopt;
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    std::vector<unsigned char> buf(FingerprintSpan);
    uint64_t h = 1469598103934665603ull;
    auto hashSpan = [&](uint64_t offset, uint64_t n) {
        size_t done = 0;
        while (done < n) {
            const ssize_t r = ::pread(fd, buf.data() + done, n - done, static_cast<off_t>(offset + done));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            done += static_cast<size_t>(r);
        }
        fnv1a(h, buf.data(), done);
    };
    hashSpan(0, std::min<uint64_t>(size, FingerprintSpan));
    if (size > FingerprintSpan) {
        const uint64_t tail = std::min<uint64_t>(size - FingerprintSpan, FingerprintSpan);
        hashSpan(size - tail, tail);
    }
    ::close(fd);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return CaptureFingerprint{size, hex};
}

std::optional<CaptureFingerprint> mergedFingerprint(const std::vector<std::string>& capturePaths, std::string& error)
{
    CaptureFingerprint merged;
    uint64_t h = 1469598103934665603ull;
    for (const std::string& path : capturePaths) {
        const auto fp = fingerprintCapture(path, error);
        if (!fp) return std::nullopt;
        merged.size += fp->size;
        fnv1a(h, reinterpret_cast<const unsigned char*>(fp->hash.data()), fp->hash.size());
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    merged.hash = hex;
    return merged;
}

std::optional<CaptureFingerprint> comparedFingerprint(const std::string& pathA, const std::string& pathB,
                                                      std::string& error)
{
    auto fp = mergedFingerprint({pathA, pathB}, error);
    if (!fp) return std::nullopt;
    uint64_t h = 1469598103934665603ull;
    const std::string tagged = "compare:" + fp->hash;
    fnv1a(h, reinterpret_cast<const unsigned char*>(tagged.data()), tagged.size());
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    fp->hash = hex;
    return fp;
}

uint64_t AnnotationSet::newId() const
{
    uint64_t maxId = 0;
    for (const auto& a : items)
        maxId = std::max(maxId, a.id);
    const auto ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    uint64_t id = ((ms << 20) | (randomBits() & 0xfffff)) & MaxId;
    if (id <= maxId && maxId < MaxId - (1u << 20)) id = maxId + 1 + (randomBits() & 0xffff); // after the others
    while (id == 0 || id > MaxId || find(id))
        id = randomBits() & MaxId;
    return id;
}

const Annotation* AnnotationSet::find(uint64_t id) const
{
    for (const auto& a : items)
        if (a.id == id) return &a;
    return nullptr;
}

size_t normalizeIds(AnnotationSet& set)
{
    std::unordered_set<uint64_t> used;
    std::vector<size_t> bad;
    for (size_t i = 0; i < set.items.size(); ++i) {
        const uint64_t id = set.items[i].id;
        if (id == 0 || id > AnnotationSet::MaxId || !used.insert(id).second) bad.push_back(i);
    }
    for (size_t i : bad) {
        Annotation& a = set.items[i];
        uint64_t h = 1469598103934665603ull;
        const uint64_t seed[2] = {a.id, i};
        fnv1a(h, reinterpret_cast<const unsigned char*>(seed), sizeof seed);
        fnv1a(h, reinterpret_cast<const unsigned char*>(a.text.data()), a.text.size());
        uint64_t id = h & AnnotationSet::MaxId;
        while (id == 0 || used.count(id))
            id = (id * 6364136223846793005ull + 1442695040888963407ull) & AnnotationSet::MaxId;
        used.insert(id);
        a.id = id;
    }
    return bad.size();
}

std::vector<Annotation> mergeAnnotations(const std::vector<Annotation>& base, const std::vector<Annotation>& mine,
                                         const std::vector<Annotation>& theirs)
{
    std::map<uint64_t, const Annotation*> b, m, t;
    for (const auto& a : base)
        b.emplace(a.id, &a);
    for (const auto& a : mine)
        m.emplace(a.id, &a);
    for (const auto& a : theirs)
        t.emplace(a.id, &a);
    AnnotationSet out;
    std::vector<Annotation> copies; // theirs, when both sides changed a note differently
    std::map<uint64_t, bool> ids;
    for (const auto* side : {&m, &t})
        for (const auto& [id, a] : *side)
            ids[id] = true;
    for (const auto& [id, unused] : ids) {
        const auto bi = b.find(id);
        const Annotation* was = bi == b.end() ? nullptr : bi->second;
        const auto mi = m.find(id);
        const auto ti = t.find(id);
        const Annotation* mn = mi == m.end() ? nullptr : mi->second;
        const Annotation* th = ti == t.end() ? nullptr : ti->second;
        if (mn && th) {
            if (*mn == *th || (was && *th == *was)) {
                out.items.push_back(*mn);
            } else if (was && *mn == *was) {
                out.items.push_back(*th);
            } else { // both changed it (or both added one with this id): keep both
                out.items.push_back(*mn);
                copies.push_back(*th);
            }
        } else if (mn) {
            if (!(was && *mn == *was)) out.items.push_back(*mn); // else: deleted there, unchanged here
        } else if (th) {
            if (!(was && *th == *was)) out.items.push_back(*th); // else: deleted here, unchanged there
        }
    }
    for (Annotation& c : copies) {
        c.id = out.newId();
        out.items.push_back(std::move(c));
    }
    std::sort(out.items.begin(), out.items.end(), [](const Annotation& x, const Annotation& y) { return x.id < y.id; });
    return out.items;
}

std::string sidecarPathFor(const std::string& capturePath)
{
    return capturePath + ".flowladder.json";
}

std::string fallbackNotesPath(const CaptureFingerprint& capture)
{
    std::string base;
    // The XDG base directory specification: relative values are ignored.
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && x[0] == '/')
        base = x;
    else if (const std::string home = homeDir(); !home.empty())
        base = home + "/.local/share";
    else
        return {};
    return base + "/flowladder/notes/" + capture.hash + "-" + std::to_string(capture.size) + ".json";
}

std::string annotationsToJson(const AnnotationSet& set)
{
    json j;
    j["format"] = "flowladder-annotations";
    j["version"] = AnnotationSet::FormatVersion;
    j["capture"] = {{"size", set.capture.size}, {"hash", set.capture.hash}};
    json items = json::array();
    for (const Annotation& a : set.items) {
        json x;
        x["id"] = a.id;
        x["kind"] = std::string(annotationKindName(a.kind));
        x["flow"] = a.flow;
        x["text"] = a.text;
        switch (a.kind) {
        case AnnotationKind::Note:
            x["frame"] = a.frame;
            break;
        case AnnotationKind::Callout:
            x["frame"] = a.frame;
            x["anchor_x"] = a.anchorX;
            x["box_frame"] = a.boxFrame;
            x["box_x"] = a.boxX;
            break;
        case AnnotationKind::TimeRange:
            x["start_ns"] = a.startNs;
            x["end_ns"] = a.endNs;
            break;
        }
        if (!a.color.empty()) x["color"] = a.color;
        if (a.inCaptureB) x["in_capture"] = "B";
        items.push_back(std::move(x));
    }
    j["annotations"] = std::move(items);
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<AnnotationSet> annotationsFromJson(const std::string& text, std::string& error)
{
    try {
        const json j = json::parse(text, nullptr, false);
        if (j.is_discarded()) {
            error = "not valid JSON";
            return std::nullopt;
        }
        return parseChecked(j, error);
    } catch (const std::exception& e) { // not expected: every access above is checked
        error = std::string("damaged annotations: ") + e.what();
        return std::nullopt;
    }
}

bool saveAnnotations(const AnnotationSet& set, const std::string& path, std::string& error)
{
    return writeSidecarFile(path, annotationsToJson(set), error);
}

} // namespace flowladder::core
