#include "ui/models/Format.h"

#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <algorithm>
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

QString clockText(int64_t tsNs, int decimals)
{
    // Whole seconds from QDateTime, the fraction from the nanoseconds (QDateTime stops at ms).
    const int64_t sec = tsNs >= 0 ? tsNs / 1'000'000'000 : -((-tsNs + 999'999'999) / 1'000'000'000);
    const int64_t frac = tsNs - sec * 1'000'000'000;
    QString text = QDateTime::fromSecsSinceEpoch(sec, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    decimals = std::clamp(decimals, 0, 9);
    if (decimals > 0) {
        int64_t unit = 1'000'000'000;
        for (int i = 0; i < decimals; ++i)
            unit /= 10;
        text += QStringLiteral(".%1").arg(frac / unit, decimals, 10, QLatin1Char('0'));
    }
    return text + QStringLiteral(" UTC");
}

QString timeOfDayText(int64_t tsNs)
{
    return clockText(tsNs, 3).mid(11); // "HH:mm:ss.zzz UTC"
}

QString fieldLabel(const std::string& key)
{
    static const QHash<QString, QString> labels = {
        {QStringLiteral("side"), QStringLiteral("Side")},
        {QStringLiteral("rst_seq"), QStringLiteral("RST sequence number")},
        {QStringLiteral("expected_seq"), QStringLiteral("Expected (RCV.NXT)")},
        {QStringLiteral("delta"), QStringLiteral("Off by")},
        {QStringLiteral("class"), QStringLiteral("Class")},
        {QStringLiteral("outcome"), QStringLiteral("Outcome")},
        {QStringLiteral("challenge_ack_frame"), QStringLiteral("Challenge ACK")},
        {QStringLiteral("receive_window"), QStringLiteral("Receive window (bytes)")},
        {QStringLiteral("receiver_state"), QStringLiteral("Receiver's state")},
        {QStringLiteral("frames_after"), QStringLiteral("Packets sent after it")},
        {QStringLiteral("rst_seq_relative"), QStringLiteral("RST sequence number (relative)")},
        {QStringLiteral("expected_seq_relative"), QStringLiteral("Expected (relative)")},
        {QStringLiteral("count"), QStringLiteral("How many")},
        {QStringLiteral("frames"), QStringLiteral("Frames")},
        {QStringLiteral("challenge_acks"), QStringLiteral("Drew a challenge ACK")},
        {QStringLiteral("without_challenge_ack"), QStringLiteral("Drew none")},
        {QStringLiteral("no_challenge_reason"), QStringLiteral("Why none")},
        {QStringLiteral("ignored"), QStringLiteral("Ignored")},
        {QStringLiteral("challenge_ack_spacing"), QStringLiteral("Challenge ACKs at least apart")},
        {QStringLiteral("rst_frame"), QStringLiteral("RST")},
        {QStringLiteral("ttl"), QStringLiteral("TTL / hop limit")},
        {QStringLiteral("usual_ttl"), QStringLiteral("Sender's usual TTL")},
        {QStringLiteral("ip_id"), QStringLiteral("IP ID")},
        {QStringLiteral("previous_ip_id"), QStringLiteral("Sender's previous IP ID")},
        {QStringLiteral("ttl_mismatch"), QStringLiteral("TTL does not fit")},
        {QStringLiteral("ip_id_unusual"), QStringLiteral("IP ID does not fit")},
        {QStringLiteral("original_frame"), QStringLiteral("First sent")},
        {QStringLiteral("acknowledged"), QStringLiteral("Acknowledged")},
        {QStringLiteral("state"), QStringLiteral("State")},
        {QStringLiteral("since_frame"), QStringLiteral("Since")},
        {QStringLiteral("retransmits"), QStringLiteral("Retransmissions")},
        {QStringLiteral("duration"), QStringLiteral("Duration")},
        {QStringLiteral("unresolved_at_end"), QStringLiteral("Unresolved at the end")},
        {QStringLiteral("outstanding_at_end"), QStringLiteral("Unacknowledged at the end")},
        {QStringLiteral("rst_frames"), QStringLiteral("RSTs")},
        {QStringLiteral("cause"), QStringLiteral("Cause")},
        {QStringLiteral("unanswered_probes"), QStringLiteral("Unanswered probes")},
        {QStringLiteral("peer_bytes_unanswered"), QStringLiteral("Peer's bytes unanswered")},
        {QStringLiteral("peer_data_frame"), QStringLiteral("Peer's data from")},
        {QStringLiteral("client_fin_frame"), QStringLiteral("Client's FIN")},
        {QStringLiteral("server_fin_frame"), QStringLiteral("Server's FIN")},
        {QStringLiteral("capture"), QStringLiteral("Capture")},
        {QStringLiteral("flow_a"), QStringLiteral("Flow in A")},
        {QStringLiteral("flow_b"), QStringLiteral("Flow in B")},
        {QStringLiteral("flags"), QStringLiteral("Flags")},
        {QStringLiteral("seq"), QStringLiteral("Sequence number")},
        {QStringLiteral("arrived"), QStringLiteral("Another copy arrived")},
        {QStringLiteral("after_other_capture_end"), QStringLiteral("After the other capture ended")},
        {QStringLiteral("client_state_a"), QStringLiteral("Client in A")},
        {QStringLiteral("server_state_a"), QStringLiteral("Server in A")},
        {QStringLiteral("client_state_b"), QStringLiteral("Client in B")},
        {QStringLiteral("server_state_b"), QStringLiteral("Server in B")},
        {QStringLiteral("sides"), QStringLiteral("Sides that differ")},
    };
    const QString k = QString::fromStdString(key);
    const auto it = labels.constFind(k);
    if (it != labels.constEnd()) return *it;
    QString plain = k;
    plain.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!plain.isEmpty()) plain[0] = plain[0].toUpper();
    return plain;
}

QString fieldValue(const std::string& key, const std::string& text)
{
    // Durations are written in seconds (JSON numbers): shown with their unit.
    if (key == "duration" || key == "challenge_ack_spacing") {
        bool ok = false;
        const double seconds = QString::fromStdString(text).toDouble(&ok);
        if (ok) return durationText(seconds);
    }
    return QString::fromStdString(text);
}

} // namespace flowladder::ui
