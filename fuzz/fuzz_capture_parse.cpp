// libFuzzer target: a capture file read and decoded, no analysis.
//
// fuzz_capture_file runs the whole path to the reports; half of its time goes to building
// them, so the readers get few runs per second there. This target stops after the bytes:
// every frame is read through CaptureReader (libpcap, the built-in pcapng reader, and the
// decompressing streams for gzip, zstd, lz4 and xz, all sniffed from the content) and
// decoded. It checks the reader's contract: frame numbers increase, a frame's bytes are
// there, the position stays within the file, an error comes with a message and is sticky.
// Inputs that start like pcapng are also drained through the built-in pcapng reader
// directly (libpcap reads most of them first), with the same checks.

#include "core/capture/CaptureReader.h"
#include "core/capture/Decoder.h"
#include "core/capture/PcapngReader.h"
#include "fuzz/MemFile.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace {

using namespace flowladder::core;

void check(bool ok)
{
    if (!ok) __builtin_trap();
}

void drain(CaptureReader& reader, bool compressed)
{
    RawFrame frame;
    DecodedPacket decoded;
    uint32_t lastFrame = 0;
    for (;;) {
        const auto s = reader.next(frame);
        if (s == CaptureReader::Status::End) return;
        if (s == CaptureReader::Status::Error) {
            check(!reader.error().empty());
            check(reader.next(frame) == CaptureReader::Status::Error); // stays failed
            return;
        }
        check(frame.frame > lastFrame);
        lastFrame = frame.frame;
        check(frame.caplen == 0 || frame.data != nullptr);
        // A compressed file's position counts compressed bytes consumed, which a decoder may
        // read ahead of; a plain file's never passes its end.
        if (!compressed) check(reader.position() <= reader.fileSize());
        const DecodeResult r = decodeFrame(frame.dlt, frame.data, frame.caplen, decoded);
        check(r.error != nullptr || (r.status != DecodeStatus::Malformed && r.status != DecodeStatus::Unsupported));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static flowladder::fuzz::MemFile file;
    file.set(data, size);

    std::string error;
    if (auto reader = CaptureReader::open(file.path(), error)) {
        drain(*reader, reader->compression() != Compression::None);
    } else {
        check(error.find(file.path()) != std::string::npos); // the message names the file
    }
    if (isPcapngMagic(data, size)) {
        if (auto reader = openPcapngReader(file.path(), error))
            drain(*reader, false);
        else
            check(!error.empty());
    }
    return 0;
}
