// Writes the small synthetic captures of tests/golden/captures (edge cases the real captures
// do not cover) with the test support writer. Everything is fixed (addresses, sequence
// numbers, times), so a run writes the same bytes; scripts/regen-golden.sh runs it.
//
//   golden_make_synthetic OUTDIR

#include "core/model/Types.h"
#include "tests/support/CaptureWriter.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

using namespace flowladder::testsupport;
namespace tf = flowladder::core::tcpflag;

namespace {

constexpr int64_t T0 = 1'700'000'000'000'000'000; // 2023-11-14T22:13:20Z, ns
constexpr int64_t Ms = 1'000'000;
constexpr int C = 0, S = 1; // client, server

// One TCP connection seen by a capture point: each side's next sequence number and what it
// has received (its ACK point), a clock, and the frames so far.
struct Conversation {
    std::string addr[2];
    uint16_t port[2];
    uint32_t seq[2];
    uint32_t rcv[2] = {0, 0};
    uint8_t ttl[2] = {64, 58};
    uint16_t ipId[2] = {100, 7000};
    uint16_t window[2] = {502, 509};
    Link link = Link::Ethernet;
    LinkOptions linkOptions;
    int64_t t = T0;
    std::vector<Packet> packets;

    Conversation(std::string client, uint16_t clientPort, std::string server, uint16_t serverPort, uint32_t clientIsn,
                 uint32_t serverIsn)
        : addr{std::move(client), std::move(server)}, port{clientPort, serverPort}, seq{clientIsn, serverIsn}
    {
    }

    TcpSegment segment(int from, uint8_t flags, uint32_t seqNo, uint32_t len) const
    {
        TcpSegment s;
        s.src = addr[from];
        s.dst = addr[1 - from];
        s.sport = port[from];
        s.dport = port[1 - from];
        s.seq = seqNo;
        s.ack = (flags & tf::ACK) ? rcv[from] : 0;
        s.flags = flags;
        s.window = window[from];
        s.payloadLen = len;
        s.ttl = ttl[from];
        if (flags & tf::SYN) {
            s.mss = 1460;
            s.wscale = 7;
            s.sackPerm = true;
        }
        return s;
    }
    void push(TcpSegment s, int from, int64_t after)
    {
        t += after;
        s.ipId = ipId[from]++;
        packets.push_back({t, buildFrame(link, s, linkOptions)});
    }
    // `from` sends new data (or SYN/FIN); the peer receives it unless `lost`.
    void send(int from, uint8_t flags, uint32_t len = 0, int64_t after = 1 * Ms, bool lost = false)
    {
        push(segment(from, flags, seq[from], len), from, after);
        seq[from] += len + ((flags & tf::SYN) ? 1 : 0) + ((flags & tf::FIN) ? 1 : 0);
        if (!lost && !(flags & tf::RST)) rcv[1 - from] = seq[from];
    }
    // A segment with a sequence number of its own (retransmissions, RSTs); changes nothing.
    void sendAt(int from, uint8_t flags, uint32_t seqNo, uint32_t len = 0, int64_t after = 1 * Ms, int ttlOverride = -1)
    {
        TcpSegment s = segment(from, flags, seqNo, len);
        if (ttlOverride >= 0) s.ttl = static_cast<uint8_t>(ttlOverride);
        push(s, from, after);
    }
    void handshake(int64_t rtt = 20 * Ms)
    {
        send(C, tf::SYN, 0, 0);
        send(S, tf::SYN | tf::ACK, 0, rtt);
        send(C, tf::ACK, 0, 1 * Ms);
    }
    void write(const std::string& path) const
    {
        PcapWriter w(linktypeOf(link), false);
        for (const Packet& p : packets)
            w.add(p);
        w.write(path);
    }
};

// IPv6 on Ethernet, a request, a two-segment response, both FINs: nothing wrong.
void ipv6CleanClose(const std::string& dir)
{
    Conversation c("2001:db8:10::5", 50110, "2001:db8:20::80", 443, 1000000, 3000000);
    c.handshake();
    c.send(C, tf::PSH | tf::ACK, 517, 2 * Ms);
    c.send(S, tf::ACK, 0, 20 * Ms);
    c.send(S, tf::PSH | tf::ACK, 1400, 5 * Ms);
    c.send(S, tf::PSH | tf::ACK, 600, 1 * Ms);
    c.send(C, tf::ACK, 0, 20 * Ms);
    c.send(C, tf::FIN | tf::ACK, 0, 100 * Ms);
    c.send(S, tf::FIN | tf::ACK, 0, 20 * Ms);
    c.send(C, tf::ACK, 0, 20 * Ms);
    c.write(dir + "/ipv6-clean-close.pcap");
}

// 802.1Q VLAN 42: the incident in small. The client half-closes; a box in the path sends the
// server a RST spoofing the client with seq = RCV.NXT - 1 and another TTL; the server ignores
// it and keeps retransmitting its data, unanswered, until the capture ends.
void vlanOffByOneRst(const std::string& dir)
{
    Conversation c("192.0.2.10", 51234, "198.51.100.80", 80, 2635875237u, 1597930000u);
    c.link = Link::Vlan;
    c.linkOptions.vlanId = 42;
    c.ttl[C] = 57;
    c.handshake(15 * Ms);
    c.send(C, tf::PSH | tf::ACK, 120, 1 * Ms);
    c.send(S, tf::PSH | tf::ACK, 1448, 15 * Ms);
    c.send(C, tf::ACK, 0, 15 * Ms);
    c.send(C, tf::FIN | tf::ACK, 0, 500 * Ms);
    const uint32_t finSeq = c.seq[C] - 1;
    c.send(S, tf::PSH | tf::ACK, 1448, 10 * Ms, /*lost=*/true); // never reaches the client
    c.sendAt(C, tf::RST | tf::ACK, finSeq, 0, 40 * Ms, 249);
    const uint32_t dataSeq = c.seq[S] - 1448;
    int64_t rto = 200 * Ms;
    for (int i = 0; i < 6; ++i, rto *= 2)
        c.sendAt(S, tf::PSH | tf::ACK, dataSeq, 1448, rto);
    c.write(dir + "/vlan-off-by-one-rst.pcap");
}

// Linux cooked capture v2: the client's receive window closes, the server sends persist
// probes, the window opens again and the transfer ends with both FINs.
void sll2ZeroWindow(const std::string& dir)
{
    Conversation c("10.20.0.5", 40222, "10.20.1.9", 8080, 500000, 900000);
    c.link = Link::Sll2;
    c.handshake(2 * Ms);
    c.send(C, tf::PSH | tf::ACK, 80, 1 * Ms);
    for (int i = 0; i < 4; ++i)
        c.send(S, tf::ACK, 1448, 1 * Ms);
    c.window[C] = 0;
    c.send(C, tf::ACK, 0, 2 * Ms);
    for (int i = 0; i < 3; ++i) {
        c.sendAt(S, tf::ACK, c.seq[S] - 1, 0, (200 << i) * Ms); // persist probe
        c.send(C, tf::ACK, 0, 2 * Ms);
    }
    c.window[C] = 502;
    c.send(C, tf::ACK, 0, 300 * Ms); // window update
    c.send(S, tf::PSH | tf::ACK, 700, 2 * Ms);
    c.send(C, tf::ACK, 0, 2 * Ms);
    c.send(S, tf::FIN | tf::ACK, 0, 5 * Ms);
    c.send(C, tf::FIN | tf::ACK, 0, 2 * Ms);
    c.send(S, tf::ACK, 0, 2 * Ms);
    c.write(dir + "/sll2-zero-window.pcap");
}

// The capture starts in the middle of a connection (no handshake): the side with the
// ephemeral port is the client; it ends the connection with a RST.
void midConnection(const std::string& dir)
{
    Conversation c("172.16.5.20", 49876, "172.16.9.1", 5432, 77000000, 88000000);
    c.rcv[C] = c.seq[S];
    c.rcv[S] = c.seq[C];
    // Frames from the server first, so the first packet does not tell who the client is.
    c.send(S, tf::PSH | tf::ACK, 300, 0);
    c.send(C, tf::ACK, 0, 1 * Ms);
    for (int i = 0; i < 3; ++i) {
        c.send(C, tf::PSH | tf::ACK, 64, 500 * Ms);
        c.send(S, tf::PSH | tf::ACK, 900, 3 * Ms);
        c.send(C, tf::ACK, 0, 1 * Ms);
    }
    c.send(C, tf::RST | tf::ACK, 0, 2000 * Ms);
    c.write(dir + "/mid-connection.pcap");
}

// A storm of RSTs spoofing the client with sequence numbers scattered inside the server's
// window (a blind reset attack, RFC 5961): the server answers some with challenge ACKs and
// carries on.
void rstStorm(const std::string& dir)
{
    Conversation c("203.0.113.7", 33000, "198.51.100.25", 179, 4000000000u, 12345);
    c.handshake(1 * Ms);
    c.send(C, tf::PSH | tf::ACK, 19, 1 * Ms);
    c.send(S, tf::PSH | tf::ACK, 19, 1 * Ms);
    c.send(C, tf::ACK, 0, 1 * Ms);
    const uint32_t base = c.seq[C];
    for (int i = 0; i < 24; ++i) {
        c.sendAt(C, tf::RST, base + 1000u + 2477u * static_cast<uint32_t>(i), 0, 3 * Ms, 112);
        if (i % 4 == 0) c.send(S, tf::ACK, 0, 50'000); // challenge ACK (rate limited)
    }
    c.send(S, tf::PSH | tf::ACK, 19, 30 * Ms); // keepalive message: the session survived
    c.send(C, tf::ACK, 0, 1 * Ms);
    c.write(dir + "/rst-storm.pcap");
}

// pcapng with two interfaces of different link types (MIXED): on Ethernet, SYNs to a port
// nobody answers; on raw IP, a connection refused with a RST.
void pcapngMixedLinks(const std::string& dir)
{
    PcapngWriter w;
    const uint32_t eth = w.addInterface(linktypeOf(Link::Ethernet), 6, 262144);
    const uint32_t raw = w.addInterface(linktypeOf(Link::RawIp), 9, 262144);
    Conversation a("10.0.0.1", 41000, "10.9.9.9", 22, 111111, 0);
    Conversation b("10.0.0.1", 41001, "10.0.0.2", 25, 222222, 333333);
    b.link = Link::RawIp;
    int64_t rto = 1000 * Ms;
    for (int i = 0; i < 4; ++i, rto *= 2) {
        a.sendAt(C, tf::SYN, a.seq[C], 0, i == 0 ? 0 : rto);
        a.packets.back().interfaceId = eth;
    }
    b.t = T0 + 500 * Ms;
    b.send(C, tf::SYN, 0, 0);
    b.sendAt(S, tf::RST | tf::ACK, 0, 0, 1 * Ms);
    for (Packet& p : b.packets)
        p.interfaceId = raw;
    std::vector<Packet> all = a.packets;
    all.insert(all.end(), b.packets.begin(), b.packets.end());
    std::stable_sort(all.begin(), all.end(), [](const Packet& x, const Packet& y) { return x.tsNs < y.tsNs; });
    for (const Packet& p : all)
        w.addPacket(p);
    w.write(dir + "/pcapng-mixed-links.pcapng");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    try {
        std::filesystem::create_directories(dir);
        ipv6CleanClose(dir);
        vlanOffByOneRst(dir);
        sll2ZeroWindow(dir);
        midConnection(dir);
        rstStorm(dir);
        pcapngMixedLinks(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
