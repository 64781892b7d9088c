#include "core/capture/PcapngExport.h"

#include "core/capture/Libpcap.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

namespace flowladder::core {

namespace {

void put32(std::string& b, uint32_t v)
{
    b.append(reinterpret_cast<const char*>(&v), 4);
}
void put16(std::string& b, uint16_t v)
{
    b.append(reinterpret_cast<const char*>(&v), 2);
}
void pad4(std::string& b)
{
    while (b.size() % 4)
        b.push_back('\0');
}
void option(std::string& b, uint16_t code, const std::string& value)
{
    put16(b, code);
    put16(b, static_cast<uint16_t>(value.size()));
    b += value;
    pad4(b);
}
// Wraps a block body: type, total length, body, total length.
std::string block(uint32_t type, const std::string& body)
{
    std::string b;
    const auto len = static_cast<uint32_t>(12 + body.size());
    put32(b, type);
    put32(b, len);
    b += body;
    put32(b, len);
    return b;
}

} // namespace

bool writePcapngWithComments(const std::string& inPath, const std::string& outPath,
                             const std::vector<FrameComment>& comments, std::string& error)
{
    const Libpcap* lib = libpcap(error);
    if (!lib) {
        error = inPath + ": cannot copy to pcapng: " + error;
        return false;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* in = lib->pcap_open_offline_with_tstamp_precision(inPath.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!in) {
        error = inPath + ": " + errbuf;
        return false;
    }
    std::multimap<uint32_t, std::string> byFrame;
    for (const auto& c : comments)
        if (c.frame && !c.text.empty()) byFrame.emplace(c.frame, c.text.substr(0, 65000));

    const std::string tmp = outPath + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
        lib->pcap_close(in);
        error = tmp + ": cannot write";
        return false;
    }
    { // Section Header Block
        std::string b;
        put32(b, 0x1A2B3C4D);
        put16(b, 1);
        put16(b, 0);
        put32(b, 0xFFFFFFFF); // section length unknown (64-bit -1)
        put32(b, 0xFFFFFFFF);
        option(b, 4, "FlowLadder"); // shb_userappl
        option(b, 0, "");
        out << block(0x0A0D0D0A, b);
    }
    { // Interface Description Block
        std::string b;
        put16(b, static_cast<uint16_t>(lib->pcap_datalink(in)));
        put16(b, 0);
        put32(b, static_cast<uint32_t>(lib->pcap_snapshot(in)));
        option(b, 9, std::string(1, '\x09')); // if_tsresol: 10^-9
        option(b, 0, "");
        out << block(0x00000001, b);
    }
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    uint32_t frame = 0;
    int rc;
    while ((rc = lib->pcap_next_ex(in, &h, &data)) == 1) {
        ++frame;
        const uint64_t ts = static_cast<uint64_t>(h->ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(h->ts.tv_usec);
        std::string b;
        put32(b, 0); // interface 0
        put32(b, static_cast<uint32_t>(ts >> 32));
        put32(b, static_cast<uint32_t>(ts));
        put32(b, h->caplen);
        put32(b, h->len);
        b.append(reinterpret_cast<const char*>(data), h->caplen);
        pad4(b);
        auto [lo, hi] = byFrame.equal_range(frame);
        if (lo != hi) {
            for (auto it = lo; it != hi; ++it)
                option(b, 1, it->second); // opt_comment
            option(b, 0, "");
        }
        out << block(0x00000006, b);
    }
    std::string readError = rc == -1 ? std::string(lib->pcap_geterr(in)) : std::string();
    lib->pcap_close(in);
    out.flush();
    if (!out) {
        std::remove(tmp.c_str());
        error = tmp + ": cannot write";
        return false;
    }
    out.close();
    if (std::rename(tmp.c_str(), outPath.c_str()) != 0) {
        std::remove(tmp.c_str());
        error = outPath + ": cannot replace: " + std::strerror(errno);
        return false;
    }
    if (!readError.empty()) {
        error = inPath + ": stopped early: " + readError + " (the packets before were written)";
        return false;
    }
    return true;
}

} // namespace flowladder::core
