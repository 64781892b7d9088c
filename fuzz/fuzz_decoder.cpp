// libFuzzer target: core::decodeFrame on arbitrary bytes.
//
// Input layout: byte 0 picks the link type (modulo the table in LinkTypes.h), the rest
// is the captured frame. The frame is copied into a buffer of exactly its size
// so that AddressSanitizer flags any read past the captured length.

#include "core/capture/Decoder.h"
#include "fuzz/LinkTypes.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

using namespace flowladder::core;
using flowladder::fuzz::LinkTypeCount;
using flowladder::fuzz::LinkTypes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const int dlt = LinkTypes[data[0] % LinkTypeCount];
    const size_t caplen = size - 1;
    // An exact-size heap copy (new[] of 0 bytes is still a distinct allocation).
    std::unique_ptr<uint8_t[]> frame(new uint8_t[caplen]);
    if (caplen) std::memcpy(frame.get(), data + 1, caplen);

    DecodedPacket out;
    const DecodeResult r = decodeFrame(dlt, frame.get(), caplen, out);

    // Contract checks: a reason comes with Malformed / Unsupported; the options
    // parsed stay within their own ranges.
    if ((r.status == DecodeStatus::Malformed || r.status == DecodeStatus::Unsupported) && r.error == nullptr)
        __builtin_trap();
    if (r.error) (void)std::strlen(r.error);
    if (r.status == DecodeStatus::Tcp) {
        if (out.ipVersion != 4 && out.ipVersion != 6) __builtin_trap();
        if (out.hasWscale && out.wscale > 14) __builtin_trap();
        if (out.sackBlocks > 4 * 10) __builtin_trap(); // at most (40 - 2) / 8 in a real header
    }
    return 0;
}
