#include "core/capture/Libpcap.h"

#include <dlfcn.h>

namespace flowladder::core {

namespace {

// The runtime library's file name: Debian and Ubuntu keep the 0.8 soname, most others 1.
// The unversioned name exists only where the development files are installed.
constexpr const char* LibraryNames[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

// Points `fn` at the library's function `name`; names the ones it lacks in `missing`.
template <class Fn> void bind(void* handle, const char* name, Fn& fn, std::string& missing)
{
    fn = reinterpret_cast<Fn>(::dlsym(handle, name)); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    if (!fn) missing += (missing.empty() ? "" : ", ") + std::string(name);
}

struct Loaded {
    Libpcap lib;
    bool ok = false;
    std::string error;
};

Loaded load()
{
    Loaded out;
    void* handle = nullptr;
    std::string tried;
    for (const char* name : LibraryNames) {
        handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (handle) break;
        const char* why = ::dlerror();
        tried += std::string(tried.empty() ? "" : "; ") + (why ? why : name);
    }
    if (!handle) {
        out.error = "libpcap could not be loaded (install the libpcap0.8 package): " + tried;
        return out;
    }
    Libpcap& l = out.lib;
    std::string missing;
    bind(handle, "pcap_lib_version", l.pcap_lib_version, missing);
    bind(handle, "pcap_open_offline_with_tstamp_precision", l.pcap_open_offline_with_tstamp_precision, missing);
    bind(handle, "pcap_open_dead_with_tstamp_precision", l.pcap_open_dead_with_tstamp_precision, missing);
    bind(handle, "pcap_create", l.pcap_create, missing);
    bind(handle, "pcap_set_snaplen", l.pcap_set_snaplen, missing);
    bind(handle, "pcap_set_immediate_mode", l.pcap_set_immediate_mode, missing);
    bind(handle, "pcap_set_timeout", l.pcap_set_timeout, missing);
    bind(handle, "pcap_set_buffer_size", l.pcap_set_buffer_size, missing);
    bind(handle, "pcap_set_tstamp_precision", l.pcap_set_tstamp_precision, missing);
    bind(handle, "pcap_get_tstamp_precision", l.pcap_get_tstamp_precision, missing);
    bind(handle, "pcap_activate", l.pcap_activate, missing);
    bind(handle, "pcap_compile", l.pcap_compile, missing);
    bind(handle, "pcap_setfilter", l.pcap_setfilter, missing);
    bind(handle, "pcap_freecode", l.pcap_freecode, missing);
    bind(handle, "pcap_setnonblock", l.pcap_setnonblock, missing);
    bind(handle, "pcap_get_selectable_fd", l.pcap_get_selectable_fd, missing);
    bind(handle, "pcap_datalink", l.pcap_datalink, missing);
    bind(handle, "pcap_snapshot", l.pcap_snapshot, missing);
    bind(handle, "pcap_next_ex", l.pcap_next_ex, missing);
    bind(handle, "pcap_dispatch", l.pcap_dispatch, missing);
    bind(handle, "pcap_breakloop", l.pcap_breakloop, missing);
    bind(handle, "pcap_stats", l.pcap_stats, missing);
    bind(handle, "pcap_geterr", l.pcap_geterr, missing);
    bind(handle, "pcap_close", l.pcap_close, missing);
    bind(handle, "pcap_dump_open", l.pcap_dump_open, missing);
    bind(handle, "pcap_dump", l.pcap_dump, missing);
    bind(handle, "pcap_dump_close", l.pcap_dump_close, missing);
    if (!missing.empty()) {
        // Too old a libpcap (the newest of these came with 1.5, in 2013). It stays loaded:
        // unloading a library is never worth the risk of a pointer into it outliving it.
        out.error = "the libpcap found is too old (it lacks " + missing + "): 1.5 or newer is needed";
        return out;
    }
    out.ok = true;
    return out;
}

} // namespace

const Libpcap* libpcap(std::string& error)
{
    static const Loaded loaded = load();
    if (!loaded.ok) {
        error = loaded.error;
        return nullptr;
    }
    return &loaded.lib;
}

std::string libpcapVersion()
{
    std::string error;
    const Libpcap* lib = libpcap(error);
    return lib ? std::string(lib->pcap_lib_version()) : error;
}

} // namespace flowladder::core
