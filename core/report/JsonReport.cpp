#include "core/report/JsonReport.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <type_traits>

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
    set("client", c.endpoint);
    set("server", s.endpoint);
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
    set("findings", f.findings);
    set("handshake_seen", s.synAckSent || c.synAckSent); // the SYN was answered
    set("client_packets", c.packets);
    set("server_packets", s.packets);
    set("client_bytes", c.payloadBytes);
    set("server_bytes", s.payloadBytes);
    set("client_isn", c.isn);
    set("server_isn", s.isn);
}

// A field value as a JSON value (the finding indexes are a range of the analysis; an endpoint
// is written as the contract spells it).
template <class T> decltype(auto) jsonValue(T&& v)
{
    if constexpr (std::is_same_v<std::decay_t<T>, IndexRange>)
        return std::vector<uint32_t>(v.begin(), v.end());
    else if constexpr (std::is_same_v<std::decay_t<T>, Endpoint>)
        return v.toString();
    else
        return std::forward<T>(v);
}

// Writes flow objects as nlohmann's dump() does (compact, same number formatting: its own
// shortest round-trip conversion for doubles), straight into a buffer: no JSON value is
// built per flow. Building and dumping an ordered_json per flow cost more than analysing a
// capture of 50,000 short connections. The fields come from flowFields(); a string that
// needs escaping (none of a flow's do: addresses, ports and state names) goes through
// nlohmann's escaping.
class FlowLineWriter {
public:
    explicit FlowLineWriter(std::string& out) : out_(out) {}

    void write(const Analysis& a, const Flow& f)
    {
        out_ += '{';
        first_ = true;
        flowFields(a, f, [this](const char* key, const auto& value) { field(key, value); });
        out_ += '}';
    }

private:
    template <class T> void field(const char* key, const T& value)
    {
        if (!first_) out_ += ',';
        first_ = false;
        out_ += '"';
        out_ += key; // keys are plain identifiers
        out_ += "\":";
        put(value);
    }
    void put(bool v) { out_ += v ? "true" : "false"; }
    template <class T>
    requires std::is_integral_v<T>
    void put(T v)
    {
        std::array<char, 24> buf{};
        const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
        out_.append(buf.data(), static_cast<size_t>(r.ptr - buf.data()));
    }
    void put(double v)
    {
        if (!std::isfinite(v)) {
            out_ += "null";
            return;
        }
        std::array<char, 64> buf{};
        const char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
        out_.append(buf.data(), static_cast<size_t>(end - buf.data()));
    }
    void put(const std::string& v)
    {
        const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
        });
        if (!plain) {
            out_ += ordered_json(v).dump(-1, ' ', false, Replace);
            return;
        }
        out_ += '"';
        out_ += v;
        out_ += '"';
    }
    // Endpoint::toString()'s text; an IPv4 address without inet_ntop (it formats with sprintf,
    // the largest cost left in writing 50,000 flows).
    void put(const Endpoint& e)
    {
        if (e.addr.version == 6) {
            put(e.toString());
            return;
        }
        out_ += '"';
        for (int i = 0; i < 4; ++i) {
            if (i) out_ += '.';
            put(e.addr.bytes[static_cast<size_t>(i)]);
        }
        out_ += ':';
        put(e.port);
        out_ += '"';
    }
    void put(const IndexRange& r)
    {
        out_ += '[';
        for (uint32_t i : r) {
            if (i != r.first) out_ += ',';
            put(i);
        }
        out_ += ']';
    }

    std::string& out_;
    bool first_ = true;
};

} // namespace

ordered_json flowToJson(const Analysis& a, const Flow& f)
{
    ordered_json j;
    flowFields(a, f, [&j](const char* key, auto&& value) { j[key] = jsonValue(std::forward<decltype(value)>(value)); });
    return j;
}

std::string flowJsonLine(const Analysis& a, const Flow& f)
{
    std::string line;
    FlowLineWriter(line).write(a, f);
    return line;
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
    if (ci.merged()) {
        ordered_json files = ordered_json::array();
        for (const SourceFile& s : ci.sources) {
            ordered_json f;
            f["file"] = s.path;
            f["format"] = std::string(captureFormatName(s.format));
            if (!s.compression.empty()) f["compression"] = s.compression;
            f["packets"] = s.packets;
            f["truncated"] = s.truncated;
            files.push_back(std::move(f));
        }
        j["files"] = std::move(files);
    }
    return j;
}

// A finding of the analysis; in a merged capture it also names its file and the frame there.
ordered_json findingOf(const Analysis& a, const Finding& f)
{
    ordered_json j = findingToJson(f);
    if (a.capture.merged()) {
        const FrameOrigin o = a.capture.origin(f.frame);
        j["file"] = a.capture.sources[o.source].path;
        j["file_frame"] = o.frame;
    }
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
        findings.push_back(findingOf(a, f));
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
    // Flows are written in slices of about 1 MiB: memory stays flat however many there are.
    constexpr size_t Slice = size_t{1} << 20;
    std::string text;
    text.reserve(Slice + 4096);
    FlowLineWriter writer(text);
    for (size_t i = 0; i < a.flows.size(); ++i) {
        text += i ? ",\n    " : "\n    ";
        writer.write(a, a.flows[i]);
        if (text.size() >= Slice) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out << (a.flows.empty() ? "],\n" : "\n  ],\n");
    out << "  \"findings\": [";
    for (size_t i = 0; i < a.findings.size(); ++i)
        out << (i ? ",\n    " : "\n    ") << findingOf(a, a.findings[i]).dump(-1, ' ', false, Replace);
    out << (a.findings.empty() ? "]\n" : "\n  ]\n");
    out << "}\n";
}

} // namespace flowladder::core
