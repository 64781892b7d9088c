#include "core/capture/CaptureReader.h"

#include "core/capture/Decoder.h"
#include "core/capture/PcapReader.h"
#include "core/capture/PcapngReader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace flowladder::core {

namespace {

constexpr uint32_t PcapngMagic = 0x0A0D0D0A;

// Reads the first four bytes to tell pcap from pcapng before libpcap opens the file,
// so errors can say what the file is.
bool readMagic(const std::string& path, uint32_t& magic, uint64_t& size, std::string& error)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = path + ": cannot open: " + std::strerror(errno);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error = path + ": is a directory, not a capture file";
        return false;
    }
    size = static_cast<uint64_t>(st.st_size);
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = path + ": cannot open: " + std::strerror(errno);
        return false;
    }
    unsigned char b[4] = {};
    const size_t n = std::fread(b, 1, 4, f);
    std::fclose(f);
    if (n == 0) {
        error = path + ": file is empty (0 bytes), not a capture";
        return false;
    }
    if (n < 4) {
        error = path + ": file is only " + std::to_string(n) + " bytes, too short for a capture header";
        return false;
    }
    magic = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    return true;
}

// A stream that first serves the bytes already read from `inner` to sniff its format, then
// the rest of `inner`: a pipe is read through one open, its first bytes handed back.
struct PrefixedStream {
    FILE* inner;
    unsigned char prefix[4];
    size_t size;
    size_t pos = 0;
};

ssize_t prefixedRead(void* cookie, char* buf, size_t n)
{
    auto* s = static_cast<PrefixedStream*>(cookie);
    size_t done = 0;
    while (done < n && s->pos < s->size)
        buf[done++] = static_cast<char>(s->prefix[s->pos++]);
    if (done < n) {
        const size_t got = std::fread(buf + done, 1, n - done, s->inner);
        if (got == 0 && done == 0 && std::ferror(s->inner)) return -1;
        done += got;
    }
    return static_cast<ssize_t>(done);
}

int prefixedClose(void* cookie)
{
    auto* s = static_cast<PrefixedStream*>(cookie);
    const int rc = std::fclose(s->inner);
    delete s;
    return rc;
}

FILE* prefixedStream(FILE* inner, const unsigned char* prefix, size_t n)
{
    auto* s = new PrefixedStream{inner, {}, n};
    std::memcpy(s->prefix, prefix, n);
    cookie_io_functions_t io{};
    io.read = prefixedRead;
    io.close = prefixedClose;
    FILE* f = fopencookie(s, "rb", io);
    if (!f) delete s;
    return f;
}

bool isPcapMagic(uint32_t m)
{
    switch (m) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1: // microsecond
    case 0xa1b23c4d:
    case 0x4d3cb2a1: // nanosecond
    case 0xa1b2cd34:
    case 0x34cdb2a1: // Kuznetzov's modified pcap
        return true;
    default:
        return false;
    }
}

// A capture read through a decompressing stream: the reader of what is inside, with progress
// counted in compressed bytes and a damaged compressed stream named as such.
class DecompressedReader final : public CaptureReader {
public:
    DecompressedReader(std::unique_ptr<CaptureReader> inner, std::shared_ptr<DecompressState> state, std::string name,
                       uint64_t compressedSize)
        : inner_(std::move(inner)), state_(std::move(state)), name_(std::move(name)), size_(compressedSize)
    {
    }
    Status next(RawFrame& frame) override
    {
        const Status s = inner_->next(frame);
        if (s == Status::Frame) ++frames_;
        return s;
    }
    std::string error() const override
    {
        if (state_->error.empty()) return inner_->error();
        return name_ + ": " + state_->error + "; the capture inside was read up to frame " + std::to_string(frames_);
    }
    bool truncated() const override { return inner_->truncated() || !state_->error.empty(); }
    CaptureFormat format() const override { return inner_->format(); }
    int dlt() const override { return inner_->dlt(); }
    uint64_t position() const override { return state_->compressedBytes; }
    uint64_t fileSize() const override { return size_; }
    Compression compression() const override { return state_->kind; }

private:
    std::unique_ptr<CaptureReader> inner_;
    std::shared_ptr<DecompressState> state_;
    std::string name_;
    uint64_t size_;
    uint32_t frames_ = 0;
};

// `in`, whose first bytes `b` (4) were read and found compressed, decompressed and opened as the
// capture it holds. Owns `in`.
std::unique_ptr<CaptureReader> openCompressed(FILE* in, Compression kind, const std::string& name, uint64_t size,
                                              std::string& error)
{
    auto state = std::make_shared<DecompressState>();
    std::string why;
    FILE* d = decompressingStream(in, kind, state, why);
    if (!d) {
        error = name + ": " + why;
        return nullptr;
    }
    auto inner = CaptureReader::openStream(d, name, error);
    if (!inner) {
        const std::string k(compressionName(kind));
        if (!state->error.empty())
            error = name + ": " + state->error;
        else if (error.find("not a pcap or pcapng") != std::string::npos)
            error = name + ": " + k + "-compressed, but what it holds is" + error.substr(error.find(" not a pcap"));
        return nullptr;
    }
    return std::make_unique<DecompressedReader>(std::move(inner), std::move(state), name, size);
}

} // namespace

std::unique_ptr<CaptureReader> CaptureReader::openStream(FILE* stream, const std::string& name, std::string& error)
{
    // Our own FILE on the descriptor (standard input stays open for whoever owns it).
    FILE* in = stream == stdin ? fdopen(dup(fileno(stdin)), "rb") : stream;
    if (!in) {
        error = name + ": cannot open: " + std::strerror(errno);
        return nullptr;
    }
    unsigned char b[4] = {};
    const size_t n = std::fread(b, 1, 4, in);
    if (n < 4) {
        const bool failed = std::ferror(in);
        std::fclose(in);
        error = failed   ? name + ": read error: " + std::strerror(errno)
                : n == 0 ? name + ": empty (0 bytes), not a capture"
                         : name + ": only " + std::to_string(n) + " bytes, too short for a capture header";
        return nullptr;
    }
    const uint32_t magic = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    if (const Compression c = compressionOf(b, 4); c != Compression::None) {
        FILE* whole = prefixedStream(in, b, 4);
        if (!whole) {
            std::fclose(in);
            error = name + ": cannot open: " + std::strerror(errno);
            return nullptr;
        }
        return openCompressed(whole, c, name, 0, error);
    }
    if (magic != PcapngMagic && !isPcapMagic(magic)) {
        std::fclose(in);
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08x", magic);
        error = name + ": not a pcap or pcapng capture (unknown magic number " + hex + ")";
        return nullptr;
    }
    FILE* f = prefixedStream(in, b, 4);
    if (!f) {
        std::fclose(in);
        error = name + ": cannot open: " + std::strerror(errno);
        return nullptr;
    }
    if (magic == PcapngMagic) return openPcapngReader(f, name, error);
    return openPcapReader(f, name, 0, error); // size unknown: no progress
}

bool looksLikeCapture(const std::string& path)
{
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    unsigned char b[4] = {};
    const size_t n = std::fread(b, 1, 4, f);
    std::fclose(f);
    if (n < 4) return false;
    const uint32_t magic = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    return magic == PcapngMagic || isPcapMagic(magic) || compressionOf(b, 4) != Compression::None;
}

std::unique_ptr<CaptureReader> CaptureReader::open(const std::string& path, std::string& error)
{
    if (path == "-") return openStream(stdin, "standard input", error);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
            // A pipe can be read once: sniff the format from the stream itself.
            FILE* f = std::fopen(path.c_str(), "rb");
            if (!f) {
                error = path + ": cannot open: " + std::strerror(errno);
                return nullptr;
            }
            return openStream(f, path, error);
        }
        error = path + ": is a device, not a capture file";
        return nullptr;
    }
    uint32_t magic = 0;
    uint64_t size = 0;
    if (!readMagic(path, magic, size, error)) return nullptr;
    const unsigned char head[4] = {static_cast<unsigned char>(magic >> 24), static_cast<unsigned char>(magic >> 16),
                                   static_cast<unsigned char>(magic >> 8), static_cast<unsigned char>(magic)};
    if (const Compression c = compressionOf(head, 4); c != Compression::None) {
        // Found by content, not by name: `tcpdump -z gzip` rings, .pcapng.zst archives.
        FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) {
            error = path + ": cannot open: " + std::strerror(errno);
            return nullptr;
        }
        return openCompressed(f, c, path, size, error);
    }
    const bool pcapng = magic == PcapngMagic;
    if (!pcapng && !isPcapMagic(magic)) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08x", magic);
        error = path + ": not a pcap or pcapng capture (unknown magic number " + hex + ")";
        return nullptr;
    }
    // libpcap 1.10 refuses pcapng files whose interfaces differ in link type or snapshot
    // length, and stops at a second section of another version; tshark reads them and so
    // must we (dumpcap writes such files whenever it captures on several interfaces). The
    // built-in block reader handles them and reports damage with its offset.
    if (pcapng) return openPcapngReader(path, error);
    // Classic pcap is read by the built-in reader (PcapReader.h): libpcap's rules, half its time.
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = path + ": cannot open: " + std::strerror(errno);
        return nullptr;
    }
    return openPcapReader(f, path, size, error, true);
}

} // namespace flowladder::core
