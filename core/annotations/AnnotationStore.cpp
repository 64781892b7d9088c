// AnnotationStore: where a capture's notes are read from and saved to (Annotations.h).
#include "core/annotations/Annotations.h"
#include "core/annotations/SidecarFile.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

namespace flowladder::core {

namespace {

constexpr int MaxNumberedSidecars = 100;

// Creates the folders of `path` that are missing, private to the user (0700).
bool makeParentDirs(const std::string& path, std::string& error)
{
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        const std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
            error = dir + ": cannot create: " + std::strerror(errno);
            return false;
        }
    }
    return true;
}

} // namespace

std::optional<AnnotationSet> AnnotationStore::load(const std::string& path, std::string& error)
{
    const auto text = readSidecarFile(path, error); // names the file
    if (!text) return std::nullopt;
    auto set = annotationsFromJson(*text, error);
    if (!set) error = path + ": " + error;
    return set;
}

bool AnnotationStore::tryLoad(const std::string& path, std::string& why)
{
    auto text = readSidecarFile(path, why);
    if (!text) return false;
    auto loaded = annotationsFromJson(*text, why);
    if (!loaded) {
        why = path + ": " + why;
        return false;
    }
    if (loaded->capture != set_.capture) {
        why = path + ": these notes were made for another capture (size " + std::to_string(loaded->capture.size) +
              ", hash " + loaded->capture.hash + "); they are kept as they are and not shown";
        return false;
    }
    set_.items = loaded->items;
    base_ = std::move(*loaded);
    baseText_ = std::move(*text);
    savePath_ = path;
    return true;
}

AnnotationStore AnnotationStore::open(const std::string& capturePath)
{
    std::string error;
    return openAt(fingerprintCapture(capturePath, error), capturePath);
}

AnnotationStore AnnotationStore::openMerged(const std::vector<std::string>& capturePaths)
{
    if (capturePaths.size() == 1) return open(capturePaths.front());
    std::string error;
    const std::string base =
        capturePaths.empty() ? std::string() : capturePaths.front() + ".merged-" + std::to_string(capturePaths.size());
    return openAt(mergedFingerprint(capturePaths, error), base);
}

AnnotationStore AnnotationStore::openCompared(const std::string& pathA, const std::string& pathB)
{
    std::string error;
    const std::string nameB = std::filesystem::path(pathB).filename().string();
    return openAt(comparedFingerprint(pathA, pathB, error), pathA + ".compare-" + nameB);
}

AnnotationStore AnnotationStore::openAt(const std::optional<CaptureFingerprint>& fp, const std::string& capturePath)
{
    AnnotationStore store;
    if (fp) store.set_.capture = *fp;
    store.base_.capture = store.set_.capture;
    const std::string sidecar = sidecarPathFor(capturePath);
    store.savePath_ = sidecar;
    std::string why;
    bool found = false;
    switch (sidecarState(sidecar, why)) {
    case SidecarState::Missing:
        break;
    case SidecarState::Regular:
        found = store.tryLoad(sidecar, why);
        if (!found) store.problem_ = why + "; the file is kept as it is";
        break;
    case SidecarState::Unusable:
        store.problem_ = why + "; it is kept as it is";
        break;
    }
    // Never overwrite an unusable sidecar: our notes are in, or go to, the first numbered sidecar
    // that is ours or free.
    for (int n = 2; !found && !store.problem_.empty() && n <= MaxNumberedSidecars; ++n) {
        const std::string alt = capturePath + ".flowladder-" + std::to_string(n) + ".json";
        const SidecarState s = sidecarState(alt, why);
        if (s == SidecarState::Missing) {
            store.savePath_ = alt;
            break;
        }
        if (s == SidecarState::Regular) found = store.tryLoad(alt, why); // our own earlier saves?
    }
    // Nothing beside the capture: the notes may have been saved to the per-user folder.
    if (!found && fp) {
        const std::string fallback = fallbackNotesPath(*fp);
        if (!fallback.empty() && sidecarState(fallback, why) == SidecarState::Regular && store.tryLoad(fallback, why)) {
            store.fallback_ = true;
            store.notice_ = "The notes on this capture are kept in " + fallback +
                            " (they could not be saved beside it); new notes go there too";
        }
    }
    if (!store.problem_.empty()) store.problem_ += "; new notes are saved to " + store.savePath_;
    return store;
}

bool AnnotationStore::saveTo(const std::string& path, std::string& error)
{
    AnnotationSet out = set_;
    bool merged = false;
    std::string why;
    switch (sidecarState(path, why)) {
    case SidecarState::Missing: // gone, or never there: nothing to merge (a removed file deletes no notes)
        break;
    case SidecarState::Unusable:
        error = why;
        return false;
    case SidecarState::Regular: {
        auto text = readSidecarFile(path, error);
        if (!text) return false;
        if (baseText_ && *text == *baseText_) break; // as we left it
        // Changed since we read or wrote it: another instance saved notes there.
        auto theirs = annotationsFromJson(*text, why);
        if (!theirs) {
            error = path + ": changed on disk and can no longer be read (" + why + "); it is kept as it is";
            return false;
        }
        if (theirs->capture != set_.capture) {
            error = path + ": now holds the notes of another capture; it is kept as it is";
            return false;
        }
        out.items = mergeAnnotations(base_.items, set_.items, theirs->items);
        merged = out.items != set_.items;
        break;
    }
    }
    const std::string text = annotationsToJson(out);
    if (!writeSidecarFile(path, text, error)) return false;
    set_ = out;
    base_ = std::move(out);
    baseText_ = text;
    savePath_ = path;
    if (merged) notice_ = "Notes saved meanwhile to " + path + " by another window or program were merged with yours";
    return true;
}

bool AnnotationStore::save(std::string& error)
{
    notice_.clear();
    std::string first;
    if (saveTo(savePath_, first)) return true;
    if (fallback_ || set_.capture.hash.empty()) {
        error = first;
        return false;
    }
    // Beside the capture failed (read-only folder, full disk...): the per-user folder. Nothing of
    // that file was read: everything in it is kept (merged with an empty base).
    const std::string fallback = fallbackNotesPath(set_.capture);
    std::string second;
    const AnnotationSet base = base_;
    const auto baseText = baseText_;
    base_.items.clear();
    baseText_.reset();
    if (!fallback.empty() && makeParentDirs(fallback, second) && saveTo(fallback, second)) {
        fallback_ = true;
        notice_ = first + "; your notes are saved to " + fallback +
                  " instead, and found there again when this capture is opened";
        return true;
    }
    base_ = base;
    baseText_ = baseText;
    error = first + (fallback.empty() ? std::string("; there is no per-user folder to save them to instead")
                                      : "; nor could they be saved to " + fallback + ": " + second);
    return false;
}

bool AnnotationStore::saveAs(const std::string& path, std::string& error)
{
    notice_.clear();
    const AnnotationSet base = base_;
    const auto baseText = baseText_;
    base_.items.clear(); // a file of the user's choice: keep whatever it holds that is ours
    baseText_.reset();
    if (!saveTo(path, error)) {
        base_ = base;
        baseText_ = baseText;
        return false;
    }
    fallback_ = false;
    return true;
}

} // namespace flowladder::core
