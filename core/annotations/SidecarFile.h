#pragma once
// Reading and writing a sidecar file safely, whatever sits under its name: only regular files
// are read (a FIFO, a device, a directory or a link to one is refused without blocking), never
// more than MaxSidecarBytes; writes go to a fresh temporary file (mkstemp, O_EXCL) in the
// destination's folder, keep the existing file's permission bits and owner, are fsynced with
// their folder and renamed into place. A sidecar that is a symbolic link is written through to
// the file it points at, which is replaced atomically in its own folder; a link to nothing or to
// something other than a regular file is refused.

#include <cstdint>
#include <optional>
#include <string>

namespace flowladder::core {

inline constexpr uint64_t MaxSidecarBytes = 16ull << 20; // 16 MiB

// What `path` is when it is not a usable regular file: "" when it does not exist.
enum class SidecarState { Missing, Regular, Unusable };
// Classifies `path` (following links); `why` says what is wrong with an Unusable one.
SidecarState sidecarState(const std::string& path, std::string& why);

// The whole text of the regular file `path` (following links), or nullopt with `error` naming
// the file and what is wrong ("is not a regular file (a FIFO)", "is too large ...").
std::optional<std::string> readSidecarFile(const std::string& path, std::string& error);

// Writes `text` to `path` atomically as described above. `error` names the file on failure;
// `errnoValue` is the errno of the failure (0 when refused for what the file is).
bool writeSidecarFile(const std::string& path, const std::string& text, std::string& error, int* errnoValue = nullptr);

} // namespace flowladder::core
