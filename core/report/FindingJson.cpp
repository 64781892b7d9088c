#include "core/report/FindingJson.h"

#include "core/report/FindingFields.h"
#include "core/report/JsonReport.h"

#include <cstdio>

namespace flowladder::core {

using nlohmann::ordered_json;

namespace {

std::string valueText(const ordered_json& v)
{
    if (v.is_null()) return "none";
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v.get<double>());
        return buf;
    }
    if (v.is_array()) {
        std::string r;
        for (const auto& x : v)
            r += (r.empty() ? "#" : ", #") + x.dump();
        return r;
    }
    return v.dump();
}

} // namespace

void detailToJson(const FindingDetail& detail, ordered_json& j)
{
    json_fields::ObjectSink sink{j};
    json_fields::detailFields(detail, sink);
}

std::vector<FieldText> detailFieldTexts(const FindingDetail& detail)
{
    ordered_json j = ordered_json::object();
    detailToJson(detail, j);
    std::vector<FieldText> out;
    for (const auto& [k, v] : j.items())
        out.push_back({k, valueText(v)});
    return out;
}

ordered_json findingToJson(const Finding& f)
{
    ordered_json j;
    json_fields::ObjectSink sink{j};
    json_fields::findingFields(f, sink);
    return j;
}

} // namespace flowladder::core
