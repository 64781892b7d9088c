#include "core/capture/Decompress.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <lz4frame.h>
#include <lzma.h>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace flowladder::core {

std::string_view compressionName(Compression c)
{
    switch (c) {
    case Compression::Gzip:
        return "gzip";
    case Compression::Zstd:
        return "zstd";
    case Compression::Lz4:
        return "lz4";
    case Compression::Xz:
        return "xz";
    case Compression::None:
        return "none";
    }
    return "none";
}

Compression compressionOf(const unsigned char* b, size_t n)
{
    auto starts = [&](std::initializer_list<unsigned char> magic) {
        if (n < magic.size()) return false;
        size_t i = 0;
        for (unsigned char m : magic)
            if (b[i++] != m) return false;
        return true;
    };
    if (starts({0x1f, 0x8b})) return Compression::Gzip;
    if (starts({0x28, 0xb5, 0x2f, 0xfd})) return Compression::Zstd;
    if (starts({0x04, 0x22, 0x4d, 0x18})) return Compression::Lz4;
    if (starts({0xfd, 0x37, 0x7a, 0x58})) return Compression::Xz; // FD '7zXZ' 00
    return Compression::None;
}

namespace {

// One step of a decompressor over the input and output at hand.
struct Step {
    size_t consumed = 0;
    size_t produced = 0;
    bool frameEnd = false; // a frame / member / stream ended at `consumed`: the data may end here
    std::string error;     // damaged data: what the library says
};

class Codec {
public:
    virtual ~Codec() = default;
    virtual Step step(const unsigned char* in, size_t inLen, unsigned char* out, size_t outLen) = 0;
};

class GzipCodec final : public Codec {
public:
    GzipCodec()
    {
        // 15 + 32: any window size, gzip or zlib header detected.
        ok_ = inflateInit2(&z_, 15 + 32) == Z_OK;
    }
    ~GzipCodec() override { inflateEnd(&z_); }
    bool ok() const { return ok_; }

    Step step(const unsigned char* in, size_t inLen, unsigned char* out, size_t outLen) override
    {
        Step s;
        z_.next_in = const_cast<Bytef*>(in);
        z_.avail_in = static_cast<uInt>(std::min<size_t>(inLen, UINT32_MAX));
        z_.next_out = out;
        z_.avail_out = static_cast<uInt>(std::min<size_t>(outLen, UINT32_MAX));
        const uInt availIn = z_.avail_in, availOut = z_.avail_out;
        const int rc = inflate(&z_, Z_NO_FLUSH);
        s.consumed = availIn - z_.avail_in;
        s.produced = availOut - z_.avail_out;
        if (rc == Z_STREAM_END) {
            s.frameEnd = true;
            inflateReset(&z_); // `tcpdump -z` and `cat a.gz b.gz` give several members
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            s.error = z_.msg ? z_.msg : "inflate error " + std::to_string(rc);
        }
        return s;
    }

private:
    z_stream z_{};
    bool ok_ = false;
};

class ZstdCodec final : public Codec {
public:
    ZstdCodec() : d_(ZSTD_createDStream()) {}
    ~ZstdCodec() override { ZSTD_freeDStream(d_); }
    bool ok() const { return d_ != nullptr; }

    Step step(const unsigned char* in, size_t inLen, unsigned char* out, size_t outLen) override
    {
        Step s;
        ZSTD_inBuffer ib{in, inLen, 0};
        ZSTD_outBuffer ob{out, outLen, 0};
        const size_t rc = ZSTD_decompressStream(d_, &ob, &ib);
        s.consumed = ib.pos;
        s.produced = ob.pos;
        if (ZSTD_isError(rc))
            s.error = ZSTD_getErrorName(rc);
        else
            s.frameEnd = rc == 0; // a frame fully decoded and flushed
        return s;
    }

private:
    ZSTD_DStream* d_;
};

class Lz4Codec final : public Codec {
public:
    Lz4Codec() { ok_ = !LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION)); }
    ~Lz4Codec() override { LZ4F_freeDecompressionContext(ctx_); }
    bool ok() const { return ok_; }

    Step step(const unsigned char* in, size_t inLen, unsigned char* out, size_t outLen) override
    {
        Step s;
        size_t outSize = outLen, inSize = inLen;
        const size_t rc = LZ4F_decompress(ctx_, out, &outSize, in, &inSize, nullptr);
        s.consumed = inSize;
        s.produced = outSize;
        if (LZ4F_isError(rc))
            s.error = LZ4F_getErrorName(rc);
        else
            s.frameEnd = rc == 0; // the frame is complete; the context starts the next one
        return s;
    }

private:
    LZ4F_dctx* ctx_ = nullptr;
    bool ok_ = false;
};

class XzCodec final : public Codec {
public:
    XzCodec() { ok_ = init(); }
    ~XzCodec() override { lzma_end(&s_); }
    bool ok() const { return ok_; }

    Step step(const unsigned char* in, size_t inLen, unsigned char* out, size_t outLen) override
    {
        Step s;
        s_.next_in = in;
        s_.avail_in = inLen;
        s_.next_out = out;
        s_.avail_out = outLen;
        const lzma_ret rc = lzma_code(&s_, LZMA_RUN);
        s.consumed = inLen - s_.avail_in;
        s.produced = outLen - s_.avail_out;
        if (rc == LZMA_STREAM_END) {
            s.frameEnd = true;
            lzma_end(&s_);
            s_ = LZMA_STREAM_INIT;
            if (!init()) s.error = "cannot restart the xz decoder";
        } else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
            s.error = rc == LZMA_DATA_ERROR     ? "corrupt data"
                      : rc == LZMA_FORMAT_ERROR ? "not xz data"
                      : rc == LZMA_MEM_ERROR    ? "out of memory"
                                                : "xz error " + std::to_string(static_cast<int>(rc));
        }
        return s;
    }

private:
    bool init() { return lzma_stream_decoder(&s_, UINT64_MAX, 0) == LZMA_OK; }
    lzma_stream s_ = LZMA_STREAM_INIT;
    bool ok_ = false;
};

constexpr size_t InputBuffer = size_t{64} << 10;

struct Stream {
    FILE* inner = nullptr;
    std::shared_ptr<DecompressState> state;
    std::unique_ptr<Codec> codec;
    std::vector<unsigned char> in = std::vector<unsigned char>(InputBuffer);
    size_t inPos = 0, inLen = 0;
    bool eof = false;
    bool atFrameEnd = false; // the data read so far ends exactly at a frame boundary
    bool started = false;    // any compressed byte consumed
    bool failed = false;
};

ssize_t streamRead(void* cookie, char* buf, size_t n)
{
    auto* s = static_cast<Stream*>(cookie);
    DecompressState& st = *s->state;
    if (s->failed) return -1;
    const std::string kind(compressionName(st.kind));
    size_t total = 0;
    int idle = 0;
    while (total == 0 && n > 0) {
        if (s->inPos == s->inLen && !s->eof) {
            s->inLen = std::fread(s->in.data(), 1, s->in.size(), s->inner);
            s->inPos = 0;
            st.compressedBytes += s->inLen;
            if (s->inLen == 0) {
                if (std::ferror(s->inner)) {
                    st.error = kind + " stream: read error after compressed byte " +
                               std::to_string(st.compressedBytes) + ": " + std::strerror(errno);
                    s->failed = true;
                    return -1;
                }
                s->eof = true;
            }
        }
        if (s->inPos == s->inLen && s->eof) {
            if (s->atFrameEnd) return 0; // clean end
            st.error = kind + " data ends inside a compressed block at byte " + std::to_string(st.compressedBytes) +
                       " (file cut short)";
            s->failed = true;
            return -1;
        }
        const Step step = s->codec->step(s->in.data() + s->inPos, s->inLen - s->inPos,
                                         reinterpret_cast<unsigned char*>(buf) + total, n - total);
        const uint64_t at = st.compressedBytes - (s->inLen - s->inPos) + step.consumed;
        s->inPos += step.consumed;
        total += step.produced;
        st.bytesOut += step.produced;
        if (step.consumed || step.produced) {
            s->started = true;
            s->atFrameEnd = step.frameEnd;
            idle = 0;
        } else if (step.frameEnd) {
            s->atFrameEnd = true;
        }
        if (!step.error.empty()) {
            st.error = kind + " data damaged at compressed byte " + std::to_string(at) + " (" + step.error + ")";
            s->failed = true;
            return total > 0 ? static_cast<ssize_t>(total) : -1;
        }
        // A decompressor that neither consumes nor produces with input and room at hand is stuck.
        if (!step.consumed && !step.produced && s->inPos < s->inLen && ++idle > 4) {
            st.error = kind + " decoder made no progress at compressed byte " + std::to_string(at);
            s->failed = true;
            return -1;
        }
    }
    return static_cast<ssize_t>(total);
}

int streamClose(void* cookie)
{
    auto* s = static_cast<Stream*>(cookie);
    const int rc = std::fclose(s->inner);
    delete s;
    return rc;
}

template <class C> std::unique_ptr<Codec> make()
{
    auto c = std::make_unique<C>();
    if (!c->ok()) return nullptr;
    return c;
}

} // namespace

FILE* decompressingStream(FILE* inner, Compression kind, std::shared_ptr<DecompressState> state, std::string& error)
{
    std::unique_ptr<Codec> codec;
    switch (kind) {
    case Compression::Gzip:
        codec = make<GzipCodec>();
        break;
    case Compression::Zstd:
        codec = make<ZstdCodec>();
        break;
    case Compression::Lz4:
        codec = make<Lz4Codec>();
        break;
    case Compression::Xz:
        codec = make<XzCodec>();
        break;
    case Compression::None:
        break;
    }
    if (!codec) {
        error = "cannot set up the " + std::string(compressionName(kind)) + " decoder";
        std::fclose(inner);
        return nullptr;
    }
    state->kind = kind;
    auto* s = new Stream;
    s->inner = inner;
    s->state = std::move(state);
    s->codec = std::move(codec);
    cookie_io_functions_t io{};
    io.read = streamRead;
    io.close = streamClose;
    FILE* f = fopencookie(s, "rb", io);
    if (!f) {
        error = std::string("cannot open a decompressing stream: ") + std::strerror(errno);
        std::fclose(inner);
        s->inner = nullptr;
        delete s;
        return nullptr;
    }
    return f;
}

} // namespace flowladder::core
