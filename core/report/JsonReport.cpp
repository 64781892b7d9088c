#include "core/report/JsonReport.h"

#include "core/report/FindingFields.h"
#include "core/util/HelperThread.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>
#include <type_traits>
#include <vector>

namespace flowladder::core {

using nlohmann::ordered_json;

namespace {

// File names and the messages naming them are bytes, not necessarily UTF-8 (a Latin-1 name on
// Linux): the writer puts U+FFFD for each invalid byte instead of throwing.
constexpr auto Replace = ordered_json::error_handler_t::replace;

using json_fields::seconds;

// The fields of a flow object in contract order, handed to `set(key, value)`: one list
// for building an object and for refilling one in place.
// `findings` are the flow's (Analysis::findingsOf).
template <class Set> void flowFields(const Analysis& a, const Flow& f, IndexRange findings, Set&& set)
{
    const FlowSide& c = f.side(Side::Client);
    const FlowSide& s = f.side(Side::Server);
    const FlowTotals t = a.totals(f);
    set("id", a.idOf(f));
    set("client", f.endpoint(Side::Client));
    set("server", f.endpoint(Side::Server));
    set("first_frame", a.firstFrame(f));
    set("last_frame", a.lastFrame(f));
    set("packets", f.packetCount());
    set("bytes", t.allBytes());
    set("start", seconds(a.startNs(f)));
    set("duration", seconds(a.endNs(f) - a.startNs(f)));
    set("client_state", std::string(tcpStateName(c.finalState)));
    set("server_state", std::string(tcpStateName(s.finalState)));
    set("client_state_basis", std::string(stateBasisName(c.finalBasis)));
    set("server_state_basis", std::string(stateBasisName(s.finalBasis)));
    set("findings", findings);
    set("handshake_seen", s.synAckSent || c.synAckSent); // the SYN was answered
    set("client_packets", t.packetsOf(Side::Client));
    set("server_packets", t.packetsOf(Side::Server));
    set("client_bytes", t.bytesOf(Side::Client));
    set("server_bytes", t.bytesOf(Side::Server));
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

// Writes JSON objects as nlohmann's dump() does (compact, the same number formatting: its own
// shortest round-trip conversion for doubles), straight into a buffer: no JSON value is built
// per object. Building and dumping an ordered_json per flow cost more than analysing a capture
// of 50,000 short connections, and per finding 2.5 times as long as analysing 500,000 refused
// connections. The fields come from flowFields() or json_fields::findingFields(): the writer is
// their `set(key, value)`. A string that needs escaping goes through nlohmann's escaping (U+FFFD
// for invalid UTF-8), so the text is the same. (Kept in this file's unnamed namespace: as a
// class of a header, its members were no longer inlined into the field lists, and every key's
// length was counted with strlen.)
class JsonLineWriter {
public:
    explicit JsonLineWriter(size_t capacity = 0) { need(capacity); }
    JsonLineWriter(const JsonLineWriter&) = delete; // p_ points into buf_
    JsonLineWriter& operator=(const JsonLineWriter&) = delete;
    JsonLineWriter(JsonLineWriter&&) = delete;
    JsonLineWriter& operator=(JsonLineWriter&&) = delete;
    ~JsonLineWriter() = default;

    // Appends an object whose fields `fields(*this)` sets, one operator() call each.
    template <class Fields> void object(Fields&& fields)
    {
        raw("{");
        first_ = true;
        fields(*this);
        raw("}");
    }
    // One field of the object being written. Keys are literals (plain identifiers): their length
    // is known when compiled.
    template <size_t N, class T> void operator()(const char (&key)[N], const T& value)
    {
        constexpr size_t n = N - 1;
        need(n + 4);
        if (!first_) *p_++ = ',';
        first_ = false;
        *p_++ = '"';
        std::memcpy(p_, key, n);
        p_ += n;
        *p_++ = '"';
        *p_++ = ':';
        put(value);
    }
    void raw(std::string_view v)
    {
        need(v.size());
        std::memcpy(p_, v.data(), v.size());
        p_ += v.size();
    }
    std::string_view text() const { return {buf_.get(), static_cast<size_t>(p_ - buf_.get())}; }
    size_t size() const { return static_cast<size_t>(p_ - buf_.get()); }
    void clear() { p_ = buf_.get(); }

private:
    // Room is made once per value, for the most it can take, so that each character is a
    // plain store and not a capacity check (std::string's push_back and append were a fifth
    // of the CLI's time on 50,000 connections). Not zero-filled, as std::string::resize is.

    // At least `n` more bytes writable at p_.
    void need(size_t n)
    {
        if (capacity_ - static_cast<size_t>(p_ - buf_.get()) < n) grow(n);
    }
    [[gnu::noinline]] void grow(size_t n)
    {
        const auto used = static_cast<size_t>(p_ - buf_.get());
        const size_t capacity = std::max(used + n, 2 * capacity_);
        // Raw bytes, not zeroed (std::make_unique<char[]> would zero them).
        std::unique_ptr<char[]> bigger(new char[capacity]); // NOLINT(cppcoreguidelines-avoid-c-arrays)
        if (used) std::memcpy(bigger.get(), buf_.get(), used);
        buf_ = std::move(bigger);
        capacity_ = capacity;
        p_ = buf_.get() + used;
    }

    void put(bool v) { raw(v ? std::string_view("true") : std::string_view("false")); }
    template <class T>
    requires std::is_integral_v<T>
    void put(T v)
    {
        constexpr size_t Most = 24; // any 64-bit integer
        need(Most);
        p_ = std::to_chars(p_, p_ + Most, v).ptr;
    }
    void put(double v)
    {
        if (!std::isfinite(v)) {
            raw("null");
            return;
        }
        constexpr size_t Most = 64; // nlohmann's dump() formats into as much
        need(Most);
        p_ = nlohmann::detail::to_chars(p_, p_ + Most, v);
    }
    void put(json_fields::JsonNull) { raw("null"); }
    void put(std::string_view v)
    {
        const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
        });
        if (!plain) {
            raw(ordered_json(std::string(v)).dump(-1, ' ', false, Replace));
            return;
        }
        need(v.size() + 2);
        *p_++ = '"';
        std::memcpy(p_, v.data(), v.size());
        p_ += v.size();
        *p_++ = '"';
    }
    // Endpoint::toString()'s text; an IPv4 address without inet_ntop (it formats with sprintf,
    // the largest cost left in writing 50,000 flows).
    void put(const Endpoint& e)
    {
        if (e.addr.version == 6) {
            put(std::string_view(e.toString()));
            return;
        }
        need(32); // "255.255.255.255:65535"
        *p_++ = '"';
        for (size_t i = 0; i < 4; ++i) {
            if (i) *p_++ = '.';
            p_ = std::to_chars(p_, p_ + 3, e.addr.bytes[i]).ptr;
        }
        *p_++ = ':';
        p_ = std::to_chars(p_, p_ + 5, e.port).ptr;
        *p_++ = '"';
    }
    // A range of finding indexes, as an array.
    void put(const IndexRange& r)
    {
        need(2 + size_t{r.count} * 11); // "[" "]" and up to 10 digits and a comma each
        *p_++ = '[';
        for (uint32_t i : r) {
            if (i != r.first) *p_++ = ',';
            p_ = std::to_chars(p_, p_ + 10, i).ptr;
        }
        *p_++ = ']';
    }
    void put(const std::vector<uint32_t>& v)
    {
        need(2 + v.size() * 11);
        *p_++ = '[';
        for (size_t i = 0; i < v.size(); ++i) {
            if (i) *p_++ = ',';
            p_ = std::to_chars(p_, p_ + 10, v[i]).ptr;
        }
        *p_++ = ']';
    }

    std::unique_ptr<char[]> buf_; // NOLINT(cppcoreguidelines-avoid-c-arrays)
    size_t capacity_ = 0;
    char* p_ = nullptr;
    bool first_ = true;
};

// Appends the flow's object to `writer`.
void writeFlow(const Analysis& a, const Flow& f, IndexRange findings, JsonLineWriter& writer)
{
    writer.object([&](JsonLineWriter& set) { flowFields(a, f, findings, set); });
}

} // namespace

ordered_json flowToJson(const Analysis& a, const Flow& f)
{
    ordered_json j;
    flowFields(a, f, a.findingsOf(f),
               [&j](const char* key, auto&& value) { j[key] = jsonValue(std::forward<decltype(value)>(value)); });
    return j;
}

std::string flowJsonLine(const Analysis& a, const Flow& f)
{
    JsonLineWriter writer;
    writeFlow(a, f, a.findingsOf(f), writer);
    return std::string(writer.text());
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

// A finding's fields as the analysis lists them: in a merged capture also its file and the
// frame there.
template <class Set> void analysisFindingFields(const Analysis& a, const Finding& f, Set& set)
{
    json_fields::findingFields(f, set);
    if (a.capture.merged()) {
        const FrameOrigin o = a.capture.origin(f.frame);
        set("file", std::string_view(a.capture.sources[o.source].path));
        set("file_frame", int64_t{o.frame});
    }
}

ordered_json findingOf(const Analysis& a, const Finding& f)
{
    ordered_json j;
    json_fields::ObjectSink sink{j};
    analysisFindingFields(a, f, sink);
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

namespace {

// Flows [begin, end) as writeAnalysisJson lists them: each but the capture's first after ",".
void writeFlowRange(const Analysis& a, size_t begin, size_t end, JsonLineWriter& writer)
{
    // A flow's first and last record (its frames and times) are read from the packet store,
    // far from the flow: fetching those of a flow a few ahead hides the wait for memory
    // (half of the flow objects' time on 50,000 connections without it).
    constexpr size_t Ahead = 8;
    const auto prefetchRecords = [&](size_t i) {
        if (i >= end || a.flows[i].packets.empty()) return;
        __builtin_prefetch(&a.packets[a.flows[i].packets.front()]);
        __builtin_prefetch(&a.packets[a.flows[i].packets.back()]);
    };
    if (begin >= end) return;
    uint32_t nextFinding = a.findingsOf(a.flows[begin]).first; // the flows' findings, walked in order
    for (size_t i = begin; i < end; ++i) {
        prefetchRecords(i + Ahead);
        writer.raw(i ? ",\n    " : "\n    ");
        writeFlow(a, a.flows[i], a.findingsOf(a.flows[i], nextFinding), writer);
    }
}

// Items 0 .. n-1 (flows or findings), in order, `writeRange(begin, end, writer)` formatting a
// batch of them into a writer. Formatting is most of the time of writing a capture of many
// connections (50,000: two-thirds of ~15 ms), so with many items the helper thread formats every
// other batch of Batch items into buffers of its own, two of them, while this thread formats
// the others and writes all in order. Memory stays flat however many there are: a batch takes
// ~60 KiB. (Buffers much larger than that are slower: every fresh page of one is a page fault,
// 14 us each on the VMs this is measured on.) The two threads wait for each other's buffers
// by spinning first (waitUntil): a thread asleep on a condition variable wakes up to
// milliseconds late on those VMs, and a batch takes ~40 us.
template <class WriteRange>
void writeInBatches(size_t n, std::ostream& out, HelperOnDemand& helpers, WriteRange&& writeRange)
{
    constexpr size_t Batch = 128;
    constexpr size_t ParallelFrom = 16 * Batch;   // items; below this a thread costs more than it saves
    constexpr size_t Capacity = size_t{80} << 10; // an item's text rarely takes more than 1 KiB
    const auto put = [&out](const JsonLineWriter& w) {
        const std::string_view text = w.text();
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    };
    if (n == 0) return;
    JsonLineWriter mine(Capacity);
    if (n < ParallelFrom) {
        for (size_t b = 0; b < n; b += Batch) {
            mine.clear();
            writeRange(b, std::min(n, b + Batch), mine);
            put(mine);
        }
        return;
    }
    HelperThread& helper = helpers.get();
    const size_t batches = (n + Batch - 1) / Batch;
    // The helper's batches are the odd ones; batch 2k + 1 goes to buffer k % 2.
    std::array<JsonLineWriter, 2> theirs{JsonLineWriter(Capacity), JsonLineWriter(Capacity)};
    std::array<std::atomic<bool>, 2> full{}; // formatted and not written yet
    std::atomic<bool> stop{false};           // this thread failed: the helper stops
    std::atomic<bool> failed{false};         // the helper failed (helper.wait() rethrows it)
    std::mutex m;                            // held to change the flags above
    std::condition_variable changed;
    const auto set = [&](std::atomic<bool>& flag, bool value) {
        {
            const std::lock_guard lock(m);
            flag.store(value, std::memory_order_release);
        }
        changed.notify_all();
    };
    helper.start([&] {
        try {
            for (size_t b = 1; b < batches; b += 2) {
                const size_t k = (b / 2) % 2;
                waitUntil(m, changed, [&] { return !full[k].load(std::memory_order_acquire) || stop.load(); });
                if (stop.load()) return;
                theirs[k].clear();
                writeRange(b * Batch, std::min(n, (b + 1) * Batch), theirs[k]);
                set(full[k], true);
            }
        } catch (...) {
            set(failed, true);
            throw;
        }
    });
    try {
        for (size_t b = 0; b < batches; ++b) {
            if (b % 2 == 0) {
                mine.clear();
                writeRange(b * Batch, std::min(n, (b + 1) * Batch), mine);
                put(mine);
                continue;
            }
            const size_t k = (b / 2) % 2;
            waitUntil(m, changed, [&] { return full[k].load(std::memory_order_acquire) || failed.load(); });
            if (failed.load()) break;
            put(theirs[k]);
            set(full[k], false);
        }
    } catch (...) {
        set(stop, true);
        helper.finish();
        throw;
    }
    helper.wait();
}

} // namespace

void writeAnalysisJson(const Analysis& a, std::ostream& out, HelperThread* helper)
{
    HelperOnDemand other(helper);
    out << "{\n";
    const ordered_json header = captureHeader(a);
    for (const auto& [key, value] : header.items())
        out << "  " << ordered_json(key).dump() << ": " << value.dump(-1, ' ', false, Replace) << ",\n";
    out << "  \"flows\": [";
    writeInBatches(a.flows.size(), out, other,
                   [&a](size_t begin, size_t end, JsonLineWriter& writer) { writeFlowRange(a, begin, end, writer); });
    out << (a.flows.empty() ? "],\n" : "\n  ],\n");
    out << "  \"findings\": [";
    writeInBatches(a.findings.size(), out, other, [&a](size_t begin, size_t end, JsonLineWriter& writer) {
        for (size_t i = begin; i < end; ++i) {
            writer.raw(i ? ",\n    " : "\n    ");
            writer.object([&](JsonLineWriter& set) { analysisFindingFields(a, a.findings[i], set); });
        }
    });
    out << (a.findings.empty() ? "]\n" : "\n  ]\n");
    out << "}\n";
}

} // namespace flowladder::core
