#include "ui/models/FlowTableModel.h"

#include "ui/models/Format.h"

#include <QBrush>
#include <QColor>
#include <QGuiApplication>
#include <QPalette>
#include <set>

namespace flowladder::ui {
using namespace flowladder::core;

FlowTableModel::FlowTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void FlowTableModel::setAnalysis(AnalysisPtr analysis)
{
    beginResetModel();
    analysis_ = std::move(analysis);
    bytes_.clear();
    firstFinding_.clear();
    if (analysis_) {
        const Analysis& a = *analysis_;
        bytes_.reserve(a.flows.size());
        firstFinding_.reserve(a.flows.size() + 1);
        uint32_t next = 0;
        for (const Flow& f : a.flows) {
            bytes_.push_back(a.totals(f).allBytes());
            firstFinding_.push_back(a.findingsOf(f, next).first);
        }
        firstFinding_.push_back(static_cast<uint32_t>(a.findings.size()));
    }
    endResetModel();
}

int FlowTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !analysis_ ? 0 : static_cast<int>(analysis_->flows.size());
}

int FlowTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FlowTableModel::badges(size_t row) const
{
    std::set<FindingKind> kinds;
    for (uint32_t i : findingsOf(row))
        if (i < analysis_->findings.size()) kinds.insert(analysis_->findings[i].kind);
    QStringList out;
    for (FindingKind k : kinds)
        out << kindBadge(k);
    return out.join(QStringLiteral(" · "));
}

int FlowTableModel::maxSeverity(size_t row) const
{
    int s = -1;
    for (uint32_t i : findingsOf(row))
        if (i < analysis_->findings.size()) s = std::max(s, static_cast<int>(analysis_->findings[i].severity));
    return s;
}

qulonglong FlowTableModel::kindMask(size_t row) const
{
    qulonglong m = 0;
    for (uint32_t i : findingsOf(row))
        if (i < analysis_->findings.size()) m |= 1ull << static_cast<int>(analysis_->findings[i].kind);
    return m;
}

QVariant FlowTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !analysis_) return {};
    const auto row = static_cast<size_t>(index.row());
    const Flow& f = analysis_->flows[row];
    const uint32_t id = analysis_->idOf(f);
    const int col = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (col) {
        case Id:
            return id;
        case Client:
            return endpointText(f.endpoint(Side::Client));
        case Server:
            return endpointText(f.endpoint(Side::Server));
        case Packets:
            return f.packetCount();
        case Bytes:
            return bytesText(bytes_[row]);
        case Start:
            return durationText(static_cast<double>(analysis_->startNs(f) - analysis_->capture.firstNs) / 1e9);
        case Duration:
            return durationText(analysis_->durationSeconds(f));
        case ClientState:
            return stateText(f.side(Side::Client).finalState);
        case ServerState:
            return stateText(f.side(Side::Server).finalState);
        case Findings:
            return badges(row);
        }
        break;
    case SortRole:
        switch (col) {
        case Id:
            return id;
        case Packets:
            return f.packetCount();
        case Bytes:
            return static_cast<qulonglong>(bytes_[row]);
        case Start:
            return static_cast<qlonglong>(analysis_->startNs(f));
        case Duration:
            return analysis_->durationSeconds(f);
        case Findings:
            return maxSeverity(row) * 100000 + static_cast<int>(findingsOf(row).size());
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::TextAlignmentRole:
        if (col == Id || col == Packets || col == Bytes || col == Start || col == Duration)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole: {
        const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
        const TcpState st = col == ClientState   ? f.side(Side::Client).finalState
                            : col == ServerState ? f.side(Side::Server).finalState
                                                 : TcpState::Unknown;
        if (isLingeringState(st) || (col == Findings && maxSeverity(row) == static_cast<int>(Severity::Error)))
            return QBrush(dark ? QColor(0xff, 0x8a, 0x8a) : QColor(0xb0, 0x10, 0x10));
        if (col == Findings && maxSeverity(row) == static_cast<int>(Severity::Warning))
            return QBrush(dark ? QColor(0xff, 0xb8, 0x6b) : QColor(0xa0, 0x50, 0x00));
        return {};
    }
    case Qt::ToolTipRole:
        if (col == Findings && !findingsOf(row).empty()) {
            QStringList lines;
            for (uint32_t i : findingsOf(row))
                if (i < analysis_->findings.size()) lines << QString::fromStdString(analysis_->findings[i].summary);
            return lines.join(QLatin1Char('\n'));
        }
        return {};
    case FlowIdRole:
        return id;
    case MaxSeverityRole:
        return maxSeverity(row);
    case FindingKindsRole:
        return kindMask(row);
    case SearchTextRole: {
        // What the filter matches: the id, the endpoints, the states as the window and as the CLI and
        // JSON spell them ("CLOSE-WAIT", "CLOSE_WAIT"), and the flow's finding kinds by their JSON
        // names ("rst_seq_mismatch": "rst" finds every flow with a RST finding).
        QString text = QStringLiteral("%1 %2 %3 %4 %5")
                           .arg(id)
                           .arg(endpointText(f.endpoint(Side::Client)), endpointText(f.endpoint(Side::Server)),
                                stateText(f.side(Side::Client).finalState), stateText(f.side(Side::Server).finalState));
        for (Side s : {Side::Client, Side::Server})
            text += QLatin1Char(' ') + QString::fromLatin1(core::tcpStateName(f.side(s).finalState));
        const uint64_t kinds = kindMask(row);
        for (int k = 0; k < core::FindingKindCount; ++k)
            if (kinds & (uint64_t{1} << k))
                text +=
                    QLatin1Char(' ') + QString::fromLatin1(core::findingKindName(static_cast<core::FindingKind>(k)));
        return text;
    }
    }
    return {};
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
    static const char* names[] = {"#",     "Client",   "Server",        "Packets",       "Bytes",
                                  "Start", "Duration", "Client at end", "Server at end", "Findings"};
    return tr(names[section]);
}

} // namespace flowladder::ui
