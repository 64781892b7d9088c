#include "core/capture/PcapReader.h"

#include "core/capture/Decoder.h"
#include "core/capture/PcapngReader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <new>
#include <sys/stat.h>
#include <sys/types.h>
#include <utility>

namespace flowladder::core {

namespace {

constexpr uint32_t MagicMicro = 0xa1b2c3d4;
constexpr uint32_t MagicNano = 0xa1b23c4d;
constexpr uint32_t MagicKuznetzov = 0xa1b2cd34; // modified pcap: 24-byte record headers, microseconds

constexpr size_t FileHeaderBytes = 24;
// What one read system call asks for: 64 KiB reads take measurably longer, 128 KiB as long as 1 MiB.
constexpr size_t ReadBytes = size_t{128} << 10;

// The largest captured length libpcap accepts for a link type (max_snaplen_for_dlt).
uint32_t maxSnaplenForDlt(int dlt)
{
    switch (dlt) {
    case 231: // DLT_DBUS
        return 128u * 1024 * 1024;
    case 279: // DLT_EBHSCR
        return 8u * 1024 * 1024;
    case 249: // DLT_USBPCAP
        return 1024u * 1024;
    default:
        return 262144; // MAXIMUM_SNAPLEN
    }
}

uint16_t swap16(uint16_t v)
{
    return static_cast<uint16_t>((v >> 8) | (v << 8));
}

uint32_t swap32(uint32_t v)
{
    return __builtin_bswap32(v);
}

// NFLOG's TLV headers are in the capturing host's byte order: a file written on a host of the
// other order has them swapped back, walking the TLVs as libpcap does (swap_nflog_header).
void swapNflogHeaders(uint8_t* data, uint32_t caplen, uint32_t len)
{
    if (caplen < 4 || len < 4 || data[1] != 0) return; // too short, or not NFLOG version 0
    caplen -= 4;
    len -= 4;
    uint8_t* p = data + 4;
    while (caplen >= 4) {
        uint16_t tlvLen, tlvType;
        std::memcpy(&tlvLen, p, 2);
        std::memcpy(&tlvType, p + 2, 2);
        tlvLen = swap16(tlvLen);
        tlvType = swap16(tlvType);
        std::memcpy(p, &tlvLen, 2);
        std::memcpy(p + 2, &tlvType, 2);
        uint16_t size = tlvLen;
        if (size % 4 != 0) size = static_cast<uint16_t>(size + 4 - size % 4);
        if (size < 4 || caplen < size || len < size) return;
        caplen -= size;
        len -= size;
        p += size;
    }
}

class PcapReader final : public CaptureReader {
public:
    PcapReader(FILE* f, std::string name, uint64_t size, bool reopenable)
        : file_(f), name_(std::move(name)), size_(size), reopenable_(reopenable)
    {
        // Reads go straight into buffer_: stdio's own buffer would only add a copy.
        std::setvbuf(file_, nullptr, _IONBF, 0);
    }
    ~PcapReader() override { std::fclose(file_); }
    PcapReader(const PcapReader&) = delete;
    PcapReader& operator=(const PcapReader&) = delete;

    bool readHeader(std::string& error);

    Status next(RawFrame& frame) override;
    std::string error() const override { return error_; }
    bool truncated() const override { return truncated_; }
    CaptureFormat format() const override { return CaptureFormat::Pcap; }
    int dlt() const override { return dlt_; }
    uint64_t position() const override { return position_; }
    uint64_t fileSize() const override { return size_; }
    bool readsInParts() const override { return reopenable_; }
    std::unique_ptr<CaptureReader> openPartFrom(uint64_t offset) const override;
    void setLimit(uint64_t offset) override { limit_ = offset; }
    std::string failureAt(uint64_t offset, uint32_t framesBefore) const override;

private:
    // A second reader of this file (the same one: not another put in its place since this one
    // was opened) at byte `offset`, with this one's format; nullptr when it cannot be opened.
    std::unique_ptr<PcapReader> reopenAt(uint64_t offset) const;
    // Whether a record boundary lies at buffer_[at]: the record headers from there chain, each
    // plausible, to the end of what is buffered (at least ChainRecords of them) or exactly to the
    // end of the file.
    bool chainsFrom(size_t at) const;
    // Whether a record header could be one of this file's (and, when `prevSec` is not
    // UINT64_MAX, written within a day of a record of `prevSec` seconds); its whole length.
    bool plausibleHeader(const uint8_t* h, uint64_t prevSec, size_t& length) const;
    // Makes `n` bytes from the current record on available in the buffer, reading more of the
    // file as needed; returns how many are (fewer at the end of the file or on a read error).
    size_t fill(size_t n);
    // Up to `n` bytes of the file into `to`; 0 at its end (eof_) or on an error (readErrno_).
    size_t read(uint8_t* to, size_t n);
    uint32_t word(const uint8_t* p) const
    {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return swapped_ ? swap32(v) : v;
    }
    // Reads and drops `n` bytes from the current position (buffered ones first) without
    // touching the buffer's contents; false when the file ends or fails first. `skipped` says
    // how many went.
    bool skip(uint64_t n, uint64_t& skipped);
    // Ends reading with libpcap's words for what went wrong (`why`) after the last good frame.
    Status fail(const std::string& why);
    std::string readErrorText() const { return std::string("error reading dump file: ") + std::strerror(readErrno_); }

    FILE* file_;
    std::string name_;
    uint64_t size_;
    bool reopenable_;
    uint64_t limit_ = UINT64_MAX;
    std::unique_ptr<uint8_t[]> buffer_; // NOLINT(cppcoreguidelines-avoid-c-arrays): not zero-filled
    size_t capacity_ = 0;
    size_t at_ = 0;         // the current record's first byte in buffer_
    size_t end_ = 0;        // bytes of buffer_ holding file data
    uint64_t position_ = 0; // file offset of buffer_[at_]
    bool eof_ = false;
    int readErrno_ = 0;

    bool swapped_ = false;
    bool nano_ = false;
    enum class Lengths : uint8_t { InOrder, Swapped, MaybeSwapped } lengths_ = Lengths::InOrder;
    size_t recordHeader_ = 16;
    int dlt_ = 0;
    uint32_t snapshot_ = 0;
    uint32_t maxCaplen_ = 0;
    uint32_t frames_ = 0;
    std::string error_;
    bool truncated_ = false;
};

size_t PcapReader::read(uint8_t* to, size_t n)
{
    errno = 0;
    const size_t got = std::fread(to, 1, n, file_);
    if (got == 0) {
        if (std::ferror(file_))
            readErrno_ = errno != 0 ? errno : EIO;
        else
            eof_ = true;
    }
    return got;
}

size_t PcapReader::fill(size_t n)
{
    if (end_ - at_ >= n) return n;
    if (at_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + at_, end_ - at_);
        end_ -= at_;
        at_ = 0;
    }
    while (end_ < n && !eof_ && readErrno_ == 0) {
        if (end_ == capacity_) {
            // The buffer grows with the data that came, doubling, never to the length a record
            // claims: a lying header costs no more memory than the file holds.
            const size_t grown = capacity_ == 0 ? ReadBytes : std::min(2 * capacity_, n + ReadBytes);
            try {
                std::unique_ptr<uint8_t[]> bigger(new uint8_t[grown]); // NOLINT(cppcoreguidelines-avoid-c-arrays)
                if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
                buffer_ = std::move(bigger);
                capacity_ = grown;
            } catch (const std::bad_alloc&) {
                readErrno_ = ENOMEM;
                break;
            }
        }
        end_ += read(buffer_.get() + end_, capacity_ - end_);
    }
    return std::min(n, end_);
}

bool PcapReader::skip(uint64_t n, uint64_t& skipped)
{
    skipped = std::min<uint64_t>(n, end_ - at_);
    at_ += skipped;
    std::array<uint8_t, 4096> scratch{};
    while (skipped < n) {
        const size_t got = read(scratch.data(), std::min<uint64_t>(n - skipped, scratch.size()));
        skipped += got;
        if (got == 0) return false;
    }
    return true;
}

bool PcapReader::readHeader(std::string& error)
{
    const auto headerError = [&](const std::string& why) {
        error = name_ + ": cannot read pcap header: " + why;
        return false;
    };
    const size_t got = fill(FileHeaderBytes);
    if (got < FileHeaderBytes) {
        if (readErrno_ != 0) return headerError(readErrorText());
        return headerError("truncated dump file; tried to read " + std::to_string(FileHeaderBytes) +
                           " file header bytes, only got " + std::to_string(got > 4 ? got - 4 : 0));
    }
    const uint8_t* h = buffer_.get();
    uint32_t magic;
    std::memcpy(&magic, h, 4);
    if (magic != MagicMicro && magic != MagicNano && magic != MagicKuznetzov) {
        magic = swap32(magic);
        swapped_ = true;
    }
    nano_ = magic == MagicNano;
    uint16_t major, minor;
    std::memcpy(&major, h + 4, 2);
    std::memcpy(&minor, h + 6, 2);
    if (swapped_) {
        major = swap16(major);
        minor = swap16(minor);
    }
    if (major < 2) return headerError("archaic pcap savefile format");
    if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
        return headerError("unsupported pcap savefile version " + std::to_string(major) + "." + std::to_string(minor));
    const uint32_t snaplen = word(h + 16);
    dlt_ = linktypeToDlt(static_cast<int>(word(h + 20) & 0x03FFFFFF));
    maxCaplen_ = maxSnaplenForDlt(dlt_);
    snapshot_ = snaplen == 0 || snaplen > INT_MAX ? maxCaplen_ : snaplen;
    // caplen and len swapped places at version 2.3; some 2.3 files still have the old order.
    if (major == 543 || minor < 3)
        lengths_ = Lengths::Swapped;
    else if (minor == 3)
        lengths_ = Lengths::MaybeSwapped;
    if (magic == MagicKuznetzov) {
        recordHeader_ = 24;
        // Captured in cooked mode with a made-up Ethernet header on top of the snapshot length.
        if (dlt_ == linktype::Ethernet) snapshot_ = snapshot_ <= INT_MAX - 14 ? snapshot_ + 14 : INT_MAX;
    }
    at_ = FileHeaderBytes;
    position_ = FileHeaderBytes;
    return true;
}

CaptureReader::Status PcapReader::fail(const std::string& why)
{
    // Whether the file ended inside a record or a length lied, reading stops here.
    const bool endedInside = why.find("truncated") != std::string::npos;
    error_ = name_ + ": " + (endedInside ? "file ends inside a packet record" : "damaged packet record") +
             " after frame " + std::to_string(frames_) + " (" + why + ")";
    truncated_ = true;
    return Status::Error;
}

bool PcapReader::plausibleHeader(const uint8_t* h, uint64_t prevSec, size_t& length) const
{
    const uint32_t sec = word(h), frac = word(h + 4);
    uint32_t caplen = word(h + 8), len = word(h + 12);
    if (lengths_ == Lengths::Swapped || (lengths_ == Lengths::MaybeSwapped && caplen > len)) std::swap(caplen, len);
    // (No packet is 0 bytes long on the wire: a run of zero bytes is not a run of records.)
    if (frac >= (nano_ ? 1000000000u : 1000000u) || len == 0 || caplen > len || caplen > maxCaplen_ ||
        caplen > snapshot_)
        return false;
    constexpr uint64_t Day = 86400;
    if (prevSec != UINT64_MAX && (sec + Day < prevSec || sec > prevSec + Day)) return false;
    length = recordHeader_ + caplen;
    return true;
}

bool PcapReader::chainsFrom(size_t at) const
{
    constexpr int ChainRecords = 8;
    uint64_t prevSec = UINT64_MAX;
    int records = 0;
    for (size_t p = at;;) {
        if (p == end_ && eof_) return records > 0; // exactly to the end of the file
        if (end_ - p < recordHeader_) return records >= ChainRecords;
        size_t length = 0;
        if (!plausibleHeader(buffer_.get() + p, prevSec, length)) return false;
        prevSec = word(buffer_.get() + p);
        if (end_ - p < length) return records >= ChainRecords;
        p += length;
        ++records;
    }
}

std::unique_ptr<PcapReader> PcapReader::reopenAt(uint64_t offset) const
{
    if (!reopenable_ || offset < FileHeaderBytes || offset > size_) return nullptr;
    FILE* f = std::fopen(name_.c_str(), "rb");
    if (!f) return nullptr;
    auto part = std::make_unique<PcapReader>(f, name_, size_, false);
    struct stat mine {
    }, theirs{};
    if (::fstat(::fileno(file_), &mine) != 0 || ::fstat(::fileno(f), &theirs) != 0 || mine.st_dev != theirs.st_dev ||
        mine.st_ino != theirs.st_ino)
        return nullptr;
    part->swapped_ = swapped_;
    part->nano_ = nano_;
    part->lengths_ = lengths_;
    part->recordHeader_ = recordHeader_;
    part->dlt_ = dlt_;
    part->snapshot_ = snapshot_;
    part->maxCaplen_ = maxCaplen_;
    if (::fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0) return nullptr;
    part->position_ = offset;
    return part;
}

std::unique_ptr<CaptureReader> PcapReader::openPartFrom(uint64_t offset) const
{
    // Reading a part is only worth it far from either end.
    if (offset <= FileHeaderBytes || offset >= size_) return nullptr;
    std::unique_ptr<PcapReader> part = reopenAt(offset);
    if (!part) return nullptr;
    // A boundary within the next read, or none (a capture of records too long for eight of them
    // to fit is not one reading in parts helps).
    const size_t got = part->fill(ReadBytes);
    for (size_t at = 0; at < got; ++at) {
        if (part->chainsFrom(at)) {
            part->at_ = at;
            part->position_ = offset + at;
            return part;
        }
    }
    return nullptr;
}

std::string PcapReader::failureAt(uint64_t offset, uint32_t framesBefore) const
{
    std::unique_ptr<PcapReader> again = reopenAt(offset);
    if (!again) return {};
    again->frames_ = framesBefore;
    RawFrame frame;
    return again->next(frame) == Status::Error ? again->error() : std::string();
}

CaptureReader::Status PcapReader::next(RawFrame& frame)
{
    if (!error_.empty()) return Status::Error;
    if (position_ >= limit_) return Status::End;
    const size_t header = fill(recordHeader_);
    if (header < recordHeader_) {
        if (readErrno_ != 0) return fail(readErrorText());
        if (header == 0) return Status::End;
        return fail("truncated dump file; tried to read " + std::to_string(recordHeader_) + " header bytes, only got " +
                    std::to_string(header));
    }
    const uint8_t* h = buffer_.get() + at_;
    const uint32_t sec = word(h), frac = word(h + 4);
    uint32_t caplen = word(h + 8), len = word(h + 12);
    if (lengths_ == Lengths::Swapped || (lengths_ == Lengths::MaybeSwapped && caplen > len)) std::swap(caplen, len);
    if (caplen > maxCaplen_) {
        if (caplen > snapshot_)
            return fail("invalid packet capture length " + std::to_string(caplen) + ", bigger than snaplen of " +
                        std::to_string(snapshot_));
        return fail("invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
                    std::to_string(maxCaplen_));
    }
    // libpcap reads at most the snapshot length into its buffer and skips the rest of the record.
    const uint32_t kept = std::min(caplen, snapshot_);
    const size_t wanted = recordHeader_ + kept;
    const size_t got = fill(wanted);
    if (got < wanted) {
        if (readErrno_ != 0) return fail(readErrorText());
        return fail("truncated dump file; tried to read " + std::to_string(kept) + " captured bytes, only got " +
                    std::to_string(got - recordHeader_));
    }
    uint8_t* data = buffer_.get() + at_ + recordHeader_;
    at_ += wanted;
    position_ += wanted;
    if (caplen > kept) {
        // Past the snapshot length: read and dropped (the frame's bytes stay where they are).
        uint64_t skipped = 0;
        const bool whole = skip(caplen - kept, skipped);
        position_ += skipped;
        if (!whole) {
            if (readErrno_ != 0) return fail(readErrorText());
            return fail("truncated dump file; tried to read " + std::to_string(caplen) + " captured bytes, only got " +
                        std::to_string(kept + skipped));
        }
    }
    if (swapped_ && dlt_ == linktype::Nflog) swapNflogHeaders(data, kept, len);
    frame.frame = ++frames_;
    frame.tsNs = static_cast<int64_t>(sec) * 1000000000LL + static_cast<int64_t>(frac) * (nano_ ? 1 : 1000);
    frame.dlt = dlt_;
    frame.caplen = kept;
    frame.wirelen = len;
    frame.data = data;
    return Status::Frame;
}

} // namespace

std::unique_ptr<CaptureReader> openPcapReader(FILE* stream, const std::string& name, uint64_t size, std::string& error,
                                              bool reopenable)
{
    auto reader = std::make_unique<PcapReader>(stream, name, size, reopenable && size > 0);
    if (!reader->readHeader(error)) return nullptr;
    return reader;
}

} // namespace flowladder::core
