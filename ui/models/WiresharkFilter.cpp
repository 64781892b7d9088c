#include "ui/models/WiresharkFilter.h"

namespace flowladder::ui {
using namespace flowladder::core;

namespace {
QString half(const Endpoint& a, const Endpoint& b)
{
    const QString ip = a.addr.version == 6 ? QStringLiteral("ipv6") : QStringLiteral("ip");
    return QStringLiteral("%1.src == %2 && tcp.srcport == %3 && %1.dst == %4 && tcp.dstport == %5")
        .arg(ip, QString::fromStdString(a.addr.toString()))
        .arg(a.port)
        .arg(QString::fromStdString(b.addr.toString()))
        .arg(b.port);
}
} // namespace

QString wiresharkFlowFilter(const Flow& flow)
{
    const Endpoint c = flow.endpoint(Side::Client);
    const Endpoint s = flow.endpoint(Side::Server);
    return QStringLiteral("(%1) || (%2)").arg(half(c, s), half(s, c));
}

QString wiresharkFrameFilter(uint32_t frame)
{
    return QStringLiteral("frame.number == %1").arg(frame);
}

} // namespace flowladder::ui
