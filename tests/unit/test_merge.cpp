// Several files as one capture (issue 16, part 2): merged by timestamp as mergecap merges them,
// frames numbered in merged order, every finding naming its file and the frame there. The
// ring buffer is a real one: tcpdump -G 3 -z gzip on the server side of the rst-in-window
// story (tests/netns/make-captures.sh ring-buffer), its connection spread over four files;
// what the kernel did is in logs/ring-buffer.end.txt.

#include "TestPaths.h"
#include "core/report/JsonReport.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/RunCommand.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>

using namespace flowladder;
using namespace flowladder::testing;
using flowladder::testsupport::runCommand;
namespace fs = std::filesystem;

namespace {

// The ring buffer's files, in name (= time) order.
std::vector<std::string> ringFiles()
{
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(sourceDir() / "tests/data/netns"))
        if (e.path().filename().string().starts_with("ring-buffer.server-ring-")) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

core::AnalysisPtr analyze(const std::vector<std::string>& files)
{
    std::string error;
    auto a = core::analyzeFiles(files, error);
    EXPECT_TRUE(a) << error;
    return a;
}

// The JSON of the analysis without what names files (which must differ between a merge and one file).
nlohmann::ordered_json withoutFiles(const core::Analysis& a)
{
    auto j = core::analysisToJson(a);
    for (const char* k : {"file", "files", "format", "compression"})
        j.erase(k);
    for (auto& f : j["findings"]) {
        f.erase("file");
        f.erase("file_frame");
    }
    return j;
}

const core::Finding* findingOf(const core::Analysis& a, core::FindingKind kind)
{
    for (const core::Finding& f : a.findings)
        if (f.kind == kind) return &f;
    return nullptr;
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST(Merge, RingBufferIsOneConnectionInMergecapsOrder)
{
    const auto files = ringFiles();
    ASSERT_GE(files.size(), 3u) << "tcpdump -G 3 over 14 s rotates at least twice";
    auto merged = analyze(files);
    ASSERT_TRUE(merged);
    ASSERT_EQ(merged->capture.sources.size(), files.size());
    EXPECT_EQ(merged->capture.sources.front().compression, "gzip"); // -z gzip compressed the finished files
    ASSERT_EQ(merged->flows.size(), 1u) << "a connection spanning the files is one flow";

    // The connection's packets come from every file, in merged frame order.
    std::vector<bool> seen(files.size());
    for (uint32_t frame = 1; frame <= merged->capture.packets; ++frame)
        seen[merged->capture.origin(frame).source] = true;
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));

    // mergecap (Wireshark's own merger) agrees frame for frame: its merged file analysed as one
    // file gives the same flows, frame numbers and findings.
    const std::string out = tempPath("ring-mergecap.pcap");
    std::string cmd = "mergecap -F pcap -w '" + out + "'";
    for (const auto& f : files)
        cmd += " '" + f + "'";
    ASSERT_EQ(runCommand(cmd + " 2>&1").status, 0) << cmd;
    auto reference = analyze({out});
    ASSERT_TRUE(reference);
    EXPECT_EQ(withoutFiles(*merged), withoutFiles(*reference));

    // The argument order does not matter: merged by time.
    std::vector<std::string> reversed(files.rbegin(), files.rend());
    auto backwards = analyze(reversed);
    ASSERT_TRUE(backwards);
    EXPECT_EQ(withoutFiles(*backwards), withoutFiles(*merged));
}

TEST(Merge, RingBufferShowsWhatTheKernelDid)
{
    auto a = analyze(ringFiles());
    ASSERT_TRUE(a);
    // The kernel's evidence: the forger's RST was 1000 past the server's RCV.NXT, and at the end
    // `ss` shows the server still in CLOSE-WAIT with its retransmission timer at the 6th backoff.
    const std::string evidence = slurp(sourceDir() / "tests/data/netns/logs/ring-buffer.end.txt");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(evidence, m, std::regex(R"("offset": (\d+))")));
    const int offset = std::stoi(m[1]);
    ASSERT_TRUE(
        std::regex_search(evidence, m, std::regex(R"(CLOSE-WAIT.*10\.77\.2\.2:80 .*timer:\(on,\d+sec,(\d+)\))")));
    const unsigned backoffs = static_cast<unsigned>(std::stoi(m[1]));

    const core::Finding* rst = findingOf(*a, core::FindingKind::RstSeqMismatch);
    ASSERT_TRUE(rst);
    const auto& d = *rst->as<core::RstSeqMismatch>();
    EXPECT_EQ(d.delta, offset);
    EXPECT_EQ(d.cls, core::RstClass::InWindow);
    EXPECT_EQ(d.outcome, core::RstOutcome::Ignored);
    EXPECT_TRUE(d.challengeAckFrame.has_value());
    const core::Finding* lingering = findingOf(*a, core::FindingKind::LingeringClose);
    ASSERT_TRUE(lingering);
    EXPECT_EQ(std::get<core::LingeringClose>(lingering->detail).retransmits, backoffs);
    EXPECT_EQ(a->flows[0].side(core::Side::Server).finalState, core::TcpState::CloseWait);
}

TEST(Merge, EveryFindingNamesItsFileAndTheFrameThere)
{
    const auto files = ringFiles();
    auto merged = analyze(files);
    ASSERT_TRUE(merged);
    ASSERT_FALSE(merged->findings.empty());
    const auto json = core::analysisToJson(*merged);
    ASSERT_EQ(json["files"].size(), files.size());
    for (size_t i = 0; i < merged->findings.size(); ++i) {
        const core::Finding& f = merged->findings[i];
        SCOPED_TRACE(std::string(core::findingKindName(f.kind)) + " #" + std::to_string(f.frame));
        const core::FrameOrigin o = merged->capture.origin(f.frame);
        EXPECT_EQ(json["findings"][i]["file"], files[o.source]);
        EXPECT_EQ(json["findings"][i]["file_frame"], o.frame);
        // That frame of that file, read alone, is the same packet.
        auto alone = analyze({files[o.source]});
        ASSERT_TRUE(alone);
        const core::Flow& mf = merged->flows[0];
        const core::Flow& af = alone->flows.at(0);
        const int64_t mrow = merged->rowOfFrame(mf, f.frame), arow = alone->rowOfFrame(af, o.frame);
        ASSERT_GE(mrow, 0);
        ASSERT_GE(arow, 0) << "frame " << o.frame << " of " << files[o.source];
        const core::PacketRecord& mp = merged->packet(mf, static_cast<uint32_t>(mrow));
        const core::PacketRecord& ap = alone->packet(af, static_cast<uint32_t>(arow));
        EXPECT_EQ(merged->tsNs(mp), alone->tsNs(ap));
        EXPECT_EQ(mp.seq, ap.seq);
        EXPECT_EQ(mp.flags, ap.flags);
    }
}

TEST(Merge, BrokenAndUnreadableFilesKeepWhatTheOthersHold)
{
    auto files = ringFiles();
    ASSERT_GE(files.size(), 3u);
    auto whole = analyze(files);
    ASSERT_TRUE(whole);
    // The last file (not yet compressed: tcpdump was stopped while writing it) cut inside a record.
    const std::string cut = tempPath("ring-cut.pcap");
    {
        const std::string bytes = slurp(files.back());
        ASSERT_GT(bytes.size(), 24u + 16u + 10u);
        std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 10));
    }
    const std::string junk = tempPath("notes.txt");
    std::ofstream(junk) << "not a capture\n";
    files.back() = cut;
    files.push_back(junk);
    std::string error;
    auto a = core::analyzeFiles(files, error);
    ASSERT_TRUE(a) << error;
    EXPECT_TRUE(a->capture.truncated);
    EXPECT_EQ(a->capture.sources.size(), files.size() - 1) << "the text file is left out";
    EXPECT_TRUE(a->capture.sources.back().truncated);
    EXPECT_EQ(a->capture.packets, whole->capture.packets - 1) << "only the cut record is missing";
    const auto& errors = a->capture.errors;
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_NE(errors[0].find(junk), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("left out of the merge"), std::string::npos) << errors[0];
    EXPECT_NE(errors[1].find(cut), std::string::npos) << errors[1];
    EXPECT_EQ(a->flows.size(), 1u);

    // None readable: no analysis, and the message names every file.
    EXPECT_FALSE(core::analyzeFiles({junk, junk + ".missing"}, error));
    EXPECT_NE(error.find(junk + ":"), std::string::npos) << error;
    EXPECT_NE(error.find(junk + ".missing:"), std::string::npos) << error;
}

TEST(Merge, CliAnalyzesSeveralFilesAsOne)
{
    const auto files = ringFiles();
    std::string args;
    for (const auto& f : files)
        args += " '" + f + "'";
    const auto json = runCommand(FLOWLADDER_CLI " analyze --json" + args);
    ASSERT_EQ(json.status, 0);
    const auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["files"].size(), files.size());
    EXPECT_EQ(j["flows"].size(), 1u);
    for (const auto& f : j["findings"]) {
        EXPECT_TRUE(f.contains("file")) << f.dump();
        EXPECT_TRUE(f.contains("file_frame")) << f.dump();
    }
    const auto text = runCommand(FLOWLADDER_CLI " analyze" + args);
    ASSERT_EQ(text.status, 0);
    EXPECT_NE(text.out.find("and " + std::to_string(files.size() - 1) + " more files, merged by time"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("rst_seq_mismatch"), std::string::npos);
    const std::string firstFileFrame = fs::path(files[0]).filename().string() + " #";
    EXPECT_NE(text.out.find(firstFileFrame), std::string::npos) << text.out;
    const auto none = runCommand(FLOWLADDER_CLI " analyze /nonexistent/a.pcap /nonexistent/b.pcap 2>&1");
    EXPECT_EQ(none.status, 1);
    EXPECT_NE(none.out.find("/nonexistent/b.pcap"), std::string::npos) << none.out;
}
