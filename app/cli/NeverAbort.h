#pragma once
// The command-line programs never end in an abort (exit 134): an exception that reaches main,
// or one that escapes where it cannot be caught (std::terminate), prints
// "PROGRAM: FILES: internal error: WHAT" and exits 1, like a file that cannot be read.

#include <functional>
#include <string>

namespace flowladder::cli {

constexpr int ExitInternalError = 1;

// Runs `body` and returns its exit status; on any exception, or std::terminate while it runs,
// prints "WHO: internal error: WHAT" and returns / exits 1. `who()` names the program and the
// files it works on ("flowladder-cli: a.pcap"), asked when the error happens.
int runNeverAborting(std::function<std::string()> who, const std::function<int()>& body);

} // namespace flowladder::cli
