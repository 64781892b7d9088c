// The streamed JSON of `analyze --json` (writeAnalysisJson): each flow and finding is written
// as text without building a JSON value, and must read exactly as nlohmann's dump() of the
// document (analysisToJson) writes it, byte for byte.

#include "Scenario.h"
#include "TestPaths.h"
#include "core/report/JsonReport.h"
#include "core/tcp/Analyzer.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

using namespace flowladder::testing;

TEST(Cli, StreamedJsonEqualsTheDocument)
{
    Scenario s;
    s.handshake();
    s.send(Side::Client, tf::FIN | tf::ACK);
    s.sendAt(Side::Client, tf::FIN | tf::ACK, s.seq(Side::Client) - 1, 0, 500'000'000);
    const auto a = s.analyze("streamed");
    ASSERT_TRUE(a);
    std::ostringstream out;
    flowladder::core::writeAnalysisJson(*a, out);
    EXPECT_EQ(nlohmann::ordered_json::parse(out.str()), flowladder::core::analysisToJson(*a));
}

// With thousands of flows, a helper thread formats every other batch of them: the document must
// still list every flow once, in order, each as nlohmann's dump() writes it (4,173 flows: an odd
// number of batches, the last one partial; every seventh flow with a finding).
TEST(Cli, StreamedJsonOfManyFlowsEqualsTheDocument)
{
    constexpr int Connections = 4173;
    Scenario s;
    for (int i = 0; i < Connections; ++i) {
        s.clientPort = static_cast<uint16_t>(20000 + i);
        s.handshake();
        s.send(Side::Client, tf::PSH | tf::ACK, 1 + i % 300);
        if (i % 7 == 0) {
            s.send(Side::Client, tf::FIN | tf::ACK);
            s.sendAt(Side::Client, tf::FIN | tf::ACK, s.seq(Side::Client) - 1, 0, 500'000'000);
        }
    }
    const auto a = s.analyze("many");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), static_cast<size_t>(Connections));
    ASSERT_FALSE(a->findings.empty());
    std::ostringstream out;
    flowladder::core::writeAnalysisJson(*a, out);
    const std::string text = out.str();
    EXPECT_EQ(nlohmann::ordered_json::parse(text), flowladder::core::analysisToJson(*a));
    std::istringstream lines(text);
    std::string line;
    size_t flow = 0;
    while (std::getline(lines, line) && line != "  \"flows\": [") {
    }
    while (std::getline(lines, line) && line != "  ],") {
        ASSERT_LT(flow, a->flows.size());
        if (line.back() == ',') line.pop_back();
        ASSERT_EQ(line, "    " + flowladder::core::flowJsonLine(*a, a->flows[flow])) << "flow " << flow + 1;
        ++flow;
    }
    EXPECT_EQ(flow, a->flows.size());
}

// The streamed writer writes each flow without building a JSON value; its text must be what
// nlohmann's dump() gives, byte for byte, for every flow of every kernel capture and golden
// capture (addresses of both families, every state, findings lists, timestamps as doubles).
TEST(Cli, StreamedFlowLinesAreNlohmannsDump)
{
    namespace fs = std::filesystem;
    size_t flows = 0;
    for (const fs::path& dir : {sourceDir() / "tests/data/netns", sourceDir() / "tests/golden/captures"}) {
        for (const auto& e : fs::directory_iterator(dir)) {
            const std::string ext = e.path().extension().string();
            if (ext != ".pcap" && ext != ".pcapng") continue;
            std::string error;
            const auto a = flowladder::core::analyzeFile(e.path().string(), error);
            if (!a) continue; // the golden captures include damaged ones
            for (const auto& f : a->flows) {
                ASSERT_EQ(flowladder::core::flowJsonLine(*a, f),
                          flowladder::core::flowToJson(*a, f).dump(-1, ' ', false,
                                                                   nlohmann::ordered_json::error_handler_t::replace))
                    << e.path() << " flow " << a->idOf(f);
                ++flows;
            }
        }
    }
    EXPECT_GT(flows, 50u);
}

namespace {

// The lines of the streamed document's "findings" array, each without its comma.
std::vector<std::string> streamedFindingLines(const flowladder::core::Analysis& a)
{
    std::ostringstream out;
    flowladder::core::writeAnalysisJson(a, out);
    std::istringstream lines(out.str());
    std::string line;
    while (std::getline(lines, line) && line.rfind("  \"findings\": [", 0) != 0) {
    }
    std::vector<std::string> found;
    if (line == "  \"findings\": []") return found;
    while (std::getline(lines, line) && line != "  ]") {
        if (!line.empty() && line.back() == ',') line.pop_back();
        found.push_back(line);
    }
    return found;
}

// Each finding line of the streamed document is "    " and nlohmann's dump() of that finding in
// analysisToJson; returns how many were compared.
size_t expectFindingLinesAreDump(const flowladder::core::Analysis& a, const std::string& what)
{
    const nlohmann::ordered_json doc = flowladder::core::analysisToJson(a);
    const std::vector<std::string> lines = streamedFindingLines(a);
    EXPECT_EQ(lines.size(), a.findings.size()) << what;
    for (size_t i = 0; i < std::min(lines.size(), a.findings.size()); ++i)
        EXPECT_EQ(lines[i],
                  "    " + doc["findings"][i].dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace))
            << what << " finding " << i;
    return lines.size();
}

} // namespace

// The streamed writer writes each finding without building a JSON value: the same bytes as
// nlohmann's dump() for every finding of every kernel capture and golden capture (every kind
// the analysis reports: nulls, frame lists, seconds as doubles, related frames) and of a capture
// merged from several files (each finding also names its file and the frame there).
TEST(Cli, StreamedFindingLinesAreNlohmannsDump)
{
    namespace fs = std::filesystem;
    size_t findings = 0;
    std::vector<std::string> ring;
    for (const fs::path& dir : {sourceDir() / "tests/data/netns", sourceDir() / "tests/golden/captures"}) {
        for (const auto& e : fs::directory_iterator(dir)) {
            const std::string name = e.path().filename().string();
            if (name.rfind("ring-buffer.server-ring-", 0) == 0) ring.push_back(e.path().string());
            const std::string ext = e.path().extension().string();
            if (ext != ".pcap" && ext != ".pcapng") continue;
            std::string error;
            const auto a = flowladder::core::analyzeFile(e.path().string(), error);
            if (!a) continue; // the golden captures include damaged ones
            findings += expectFindingLinesAreDump(*a, name);
        }
    }
    EXPECT_GT(findings, 50u);

    ASSERT_GE(ring.size(), 2u);
    std::string error;
    const auto merged = flowladder::core::analyzeFiles(ring, error);
    ASSERT_TRUE(merged) << error;
    ASSERT_TRUE(merged->capture.merged());
    ASSERT_FALSE(merged->findings.empty());
    expectFindingLinesAreDump(*merged, "ring buffer files merged");
    EXPECT_NE(streamedFindingLines(*merged).front().find("\"file_frame\":"), std::string::npos);
}

// With thousands of findings (a port scan: a refused connection each), a helper thread formats
// every other batch of them: every finding is still written once, in order, each line as
// nlohmann's dump() writes it.
TEST(Cli, StreamedFindingsOfManyConnectionsAreNlohmannsDump)
{
    constexpr int Connections = 4173; // an odd number of batches, the last one partial
    Scenario s;
    for (int i = 0; i < Connections; ++i) {
        s.clientPort = static_cast<uint16_t>(20000 + i);
        s.send(Side::Client, tf::SYN);
        s.send(Side::Server, tf::RST | tf::ACK);
    }
    const auto a = s.analyze("refused");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->flows.size(), static_cast<size_t>(Connections));
    ASSERT_GE(a->findings.size(), static_cast<size_t>(Connections));
    EXPECT_EQ(expectFindingLinesAreDump(*a, "refused connections"), a->findings.size());
}
