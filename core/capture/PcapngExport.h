#pragma once
// Copies a capture to pcapng with comments on chosen frames (EPB opt_comment), so the
// user's notes travel with the packets: Wireshark shows them as frame.comment.

#include <cstdint>
#include <string>
#include <vector>

namespace flowladder::core {

struct FrameComment {
    uint32_t frame = 0; // 1-based, file order (Wireshark's numbering)
    std::string text;
};

// Reads `inPath` (pcap or pcapng, via libpcap, loaded then: Libpcap.h) and writes `outPath` as pcapng with one
// interface, nanosecond timestamps and every packet as an Enhanced Packet Block; frames
// with comments get one opt_comment per comment. Written to a temporary file and renamed.
bool writePcapngWithComments(const std::string& inPath, const std::string& outPath,
                             const std::vector<FrameComment>& comments, std::string& error);

} // namespace flowladder::core
