#pragma once
// How the ladder classifies a packet for colour (from flags and the core's marks),
// and the colours for light and dark palettes.

#include "core/model/PacketRecord.h"

#include <QColor>
#include <QPalette>

namespace flowladder::ui {

enum class ArrowKind { Syn, Data, PureAck, Fin, Rst, Retransmission, ChallengeAck, Count };

ArrowKind arrowKindOf(const core::PacketRecord& p);
const char* arrowKindName(ArrowKind k); // legend text

struct LadderStyle {
    bool dark = false;
    QColor background, text, mutedText, lifeline, capturePoint, gapLine, selection;
    QColor kind[static_cast<int>(ArrowKind::Count)];
    QColor stateBand, closeWaitBand, closeWaitText, noteText, findingMark;

    static LadderStyle forPalette(const QPalette& palette);
    static LadderStyle light();
    static LadderStyle darkStyle();
    QColor colorOf(ArrowKind k) const { return kind[static_cast<int>(k)]; }
};

} // namespace flowladder::ui
