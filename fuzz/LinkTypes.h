#pragma once
// The link-type table of fuzz_decoder: input byte 0 (modulo the count) picks one.
// The order is part of the corpus format: append only.

#include "core/capture/Decoder.h"

#include <cstddef>

namespace flowladder::fuzz {

inline constexpr int LinkTypes[] = {
    core::linktype::Ethernet,
    core::linktype::Raw,
    core::linktype::LinktypeRaw,
    core::linktype::Null,
    core::linktype::Loop,
    core::linktype::LinuxSll,
    core::linktype::LinuxSll2,
    core::linktype::Ipv4,
    core::linktype::Ipv6,
    core::linktype::Nflog,
    core::linktype::RawAlt,
    147, // DLT_USER0: not supported, keeps the Unsupported path covered
};
inline constexpr size_t LinkTypeCount = sizeof LinkTypes / sizeof LinkTypes[0];

// Index of `dlt` in LinkTypes, or -1.
inline int linkTypeIndex(int dlt)
{
    for (size_t i = 0; i < LinkTypeCount; ++i)
        if (LinkTypes[i] == dlt) return static_cast<int>(i);
    return -1;
}

} // namespace flowladder::fuzz
