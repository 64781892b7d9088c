// The Wireshark side of the hand-off (issue 16, part 5): resources/wireshark/flowladder.lua,
// loaded by the real tshark. Its menu entry needs the Wireshark GUI, but what the entry does
// runs here as it runs there: the tap writes the connection of the selected packet to a pcap
// and notes that packet's row, and the command it starts (tried with a stand-in program whose
// path needs quoting) opens that file at that row.

#include "TestPaths.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/RunCommand.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>

using namespace flowladder;
using namespace flowladder::testing;
using flowladder::testsupport::runCommand;
namespace fs = std::filesystem;

TEST(WiresharkPlugin, WritesTheSelectedConnectionAndOpensItAtThePacket)
{
    if (runCommand("command -v tshark >/dev/null").status != 0) GTEST_SKIP() << "no tshark";
    const fs::path plugin = sourceDir() / "resources/wireshark/flowladder.lua";
    const fs::path capture = sourceDir() / "tests/data/netns/port-reuse.client.pcap"; // two connections, same ports
    const std::string out = tempPath("connection.pcap");
    const fs::path bin = tempPath("it's bin");
    fs::create_directories(bin);
    const std::string args = tempPath("args.txt");
    {
        std::ofstream stub(bin / "flowladder");
        stub << "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" << args << "'\n";
    }
    fs::permissions(bin / "flowladder", fs::perms::owner_all);
    const std::string driver = tempPath("driver.lua");
    std::ofstream(driver) << "FlowLadder.export_stream(1, 15, os.getenv('FL_OUT'), function(count, row)\n"
                             "  print('exported ' .. count .. ' row ' .. row)\n"
                             "  os.execute(FlowLadder.command(os.getenv('FL_OUT'), row))\n"
                             "end)\n";
    // Wireshark's tcp.stream 1 is the second connection; frame 15 is its second packet.
    const auto r = runCommand("FL_OUT='" + out + "' FLOWLADDER_PROGRAM=\"" + (bin / "flowladder").string() +
                              "\" tshark -q -X lua_script:'" + plugin.string() + "' -X lua_script:'" + driver +
                              "' -r '" + capture.string() + "' 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.find("Lua: Error"), std::string::npos) << r.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(exported (\d+) row (\d+))"))) << r.out;
    const unsigned count = std::stoul(m[1]), row = std::stoul(m[2]);

    std::string error;
    auto whole = core::analyzeFile(capture.string(), error);
    auto part = core::analyzeFile(out, error);
    ASSERT_TRUE(whole && part) << error;
    ASSERT_EQ(whole->flows.size(), 2u);
    ASSERT_EQ(part->flows.size(), 1u);
    const core::Flow& second = whole->flows[1];
    EXPECT_EQ(count, second.packetCount());
    EXPECT_EQ(part->flows[0].packetCount(), second.packetCount());
    EXPECT_EQ(part->tsNs(part->flows[0], 0), whole->tsNs(second, 0));
    // The row noted is frame 15 of the whole capture.
    const int64_t wrow = whole->rowOfFrame(second, 15);
    ASSERT_GE(wrow, 0);
    EXPECT_EQ(row, static_cast<unsigned>(wrow) + 1);

    // The command ran the program (its path needs quoting) on the file at that row.
    for (int i = 0; i < 50 && !fs::exists(args); ++i)
        runCommand("sleep 0.1");
    std::ifstream in(args);
    std::vector<std::string> got;
    for (std::string line; std::getline(in, line);)
        got.push_back(line);
    EXPECT_EQ(got, (std::vector<std::string>{out, "--flow", "1", "--frame", std::to_string(row)}));
}
