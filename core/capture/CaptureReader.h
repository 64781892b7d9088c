#pragma once
// Reads frames from a pcap or pcapng file, plain or compressed, numbering them from 1 in
// file order. Both formats are read by built-in readers that follow libpcap's rules (tests
// compare them with libpcap frame by frame): pcap in half libpcap's time (PcapReader.h),
// pcapng also when its interfaces differ in link type, which libpcap refuses (PcapngReader.h).

#include "core/capture/Decompress.h"
#include "core/model/Analysis.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace flowladder::core {

struct RawFrame {
    uint32_t frame = 0; // 1-based
    int64_t tsNs = 0;
    int dlt = 0; // link type of this frame's interface
    uint32_t caplen = 0;
    uint32_t wirelen = 0;
    const uint8_t* data = nullptr; // valid until the next call to next()
};

// Whether the file's first bytes are those of a pcap or pcapng capture or of a compressed
// stream (gzip, zstd, lz4, xz) that may hold one: how a folder's captures are told from its other files.
bool looksLikeCapture(const std::string& path);

class CaptureReader {
public:
    enum class Status { Frame, End, Error };

    virtual ~CaptureReader() = default;
    // Opens `path`. On failure returns nullptr and sets `error` to a readable
    // message naming the file and what is wrong.
    // `path` "-" is standard input; a FIFO or socket is read as a stream through one open, its
    // format sniffed from its first bytes (no progress: its size is unknown). Devices and
    // directories are refused.
    static std::unique_ptr<CaptureReader> open(const std::string& path, std::string& error);
    // Reads a capture from an open stream, which the reader then owns (`stdin` is duplicated
    // and stays open). `name` is what messages call it.
    static std::unique_ptr<CaptureReader> openStream(FILE* stream, const std::string& name, std::string& error);

    // Next frame. On Error, `error()` says what broke and where; frames read so far stay valid.
    virtual Status next(RawFrame& frame) = 0;
    virtual std::string error() const = 0;
    // True when the error means the file ended or broke inside a record.
    virtual bool truncated() const = 0;
    virtual CaptureFormat format() const = 0;
    // Link type of the file (first interface for pcapng).
    virtual int dlt() const = 0;
    // Bytes consumed so far (for progress), and the file size (of a compressed file: the
    // compressed bytes).
    virtual uint64_t position() const = 0;
    virtual uint64_t fileSize() const = 0;
    // How the file was compressed (read through a decompressing stream), None for a plain one.
    virtual Compression compression() const { return Compression::None; }

    // Reading a file in two parts at once (see Analyzer.cpp): whether this reader can, with
    // openPartFrom and setLimit.
    virtual bool readsInParts() const { return false; }
    // A second reader of the same file
    // that starts at the first record boundary found at or after byte `offset`, its frames
    // numbered from 1 and its position() counted from the file's start; nullptr when this reader
    // cannot make one (only a plain pcap file opened by path can) or finds no boundary there. A
    // boundary is found by how the record headers after it chain, so it can be wrong: the reader
    // of the first part confirms it by stopping exactly there (setLimit).
    virtual std::unique_ptr<CaptureReader> openPartFrom(uint64_t offset) const
    {
        (void)offset;
        return nullptr;
    }
    // From now on next() ends (Status::End, nothing read) once position() is at or past
    // `offset`; UINT64_MAX lifts the limit. Only readers that read in parts honour it.
    virtual void setLimit(uint64_t offset) { (void)offset; }
    // The message (error()) with which reading stops at the record at byte `offset`, with
    // `framesBefore` frames before it: the same file read again there, this reader unchanged.
    // Empty when that record reads (the file changed) or this reader cannot tell. For a later
    // part's reader that stopped at a cut or damaged record: its message numbers frames from
    // the part's start, one reading's from the file's.
    virtual std::string failureAt(uint64_t offset, uint32_t framesBefore) const
    {
        (void)offset;
        (void)framesBefore;
        return {};
    }
};

} // namespace flowladder::core
