#include "ui/models/Format.h"

#include <QDateTime>
#include <QLocale>
#include <cmath>

namespace flowladder::ui {
using namespace flowladder::core;

QString endpointText(const Endpoint& e)
{
    return QString::fromStdString(e.toString());
}

QString stateText(TcpState s)
{
    if (s == TcpState::Unknown) return QStringLiteral("?");
    return QString::fromLatin1(tcpStateName(s).data(), static_cast<qsizetype>(tcpStateName(s).size()))
        .replace(QLatin1Char('_'), QLatin1Char('-'));
}

QString durationText(double s)
{
    if (!std::isfinite(s)) return QStringLiteral("?");
    const double a = std::abs(s);
    if (a < 1e-3) return QStringLiteral("%1 µs").arg(s * 1e6, 0, 'f', 0);
    if (a < 1.0) return QStringLiteral("%1 ms").arg(s * 1e3, 0, 'f', a < 0.01 ? 2 : 1);
    if (a < 10.0) return QStringLiteral("%1 s").arg(s, 0, 'f', 3);
    if (a < 600.0) return QStringLiteral("%1 s").arg(s, 0, 'f', 1);
    if (a < 7200.0) {
        const auto m = static_cast<long long>(a / 60);
        return QStringLiteral("%1 min %2 s").arg(m).arg(static_cast<long long>(a) % 60);
    }
    return QStringLiteral("%1 h").arg(s / 3600.0, 0, 'f', 1);
}

QString bytesText(uint64_t bytes)
{
    return QLocale::system().formattedDataSize(static_cast<qint64>(bytes));
}

QString flagsText(uint8_t flags)
{
    const std::string s = flagsToString(flags);
    return s.empty() ? QStringLiteral("none") : QString::fromStdString(s);
}

QString kindBadge(FindingKind k)
{
    switch (k) {
    case FindingKind::RstSeqMismatch:
        return QStringLiteral("RST seq≠");
    case FindingKind::ChallengeAck:
        return QStringLiteral("challenge ACK");
    case FindingKind::RstFingerprintMismatch:
        return QStringLiteral("forged RST?");
    case FindingKind::FinRetransmit:
        return QStringLiteral("FIN retx");
    case FindingKind::LingeringClose:
        return QStringLiteral("stuck close");
    case FindingKind::RstIgnored:
        return QStringLiteral("RST ignored");
    case FindingKind::Retransmission:
        return QStringLiteral("retx");
    case FindingKind::DupAck:
        return QStringLiteral("dup ACK");
    case FindingKind::ZeroWindow:
        return QStringLiteral("zero win");
    case FindingKind::KeepAlive:
        return QStringLiteral("keep-alive");
    case FindingKind::SegmentNotCaptured:
        return QStringLiteral("not captured");
    case FindingKind::ConnectionRefused:
        return QStringLiteral("refused");
    case FindingKind::HandshakeUnanswered:
        return QStringLiteral("no answer");
    case FindingKind::ZeroWindowProbe:
        return QStringLiteral("window probe");
    case FindingKind::AbortiveClose:
        return QStringLiteral("reset close");
    case FindingKind::SimultaneousClose:
        return QStringLiteral("FINs crossed");
    case FindingKind::InjectedPacket:
        return QStringLiteral("injected");
    case FindingKind::LostPacket:
        return QStringLiteral("lost");
    case FindingKind::StateDisagreement:
        return QStringLiteral("state differs");
    }
    return QStringLiteral("?");
}

QString kindTitle(FindingKind k)
{
    switch (k) {
    case FindingKind::RstSeqMismatch:
        return QStringLiteral("RST with inexact sequence number");
    case FindingKind::ChallengeAck:
        return QStringLiteral("Challenge ACK");
    case FindingKind::RstFingerprintMismatch:
        return QStringLiteral("RST that looks forged");
    case FindingKind::FinRetransmit:
        return QStringLiteral("FIN retransmitted");
    case FindingKind::LingeringClose:
        return QStringLiteral("Connection stuck closing");
    case FindingKind::RstIgnored:
        return QStringLiteral("RST ignored");
    case FindingKind::Retransmission:
        return QStringLiteral("Retransmissions");
    case FindingKind::DupAck:
        return QStringLiteral("Duplicate ACKs");
    case FindingKind::ZeroWindow:
        return QStringLiteral("Zero window");
    case FindingKind::KeepAlive:
        return QStringLiteral("Keep-alive");
    case FindingKind::SegmentNotCaptured:
        return QStringLiteral("Segment not captured");
    case FindingKind::ConnectionRefused:
        return QStringLiteral("Connection refused");
    case FindingKind::HandshakeUnanswered:
        return QStringLiteral("SYN never answered");
    case FindingKind::ZeroWindowProbe:
        return QStringLiteral("Zero-window probes");
    case FindingKind::AbortiveClose:
        return QStringLiteral("Connection ended with a RST");
    case FindingKind::SimultaneousClose:
        return QStringLiteral("Simultaneous close");
    case FindingKind::InjectedPacket:
        return QStringLiteral("Packet injected in the path");
    case FindingKind::LostPacket:
        return QStringLiteral("Packet lost in the path");
    case FindingKind::StateDisagreement:
        return QStringLiteral("Captures disagree on state");
    }
    return QStringLiteral("?");
}

QString severityText(Severity s)
{
    switch (s) {
    case Severity::Error:
        return QStringLiteral("error");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        return QStringLiteral("info");
    }
    return {};
}

double relativeSeconds(const Flow& f, int64_t tsNs)
{
    return static_cast<double>(tsNs - f.startNs) / 1e9;
}

QString clockText(int64_t tsNs)
{
    const auto dt = QDateTime::fromMSecsSinceEpoch(tsNs / 1000000);
    return dt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

} // namespace flowladder::ui
