#include "core/JsonReport.h"

namespace flowladder::core {

using nlohmann::ordered_json;

namespace {

ordered_json fieldToJson(const FieldValue& v) {
    return std::visit(
        [](const auto& x) -> ordered_json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) return nullptr;
            else return x;
        },
        v);
}

double seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

} // namespace

ordered_json findingToJson(const Finding& f) {
    ordered_json j;
    j["kind"] = std::string(findingKindName(f.kind));
    j["flow"] = f.flow;
    j["frame"] = f.frame;
    j["severity"] = std::string(severityName(f.severity));
    j["summary"] = f.summary;
    for (const auto& [k, v] : f.fields) j[k] = fieldToJson(v);
    if (!f.relatedFrames.empty()) j["related_frames"] = f.relatedFrames;
    return j;
}

ordered_json flowToJson(const Analysis& a, const Flow& f) {
    (void)a;
    ordered_json j;
    const FlowSide& c = f.side(Side::Client);
    const FlowSide& s = f.side(Side::Server);
    j["id"] = f.id;
    j["client"] = c.endpoint.toString();
    j["server"] = s.endpoint.toString();
    j["first_frame"] = f.firstFrame;
    j["last_frame"] = f.lastFrame;
    j["packets"] = f.packetCount();
    j["bytes"] = f.payloadBytes();
    j["start"] = seconds(f.startNs);
    j["duration"] = seconds(f.endNs - f.startNs);
    j["client_state"] = std::string(tcpStateName(c.finalState));
    j["server_state"] = std::string(tcpStateName(s.finalState));
    j["findings"] = std::vector<uint32_t>(f.findings.begin(), f.findings.end());
    j["handshake_seen"] = f.handshakeSeen;
    j["client_packets"] = c.packets;
    j["server_packets"] = s.packets;
    j["client_bytes"] = c.payloadBytes;
    j["server_bytes"] = s.payloadBytes;
    j["client_isn"] = c.isn;
    j["server_isn"] = s.isn;
    return j;
}

namespace {

// Everything of the top-level object but the flows and the findings.
ordered_json captureHeader(const Analysis& a) {
    const CaptureInfo& ci = a.capture;
    ordered_json j;
    j["file"] = ci.file;
    j["format"] = std::string(captureFormatName(ci.format));
    j["linktype"] = ci.linktype;
    j["linktypes"] = ci.linktypes;
    j["packets"] = ci.packets;
    j["tcp_packets"] = ci.tcpPackets;
    j["truncated"] = ci.truncated;
    j["errors"] = ci.errors;
    j["ip_fragments"] = ci.ipFragments;
    j["malformed"] = ci.malformed;
    j["start"] = seconds(ci.firstNs);
    j["duration"] = seconds(ci.lastNs - ci.firstNs);
    return j;
}

} // namespace

ordered_json analysisToJson(const Analysis& a) {
    ordered_json j = captureHeader(a);
    ordered_json flows = ordered_json::array();
    for (const Flow& f : a.flows) flows.push_back(flowToJson(a, f));
    j["flows"] = std::move(flows);
    ordered_json findings = ordered_json::array();
    for (const Finding& f : a.findings) findings.push_back(findingToJson(f));
    j["findings"] = std::move(findings);
    return j;
}

void writeAnalysisJson(const Analysis& a, std::ostream& out) {
    out << "{\n";
    const ordered_json header = captureHeader(a);
    for (const auto& [key, value] : header.items())
        out << "  " << ordered_json(key).dump() << ": " << value.dump() << ",\n";
    out << "  \"flows\": [";
    for (size_t i = 0; i < a.flows.size(); ++i)
        out << (i ? ",\n    " : "\n    ") << flowToJson(a, a.flows[i]).dump();
    out << (a.flows.empty() ? "],\n" : "\n  ],\n");
    out << "  \"findings\": [";
    for (size_t i = 0; i < a.findings.size(); ++i)
        out << (i ? ",\n    " : "\n    ") << findingToJson(a.findings[i]).dump();
    out << (a.findings.empty() ? "]\n" : "\n  ]\n");
    out << "}\n";
}

} // namespace flowladder::core
