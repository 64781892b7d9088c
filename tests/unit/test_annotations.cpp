// Annotations and their sidecar: round trip, damaged or foreign sidecars kept untouched.

#include "TestPaths.h"
#include "core/annotations/Annotations.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace flowladder;
using namespace flowladder::testing;
namespace fs = std::filesystem;

namespace {

std::string readAll(const std::string& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempCapture {
    std::string path;
    explicit TempCapture(const std::string& content = "pretend capture bytes",
                         const std::string& name = "annotated.pcap")
        : path(tempPath(name))
    {
        std::ofstream(path) << content;
    }
    ~TempCapture()
    {
        for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
            if (e.path().string().rfind(path, 0) == 0) fs::remove(e.path());
    }
};

core::AnnotationSet sampleSet()
{
    core::AnnotationSet set;
    core::Annotation note;
    note.id = 1;
    note.flow = 1;
    note.frame = 22;
    note.text = "ASA drops state after its own RST — see INC-2291";
    core::Annotation callout;
    callout.id = 2;
    callout.kind = core::AnnotationKind::Callout;
    callout.flow = 1;
    callout.frame = 22;
    callout.anchorX = 0.6;
    callout.boxFrame = 30;
    callout.boxX = 0.2;
    callout.text = "forged here";
    callout.color = "#ffcc00";
    core::Annotation range;
    range.id = 3;
    range.kind = core::AnnotationKind::TimeRange;
    range.flow = 1;
    range.startNs = 1'000'000'000;
    range.endNs = 601'000'000'000;
    range.text = "CLOSE-WAIT, 600 s";
    set.items = {note, callout, range};
    return set;
}

} // namespace

TEST(Annotations, JsonRoundTrip)
{
    core::AnnotationSet set = sampleSet();
    set.capture = {1234, "00112233aabbccdd"};
    std::string error;
    auto back = core::annotationsFromJson(core::annotationsToJson(set), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->capture, set.capture);
    EXPECT_EQ(back->items, set.items);
    const uint64_t id = back->newId();
    EXPECT_TRUE(id > 3 && id <= core::AnnotationSet::MaxId) << id; // after the others
}

// Fields of another kind are ignored on reading, as the writer leaves them out: what is read,
// written and read again is the same (found by fuzz_annotations).
TEST(Annotations, FieldsOfAnotherKindAreIgnored)
{
    const std::string text = R"({"format":"flowladder-annotations","version":1,
        "capture":{"size":10,"hash":"00ff00ff00ff00ff"},"annotations":[
        {"id":1,"kind":"callout","flow":1,"frame":3,"start_ns":5,"end_ns":9},
        {"id":2,"kind":"time_range","flow":1,"frame":7,"anchor_x":0.1,"start_ns":5,"end_ns":9},
        {"id":3,"kind":"note","flow":1,"frame":4,"box_x":1.5,"box_frame":2}]})";
    std::string error;
    auto set = core::annotationsFromJson(text, error);
    ASSERT_TRUE(set) << error;
    ASSERT_EQ(set->items.size(), 3u);
    EXPECT_EQ(set->items[0].startNs, 0);
    EXPECT_EQ(set->items[0].frame, 3u);
    EXPECT_EQ(set->items[1].frame, 0u);
    EXPECT_EQ(set->items[1].anchorX, 0.5);
    EXPECT_EQ(set->items[1].endNs, 9);
    EXPECT_EQ(set->items[2].boxX, 0.5);
    EXPECT_EQ(set->items[2].boxFrame, 0u);
    auto back = core::annotationsFromJson(core::annotationsToJson(*set), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->items, set->items);
}

TEST(Annotations, StoreSavesAtomicallyAndReopens)
{
    TempCapture cap;
    auto store = core::AnnotationStore::open(cap.path);
    EXPECT_TRUE(store.problem().empty());
    EXPECT_EQ(store.savePath(), cap.path + ".flowladder.json");
    store.set().items = sampleSet().items;
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    // Only this capture's files: other tests (run in parallel) save sidecars in the same folder.
    for (const auto& e : fs::directory_iterator(fs::path(cap.path).parent_path())) {
        const std::string name = e.path().string();
        if (name.rfind(cap.path, 0) != 0) continue;
        EXPECT_EQ(name.find(".tmp-"), std::string::npos) << "temporary file left: " << e.path();
    }
    auto again = core::AnnotationStore::open(cap.path);
    EXPECT_TRUE(again.problem().empty()) << again.problem();
    EXPECT_EQ(again.set().items, sampleSet().items);
}

// A comparison's notes: kept beside A under a name that says which B, found again only for the
// same two files in the same order, never mistaken for the notes of A alone or of A and B merged;
// a note on a packet of B says so in the file and comes back so.
TEST(Annotations, ComparedPairHasItsOwnNotes)
{
    TempCapture a("client side bytes", "cmp-a.pcap");
    TempCapture b("server side bytes", "cmp-b.pcap");
    auto store = core::AnnotationStore::openCompared(a.path, b.path);
    EXPECT_TRUE(store.problem().empty()) << store.problem();
    EXPECT_EQ(store.savePath(), a.path + ".compare-cmp-b.pcap.flowladder.json");
    core::Annotation onB;
    onB.id = 7;
    onB.flow = 1;
    onB.frame = 22;
    onB.inCaptureB = true;
    onB.text = "created by the firewall";
    core::Annotation onA = onB;
    onA.id = 8;
    onA.frame = 19;
    onA.inCaptureB = false;
    onA.text = "lost on the way";
    store.set().items = {onB, onA};
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    const std::string text = readAll(store.savePath());
    EXPECT_NE(text.find("\"in_capture\": \"B\""), std::string::npos) << text;
    EXPECT_EQ(text.find("\"in_capture\": \"A\""), std::string::npos) << text; // A is the default, not written

    auto again = core::AnnotationStore::openCompared(a.path, b.path);
    EXPECT_TRUE(again.problem().empty()) << again.problem();
    EXPECT_EQ(again.set().items, store.set().items);
    // Other ways of reading these files do not see them.
    EXPECT_TRUE(core::AnnotationStore::open(a.path).set().items.empty());
    EXPECT_TRUE(core::AnnotationStore::openMerged({a.path, b.path}).set().items.empty());
    std::string e1, e2;
    EXPECT_NE(core::comparedFingerprint(a.path, b.path, e1)->hash, core::comparedFingerprint(b.path, a.path, e2)->hash);
    EXPECT_NE(core::comparedFingerprint(a.path, b.path, e1)->hash, core::mergedFingerprint({a.path, b.path}, e2)->hash);
    // A bad in_capture is named.
    auto bad = core::annotationsFromJson(R"({"format":"flowladder-annotations","version":1,
        "capture":{"size":1,"hash":"00ff00ff00ff00ff"},"annotations":[
        {"id":1,"kind":"note","flow":1,"frame":4,"in_capture":"C"}]})",
                                         error);
    EXPECT_FALSE(bad);
    EXPECT_NE(error.find("annotations[0].in_capture"), std::string::npos) << error;
}

TEST(Annotations, DamagedSidecarIsReportedKeptAndNotOverwritten)
{
    TempCapture cap;
    const std::string sidecar = cap.path + ".flowladder.json";
    const std::string damaged = "{\"format\": \"flowladder-annotations\", \"version\": 1, \"annot";
    std::ofstream(sidecar) << damaged;
    auto store = core::AnnotationStore::open(cap.path);
    EXPECT_NE(store.problem().find(sidecar), std::string::npos) << store.problem();
    EXPECT_NE(store.problem().find("kept"), std::string::npos) << store.problem();
    EXPECT_NE(store.savePath(), sidecar);
    store.set().items = sampleSet().items;
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    EXPECT_EQ(readAll(sidecar), damaged);
    // Reopening finds the notes saved beside it, and still reports the damaged file.
    auto again = core::AnnotationStore::open(cap.path);
    EXPECT_EQ(again.savePath(), store.savePath());
    EXPECT_EQ(again.set().items, sampleSet().items);
    EXPECT_FALSE(again.problem().empty());
}

TEST(Annotations, NotesOfAnotherCaptureAreNotShown)
{
    TempCapture cap;
    core::AnnotationSet other = sampleSet();
    other.capture = {99, "ffffffffffffffff"};
    std::string error;
    ASSERT_TRUE(core::saveAnnotations(other, cap.path + ".flowladder.json", error));
    auto store = core::AnnotationStore::open(cap.path);
    EXPECT_TRUE(store.set().items.empty());
    EXPECT_NE(store.problem().find("another capture"), std::string::npos) << store.problem();
}

TEST(Annotations, FingerprintChangesWithContent)
{
    TempCapture a("one capture", "fp-a.pcap"), b("another capture", "fp-b.pcap");
    std::string error;
    auto fa = core::fingerprintCapture(a.path, error);
    ASSERT_TRUE(fa);
    EXPECT_EQ(fa->size, 11u);
    EXPECT_EQ(fa->hash.size(), 16u);
    std::ofstream(b.path) << "one capturf";
    auto fb = core::fingerprintCapture(b.path, error);
    ASSERT_TRUE(fb);
    EXPECT_NE(fa->hash, fb->hash);
}

TEST(Annotations, RejectsForeignAndNewerFiles)
{
    std::string error;
    EXPECT_FALSE(core::annotationsFromJson("[1,2,3]", error));
    EXPECT_FALSE(core::annotationsFromJson("{\"format\":\"other\"}", error));
    EXPECT_FALSE(core::annotationsFromJson("{\"format\":\"flowladder-annotations\",\"version\":99}", error));
    EXPECT_NE(error.find("version 99"), std::string::npos);
}
