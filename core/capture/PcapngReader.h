#pragma once
// A built-in pcapng reader. libpcap 1.10 refuses a pcapng file whose interfaces
// have different link types; this reader accepts them and reports each frame's
// own link type in RawFrame::dlt.
//
// Supported: both byte orders, several sections (each SHB resets the
// interfaces), IDB link type / if_tsresol (powers of 10 and of 2) / if_tsoffset,
// Enhanced, Simple and obsolete Packet Blocks. Other blocks are skipped.
// Frames are numbered from 1 in file order with Wireshark's numbers: packet
// blocks, and also the blocks Wireshark lists as records without a packet
// (custom blocks 0xBAD / 0x40000BAD, systemd journal export, sysdig events).
// Those are not returned, so RawFrame::frame may skip a number after them.
// Simple Packet Blocks carry no timestamp: their tsNs is 0.
//
// The input is untrusted: every length is checked before it is used, and a
// damaged file yields Status::Error with "<file>: <what> at offset N".
// dlt() is -1 while no interface has been seen (a file with no IDB before its
// first packet block, or an empty section).

#include "core/capture/CaptureReader.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace flowladder::core {

// Opens `path` as pcapng. Returns nullptr and sets `error` when the file cannot
// be opened or does not start with a valid Section Header Block.
std::unique_ptr<CaptureReader> openPcapngReader(const std::string& path, std::string& error);
// The same on a stream already open (a pipe, standard input); the reader owns and closes it.
// `name` is what messages call it.
std::unique_ptr<CaptureReader> openPcapngReader(FILE* stream, const std::string& name, std::string& error);

// True when `data` (at least 4 bytes) starts with the pcapng SHB block type.
bool isPcapngMagic(const uint8_t* data, size_t size);

// The DLT value libpcap reports for a LINKTYPE value stored in a file
// (LINKTYPE_RAW 101 -> DLT_RAW 12 on Linux, ...; most values are equal).
int linktypeToDlt(int linktype);

} // namespace flowladder::core
