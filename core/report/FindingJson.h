#pragma once
// A finding's typed detail written under the JSON names of DESIGN.md: the one place
// that spells them. findingToJson (JsonReport.h) writes the whole finding with it.

#include "core/model/Finding.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flowladder::core {

// Appends the key fields of `detail` to `j`, in contract order.
void detailToJson(const FindingDetail& detail, nlohmann::ordered_json& j);

// The key fields as readable text, in the same order, for a details view: JSON name and
// value ("none" for null, "yes"/"no", frame lists as "#5, #7"). For showing, not for reading
// values back: take those from Finding::detail.
struct FieldText {
    std::string name;
    std::string text;
};
std::vector<FieldText> detailFieldTexts(const FindingDetail& detail);

} // namespace flowladder::core
