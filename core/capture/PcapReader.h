#pragma once
// A built-in reader of classic pcap files, the format libpcap's savefile code reads
// (sf-pcap.c, libpcap 1.10), with its rules: both byte orders, microsecond and nanosecond
// magic numbers, Kuznetzov's modified format (24-byte record headers), versions 2.0-2.4 and
// DG/UX's 543.0 (caplen and len written in the pre-2.3 order, and 2.3 files either way), the
// link type's low 26 bits mapped to a DLT, a record's captured length capped at the
// snapshot length (the rest of the record skipped) and refused above the most any packet
// of its link type can hold. One difference: a record's seconds and fraction are unsigned, as the
// format says (draft-ietf-opsawg-pcap) and Wireshark and libpcap 1.11 read them; libpcap 1.10
// reads them signed, putting times after January 2038 before 1970. Also, pseudo-headers of link
// types FlowLadder does not decode (CAN in Linux cooked captures, Linux USB, pflog) are left in the
// file's byte order, where libpcap turns them to the reading host's, and the length of a Linux USB
// isochronous completion is not corrected: the analysis reads none of them. (NFLOG's TLV headers,
// which it reads, are turned as libpcap turns them.)
//
// Why not libpcap itself: libpcap reads each record with two fread calls into its own
// buffer, and stdio first copies the file into its buffer; this reader takes the file in
// 128 KiB reads straight into one buffer and hands out frames where they lie, which reads
// a capture in about half libpcap's time. Tests compare every frame it gives with
// libpcap's on every capture at hand (tests/unit/test_pcap_reader.cpp).
//
// The input is untrusted: a record that the file ends inside, or whose length no packet can
// have, ends reading with Status::Error ("<file>: ... after frame N (...)") and the frames
// before it stay valid. The buffer grows with the bytes read, never to the length a record
// claims, and bytes past the snapshot length are read and dropped, not kept.

#include "core/capture/CaptureReader.h"

#include <cstdio>
#include <memory>
#include <string>

namespace flowladder::core {

// Reads the pcap capture on `stream`, positioned at its first byte (the magic number). The
// reader owns the stream and closes it. `name` is what messages call it; `size` is the file's
// size for progress (0 when unknown). Returns nullptr with `error` set ("<name>: cannot read
// pcap header: ...") when the file header is damaged or cut short.
// `reopenable`: `name` is the path of a regular file of `size` bytes, which the reader may open
// again to read a later part of it at the same time (CaptureReader::openPartFrom).
std::unique_ptr<CaptureReader> openPcapReader(FILE* stream, const std::string& name, uint64_t size, std::string& error,
                                              bool reopenable = false);

} // namespace flowladder::core
