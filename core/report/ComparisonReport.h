#pragma once
// The reports of `flowladder-cli compare`: the JSON of the CLI contract and the readable text.

#include "core/compare/Comparison.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace flowladder::core {

nlohmann::ordered_json comparisonToJson(const Comparison& c);
void writeComparisonText(const Comparison& c, std::ostream& out);

} // namespace flowladder::core
