#pragma once
// Writes JSON objects as nlohmann's dump() does (compact, the same number formatting: its own
// shortest round-trip conversion for doubles), straight into a buffer: no JSON value is built
// per object. Building and dumping an ordered_json per flow cost more than analysing a capture
// of 50,000 short connections, and per finding 2.5 times as long as analysing 500,000
// refused connections. The fields come from a list such as flowFields() (JsonReport.cpp) or
// json_fields::findingFields(): the writer is their `set(key, value)`. A string that needs
// escaping goes through nlohmann's escaping (U+FFFD for invalid UTF-8), so the text is the same.
// Internal to core/report.

#include "core/model/Analysis.h"
#include "core/report/FindingFields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <type_traits>
#include <vector>

namespace flowladder::core {

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
    // One field of the object being written.
    template <class T> void operator()(const char* key, const T& value)
    {
        const size_t n = std::strlen(key); // keys are plain identifiers
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
        const auto used = static_cast<size_t>(p_ - buf_.get());
        if (capacity_ - used >= n) return;
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
            raw(nlohmann::ordered_json(std::string(v))
                    .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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

} // namespace flowladder::core
