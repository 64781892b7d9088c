#pragma once
// libpcap, loaded when a feature first needs it (live capture, copying a capture to pcapng,
// the version in the About box) instead of when the program starts. FlowLadder reads capture
// files with readers of its own (PcapReader.h, PcapngReader.h), so analysing a file never
// calls libpcap, and loading it at start-up with what it links (D-Bus, systemd, libgcrypt:
// six libraries) cost every run of flowladder-cli 2 ms and 0.9 MB of memory, a tenth of the
// analysis of 50,000 short connections. It also means files open on a machine without libpcap.
//
// The types and constants come from <pcap/pcap.h> as usual; only the calls go through here.

#include <pcap/pcap.h>
#include <string>

namespace flowladder::core {

// The libpcap functions FlowLadder calls, each named as in <pcap/pcap.h>.
struct Libpcap {
    decltype(&::pcap_lib_version) pcap_lib_version = nullptr;
    decltype(&::pcap_open_offline_with_tstamp_precision) pcap_open_offline_with_tstamp_precision = nullptr;
    decltype(&::pcap_open_dead_with_tstamp_precision) pcap_open_dead_with_tstamp_precision = nullptr;
    decltype(&::pcap_create) pcap_create = nullptr;
    decltype(&::pcap_set_snaplen) pcap_set_snaplen = nullptr;
    decltype(&::pcap_set_immediate_mode) pcap_set_immediate_mode = nullptr;
    decltype(&::pcap_set_timeout) pcap_set_timeout = nullptr;
    decltype(&::pcap_set_buffer_size) pcap_set_buffer_size = nullptr;
    decltype(&::pcap_set_tstamp_precision) pcap_set_tstamp_precision = nullptr;
    decltype(&::pcap_get_tstamp_precision) pcap_get_tstamp_precision = nullptr;
    decltype(&::pcap_activate) pcap_activate = nullptr;
    decltype(&::pcap_compile) pcap_compile = nullptr;
    decltype(&::pcap_setfilter) pcap_setfilter = nullptr;
    decltype(&::pcap_freecode) pcap_freecode = nullptr;
    decltype(&::pcap_setnonblock) pcap_setnonblock = nullptr;
    decltype(&::pcap_get_selectable_fd) pcap_get_selectable_fd = nullptr;
    decltype(&::pcap_datalink) pcap_datalink = nullptr;
    decltype(&::pcap_snapshot) pcap_snapshot = nullptr;
    decltype(&::pcap_next_ex) pcap_next_ex = nullptr;
    decltype(&::pcap_dispatch) pcap_dispatch = nullptr;
    decltype(&::pcap_breakloop) pcap_breakloop = nullptr;
    decltype(&::pcap_stats) pcap_stats = nullptr;
    decltype(&::pcap_geterr) pcap_geterr = nullptr;
    decltype(&::pcap_close) pcap_close = nullptr;
    decltype(&::pcap_dump_open) pcap_dump_open = nullptr;
    decltype(&::pcap_dump) pcap_dump = nullptr;
    decltype(&::pcap_dump_close) pcap_dump_close = nullptr;
};

// libpcap, loaded on the first call (thread-safe; it stays loaded). nullptr when it cannot be
// loaded, with `error` naming the library files tried and why the last one failed.
const Libpcap* libpcap(std::string& error);

// The libpcap the program runs with, as it names itself ("libpcap version 1.10.3 (...)"), or
// why it could not be loaded.
std::string libpcapVersion();

} // namespace flowladder::core
