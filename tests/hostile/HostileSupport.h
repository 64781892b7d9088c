#pragma once
// Helpers shared by the hostile-input tests: temp paths, timed analysis, raw
// little-endian writers for hand-made damage, and a valid synthetic capture.

#include "core/model/Types.h"
#include "core/tcp/Analyzer.h"
#include "tests/support/CaptureWriter.h"
#include "tests/support/TempDir.h"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace hostile {

using flowladder::testsupport::Bytes;
namespace fs = std::filesystem;

// A path in this test's own directory inside the process's temporary directory.
inline std::string tempPath(const std::string& name)
{
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir =
        flowladder::testsupport::processTempDir() / (std::string(info->test_suite_name()) + "." + info->name());
    fs::create_directories(dir);
    return (dir / name).string();
}

// No wall-clock limit here: a hang is caught by the ctest TIMEOUT of each test
// (tests/hostile/CMakeLists.txt); `elapsed` is only reported.

struct Outcome {
    flowladder::core::AnalysisPtr analysis;
    std::string error;
    std::chrono::milliseconds elapsed{0};
};

inline Outcome analyze(const std::string& path)
{
    Outcome o;
    const auto t0 = std::chrono::steady_clock::now();
    o.analysis = flowladder::core::analyzeFile(path, o.error);
    o.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    return o;
}

inline void putLe16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
}
inline void putLe32(Bytes& b, uint32_t v)
{
    putLe16(b, static_cast<uint16_t>(v));
    putLe16(b, static_cast<uint16_t>(v >> 16));
}
inline void setLe32(Bytes& b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t getLe32(const Bytes& b, size_t at)
{
    return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}

// `flows` complete TCP connections (handshake, data both ways, FIN/ACK close),
// alternating IPv4 and IPv6, interleaved in time: 12 packets per flow.
inline std::vector<flowladder::testsupport::TcpSegment> conversations(int flows)
{
    using namespace flowladder::core::tcpflag;
    using flowladder::testsupport::TcpSegment;
    std::vector<std::vector<TcpSegment>> per(flows);
    for (int f = 0; f < flows; ++f) {
        const bool v6 = f % 2 == 1;
        const std::string c = v6 ? "2001:db8::" + std::to_string(f + 1) : "10.0.0." + std::to_string(f + 1);
        const std::string s = v6 ? "2001:db8:1::80" : "10.1.0.80";
        const auto port = static_cast<uint16_t>(40000 + f);
        uint32_t cs = 1000u * (f + 1), ss = 900000u * (f + 1);
        auto seg = [&](bool fromClient, uint8_t flags, uint32_t len) {
            TcpSegment t;
            t.src = fromClient ? c : s;
            t.dst = fromClient ? s : c;
            t.sport = fromClient ? port : 443;
            t.dport = fromClient ? 443 : port;
            t.seq = fromClient ? cs : ss;
            t.ack = (flags & ACK) ? (fromClient ? ss : cs) : 0;
            t.flags = flags;
            t.payloadLen = len;
            t.ttl = fromClient ? 64 : 55;
            t.ipId = static_cast<uint16_t>(per[f].size());
            if (flags & SYN) {
                t.mss = 1460;
                t.wscale = 7;
                t.sackPerm = true;
            }
            t.tsVal = 100 + static_cast<uint32_t>(per[f].size());
            per[f].push_back(t);
            uint32_t& mine = fromClient ? cs : ss;
            mine += len + ((flags & (SYN | FIN)) ? 1 : 0);
        };
        seg(true, SYN, 0);
        per[f].back().ack = 0;
        seg(false, SYN | ACK, 0);
        seg(true, ACK, 0);
        for (int i = 0; i < 3; ++i) {
            seg(true, PSH | ACK, 200);
            seg(false, PSH | ACK, 1000);
        }
        seg(true, FIN | ACK, 0);
        seg(false, ACK, 0);
        seg(false, FIN | ACK, 0);
        seg(true, ACK, 0);
    }
    std::vector<TcpSegment> out;
    for (size_t i = 0; i < per[0].size(); ++i)
        for (auto& f : per)
            out.push_back(f[i]);
    return out;
}

} // namespace hostile
