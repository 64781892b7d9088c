#pragma once
// The JSON of the CLI contract (DESIGN.md, `analyze --json`), also the golden data of the tests.

#include "core/model/Analysis.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace flowladder::core {

class HelperThread;

nlohmann::ordered_json findingToJson(const Finding& f);
nlohmann::ordered_json flowToJson(const Analysis& a, const Flow& f);
// flowToJson(a, f).dump() with U+FFFD for invalid UTF-8, written without building the value
// (what writeAnalysisJson writes for each flow).
std::string flowJsonLine(const Analysis& a, const Flow& f);
nlohmann::ordered_json analysisToJson(const Analysis& a);
// The same document written flow by flow: memory stays flat on captures of many connections.
// One flow or finding per line. Strings that are not valid UTF-8 (file names are bytes) are
// written with U+FFFD for each invalid byte. `helper` formats half of the flows and findings
// of a large capture (null: a thread of its own).
void writeAnalysisJson(const Analysis& a, std::ostream& out, HelperThread* helper = nullptr);

} // namespace flowladder::core
