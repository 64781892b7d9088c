#pragma once
// Readable Qt strings for core values (endpoints, states, durations, finding kinds).
// Formatting only: every fact comes from the Analysis.

#include "core/model/Analysis.h"

#include <QString>
#include <string>

namespace flowladder::ui {

QString endpointText(const core::Endpoint& e);
// "CLOSE-WAIT", the RFC 793 spelling people read.
QString stateText(core::TcpState s);
// "1.842 s", "601.3 s", "12 min 3 s", "850 us".
QString durationText(double seconds);
// A finding field's JSON key as a person reads it ("since_frame" -> "Since frame #"); unknown keys
// get their underscores turned into spaces.
QString fieldLabel(const std::string& key);
// A finding field's value as shown beside its label: durations with their unit.
QString fieldValue(const std::string& key, const std::string& text);
QString bytesText(uint64_t bytes);
QString flagsText(uint8_t flags);
// Short badge for a finding kind ("RST seq≠", "challenge ACK", ...).
QString kindBadge(core::FindingKind k);
// Longer human name ("RST with wrong sequence number").
QString kindTitle(core::FindingKind k);
QString severityText(core::Severity s);
// Capture time in UTC, the one format of the window, the exports and the postmortem:
// "2024-03-14 09:26:55.190123 UTC" (`decimals` of a second: 6 in the window, 3 in titles).
QString clockText(int64_t tsNs, int decimals = 6);
// "09:26:55.190 UTC", for the end of a range whose start says the date.
QString timeOfDayText(int64_t tsNs);

} // namespace flowladder::ui
