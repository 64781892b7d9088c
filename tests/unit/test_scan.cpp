// `flowladder-cli scan` (issue 16, part 3): captures found by content under folders, analysed
// in parallel, one NDJSON line per finding (the same finding `analyze --json` writes, with its
// file and flow endpoints), an error line for a file that cannot be read, an SQLite database,
// shards for a cluster's array job, and the documented sqlite3 and Slurm examples run as written.

#include "TestPaths.h"
#include "core/scan/Scan.h"
#include "core/scan/ScanDatabase.h"
#include "tests/support/RunCommand.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace flowladder;
using namespace flowladder::testing;
using flowladder::testsupport::runCommand;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A folder of captures as people have them: names without extensions, compressed copies in a
// subfolder, and files that are not captures.
struct Archive {
    fs::path root;
    std::vector<std::string> captures; // sorted
    std::string unreadable;            // looks like a capture, breaks at once
};

const Archive& archive()
{
    static const Archive a = [] {
        Archive out;
        out.root = tempPath("archive");
        fs::create_directories(out.root / "hostA" / "old");
        fs::create_directories(out.root / "hostB");
        const fs::path src = sourceDir();
        fs::copy_file(src / "resources/sample/incident.pcap", out.root / "hostA" / "trace-01");
        fs::copy_file(src / "tests/data/netns/rst-in-window.server.pcap", out.root / "hostA" / "old" / "rst.pcap");
        runCommand("gzip -c '" + (src / "tests/data/netns/zero-window.client.pcap").string() + "' > '" +
                   (out.root / "hostB" / "zw.pcap.gz").string() + "'");
        fs::copy_file(src / "tests/data/netns/finwait1-rst-in-window-v6.client.pcap", out.root / "hostB" / "v6.pcap");
        std::ofstream(out.root / "hostB" / "README.txt") << "captures from host B\n";
        std::ofstream(out.root / "hostB" / "empty.pcap"); // 0 bytes: no capture by content
        // A pcap magic and nothing after it: found by content, unreadable.
        out.unreadable = (out.root / "hostA" / "cut.pcap").string();
        std::ofstream(out.unreadable, std::ios::binary).write("\xd4\xc3\xb2\xa1\x02\x00", 6);
        for (const char* rel : {"hostA/trace-01", "hostA/old/rst.pcap", "hostB/zw.pcap.gz", "hostB/v6.pcap"})
            out.captures.push_back((out.root / rel).string());
        out.captures.push_back(out.unreadable);
        std::sort(out.captures.begin(), out.captures.end());
        return out;
    }();
    return a;
}

std::vector<json> lines(const std::string& text)
{
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

std::vector<json> ofType(const std::vector<json>& all, const std::string& type)
{
    std::vector<json> out;
    for (const auto& j : all)
        if (j["type"] == type) out.push_back(j);
    return out;
}

std::string cli(const std::string& args)
{
    return std::string(FLOWLADDER_CLI) + " " + args;
}

} // namespace

TEST(Scan, FindsCapturesByContentNotByName)
{
    const Archive& a = archive();
    std::vector<std::string> problems;
    EXPECT_EQ(core::findCaptures({a.root.string()}, problems), a.captures);
    EXPECT_TRUE(problems.empty());
    // A file named on the command line is taken whatever it holds: reading it says what is wrong.
    const std::string readme = (a.root / "hostB" / "README.txt").string();
    const auto named = core::findCaptures({readme, a.root.string()}, problems);
    EXPECT_NE(std::find(named.begin(), named.end(), readme), named.end());
}

TEST(Scan, OneLinePerFindingAsAnalyzeWritesIt)
{
    const Archive& a = archive();
    const auto r = runCommand(cli("scan --no-progress --flows '" + a.root.string() + "' 2>/dev/null"));
    ASSERT_EQ(r.status, 0) << "an unreadable file does not fail the scan";
    const auto all = lines(r.out);
    const auto errors = ofType(all, "error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0]["file"], a.unreadable);
    EXPECT_NE(errors[0]["error"].get<std::string>().find(a.unreadable), std::string::npos);

    for (const std::string& file : a.captures) {
        if (file == a.unreadable) continue;
        SCOPED_TRACE(file);
        const auto analyzed = json::parse(runCommand(cli("analyze --json '" + file + "'")).out);
        std::vector<json> findings, flows;
        for (const auto& j : all)
            if (j["file"] == file) (j["type"] == "finding" ? findings : flows).push_back(j);
        ASSERT_EQ(findings.size(), analyzed["findings"].size());
        ASSERT_EQ(flows.size(), analyzed["flows"].size());
        for (size_t i = 0; i < findings.size(); ++i) {
            json f = findings[i];
            const json& flow = analyzed["flows"][f["flow"].get<size_t>() - 1];
            EXPECT_EQ(f["client"], flow["client"]);
            EXPECT_EQ(f["server"], flow["server"]);
            for (const char* k : {"type", "file", "client", "server"})
                f.erase(k);
            EXPECT_EQ(f, analyzed["findings"][i]);
        }
        for (size_t i = 0; i < flows.size(); ++i) {
            json f = flows[i];
            f.erase("type");
            f.erase("file");
            EXPECT_EQ(f, analyzed["flows"][i]);
        }
    }
    EXPECT_FALSE(ofType(all, "finding").empty());
    EXPECT_GE(ofType(all, "flow").size(), 4u);
}

TEST(Scan, ParallelJobsWriteTheSameLinesInTheSameOrder)
{
    const Archive& a = archive();
    const auto one = runCommand(cli("scan --no-progress --jobs 1 '" + a.root.string() + "' 2>/dev/null"));
    const auto four = runCommand(cli("scan --no-progress --jobs 4 '" + a.root.string() + "' 2>/dev/null"));
    EXPECT_EQ(one.out, four.out);
    EXPECT_FALSE(one.out.empty());
}

TEST(Scan, ShardsTogetherAreTheWholeScan)
{
    const Archive& a = archive();
    const auto whole = lines(runCommand(cli("scan --no-progress '" + a.root.string() + "' 2>/dev/null")).out);
    std::vector<json> sharded;
    for (int i = 0; i < 3; ++i) {
        const auto r = runCommand(
            cli("scan --no-progress --shard " + std::to_string(i) + "/3 '" + a.root.string() + "' 2>/dev/null"));
        const auto part = lines(r.out);
        sharded.insert(sharded.end(), part.begin(), part.end());
    }
    auto key = [](const json& j) { return j.dump(); };
    std::vector<std::string> x, y;
    std::transform(whole.begin(), whole.end(), std::back_inserter(x), key);
    std::transform(sharded.begin(), sharded.end(), std::back_inserter(y), key);
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    EXPECT_EQ(x, y);
    EXPECT_EQ(runCommand(cli("scan --shard 3/3 /tmp 2>/dev/null")).status, 2);
}

TEST(Scan, DatabaseHoldsTheSameFindingsIndexed)
{
    const Archive& a = archive();
    const std::string db = tempPath("scan.sqlite");
    const auto r = runCommand(cli("scan --no-progress --db '" + db + "' '" + a.root.string() + "' 2>/dev/null"));
    ASSERT_EQ(r.status, 0);
    const size_t findings = ofType(lines(r.out), "finding").size();
    const auto count = runCommand("sqlite3 '" + db + "' 'SELECT count(*) FROM findings'");
    EXPECT_EQ(std::stoul(count.out), findings);
    const auto indexes =
        runCommand("sqlite3 '" + db + "' \"SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name\"");
    for (const char* idx : {"findings_kind", "findings_file", "findings_client", "findings_server"})
        EXPECT_NE(indexes.out.find(idx), std::string::npos) << indexes.out;
    const auto unreadable = runCommand("sqlite3 '" + db + "' \"SELECT path FROM files WHERE error IS NOT NULL\"");
    EXPECT_EQ(unreadable.out, a.unreadable + "\n");

    core::ScanContents contents;
    std::string error;
    ASSERT_TRUE(core::readScanDatabase(db, contents, error)) << error;
    EXPECT_EQ(contents.files.size(), a.captures.size());
    ASSERT_EQ(contents.findings.size(), findings);
    EXPECT_EQ(contents.findings.front().severity, "error") << "errors first";
    const auto rst = std::find_if(contents.findings.begin(), contents.findings.end(),
                                  [](const core::ScannedFinding& f) { return f.kind == "rst_seq_mismatch"; });
    ASSERT_NE(rst, contents.findings.end());
    EXPECT_FALSE(rst->client.empty());
    EXPECT_GT(rst->frame, 0u);

    // Scanning again replaces the old scan's database, never another program's file.
    EXPECT_EQ(runCommand(cli("scan --no-progress --db '" + db + "' '" + a.root.string() + "' >/dev/null 2>&1")).status,
              0);
    const std::string other = tempPath("other.sqlite");
    runCommand("sqlite3 '" + other + "' 'CREATE TABLE precious(x); INSERT INTO precious VALUES (42)'");
    const auto refused = runCommand(cli("scan --db '" + other + "' '" + a.root.string() + "' 2>&1 >/dev/null"));
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.out.find("not a FlowLadder scan database"), std::string::npos) << refused.out;
    EXPECT_EQ(runCommand("sqlite3 '" + other + "' 'SELECT x FROM precious'").out, "42\n");
    EXPECT_FALSE(core::readScanDatabase(other, contents, error));
}

TEST(Scan, ProgressLineOnATerminalOnly)
{
    if (runCommand("command -v script >/dev/null").status != 0) GTEST_SKIP() << "no script(1)";
    const Archive& a = archive();
    // script(1) gives the scan a terminal: the progress line (files, packets, findings, rate, ETA).
    const auto tty = runCommand("script -qec \"" + cli("scan -o /dev/null '" + a.root.string() + "'") + "\" /dev/null");
    EXPECT_EQ(tty.status, 0) << tty.out;
    for (const char* part : {"5/5 files", "packets", "findings", "B/s", "ETA"})
        EXPECT_NE(tty.out.find(part), std::string::npos) << part << " in " << tty.out;
    // Not a terminal: only the summary line.
    const auto pipe = runCommand(cli("scan -o /dev/null '" + a.root.string() + "' 2>&1"));
    EXPECT_EQ(pipe.out.find("ETA"), std::string::npos) << pipe.out;
    EXPECT_NE(pipe.out.find("5 of 5 files (1 unreadable)"), std::string::npos) << pipe.out;
}

TEST(Scan, DocumentedSqliteQueryRunsAsWritten)
{
    const Archive& a = archive();
    const std::string ndjson = tempPath("findings.ndjson");
    ASSERT_EQ(runCommand(cli("scan --no-progress --out '" + ndjson + "' '" + a.root.string() + "' 2>/dev/null")).status,
              0);
    const auto r =
        runCommand("sh '" + (sourceDir() / "docs/examples/query-findings.sh").string() + "' '" + ndjson + "' 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("rst_seq_mismatch | "), std::string::npos) << r.out;
    // The incident's RST: off by one after the FIN, ignored by the server.
    EXPECT_NE(r.out.find(a.root.string() + "/hostA/trace-01 | 22 | off_by_one_after_fin | ignored"), std::string::npos)
        << r.out;
}

TEST(Scan, SlurmArrayScriptShardsTheArchive)
{
    const Archive& a = archive();
    const std::string results = tempPath("slurm-results");
    const std::string script = (sourceDir() / "docs/examples/slurm-scan.sh").string();
    const std::string path = "PATH='" + fs::path(FLOWLADDER_CLI).parent_path().string() + "':\"$PATH\"";
    for (int task = 0; task < 2; ++task) {
        const auto r = runCommand(path + " SLURM_ARRAY_TASK_ID=" + std::to_string(task) +
                                  " SLURM_ARRAY_TASK_COUNT=2 SLURM_CPUS_PER_TASK=2 bash '" + script + "' '" +
                                  a.root.string() + "' '" + results + "' 2>/dev/null");
        EXPECT_EQ(r.status, 0);
    }
    const auto joined = lines(runCommand("cat '" + results + "'/shard-*.ndjson").out);
    const auto whole = lines(runCommand(cli("scan --no-progress '" + a.root.string() + "' 2>/dev/null")).out);
    EXPECT_EQ(joined.size(), whole.size());
    EXPECT_FALSE(whole.empty());
}

TEST(PublicCaptures, ScanReadsEveryOneOrSaysWhy)
{
    const fs::path dir = publicCapturesDir();
    if (dir.empty()) GTEST_SKIP() << "no ../shared/captures/public";
    std::vector<std::string> problems;
    const auto files = core::findCaptures({dir.string()}, problems);
    ASSERT_GT(files.size(), 50u);
    size_t seen = 0, unreadable = 0;
    core::ScanOptions options;
    options.jobs = 2;
    core::scanFiles(files, options,
                    [&](core::ScanResult&& r) {
                        EXPECT_EQ(r.path, files[seen]) << "results come in file order";
                        ++seen;
                        if (!r.error.empty()) {
                            ++unreadable;
                            EXPECT_NE(r.error.find(r.path), std::string::npos) << r.error;
                        }
                    },
                    {});
    EXPECT_EQ(seen, files.size());
    EXPECT_LT(unreadable, files.size() / 10) << "a few of libpcap's own broken test files, no more";
}
