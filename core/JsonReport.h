#pragma once
// The JSON of the CLI contract (DESIGN.md, `analyze --json`), also the golden data of the tests.

#include "core/Analysis.h"

#include <nlohmann/json.hpp>

namespace flowladder::core {

nlohmann::ordered_json findingToJson(const Finding& f);
nlohmann::ordered_json flowToJson(const Analysis& a, const Flow& f);
nlohmann::ordered_json analysisToJson(const Analysis& a);

} // namespace flowladder::core
