#include "ui/ladder/LadderStyle.h"

namespace flowladder::ui {
using namespace flowladder::core;

ArrowKind arrowKindOf(const PacketRecord& p)
{
    if (p.has(tcpflag::RST)) return ArrowKind::Rst;
    if (p.marked(mark::ChallengeAck)) return ArrowKind::ChallengeAck;
    if (p.marked(mark::Retransmission | mark::FastRetransmission | mark::FinRetransmit))
        return ArrowKind::Retransmission;
    if (p.has(tcpflag::SYN)) return ArrowKind::Syn;
    if (p.has(tcpflag::FIN)) return ArrowKind::Fin;
    if (p.payloadLen > 0) return ArrowKind::Data;
    return ArrowKind::PureAck;
}

const char* arrowKindName(ArrowKind k)
{
    switch (k) {
    case ArrowKind::Syn:
        return "SYN";
    case ArrowKind::Data:
        return "data";
    case ArrowKind::PureAck:
        return "pure ACK";
    case ArrowKind::Fin:
        return "FIN";
    case ArrowKind::Rst:
        return "RST";
    case ArrowKind::Retransmission:
        return "retransmission";
    case ArrowKind::ChallengeAck:
        return "challenge ACK";
    case ArrowKind::Count:
        break;
    }
    return "";
}

LadderStyle LadderStyle::light()
{
    LadderStyle s;
    s.dark = false;
    s.background = QColor(0xfb, 0xfb, 0xfa);
    s.text = QColor(0x1d, 0x20, 0x24);
    s.mutedText = QColor(0x5f, 0x66, 0x70);
    s.lifeline = QColor(0x45, 0x4d, 0x59);
    s.capturePoint = QColor(0x70, 0x78, 0x85);
    s.gapLine = QColor(0x80, 0x80, 0x80);
    s.selection = QColor(0x2a, 0x7f, 0xff, 60);
    s.kind[int(ArrowKind::Syn)] = QColor(0x1e, 0x9e, 0x4a);
    s.kind[int(ArrowKind::Data)] = QColor(0x25, 0x63, 0xeb);
    s.kind[int(ArrowKind::PureAck)] = QColor(0x7b, 0x82, 0x8c);
    s.kind[int(ArrowKind::Fin)] = QColor(0xe8, 0x6a, 0x10);
    s.kind[int(ArrowKind::Rst)] = QColor(0xd3, 0x1f, 0x1f);
    s.kind[int(ArrowKind::Retransmission)] = QColor(0x8b, 0x3f, 0xe0);
    s.kind[int(ArrowKind::ChallengeAck)] = QColor(0xb8, 0x86, 0x00);
    s.stateBand = QColor(0xb9, 0xe8, 0xc4);
    s.closeWaitBand = QColor(0xf6, 0xc1, 0xc1);
    s.closeWaitText = QColor(0x9b, 0x12, 0x12);
    s.noteText = QColor(0x9b, 0x12, 0x12);
    s.findingMark = QColor(0xd3, 0x1f, 0x1f);
    return s;
}

LadderStyle LadderStyle::darkStyle()
{
    LadderStyle s;
    s.dark = true;
    s.background = QColor(0x1e, 0x21, 0x26);
    s.text = QColor(0xe6, 0xe8, 0xeb);
    s.mutedText = QColor(0xa0, 0xa8, 0xb3);
    s.lifeline = QColor(0xb4, 0xbb, 0xc6);
    s.capturePoint = QColor(0x8a, 0x92, 0x9e);
    s.gapLine = QColor(0x9a, 0x9a, 0x9a);
    s.selection = QColor(0x4d, 0x9a, 0xff, 80);
    s.kind[int(ArrowKind::Syn)] = QColor(0x4a, 0xd6, 0x7a);
    s.kind[int(ArrowKind::Data)] = QColor(0x6c, 0x9d, 0xff);
    s.kind[int(ArrowKind::PureAck)] = QColor(0x9d, 0xa5, 0xb0);
    s.kind[int(ArrowKind::Fin)] = QColor(0xff, 0x99, 0x4d);
    s.kind[int(ArrowKind::Rst)] = QColor(0xff, 0x5c, 0x5c);
    s.kind[int(ArrowKind::Retransmission)] = QColor(0xc0, 0x8c, 0xff);
    s.kind[int(ArrowKind::ChallengeAck)] = QColor(0xf2, 0xc1, 0x3c);
    s.stateBand = QColor(0x2f, 0x6b, 0x3e);
    s.closeWaitBand = QColor(0x8a, 0x2a, 0x2a);
    s.closeWaitText = QColor(0xff, 0xb3, 0xb3);
    s.noteText = QColor(0xff, 0x9d, 0x9d);
    s.findingMark = QColor(0xff, 0x5c, 0x5c);
    return s;
}

LadderStyle LadderStyle::forPalette(const QPalette& palette)
{
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    LadderStyle s = dark ? darkStyle() : light();
    s.background = palette.color(QPalette::Base);
    s.text = palette.color(QPalette::Text);
    return s;
}

} // namespace flowladder::ui
