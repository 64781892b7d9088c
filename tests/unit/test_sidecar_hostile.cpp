// Sidecars a customer might send (issue 13): wrong-typed or out-of-range fields, files that are
// not regular files, huge files, ids at the end of their range, planted temporary files and
// symbolic links, two instances saving the same capture's notes.

#include "TestPaths.h"
#include "core/annotations/Annotations.h"
#include "tests/support/ReadOnlyFolder.h"
#include "tests/support/RunCommand.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace flowladder;
using namespace flowladder::testing;
namespace fs = std::filesystem;

namespace {

std::string readAll(const std::string& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeFile(const std::string& p, const std::string& text)
{
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// A capture in a folder of its own (sidecars, temporary files and links beside it).
struct Capture {
    fs::path dir;
    std::string path, sidecar;
    explicit Capture(const std::string& stem, const std::string& content = "pretend capture bytes")
        : dir(testsupport::freshTempDir(stem)), path((dir / "c.pcap").string()), sidecar(path + ".flowladder.json")
    {
        writeFile(path, content);
    }
    core::CaptureFingerprint fingerprint() const
    {
        std::string error;
        return *core::fingerprintCapture(path, error);
    }
    // A valid sidecar for this capture with `items` (JSON array text).
    std::string sidecarText(const std::string& items) const
    {
        const auto fp = fingerprint();
        return R"({"format": "flowladder-annotations", "version": 1, "capture": {"size": )" + std::to_string(fp.size) +
               R"(, "hash": ")" + fp.hash + R"("}, "annotations": )" + items + "}";
    }
};

// Fallback notes of this process go to its own temporary folder, never to the user's.
[[maybe_unused]] const bool ownDataHome = [] {
    const std::string dir = tempPath("xdg-data");
    fs::create_directories(dir);
    return ::setenv("XDG_DATA_HOME", dir.c_str(), 1) == 0;
}();

const std::string Note22 = R"({"id": 1, "kind": "note", "flow": 1, "frame": 22, "text": "n"})";

} // namespace

// Item 1: each field is type- and range-checked; the error names the field.
TEST(SidecarHostile, WrongTypedOrOutOfRangeFieldsAreErrorsNamingTheField)
{
    const std::string head =
        R"("format": "flowladder-annotations", "version": 1, "capture": {"size": 1, "hash": "00"})";
    struct Case {
        std::string json, field;
    };
    const std::vector<Case> cases = {
        {R"({"format": 1, "version": 1})", "format"},
        {R"({"format": "flowladder-annotations", "version": "1"})", "version"},
        {R"({"format": "flowladder-annotations", "version": 1e300})", "version"},
        {R"({"format": "flowladder-annotations", "version": -1e300})", "version"},
        {R"({"format": "flowladder-annotations", "version": 1.5})", "version"},
        {R"({"format": "flowladder-annotations", "version": 1, "capture": "x", "annotations": []})", "capture"},
        {R"({"format": "flowladder-annotations", "version": 1, "capture": {"size": -1, "hash": "00"}, "annotations": []})",
         "capture.size"},
        {R"({"format": "flowladder-annotations", "version": 1, "capture": {"size": 1, "hash": 5}, "annotations": []})",
         "capture.hash"},
        {"{" + head + R"(, "annotations": {}})", "annotations"},
        {"{" + head + R"(, "annotations": [5]})", "annotations[0]"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 1, "frame": 1e300}]})",
         "annotations[0].frame"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 1, "frame": -1}]})",
         "annotations[0].frame"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 1, "frame": "22"}]})",
         "annotations[0].frame"},
        {"{" + head + R"(, "annotations": [{"id": -1, "kind": "note", "flow": 1}]})", "annotations[0].id"},
        {"{" + head + R"(, "annotations": [{"id": 1.5, "kind": "note", "flow": 1}]})", "annotations[0].id"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": 3, "flow": 1}]})", "annotations[0].kind"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 4294967296}]})", "annotations[0].flow"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 1, "text": 5}]})", "annotations[0].text"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "callout", "flow": 1, "anchor_x": 1e300}]})",
         "annotations[0].anchor_x"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "callout", "flow": 1, "box_x": "left"}]})",
         "annotations[0].box_x"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "callout", "flow": 1, "box_frame": 5e9}]})",
         "annotations[0].box_frame"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "time_range", "flow": 1, "start_ns": 1e300}]})",
         "annotations[0].start_ns"},
        {"{" + head +
             R"(, "annotations": [{"id": 1, "kind": "time_range", "flow": 1, "end_ns": 9223372036854775808}]})",
         "annotations[0].end_ns"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 1, "color": 7}]})",
         "annotations[0].color"},
        {"{" + head + R"(, "annotations": [{"id": 1, "kind": "note", "flow": 1}, {"id": 2, "kind": "note"}]})",
         "annotations[1].flow"},
    };
    for (const Case& c : cases) {
        std::string error;
        EXPECT_FALSE(core::annotationsFromJson(c.json, error)) << c.json;
        EXPECT_NE(error.find("\"" + c.field + "\""), std::string::npos) << c.json << "\n -> " << error;
    }
}

TEST(SidecarHostile, WrongTypedSidecarIsReportedKeptAndNotOverwritten)
{
    for (const std::string bad :
         {R"({"format": 1, "version": 1})", R"({"format": "flowladder-annotations", "version": "1"})",
          R"({"format": "flowladder-annotations", "version": 1e300})"}) {
        Capture cap("typed");
        writeFile(cap.sidecar, bad);
        auto store = core::AnnotationStore::open(cap.path);
        EXPECT_NE(store.problem().find(cap.sidecar), std::string::npos) << store.problem();
        EXPECT_NE(store.problem().find("kept"), std::string::npos) << store.problem();
        EXPECT_NE(store.savePath(), cap.sidecar);
        core::Annotation a;
        a.id = 1;
        a.flow = 1;
        a.text = "new";
        store.set().items.push_back(a);
        std::string error;
        ASSERT_TRUE(store.save(error)) << error;
        EXPECT_EQ(readAll(cap.sidecar), bad);
    }
}

#ifdef FLOWLADDER_RENDER
// `render` reads the sidecar beside the capture: a wrong-typed one is a warning, not an abort.
TEST(SidecarHostile, RenderWarnsAboutAWrongTypedSidecar)
{
    const fs::path dir = testsupport::freshTempDir("render");
    const std::string capture = (dir / "incident.pcap").string();
    fs::copy_file(sourceDir() / "resources/sample/incident.pcap", capture);
    writeFile(capture + ".flowladder.json", R"({"format": "flowladder-annotations", "version": "1"})");
    const auto r = testsupport::runCommand(std::string(FLOWLADDER_RENDER) + " --flow 1 --out '" +
                                           (dir / "out.svg").string() + "' '" + capture + "' 2>&1");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find(capture + ".flowladder.json"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"version\""), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(dir / "out.svg"));
}
#endif

// Item 2: only regular files are read, never more than the size cap.
TEST(SidecarHostile, FifoSidecarDoesNotBlock)
{
    Capture cap("fifo");
    ASSERT_EQ(::mkfifo(cap.sidecar.c_str(), 0644), 0);
    auto opened = std::async(std::launch::async, [&] { return core::AnnotationStore::open(cap.path); });
    if (opened.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        // Unblock the reader (a writer appears and goes: end of file) so the test can end.
        const int fd = ::open(cap.sidecar.c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) ::close(fd);
        ADD_FAILURE() << "opening a capture whose sidecar is a FIFO blocked";
    }
    const auto store = opened.get();
    EXPECT_NE(store.problem().find("not a regular file"), std::string::npos) << store.problem();
    EXPECT_NE(store.savePath(), cap.sidecar);
    struct stat st {};
    ASSERT_EQ(::lstat(cap.sidecar.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)); // kept
}

TEST(SidecarHostile, DevicesAndDirectoriesAreRefused)
{
    for (const std::string target : {"/dev/zero", "/dev/null", "dir"}) {
        Capture cap("device");
        if (target == "dir")
            fs::create_directory(cap.sidecar);
        else
            fs::create_symlink(target, cap.sidecar);
        auto opened = std::async(std::launch::async, [&] { return core::AnnotationStore::open(cap.path); });
        ASSERT_EQ(opened.wait_for(std::chrono::seconds(10)), std::future_status::ready)
            << target; // /dev/zero never ends
        const auto store = opened.get();
        EXPECT_NE(store.problem().find(cap.sidecar), std::string::npos) << store.problem();
        EXPECT_NE(store.problem().find("not a regular file"), std::string::npos) << target << ": " << store.problem();
        EXPECT_NE(store.savePath(), cap.sidecar);
        std::string error;
        EXPECT_FALSE(core::AnnotationStore::load(cap.sidecar, error));
        EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
    }
}

TEST(SidecarHostile, HugeSidecarIsRefusedWithoutReadingIt)
{
    Capture cap("huge");
    {
        std::ofstream(cap.sidecar) << "{";
    }
    fs::resize_file(cap.sidecar, 64ull << 30); // sparse: 64 GiB that occupy nothing
    const auto store = core::AnnotationStore::open(cap.path);
    EXPECT_NE(store.problem().find("too large"), std::string::npos) << store.problem();
    EXPECT_NE(store.problem().find("16 MiB"), std::string::npos) << store.problem();
    EXPECT_EQ(fs::file_size(cap.sidecar), 64ull << 30);
}

// Item 3: ids at the end of their range (or repeated) never make new notes collide.
TEST(SidecarHostile, IdsNeverWrap)
{
    Capture cap("ids");
    writeFile(cap.sidecar,
              cap.sidecarText(R"([{"id": 18446744073709551615, "kind": "note", "flow": 1, "frame": 1, "text": "max"},
                                  {"id": 7, "kind": "note", "flow": 1, "frame": 2, "text": "a"},
                                  {"id": 7, "kind": "note", "flow": 1, "frame": 3, "text": "b"},
                                  {"id": 0, "kind": "note", "flow": 1, "frame": 4, "text": "zero"}])"));
    auto store = core::AnnotationStore::open(cap.path);
    ASSERT_TRUE(store.problem().empty()) << store.problem();
    ASSERT_EQ(store.set().items.size(), 4u);
    std::set<uint64_t> ids;
    for (const auto& a : store.set().items)
        ids.insert(a.id);
    for (int i = 0; i < 3; ++i) {
        core::Annotation a;
        a.id = store.set().newId();
        a.flow = 1;
        a.text = "new " + std::to_string(i);
        store.set().items.push_back(a);
        ids.insert(a.id);
    }
    EXPECT_EQ(ids.size(), 7u);
    EXPECT_EQ(ids.count(0), 0u);
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    EXPECT_EQ(core::AnnotationStore::open(cap.path).set().items.size(), 7u);
}

// Item 4: a planted symbolic link under a temporary file's name never redirects a save.
TEST(SidecarHostile, PlantedTemporaryLinkDoesNotRedirectTheSave)
{
    Capture cap("planted");
    const std::string victim = (cap.dir / "victim.txt").string();
    writeFile(victim, "precious");
    fs::create_symlink(victim, cap.sidecar + ".tmp-" + std::to_string(::getpid()));
    auto store = core::AnnotationStore::open(cap.path);
    core::Annotation a;
    a.id = 1;
    a.flow = 1;
    a.text = "note";
    store.set().items.push_back(a);
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    EXPECT_EQ(readAll(victim), "precious");
    EXPECT_NE(readAll(cap.sidecar).find("\"note\""), std::string::npos);
}

TEST(SidecarHostile, SaveKeepsPermissionsAndLeavesNoTemporaryFile)
{
    Capture cap("mode");
    writeFile(cap.sidecar, cap.sidecarText("[" + Note22 + "]"));
    ASSERT_EQ(::chmod(cap.sidecar.c_str(), 0600), 0);
    auto store = core::AnnotationStore::open(cap.path);
    ASSERT_TRUE(store.problem().empty()) << store.problem();
    store.set().items[0].text = "changed";
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    struct stat st {};
    ASSERT_EQ(::stat(cap.sidecar.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_NE(readAll(cap.sidecar).find("changed"), std::string::npos);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(cap.dir))
        names.push_back(e.path().filename().string());
    EXPECT_EQ(names.size(), 2u) << ::testing::PrintToString(names);
}

TEST(SidecarHostile, SymlinkedSidecarIsWrittenThroughToItsTarget)
{
    Capture cap("symlink");
    const fs::path elsewhere = testsupport::freshTempDir("symlink-target");
    const std::string target = (elsewhere / "notes.json").string();
    writeFile(target, cap.sidecarText("[" + Note22 + "]"));
    fs::create_symlink(target, cap.sidecar);
    auto store = core::AnnotationStore::open(cap.path);
    ASSERT_TRUE(store.problem().empty()) << store.problem();
    ASSERT_EQ(store.set().items.size(), 1u);
    store.set().items[0].text = "through the link";
    std::string error;
    ASSERT_TRUE(store.save(error)) << error;
    EXPECT_TRUE(fs::is_symlink(cap.sidecar));
    EXPECT_EQ(fs::read_symlink(cap.sidecar), target);
    EXPECT_NE(readAll(target).find("through the link"), std::string::npos);
    EXPECT_EQ(std::distance(fs::directory_iterator(elsewhere), fs::directory_iterator()), 1); // no temporary left
}

TEST(SidecarHostile, DanglingSymlinkSidecarIsNeverReplaced)
{
    Capture cap("dangling");
    const std::string target = (cap.dir / "missing" / "notes.json").string();
    fs::create_symlink(target, cap.sidecar);
    auto store = core::AnnotationStore::open(cap.path);
    core::Annotation a;
    a.id = 1;
    a.flow = 1;
    a.text = "note";
    store.set().items.push_back(a);
    std::string error;
    store.save(error); // refused, or saved elsewhere: never by replacing the link
    EXPECT_TRUE(fs::is_symlink(cap.sidecar));
    EXPECT_EQ(fs::read_symlink(cap.sidecar), target);
}

// Item 5: two instances on one capture keep each other's notes.
TEST(SidecarHostile, TwoStoresOnOneCaptureMergeByNoteId)
{
    Capture cap("two");
    writeFile(cap.sidecar, cap.sidecarText(R"([{"id": 1, "kind": "note", "flow": 1, "frame": 1, "text": "old one"},
                                               {"id": 2, "kind": "note", "flow": 1, "frame": 2, "text": "old two"}])"));
    auto a = core::AnnotationStore::open(cap.path);
    auto b = core::AnnotationStore::open(cap.path);
    ASSERT_EQ(a.set().items.size(), 2u);
    ASSERT_EQ(b.set().items.size(), 2u);
    core::Annotation na;
    na.id = a.set().newId();
    na.flow = 1;
    na.text = "from A";
    a.set().items.push_back(na);
    a.set().items.erase(a.set().items.begin()); // A deletes "old one"
    std::string error;
    ASSERT_TRUE(a.save(error)) << error;
    core::Annotation nb;
    nb.id = b.set().newId();
    nb.flow = 1;
    nb.text = "from B";
    b.set().items.push_back(nb);
    b.set().items[1].text = "old two, edited by B";
    ASSERT_TRUE(b.save(error)) << error;
    auto texts = [&] {
        std::set<std::string> t;
        const auto reopened = core::AnnotationStore::open(cap.path);
        for (const auto& x : reopened.set().items)
            t.insert(x.text);
        return t;
    };
    EXPECT_EQ(texts(), (std::set<std::string>{"from A", "from B", "old two, edited by B"}));
    // A saves again (after one more edit): B's work survives that too.
    a.set().items.back().text = "from A, again";
    ASSERT_TRUE(a.save(error)) << error;
    EXPECT_EQ(texts(), (std::set<std::string>{"from A, again", "from B", "old two, edited by B"}));
}

// Item 6: a read-only evidence folder. Tests run as root, for whom chmod 0555 changes nothing:
// WithoutDacOverride drops the capabilities that bypass permissions while the folder is used.
TEST(SidecarHostile, ReadOnlyFolderSavesToTheUserFolderAndFindsThemAgain)
{
    Capture cap("readonly");
    const fs::path xdg = fs::path(std::getenv("XDG_DATA_HOME"));
    ASSERT_EQ(::chmod(cap.dir.c_str(), 0555), 0);
    std::string fallbackPath;
    {
        testsupport::WithoutDacOverride unprivileged;
        if (!testsupport::cannotCreateIn(cap.dir.string())) {
            ::chmod(cap.dir.c_str(), 0755);
            GTEST_SKIP() << "cannot make a folder read-only for this process";
        }
        auto store = core::AnnotationStore::open(cap.path);
        EXPECT_EQ(store.savePath(), cap.sidecar);
        core::Annotation a;
        a.id = store.set().newId();
        a.flow = 1;
        a.text = "made in a read-only folder";
        store.set().items.push_back(a);
        std::string error;
        ASSERT_TRUE(store.save(error)) << error;
        fallbackPath = store.savePath();
        EXPECT_EQ(fallbackPath, core::fallbackNotesPath(cap.fingerprint()));
        EXPECT_EQ(fallbackPath.rfind((xdg / "flowladder/notes/").string(), 0), 0u) << fallbackPath;
        EXPECT_TRUE(store.usesFallback());
        // The notice says why and where.
        EXPECT_NE(store.notice().find(cap.sidecar), std::string::npos) << store.notice();
        EXPECT_NE(store.notice().find(fallbackPath), std::string::npos) << store.notice();
        EXPECT_FALSE(fs::exists(cap.sidecar));
        // Reopened from the same place: found in the fallback file.
        const auto again = core::AnnotationStore::open(cap.path);
        ASSERT_EQ(again.set().items.size(), 1u);
        EXPECT_EQ(again.savePath(), fallbackPath);
        EXPECT_NE(again.notice().find(fallbackPath), std::string::npos) << again.notice();
    }
    ASSERT_EQ(::chmod(cap.dir.c_str(), 0755), 0);
    struct stat st {};
    ASSERT_EQ(::stat(fs::path(fallbackPath).parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u); // the per-user folder is private
    // The same capture copied anywhere else finds its notes too.
    Capture copy("elsewhere");
    fs::copy_file(cap.path, copy.path, fs::copy_options::overwrite_existing);
    const auto elsewhere = core::AnnotationStore::open(copy.path);
    ASSERT_EQ(elsewhere.set().items.size(), 1u);
    EXPECT_EQ(elsewhere.set().items[0].text, "made in a read-only folder");
    fs::remove(fallbackPath); // other tests' captures have the same bytes
}

// Item 6, full disk: RLIMIT_FSIZE makes writes fail (EFBIG) like a full disk would. Neither the
// sidecar nor the fallback can be written: the save fails, the sidecar is intact, nothing is left.
TEST(SidecarHostile, WriteFailureKeepsTheSidecarIntact)
{
    Capture cap("full");
    const std::string original = cap.sidecarText("[" + Note22 + "]");
    writeFile(cap.sidecar, original);
    auto store = core::AnnotationStore::open(cap.path);
    ASSERT_EQ(store.set().items.size(), 1u);
    store.set().items[0].text = std::string(100000, 'x');
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    std::string error;
    const bool saved = store.save(error);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, oldHandler);
    EXPECT_FALSE(saved);
    EXPECT_NE(error.find(cap.sidecar), std::string::npos) << error;
    EXPECT_EQ(readAll(cap.sidecar), original);
    EXPECT_EQ(std::distance(fs::directory_iterator(cap.dir), fs::directory_iterator()), 2); // no temporary left
    EXPECT_EQ(store.set().items[0].text.size(), 100000u);                                   // still in memory
    ASSERT_TRUE(store.save(error)) << error; // and saved once there is room
    EXPECT_NE(readAll(cap.sidecar).find(std::string(100000, 'x')), std::string::npos);
}
