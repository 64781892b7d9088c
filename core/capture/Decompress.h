#pragma once
// Compressed captures, read transparently (issue 16): a `tcpdump -z gzip` ring file, a
// `.pcapng.zst` archive. The compression is found by content (the stream's magic number), not
// by name, and undone by the libraries made for it (zlib, libzstd, liblz4, liblzma) through a
// stdio stream (fopencookie), so libpcap and the pcapng reader read the capture inside as they
// read any file. Streaming: memory stays a few buffers whatever the compressed size.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace flowladder::core {

enum class Compression : uint8_t { None, Gzip, Zstd, Lz4, Xz };
std::string_view compressionName(Compression c); // "gzip" | "zstd" | "lz4" | "xz" | "none"

// The compression whose magic number starts `b` (n bytes available; 6 are enough for all).
Compression compressionOf(const unsigned char* b, size_t n);

// What a decompressing stream has done so far, shared with whoever reads through it.
struct DecompressState {
    Compression kind = Compression::None;
    uint64_t compressedBytes = 0; // consumed from the file (for progress)
    uint64_t bytesOut = 0;        // produced
    // Set when the compressed data is damaged or ends inside a frame: what broke and where
    // ("gzip data damaged at compressed byte 5120 (invalid block type)"). Everything produced
    // before it was delivered; the stream then reports a read error.
    std::string error;
};

// A stream of `inner`'s decompressed bytes (`inner` is owned and closed with it). Null with
// `error` set (and `inner` closed) when the decompressor cannot be set up.
FILE* decompressingStream(FILE* inner, Compression kind, std::shared_ptr<DecompressState> state, std::string& error);

} // namespace flowladder::core
