#include "core/model/Types.h"

#include <arpa/inet.h>

namespace flowladder::core {

std::string IpAddress::toString() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(version == 6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

std::string Endpoint::toString() const
{
    if (addr.version == 6) return "[" + addr.toString() + "]:" + std::to_string(port);
    return addr.toString() + ":" + std::to_string(port);
}

std::string flagsToString(uint8_t flags)
{
    static constexpr const char* names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    // Print in the conventional order: SYN, FIN, RST, PSH, ACK, URG, ECE, CWR.
    static constexpr int order[] = {1, 0, 2, 3, 4, 5, 6, 7};
    std::string out;
    for (int bit : order) {
        if (!(flags & (1u << bit))) continue;
        if (!out.empty()) out += ',';
        out += names[bit];
    }
    return out;
}

std::string_view stateBasisName(StateBasis b)
{
    switch (b) {
    case StateBasis::Observed:
        return "observed";
    case StateBasis::Assumed:
        return "assumed";
    case StateBasis::Unknown:
        return "unknown";
    }
    return "unknown";
}

std::string_view tcpStateName(TcpState s)
{
    switch (s) {
    case TcpState::Unknown:
        return "UNKNOWN";
    case TcpState::Closed:
        return "CLOSED";
    case TcpState::Listen:
        return "LISTEN";
    case TcpState::SynSent:
        return "SYN_SENT";
    case TcpState::SynReceived:
        return "SYN_RECEIVED";
    case TcpState::Established:
        return "ESTABLISHED";
    case TcpState::FinWait1:
        return "FIN_WAIT_1";
    case TcpState::FinWait2:
        return "FIN_WAIT_2";
    case TcpState::CloseWait:
        return "CLOSE_WAIT";
    case TcpState::Closing:
        return "CLOSING";
    case TcpState::LastAck:
        return "LAST_ACK";
    case TcpState::TimeWait:
        return "TIME_WAIT";
    }
    return "UNKNOWN";
}

std::string_view sideName(Side s)
{
    return s == Side::Client ? "client" : "server";
}

} // namespace flowladder::core
