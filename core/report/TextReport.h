#pragma once
// The readable report of `flowladder-cli analyze` (without --json).

#include "core/model/Analysis.h"

#include <ostream>

namespace flowladder::core {

void writeTextReport(const Analysis& a, std::ostream& out);

} // namespace flowladder::core
