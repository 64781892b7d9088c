#include "core/capture/PcapngReader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <vector>

namespace flowladder::core {

namespace {

constexpr uint32_t BlockShb = 0x0A0D0D0Au;
constexpr uint32_t BlockIdb = 1;
constexpr uint32_t BlockPacketObsolete = 2;
constexpr uint32_t BlockSpb = 3;
constexpr uint32_t BlockEpb = 6;
constexpr uint32_t ByteOrderMagic = 0x1A2B3C4Du;

constexpr uint32_t MaxBlockBytes = 256u * 1024 * 1024; // a sane cap for one block
constexpr size_t InitialBuffer = 1u << 20;

constexpr uint32_t MinShb = 28; // header 8 + magic 4 + version 4 + section length 8 + trailer 4
constexpr uint32_t MinIdb = 20;
constexpr uint32_t MinEpb = 32;
constexpr uint32_t MinSpb = 16;
constexpr uint32_t MinPb = 32;

constexpr uint16_t OptEndOfOpt = 0;
constexpr uint16_t OptIfTsresol = 9;
constexpr uint16_t OptIfTsoffset = 14;

constexpr uint64_t NsPerSec = 1000000000ull;

uint32_t load32(const uint8_t* p)
{
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// How ticks of one interface become nanoseconds.
struct TimeScale {
    enum class Kind : uint8_t { Multiply, Divide, Pow2, Zero } kind = Kind::Multiply;
    uint64_t factor = 1000; // Multiply / Divide
    unsigned shift = 0;     // Pow2

    static TimeScale fromTsresol(uint8_t r)
    {
        TimeScale t;
        const unsigned n = r & 0x7f;
        if (r & 0x80) {
            t.kind = Kind::Pow2;
            t.shift = n;
        } else if (n <= 9) {
            t.kind = Kind::Multiply;
            t.factor = 1;
            for (unsigned i = n; i < 9; ++i)
                t.factor *= 10;
        } else if (n - 9 <= 19) {
            t.kind = Kind::Divide;
            t.factor = 1;
            for (unsigned i = 9; i < n; ++i)
                t.factor *= 10;
        } else {
            t.kind = Kind::Zero; // finer than 10^-28 s: every 64-bit count is below 1 ns
        }
        return t;
    }

    // Wrapping arithmetic: a timestamp beyond the int64 range wraps rather than
    // overflowing (pcapng-example.pcapng has such values).
    uint64_t toNs(uint64_t ticks) const
    {
        switch (kind) {
        case Kind::Multiply:
            return ticks * factor;
        case Kind::Divide:
            return ticks / factor;
        case Kind::Zero:
            return 0;
        case Kind::Pow2:
            break;
        }
        if (shift == 0) return ticks * NsPerSec;
        const uint64_t sec = shift >= 64 ? 0 : ticks >> shift;
        uint64_t frac = shift >= 64 ? ticks : ticks & ((uint64_t{1} << shift) - 1);
        unsigned s = shift;
        if (s > 32) { // keep frac * 1e9 within 64 bits; the bits dropped are below 1 ns
            const unsigned drop = s - 32;
            frac = drop >= 64 ? 0 : frac >> drop;
            s = 32;
        }
        return sec * NsPerSec + ((frac * NsPerSec) >> s);
    }
};

struct Interface {
    int dlt = 0;
    uint32_t snaplen = 0;
    TimeScale scale;
    uint64_t offsetNs = 0; // if_tsoffset, in ns (wrapping)
};

class PcapngReader final : public CaptureReader {
public:
    ~PcapngReader() override
    {
        if (file_) std::fclose(file_);
    }

    bool open(const std::string& path, std::string& error);
    bool open(FILE* stream, const std::string& path, std::string& error); // takes the stream

    Status next(RawFrame& frame) override;
    std::string error() const override { return error_; }
    bool truncated() const override { return truncated_; }
    CaptureFormat format() const override { return CaptureFormat::PcapNg; }
    int dlt() const override { return firstDlt_; }
    uint64_t position() const override { return pos_; }
    uint64_t fileSize() const override { return fileSize_; }

private:
    struct Block {
        uint32_t type = 0;
        uint32_t length = 0;
        const uint8_t* data = nullptr; // the whole block, header and trailer included
        uint64_t offset = 0;
    };

    // Section byte order.
    uint16_t u16(const uint8_t* p) const
    {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return swap_ ? static_cast<uint16_t>((v >> 8) | (v << 8)) : v;
    }
    uint32_t u32(const uint8_t* p) const
    {
        const uint32_t v = load32(p);
        return swap_ ? __builtin_bswap32(v) : v;
    }
    uint64_t u64(const uint8_t* p) const
    {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return swap_ ? __builtin_bswap64(v) : v;
    }

    bool ensure(size_t n);
    Status fail(const std::string& what, uint64_t offset, bool truncated = false);
    // Makes the next block available (validated lengths) without consuming it.
    Status load(Block& b);
    void consume(const Block& b)
    {
        begin_ += b.length;
        pos_ += b.length;
    }
    Status section(const Block& b);
    Status interface(const Block& b);
    Status packet(const Block& b, RawFrame& frame);
    // Walks an option list; calls f(code, length, value, offset) for each option.
    template <typename F> Status options(const Block& b, size_t start, F&& f);
    // Custom blocks, systemd journal export and sysdig event blocks, which
    // Wireshark (4.x) numbers as frames although they carry no packet.
    static bool isNumberedNonPacketBlock(uint32_t type)
    {
        switch (type) {
        case 0x00000BADu: // custom block, may be copied
        case 0x40000BADu: // custom block, do not copy
        case 0x00000009u: // systemd journal export
        case 0x00000204u: // sysdig event
        case 0x00000208u: // sysdig event with flags
        case 0x00000216u: // sysdig event v2
        case 0x00000217u: // sysdig event v2 with flags
        case 0x00000221u: // sysdig event v2 large
        case 0x00000222u: // sysdig event v2 large with flags
            return true;
        default:
            return false;
        }
    }
    static bool isPacketBlock(uint32_t type)
    {
        return type == BlockEpb || type == BlockSpb || type == BlockPacketObsolete;
    }

    std::string path_;
    FILE* file_ = nullptr;
    std::vector<uint8_t> buf_;
    size_t begin_ = 0; // unconsumed data starts here
    size_t end_ = 0;   // valid data ends here
    bool eof_ = false;
    uint64_t pos_ = 0; // file offset of buf_[begin_]
    uint64_t fileSize_ = 0;
    bool sizeKnown_ = false;

    bool swap_ = false;
    std::vector<Interface> ifaces_;
    int firstDlt_ = -1;
    uint32_t frame_ = 0;

    bool failed_ = false;
    bool truncated_ = false;
    std::string error_;
};

bool PcapngReader::ensure(size_t n)
{
    if (end_ - begin_ >= n) return true;
    if (eof_) return false;
    if (buf_.size() - begin_ < n) { // move what is left to the front, growing if needed
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        if (buf_.size() < n) buf_.resize(std::max(n, std::min<size_t>(buf_.size() * 2, MaxBlockBytes)));
    }
    while (end_ - begin_ < n) {
        const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
        end_ += got;
        if (got == 0) {
            eof_ = true;
            return false;
        }
    }
    return true;
}

CaptureReader::Status PcapngReader::fail(const std::string& what, uint64_t offset, bool truncated)
{
    failed_ = true;
    truncated_ = truncated;
    error_ = path_ + ": " + what + " at offset " + std::to_string(offset);
    return Status::Error;
}

CaptureReader::Status PcapngReader::load(Block& b)
{
    b.offset = pos_;
    if (!ensure(1)) {
        if (std::ferror(file_)) return fail(std::string("read error (") + std::strerror(errno) + ")", pos_);
        return Status::End;
    }
    if (!ensure(8)) {
        if (std::ferror(file_)) return fail(std::string("read error (") + std::strerror(errno) + ")", pos_);
        return fail("file ends inside a block header", pos_, true);
    }
    const uint8_t* p = buf_.data() + begin_;
    b.type = u32(p);
    if (b.type == BlockShb) { // the byte order may change here: read it before the length
        if (!ensure(12)) return fail("file ends inside a section header block", pos_, true);
        p = buf_.data() + begin_;
        const uint32_t magic = load32(p + 8);
        if (magic == ByteOrderMagic)
            swap_ = false;
        else if (magic == __builtin_bswap32(ByteOrderMagic))
            swap_ = true;
        else
            return fail("bad byte-order magic in section header block", pos_);
    }
    b.length = u32(p + 4);
    const uint64_t remaining = sizeKnown_ && fileSize_ > pos_ ? fileSize_ - pos_ : 0;
    if (b.length < 12) return fail("block total length " + std::to_string(b.length) + " is less than 12", pos_);
    if (b.length % 4 != 0)
        return fail("block total length " + std::to_string(b.length) + " is not a multiple of 4", pos_);
    if (b.length > MaxBlockBytes)
        return fail("block total length " + std::to_string(b.length) + " exceeds the 256 MiB limit", pos_);
    if (sizeKnown_ && b.length > remaining)
        return fail("file ends inside a block (type " + std::to_string(b.type) + ", total length " +
                        std::to_string(b.length) + ", " + std::to_string(remaining) + " bytes left)",
                    pos_, true);
    if (!ensure(b.length)) {
        if (std::ferror(file_)) return fail(std::string("read error (") + std::strerror(errno) + ")", pos_);
        return fail("file ends inside a block (type " + std::to_string(b.type) + ", total length " +
                        std::to_string(b.length) + ")",
                    pos_, true);
    }
    b.data = buf_.data() + begin_;
    const uint32_t trailer = u32(b.data + b.length - 4);
    if (trailer != b.length)
        return fail("trailing block length " + std::to_string(trailer) + " does not match total length " +
                        std::to_string(b.length),
                    pos_);
    return Status::Frame;
}

template <typename F> CaptureReader::Status PcapngReader::options(const Block& b, size_t start, F&& f)
{
    size_t at = start;
    const size_t end = b.length - 4; // before the trailing length
    while (end - at >= 4) {
        const uint16_t code = u16(b.data + at);
        const uint16_t len = u16(b.data + at + 2);
        if (code == OptEndOfOpt) break;
        const size_t padded = (static_cast<size_t>(len) + 3) & ~size_t{3};
        if (padded > end - at - 4)
            return fail("option " + std::to_string(code) + " (length " + std::to_string(len) + ") overruns its block",
                        b.offset + at);
        f(code, len, b.data + at + 4);
        at += 4 + padded;
    }
    return Status::Frame;
}

CaptureReader::Status PcapngReader::section(const Block& b)
{
    if (b.length < MinShb)
        return fail("section header block too short (" + std::to_string(b.length) + " bytes)", b.offset);
    const uint16_t major = u16(b.data + 12);
    if (major != 1) return fail("unsupported pcapng version " + std::to_string(major), b.offset);
    ifaces_.clear();
    return options(b, 24, [](uint16_t, uint16_t, const uint8_t*) {});
}

CaptureReader::Status PcapngReader::interface(const Block& b)
{
    if (b.length < MinIdb)
        return fail("interface description block too short (" + std::to_string(b.length) + " bytes)", b.offset);
    Interface iface;
    iface.dlt = linktypeToDlt(u16(b.data + 8));
    iface.snaplen = u32(b.data + 12);
    iface.scale = TimeScale::fromTsresol(6);
    const Status s = options(b, 16, [&](uint16_t code, uint16_t len, const uint8_t* v) {
        // Options of an unexpected length are ignored, as their values cannot be trusted.
        if (code == OptIfTsresol && len == 1)
            iface.scale = TimeScale::fromTsresol(v[0]);
        else if (code == OptIfTsoffset && len == 8)
            iface.offsetNs = u64(v) * NsPerSec;
    });
    if (s != Status::Frame) return s;
    ifaces_.push_back(iface);
    if (firstDlt_ < 0) firstDlt_ = iface.dlt;
    return Status::Frame;
}

CaptureReader::Status PcapngReader::packet(const Block& b, RawFrame& frame)
{
    const uint8_t* body = b.data + 8;
    const uint32_t bodyLen = b.length - 12;
    uint32_t ifaceId = 0, caplen = 0, wirelen = 0, header = 0;
    uint64_t ticks = 0;
    bool hasTs = true;
    if (b.type == BlockEpb || b.type == BlockPacketObsolete) {
        if (b.length < (b.type == BlockEpb ? MinEpb : MinPb))
            return fail("packet block too short (" + std::to_string(b.length) + " bytes)", b.offset);
        ifaceId = b.type == BlockEpb ? u32(body) : u16(body);
        ticks = (uint64_t{u32(body + 4)} << 32) | u32(body + 8);
        caplen = u32(body + 12);
        wirelen = u32(body + 16);
        header = 20;
        if (caplen > bodyLen - header)
            return fail("captured length " + std::to_string(caplen) + " exceeds the block body (" +
                            std::to_string(bodyLen - header) + " bytes)",
                        b.offset);
    } else { // Simple Packet Block
        if (b.length < MinSpb)
            return fail("simple packet block too short (" + std::to_string(b.length) + " bytes)", b.offset);
        wirelen = u32(body);
        header = 4;
        hasTs = false;
        if (ifaces_.empty()) return fail("simple packet block without an interface", b.offset);
        caplen = wirelen;
        if (ifaces_[0].snaplen != 0) caplen = std::min(caplen, ifaces_[0].snaplen);
        if (caplen > bodyLen - header)
            return fail("captured length " + std::to_string(caplen) + " exceeds the block body (" +
                            std::to_string(bodyLen - header) + " bytes)",
                        b.offset);
    }
    if (ifaceId >= ifaces_.size())
        return fail("interface id " + std::to_string(ifaceId) + " out of range (" + std::to_string(ifaces_.size()) +
                        " interfaces in this section)",
                    b.offset);
    const Interface& iface = ifaces_[ifaceId];
    frame.frame = ++frame_;
    frame.tsNs = hasTs ? static_cast<int64_t>(iface.scale.toNs(ticks) + iface.offsetNs) : 0;
    frame.dlt = iface.dlt;
    frame.caplen = caplen;
    frame.wirelen = wirelen;
    frame.data = body + header;
    return Status::Frame;
}

bool PcapngReader::open(const std::string& path, std::string& error)
{
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    return open(f, path, error);
}

bool PcapngReader::open(FILE* stream, const std::string& path, std::string& error)
{
    path_ = path;
    file_ = stream;
    std::setvbuf(file_, nullptr, _IONBF, 0); // we read in large chunks into our own buffer
    struct stat st {};
    if (fstat(fileno(file_), &st) == 0 && S_ISREG(st.st_mode)) {
        fileSize_ = static_cast<uint64_t>(st.st_size);
        sizeKnown_ = true;
    }
    buf_.resize(sizeKnown_ ? std::clamp<size_t>(fileSize_, 4096, InitialBuffer) : InitialBuffer);

    if (!ensure(4) || !isPcapngMagic(buf_.data() + begin_, end_ - begin_)) {
        error = path + ": not a pcapng file (no section header block at offset 0)";
        return false;
    }
    Block b;
    Status s = load(b);
    if (s == Status::Frame) s = section(b);
    if (s != Status::Frame) {
        error = error_.empty() ? path + ": cannot read the section header block" : error_;
        return false;
    }
    consume(b);

    // Read on to the first interface so that dlt() is known; stop at the first
    // packet block. A problem met here is reported by next().
    while (ifaces_.empty()) {
        s = load(b);
        if (s != Status::Frame || isPacketBlock(b.type)) break;
        if (b.type == BlockShb)
            s = section(b);
        else if (b.type == BlockIdb)
            s = interface(b);
        if (s != Status::Frame) break;
        consume(b);
    }
    return true;
}

CaptureReader::Status PcapngReader::next(RawFrame& frame)
{
    if (failed_) return Status::Error;
    for (;;) {
        Block b;
        const Status s = load(b);
        if (s != Status::Frame) return s;
        Status r = Status::Frame;
        switch (b.type) {
        case BlockShb:
            r = section(b);
            break;
        case BlockIdb:
            r = interface(b);
            break;
        case BlockEpb:
        case BlockSpb:
        case BlockPacketObsolete:
            r = packet(b, frame);
            if (r != Status::Frame) return r;
            consume(b);
            return Status::Frame;
        default:
            // Wireshark shows these as records of their own: they take a frame
            // number, so later packets keep Wireshark's numbers.
            if (isNumberedNonPacketBlock(b.type)) ++frame_;
            break; // NRB, ISB, DSB and unknown blocks are skipped silently
        }
        if (r != Status::Frame) return r;
        consume(b);
    }
}

} // namespace

bool isPcapngMagic(const uint8_t* data, size_t size)
{
    return size >= 4 && data[0] == 0x0A && data[1] == 0x0D && data[2] == 0x0D && data[3] == 0x0A;
}

int linktypeToDlt(int linktype)
{
    // libpcap's linktype_to_dlt() (pcap-common.c) on Linux: the values below
    // LINKTYPE_MATCHING_MIN (104) that differ from their DLT_ values.
    switch (linktype) {
    case 100:
        return 11; // LINKTYPE_ATM_RFC1483 -> DLT_ATM_RFC1483
    case 101:
        return 12; // LINKTYPE_RAW -> DLT_RAW
    case 102:
        return 15; // LINKTYPE_SLIP_BSDOS -> DLT_SLIP_BSDOS
    case 103:
        return 16; // LINKTYPE_PPP_BSDOS -> DLT_PPP_BSDOS
    case 106:
        return 19; // LINKTYPE_ATM_CLIP -> DLT_ATM_CLIP
    default:
        return linktype;
    }
}

std::unique_ptr<CaptureReader> openPcapngReader(const std::string& path, std::string& error)
{
    auto reader = std::make_unique<PcapngReader>();
    if (!reader->open(path, error)) return nullptr;
    return reader;
}

std::unique_ptr<CaptureReader> openPcapngReader(FILE* stream, const std::string& name, std::string& error)
{
    auto reader = std::make_unique<PcapngReader>();
    if (!reader->open(stream, name, error)) return nullptr;
    return reader;
}

} // namespace flowladder::core
