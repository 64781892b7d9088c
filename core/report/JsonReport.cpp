#include "core/report/JsonReport.h"

namespace flowladder::core {

using nlohmann::ordered_json;

namespace {

// File names and the messages naming them are bytes, not necessarily UTF-8 (a Latin-1 name on
// Linux): the writer puts U+FFFD for each invalid byte instead of throwing.
constexpr auto Replace = ordered_json::error_handler_t::replace;

double seconds(int64_t ns)
{
    return static_cast<double>(ns) / 1e9;
}

// The fields of a flow object in contract order, handed to `set(key, value)`: one list
// for building an object and for refilling one in place.
template <class Set> void flowFields(const Analysis& a, const Flow& f, Set&& set)
{
    const FlowSide& c = f.side(Side::Client);
    const FlowSide& s = f.side(Side::Server);
    set("id", f.id);
    set("client", c.endpoint.toString());
    set("server", s.endpoint.toString());
    set("first_frame", a.firstFrame(f));
    set("last_frame", a.lastFrame(f));
    set("packets", f.packetCount());
    set("bytes", f.payloadBytes());
    set("start", seconds(f.startNs));
    set("duration", seconds(a.endNs(f) - f.startNs));
    set("client_state", std::string(tcpStateName(c.finalState)));
    set("server_state", std::string(tcpStateName(s.finalState)));
    set("client_state_basis", std::string(stateBasisName(c.finalBasis)));
    set("server_state_basis", std::string(stateBasisName(s.finalBasis)));
    set("findings", std::vector<uint32_t>(f.findings.begin(), f.findings.end()));
    set("handshake_seen", s.synAckSent || c.synAckSent); // the SYN was answered
    set("client_packets", c.packets);
    set("server_packets", s.packets);
    set("client_bytes", c.payloadBytes);
    set("server_bytes", s.payloadBytes);
    set("client_isn", c.isn);
    set("server_isn", s.isn);
}

// Overwrites the values of an object flowToJson made, in order: no key lookups and no
// key strings per flow, which is most of the cost of writing 50,000 flows.
void refillFlowJson(ordered_json& j, const Analysis& a, const Flow& f)
{
    auto it = j.begin();
    flowFields(a, f, [&it](const char*, auto&& value) { (it++).value() = std::forward<decltype(value)>(value); });
}

} // namespace

ordered_json flowToJson(const Analysis& a, const Flow& f)
{
    ordered_json j;
    flowFields(a, f, [&j](const char* key, auto&& value) { j[key] = std::forward<decltype(value)>(value); });
    return j;
}

namespace {

// Everything of the top-level object but the flows and the findings.
ordered_json captureHeader(const Analysis& a)
{
    const CaptureInfo& ci = a.capture;
    ordered_json j;
    j["file"] = ci.file;
    j["format"] = std::string(captureFormatName(ci.format));
    if (!ci.compression.empty()) j["compression"] = ci.compression;
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

ordered_json analysisToJson(const Analysis& a)
{
    ordered_json j = captureHeader(a);
    ordered_json flows = ordered_json::array();
    for (const Flow& f : a.flows)
        flows.push_back(flowToJson(a, f));
    j["flows"] = std::move(flows);
    ordered_json findings = ordered_json::array();
    for (const Finding& f : a.findings)
        findings.push_back(findingToJson(f));
    j["findings"] = std::move(findings);
    return j;
}

void writeAnalysisJson(const Analysis& a, std::ostream& out)
{
    out << "{\n";
    const ordered_json header = captureHeader(a);
    for (const auto& [key, value] : header.items())
        out << "  " << ordered_json(key).dump() << ": " << value.dump(-1, ' ', false, Replace) << ",\n";
    out << "  \"flows\": [";
    ordered_json flow;
    std::string text;
    for (size_t i = 0; i < a.flows.size(); ++i) {
        if (i == 0)
            flow = flowToJson(a, a.flows[i]);
        else
            refillFlowJson(flow, a, a.flows[i]);
        text = flow.dump(-1, ' ', false, Replace);
        out << (i ? ",\n    " : "\n    ") << text;
    }
    out << (a.flows.empty() ? "],\n" : "\n  ],\n");
    out << "  \"findings\": [";
    for (size_t i = 0; i < a.findings.size(); ++i)
        out << (i ? ",\n    " : "\n    ") << findingToJson(a.findings[i]).dump(-1, ' ', false, Replace);
    out << (a.findings.empty() ? "]\n" : "\n  ]\n");
    out << "}\n";
}

} // namespace flowladder::core
