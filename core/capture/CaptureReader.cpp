#include "core/capture/CaptureReader.h"

#include "core/capture/Decoder.h"
#include "core/capture/PcapngReader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <pcap/pcap.h>
#include <stdio_ext.h>
#include <sys/stat.h>

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

class LibpcapReader final : public CaptureReader {
public:
    LibpcapReader(pcap_t* p, std::string path, CaptureFormat format, uint64_t size)
        : pcap_(p), path_(std::move(path)), format_(format), size_(size), dlt_(pcap_datalink(p))
    {
    }
    ~LibpcapReader() override { pcap_close(pcap_); }

    Status next(RawFrame& frame) override
    {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(pcap_, &hdr, &data);
        if (rc == 1) {
            frame.frame = ++frames_;
            frame.tsNs = static_cast<int64_t>(hdr->ts.tv_sec) * 1000000000LL + hdr->ts.tv_usec;
            frame.dlt = dlt_;
            frame.caplen = hdr->caplen;
            frame.wirelen = hdr->len;
            frame.data = data;
            return Status::Frame;
        }
        if (rc == PCAP_ERROR_BREAK) return Status::End; // end of file
        const std::string msg = pcap_geterr(pcap_);
        truncated_ = msg.find("truncated") != std::string::npos;
        error_ = path_ + ": " + (truncated_ ? "file ends inside a packet record" : "damaged packet record") +
                 " after frame " + std::to_string(frames_) + " (" + msg + ")";
        // A record that cannot be read ends the readable part of the file either way.
        truncated_ = true;
        return Status::Error;
    }
    std::string error() const override { return error_; }
    bool truncated() const override { return truncated_; }
    CaptureFormat format() const override { return format_; }
    int dlt() const override { return dlt_; }
    uint64_t position() const override
    {
        FILE* f = pcap_file(pcap_);
        const long pos = f ? std::ftell(f) : -1;
        return pos < 0 ? 0 : static_cast<uint64_t>(pos);
    }
    uint64_t fileSize() const override { return size_; }

private:
    pcap_t* pcap_;
    std::string path_;
    CaptureFormat format_;
    uint64_t size_;
    int dlt_;
    uint32_t frames_ = 0;
    std::string error_;
    bool truncated_ = false;
};

} // namespace

std::unique_ptr<CaptureReader> CaptureReader::open(const std::string& path, std::string& error)
{
    uint32_t magic = 0;
    uint64_t size = 0;
    if (!readMagic(path, magic, size, error)) return nullptr;
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
    // libpcap reads each record with two fread calls. Only this thread reads the stream,
    // so stdio's per-call locking is switched off (a fifth of the reading time), and a
    // 64 KiB buffer makes fewer read system calls than the default 4 KiB.
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = path + ": cannot open: " + std::strerror(errno);
        return nullptr;
    }
    std::setvbuf(f, nullptr, _IOFBF, size_t{64} << 10);
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fclose(f);
        error = path + ": cannot read pcap header: " + errbuf;
        return nullptr;
    }
    return std::make_unique<LibpcapReader>(p, path, CaptureFormat::Pcap, size);
}

} // namespace flowladder::core
