// Cancel reaches every phase of a load and of a comparison (issue 11): a flag set before
// analysis starts is honoured even where reading alone never checks it (a capture shorter
// than one batch), and a comparison stops before matching packets.
#include "TestPaths.h"
#include "core/compare/Comparison.h"
#include "core/tcp/Analyzer.h"

#include <atomic>
#include <gtest/gtest.h>

using namespace flowladder::core;
using flowladder::testing::sourceDir;

namespace {
const std::string Sample = (sourceDir() / "resources/sample/incident.pcap").string();
const std::string SampleClient = (sourceDir() / "resources/sample/incident-client.pcap").string();
} // namespace

TEST(Cancel, ShortCaptureStopsBetweenPhases)
{
    std::atomic<bool> stop{true};
    AnalyzeOptions options;
    options.cancel = &stop;
    std::string error;
    const AnalysisPtr a = analyzeFile(Sample, error, options);
    ASSERT_TRUE(a) << error;
    EXPECT_TRUE(a->capture.cancelled);
    EXPECT_GT(a->capture.packets, 0u) << "reading ran: the sample is shorter than one batch";
    EXPECT_TRUE(a->flows.empty());
    EXPECT_TRUE(a->findings.empty());
}

TEST(Cancel, UnsetFlagChangesNothing)
{
    std::atomic<bool> stop{false};
    AnalyzeOptions options;
    options.cancel = &stop;
    std::string error;
    const AnalysisPtr a = analyzeFile(Sample, error, options);
    ASSERT_TRUE(a) << error;
    EXPECT_FALSE(a->capture.cancelled);
    EXPECT_EQ(a->flows.size(), 1u);
    EXPECT_FALSE(a->findings.empty());
}

TEST(Cancel, ComparisonStopsBeforeMatchingPackets)
{
    std::string error;
    const AnalysisPtr a = analyzeFile(SampleClient, error);
    ASSERT_TRUE(a) << error;
    const AnalysisPtr b = analyzeFile(Sample, error);
    ASSERT_TRUE(b) << error;

    const Comparison whole = compareAnalyses(a, b);
    ASSERT_FALSE(whole.cancelled);
    ASSERT_EQ(whole.pairs.size(), 1u);

    std::atomic<bool> stop{true};
    CompareOptions options;
    options.cancel = &stop;
    const Comparison c = compareAnalyses(a, b, options);
    EXPECT_TRUE(c.cancelled);
    EXPECT_TRUE(c.pairs.empty());
    EXPECT_TRUE(c.findings.empty());
}

TEST(Cancel, CompareFilesPassesTheFlagToBothLoads)
{
    std::atomic<bool> stop{true};
    CompareOptions options;
    options.cancel = &stop;
    std::string error;
    const auto c = compareFiles(SampleClient, Sample, error, options);
    ASSERT_TRUE(c) << error;
    EXPECT_TRUE(c->cancelled);
    ASSERT_TRUE(c->a && c->b);
    EXPECT_TRUE(c->a->capture.cancelled);
    EXPECT_TRUE(c->b->capture.cancelled);
}
