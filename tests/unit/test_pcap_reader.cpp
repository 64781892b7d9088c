// The built-in pcap reader (core/capture/PcapReader.h) against libpcap itself: every frame of
// every classic pcap at hand, of files written in each variant of the format, and of thousands
// of damaged files must come out the same (time, lengths, bytes, link type), and a file libpcap
// stops reading must stop at the same frame with libpcap's own words in the message.

#include "TestPaths.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/Libpcap.h"

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <random>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace flowladder;
using namespace flowladder::testing;

namespace {

using Bytes = std::vector<uint8_t>;

struct Frame {
    int64_t tsNs = 0;
    uint32_t caplen = 0, len = 0;
    int dlt = 0;
    Bytes data;
    bool operator==(const Frame&) const = default;
};

// What a reader made of a file: its frames, and how it ended.
struct Reading {
    bool opened = false;
    std::string openError; // when not opened
    std::vector<Frame> frames;
    bool failed = false; // ended with an error rather than at the end of the file
    std::string error;   // libpcap's errbuf, or FlowLadder's message
};

bool nanosecondFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    uint32_t m = 0;
    in.read(reinterpret_cast<char*>(&m), 4);
    return m == 0xa1b23c4du || m == __builtin_bswap32(0xa1b23c4du);
}

// libpcap 1.10 reads a record's seconds and fraction as signed 32-bit numbers (a time after
// 2038 comes out before 1970); the format (draft-ietf-opsawg-pcap), Wireshark and libpcap 1.11
// read them unsigned, as FlowLadder does. The fields as the file holds them, read unsigned:
int64_t unsignedTime(const pcap_pkthdr& h, bool nano)
{
    const auto sec = static_cast<uint32_t>(h.ts.tv_sec);
    const auto frac = static_cast<uint32_t>(static_cast<int32_t>(nano ? h.ts.tv_usec : h.ts.tv_usec / 1000));
    return static_cast<int64_t>(sec) * 1000000000LL + static_cast<int64_t>(frac) * (nano ? 1 : 1000);
}

Reading readWithLibpcap(const std::string& path)
{
    Reading r;
    const bool nano = nanosecondFile(path);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        r.openError = errbuf;
        return r;
    }
    r.opened = true;
    const int dlt = pcap_datalink(p);
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    for (;;) {
        const int rc = pcap_next_ex(p, &h, &data);
        if (rc == PCAP_ERROR_BREAK) break;
        if (rc != 1) {
            r.failed = true;
            r.error = pcap_geterr(p);
            break;
        }
        r.frames.push_back({unsignedTime(*h, nano), h->caplen, h->len, dlt, Bytes(data, data + h->caplen)});
    }
    pcap_close(p);
    return r;
}

void drain(core::CaptureReader& reader, Reading& r)
{
    r.opened = true;
    core::RawFrame f;
    for (;;) {
        const auto s = reader.next(f);
        if (s == core::CaptureReader::Status::End) break;
        if (s == core::CaptureReader::Status::Error) {
            r.failed = true;
            r.error = reader.error();
            break;
        }
        r.frames.push_back({f.tsNs, f.caplen, f.wirelen, f.dlt, Bytes(f.data, f.data + f.caplen)});
    }
}

// The file as a pipe delivers it (its size unknown, read as it comes): what `analyze -` reads.
Reading readThroughPipe(const std::string& path)
{
    Reading r;
    // The reader stops at a damaged record and closes its end: the writer then gets EPIPE, not
    // the signal that would end the test program.
    std::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (pipe(fds) != 0) return r;
    std::thread writer([&] {
        std::ifstream in(path, std::ios::binary);
        std::vector<char> buf(1000); // odd sizes: records arrive split across reads
        while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
            if (write(fds[1], buf.data(), static_cast<size_t>(in.gcount())) < 0) break;
        close(fds[1]);
    });
    FILE* f = fdopen(fds[0], "rb");
    auto reader = core::CaptureReader::openStream(f, path, r.openError); // owns f
    if (reader) drain(*reader, r);
    reader.reset();
    writer.join();
    return r;
}

// The file compressed with gzip, read through the decompressing stream.
Reading readGzipped(const std::string& path)
{
    Reading r;
    const std::string gz = path + ".gz";
    if (std::system(("gzip -c '" + path + "' > '" + gz + "'").c_str()) != 0) return r;
    auto reader = core::CaptureReader::open(gz, r.openError);
    if (reader) drain(*reader, r);
    std::filesystem::remove(gz);
    return r;
}

Reading readWithFlowLadder(const std::string& path)
{
    Reading r;
    auto reader = core::CaptureReader::open(path, r.openError);
    if (!reader) return r;
    drain(*reader, r);
    return r;
}

// Both read `path` alike; returns the number of frames compared. With `streams`, FlowLadder also
// reads it through a pipe (the same frames, the same end, the same message) and gzip-compressed
// (the same frames and end).
size_t expectSameAsLibpcap(const std::string& path, bool streams = false)
{
    SCOPED_TRACE(path);
    const Reading theirs = readWithLibpcap(path);
    const Reading ours = readWithFlowLadder(path);
    if (streams && ours.opened) {
        const Reading piped = readThroughPipe(path);
        EXPECT_TRUE(piped.opened) << piped.openError;
        EXPECT_TRUE(piped.frames == ours.frames) << "through a pipe: " << piped.frames.size() << " frames";
        EXPECT_EQ(piped.failed, ours.failed);
        EXPECT_EQ(piped.error, ours.error);
        if (!ours.frames.empty() || ours.failed) { // (gzip of a 24-byte header only: the same)
            const Reading zipped = readGzipped(path);
            EXPECT_TRUE(zipped.opened) << zipped.openError;
            EXPECT_TRUE(zipped.frames == ours.frames) << "gzipped: " << zipped.frames.size() << " frames";
            EXPECT_EQ(zipped.failed, ours.failed) << zipped.error;
        }
    }
    EXPECT_EQ(ours.opened, theirs.opened) << "libpcap: " << theirs.openError << "\nFlowLadder: " << ours.openError;
    if (!theirs.opened || !ours.opened) {
        // (Below 4 bytes FlowLadder says so in its own words, before any reader opens the file.)
        if (!theirs.opened && !ours.opened && std::filesystem::file_size(path) >= 4) {
            EXPECT_NE(ours.openError.find(theirs.openError), std::string::npos)
                << "libpcap: " << theirs.openError << "\nFlowLadder: " << ours.openError;
        }
        return 0;
    }
    EXPECT_EQ(ours.frames.size(), theirs.frames.size());
    for (size_t i = 0; i < std::min(ours.frames.size(), theirs.frames.size()); ++i) {
        if (ours.frames[i] == theirs.frames[i]) continue;
        ADD_FAILURE() << "frame " << i + 1 << " differs: ts " << ours.frames[i].tsNs << " / " << theirs.frames[i].tsNs
                      << ", caplen " << ours.frames[i].caplen << " / " << theirs.frames[i].caplen << ", len "
                      << ours.frames[i].len << " / " << theirs.frames[i].len;
        break;
    }
    EXPECT_EQ(ours.failed, theirs.failed) << "libpcap: " << theirs.error << "\nFlowLadder: " << ours.error;
    if (ours.failed && theirs.failed) {
        EXPECT_NE(ours.error.find("(" + theirs.error + ")"), std::string::npos)
            << "libpcap: " << theirs.error << "\nFlowLadder: " << ours.error;
        EXPECT_NE(ours.error.find(path), std::string::npos) << ours.error;
        EXPECT_NE(ours.error.find("after frame " + std::to_string(theirs.frames.size())), std::string::npos)
            << ours.error;
    }
    return theirs.frames.size();
}

bool isClassicPcap(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    uint8_t b[4] = {};
    if (!in.read(reinterpret_cast<char*>(b), 4)) return false;
    uint32_t m;
    std::memcpy(&m, b, 4);
    for (const uint32_t magic : {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u})
        if (m == magic || m == __builtin_bswap32(magic)) return true;
    return false;
}

// A pcap file of any variant, written field by field.
struct PcapFile {
    uint32_t magic = 0xa1b2c3d4;
    bool bigEndian = false;
    uint16_t major = 2, minor = 4;
    uint32_t snaplen = 262144;
    uint32_t linktype = 1;
    Bytes out;

    void u16(uint16_t v)
    {
        for (int i = 0; i < 2; ++i)
            out.push_back(static_cast<uint8_t>(bigEndian ? v >> (8 * (1 - i)) : v >> (8 * i)));
    }
    void u32(uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            out.push_back(static_cast<uint8_t>(bigEndian ? v >> (8 * (3 - i)) : v >> (8 * i)));
    }
    void header()
    {
        u32(magic);
        u16(major);
        u16(minor);
        u32(0); // thiszone
        u32(0); // sigfigs
        u32(snaplen);
        u32(linktype);
    }
    // Lengths go in the order the caller gives them (old versions swapped them).
    void record(uint32_t sec, uint32_t frac, uint32_t first, uint32_t second, const Bytes& data)
    {
        u32(sec);
        u32(frac);
        u32(first);
        u32(second);
        if (magic == 0xa1b2cd34) {
            u32(7);           // ifindex
            u16(8);           // protocol
            out.push_back(0); // packet type
            out.push_back(0);
        }
        out.insert(out.end(), data.begin(), data.end());
    }
    std::string write(const std::string& name) const
    {
        const auto path = tempPath(name);
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
        return path;
    }
};

Bytes payload(size_t n, uint8_t seed)
{
    Bytes b(n);
    for (size_t i = 0; i < n; ++i)
        b[i] = static_cast<uint8_t>(seed + i * 7);
    return b;
}

} // namespace

TEST(PcapReader, ProjectCapturesReadAsLibpcapReadsThem)
{
    size_t files = 0, frames = 0;
    // (Not fuzz/corpus-run: a fuzzing run's own corpus, absent from a fresh clone.)
    for (const auto& dir : {sourceDir() / "resources", sourceDir() / "tests", sourceDir() / "fuzz" / "regressions"}) {
        for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
            if (!e.is_regular_file() || !isClassicPcap(e.path())) continue;
            frames += expectSameAsLibpcap(e.path().string());
            ++files;
        }
    }
    EXPECT_GE(files, 55u);
    EXPECT_GT(frames, 1000u);
}

TEST(PcapReader, PublicCapturesReadAsLibpcapReadsThem)
{
    const auto dir = publicCapturesDir();
    if (dir.empty()) GTEST_SKIP() << "../shared/captures/public is absent";
    size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file() || !isClassicPcap(e.path())) continue;
        expectSameAsLibpcap(e.path().string());
        ++files;
    }
    EXPECT_GT(files, 20u);
}

// Every variant of the format that libpcap reads: byte orders, time resolutions, Kuznetzov's
// record headers, the versions whose lengths came in the other order, captured lengths past
// the snapshot length (cut to it) and past any packet (an error), snapshot length 0.
TEST(PcapReader, EveryVariantOfTheFormatReadsAsLibpcapReadsIt)
{
    struct Variant {
        const char* name;
        uint32_t magic;
        bool bigEndian;
        uint16_t major, minor;
        uint32_t snaplen, linktype;
    };
    const std::vector<Variant> variants = {
        {"micro-le", 0xa1b2c3d4, false, 2, 4, 262144, 1},  {"micro-be", 0xa1b2c3d4, true, 2, 4, 262144, 1},
        {"nano-le", 0xa1b23c4d, false, 2, 4, 65535, 113},  {"nano-be", 0xa1b23c4d, true, 2, 4, 65535, 276},
        {"kuznetzov", 0xa1b2cd34, false, 2, 4, 96, 1},     {"kuznetzov-be", 0xa1b2cd34, true, 2, 4, 1500, 101},
        {"v2.2", 0xa1b2c3d4, false, 2, 2, 262144, 1},      {"v2.3", 0xa1b2c3d4, false, 2, 3, 262144, 12},
        {"dgux", 0xa1b2c3d4, true, 543, 0, 262144, 1},     {"snaplen0", 0xa1b2c3d4, false, 2, 4, 0, 1},
        {"snap-small", 0xa1b2c3d4, false, 2, 4, 40, 1},    {"fcs-bits", 0xa1b2c3d4, false, 2, 4, 262144, 0x14000001},
        {"v1", 0xa1b2c3d4, false, 1, 0, 262144, 1},        {"v2.5", 0xa1b2c3d4, false, 2, 5, 262144, 1},
        {"v3", 0xa1b2c3d4, false, 3, 0, 262144, 1},        {"dbus", 0xa1b2c3d4, false, 2, 4, 0, 231},
        {"nflog-be", 0xa1b2c3d4, true, 2, 4, 262144, 239},
    };
    for (const Variant& v : variants) {
        SCOPED_TRACE(v.name);
        PcapFile f;
        f.magic = v.magic;
        f.bigEndian = v.bigEndian;
        f.major = v.major;
        f.minor = v.minor;
        f.snaplen = v.snaplen;
        f.linktype = v.linktype;
        f.header();
        const bool oldOrder = v.major == 543 || (v.major == 2 && v.minor < 3);
        auto add = [&](uint32_t caplen, uint32_t len, uint32_t sec, uint32_t frac, uint8_t seed) {
            if (oldOrder)
                f.record(sec, frac, len, caplen, payload(caplen, seed));
            else
                f.record(sec, frac, caplen, len, payload(caplen, seed));
        };
        add(60, 60, 1700000000, 999999, 1);
        add(1514, 1514, 1700000001, 0, 2);
        add(54, 9000, 4294967295u, 4294967295u, 3);                          // the largest seconds and fraction
        if (v.minor == 3) f.record(1700000002, 5, 1000, 80, payload(80, 4)); // 2.3 written in the old order
        if (v.linktype == 239) {
            // NFLOG: family, version 0, resource id, then TLVs whose header is in host order.
            Bytes nf = {2, 0, 0, 0, 0, 8, 0, 1, 1, 2, 3, 4, 0, 24, 0, 9};
            nf.resize(nf.size() + 20, 0x45);
            f.record(1700000003, 1, static_cast<uint32_t>(nf.size()), static_cast<uint32_t>(nf.size()), nf);
        }
        add(100, 100, 1700000004, 7, 5);
        expectSameAsLibpcap(f.write(std::string(v.name) + ".pcap"), true);
    }
}

// Captured lengths beyond the snapshot length or beyond any packet, and files cut at every
// byte of their last records: the same frames, the same end, libpcap's words.
TEST(PcapReader, DamagedLengthsAndCutFilesEndWhereLibpcapEnds)
{
    for (const uint32_t snaplen : {262144u, 100u}) {
        for (const uint32_t bad : {101u, 262144u, 262145u, 0x7fffffffu, 0xffffffffu}) {
            PcapFile f;
            f.snaplen = snaplen;
            f.header();
            f.record(1, 2, 60, 60, payload(60, 1));
            f.record(3, 4, bad, 1500, payload(std::min<uint32_t>(bad, 300000), 2));
            f.record(5, 6, 60, 60, payload(60, 3));
            expectSameAsLibpcap(f.write("badlen.pcap"), true);
        }
    }
    PcapFile f;
    f.header();
    for (uint32_t i = 0; i < 3; ++i)
        f.record(10 + i, i, 70, 70, payload(70, static_cast<uint8_t>(i)));
    for (size_t cut = 0; cut <= f.out.size(); ++cut) {
        PcapFile g = f;
        g.out.resize(cut);
        SCOPED_TRACE("cut at " + std::to_string(cut));
        expectSameAsLibpcap(g.write("cut.pcap"), cut % 7 == 0);
    }
}

// Random damage to a file's headers and lengths: whatever libpcap makes of it, so does FlowLadder.
TEST(PcapReader, RandomDamageReadsAsLibpcapReadsIt)
{
    PcapFile clean;
    clean.header();
    std::vector<size_t> fields; // offsets of record header words
    for (uint32_t i = 0; i < 12; ++i) {
        fields.push_back(clean.out.size());
        clean.record(100 + i, i * 1000, 40 + i * 9, 40 + i * 9, payload(40 + i * 9, static_cast<uint8_t>(i)));
    }
    std::mt19937 rng(1234);
    for (int round = 0; round < 600; ++round) {
        PcapFile f = clean;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            // Anywhere but the magic number (a file that is no pcap is refused before reading), or
            // in the lengths of a record header.
            const size_t at =
                rng() % 3 == 0 ? 4 + rng() % (f.out.size() - 4) : fields[rng() % fields.size()] + 8 + rng() % 8;
            f.out[at] = static_cast<uint8_t>(rng());
        }
        if (rng() % 4 == 0) f.out.resize(rng() % f.out.size());
        SCOPED_TRACE("round " + std::to_string(round));
        expectSameAsLibpcap(f.write("damaged.pcap"));
        if (::testing::Test::HasFailure()) break;
    }
}

// A record claiming 128 MiB (as much as a D-Bus message may take) in a file of 60 bytes, and one
// claiming 100 MB past a snapshot length of 100: reading stops at the first with libpcap's words,
// keeps 100 bytes of the second, and never allocates what a header claims. Run in a child
// process whose address space is limited to 64 MiB more than it uses (not under ASan, whose
// shadow memory takes terabytes of address space).
TEST(PcapReader, LengthsThatLieCostNoMemory)
{
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "address space limits do not apply under AddressSanitizer";
#else
    PcapFile lie;
    lie.linktype = 231; // DLT_DBUS
    lie.snaplen = 0;
    lie.header();
    lie.record(1, 0, 60, 60, payload(60, 1));
    lie.record(2, 0, 128u << 20, 128u << 20, payload(10, 2));
    const std::string cut = lie.write("dbus-lie.pcap");
    PcapFile big;
    big.linktype = 231;
    big.snaplen = 100;
    big.header();
    big.record(1, 0, 100'000, 100'000, payload(100'000, 3)); // kept: its first 100 bytes
    big.record(2, 0, 100'000'000, 100'000'000, payload(1000, 4));
    const std::string skipped = big.write("dbus-skip.pcap");
    for (const std::string& path : {cut, skipped})
        expectSameAsLibpcap(path);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        long pages = 0;
        std::ifstream("/proc/self/statm") >> pages;
        const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (64u << 20);
        const rlimit rl{limit, limit};
        if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
        for (const std::string& path : {cut, skipped}) {
            const Reading r = readWithFlowLadder(path);
            if (!r.opened || r.frames.size() != 1 || !r.failed) _exit(1);
            if (r.error.find("truncated dump file") == std::string::npos) {
                std::fprintf(stderr, "%s\n", r.error.c_str());
                _exit(2);
            }
        }
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the reader died (signal " << WTERMSIG(status) << ")";
    EXPECT_EQ(WEXITSTATUS(status), 0);
#endif
}

// The libpcap FlowLadder loads when it needs one (core/capture/Libpcap.h) is the one this test
// program links: the same library, so the same version, and its functions work.
TEST(Libpcap, LoadedOnDemandIsTheSystemLibrary)
{
    std::string error;
    const core::Libpcap* lib = core::libpcap(error);
    ASSERT_NE(lib, nullptr) << error;
    EXPECT_EQ(core::libpcapVersion(), std::string(pcap_lib_version()));
    EXPECT_EQ(lib->pcap_lib_version, &pcap_lib_version);
    pcap_t* dead = lib->pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 96, PCAP_TSTAMP_PRECISION_NANO);
    ASSERT_NE(dead, nullptr);
    EXPECT_EQ(lib->pcap_datalink(dead), DLT_EN10MB);
    EXPECT_EQ(lib->pcap_snapshot(dead), 96);
    lib->pcap_close(dead);
}
