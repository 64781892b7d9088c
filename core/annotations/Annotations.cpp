#include "core/annotations/Annotations.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

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

std::string errnoText()
{
    return std::strerror(errno);
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
    std::ifstream in(capturePath, std::ios::binary);
    if (!in) {
        error = capturePath + ": cannot open: " + errnoText();
        return std::nullopt;
    }
    in.seekg(0, std::ios::end);
    const auto size = static_cast<uint64_t>(in.tellg());
    std::vector<unsigned char> buf(FingerprintSpan);
    uint64_t h = 1469598103934665603ull;
    in.seekg(0);
    in.read(reinterpret_cast<char*>(buf.data()),
            static_cast<std::streamsize>(std::min<uint64_t>(size, FingerprintSpan)));
    fnv1a(h, buf.data(), static_cast<size_t>(in.gcount()));
    if (size > FingerprintSpan) {
        const uint64_t tail = std::min<uint64_t>(size - FingerprintSpan, FingerprintSpan);
        in.clear();
        in.seekg(static_cast<std::streamoff>(size - tail));
        in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(tail));
        fnv1a(h, buf.data(), static_cast<size_t>(in.gcount()));
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return CaptureFingerprint{size, hex};
}

uint64_t AnnotationSet::nextId() const
{
    uint64_t id = 0;
    for (const auto& a : items)
        id = std::max(id, a.id);
    return id + 1;
}

const Annotation* AnnotationSet::find(uint64_t id) const
{
    for (const auto& a : items)
        if (a.id == id) return &a;
    return nullptr;
}

std::string sidecarPathFor(const std::string& capturePath)
{
    return capturePath + ".flowladder.json";
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
        items.push_back(std::move(x));
    }
    j["annotations"] = std::move(items);
    return j.dump(2) + "\n";
}

std::optional<AnnotationSet> annotationsFromJson(const std::string& text, std::string& error)
{
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "not valid JSON";
        return std::nullopt;
    }
    if (j.value("format", "") != "flowladder-annotations") {
        error = "not a FlowLadder annotations file (no \"format\": \"flowladder-annotations\")";
        return std::nullopt;
    }
    const int version = j.value("version", 0);
    if (version < 1 || version > AnnotationSet::FormatVersion) {
        error = "annotations format version " + std::to_string(version) + " is not supported (this build reads " +
                std::to_string(AnnotationSet::FormatVersion) + ")";
        return std::nullopt;
    }
    try {
        AnnotationSet set;
        const json& cap = j.at("capture");
        set.capture.size = cap.at("size").get<uint64_t>();
        set.capture.hash = cap.at("hash").get<std::string>();
        size_t index = 0;
        for (const json& x : j.at("annotations")) {
            Annotation a;
            const auto kind = kindFromName(x.at("kind").get<std::string>());
            if (!kind) throw std::runtime_error("annotation " + std::to_string(index) + " has an unknown kind");
            a.kind = *kind;
            a.id = x.at("id").get<uint64_t>();
            a.flow = x.at("flow").get<uint32_t>();
            a.text = x.value("text", "");
            a.frame = x.value("frame", 0u);
            a.anchorX = x.value("anchor_x", 0.5);
            a.boxFrame = x.value("box_frame", a.kind == AnnotationKind::Callout ? a.frame : 0u);
            a.boxX = x.value("box_x", 0.5);
            a.startNs = x.value("start_ns", int64_t{0});
            a.endNs = x.value("end_ns", int64_t{0});
            a.color = x.value("color", "");
            set.items.push_back(std::move(a));
            ++index;
        }
        return set;
    } catch (const std::exception& e) {
        error = std::string("damaged annotations: ") + e.what();
        return std::nullopt;
    }
}

bool saveAnnotations(const AnnotationSet& set, const std::string& path, std::string& error)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const std::string text = annotationsToJson(set);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = tmp + ": cannot write: " + errnoText();
        return false;
    }
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = tmp + ": cannot write: " + errnoText();
            ::close(fd);
            ::unlink(tmp.c_str());
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        error = tmp + ": cannot flush to disk: " + errnoText();
        ::unlink(tmp.c_str());
        return false;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        error = path + ": cannot replace: " + errnoText();
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

std::optional<AnnotationSet> AnnotationStore::load(const std::string& path, std::string& error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": cannot open: " + errnoText();
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto set = annotationsFromJson(ss.str(), error);
    if (!set) error = path + ": " + error;
    return set;
}

AnnotationStore AnnotationStore::open(const std::string& capturePath)
{
    AnnotationStore store;
    std::string error;
    if (auto fp = fingerprintCapture(capturePath, error)) store.set_.capture = *fp;
    const std::string sidecar = sidecarPathFor(capturePath);
    store.savePath_ = sidecar;
    if (!std::filesystem::exists(sidecar)) return store;
    auto loaded = load(sidecar, error);
    if (loaded && loaded->capture == store.set_.capture) {
        store.set_.items = std::move(loaded->items);
        return store;
    }
    store.problem_ = loaded ? sidecar + ": these notes were made for another capture (size " +
                                  std::to_string(loaded->capture.size) + ", hash " + loaded->capture.hash +
                                  "); they are kept as they are and not shown"
                            : error + "; the file is kept as it is";
    // Never overwrite it: new notes go to the first free numbered sidecar.
    for (int n = 2;; ++n) {
        const std::string alt = capturePath + ".flowladder-" + std::to_string(n) + ".json";
        if (!std::filesystem::exists(alt)) {
            store.savePath_ = alt;
            break;
        }
        auto altSet = load(alt, error);
        if (altSet && altSet->capture == store.set_.capture) { // our own earlier saves
            store.savePath_ = alt;
            store.set_.items = std::move(altSet->items);
            break;
        }
    }
    store.problem_ += "; new notes are saved to " + store.savePath_;
    return store;
}

} // namespace flowladder::core
