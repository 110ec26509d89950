// The days each person and partner holds each declared certification (rules/certification.hpp),
// built once per engine from the catalog, for the `certified:` selections.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <incentives/engine/catalog.hpp>
#include <incentives/errors.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {

struct certified_table {
    /// [first, last] days, by catalog index; first > last: never certified.
    struct holders {
        std::vector<std::pair<std::int32_t, std::int32_t>> person, partner;
    };
    std::map<std::string, holders, std::less<>> courses;

    [[nodiscard]] static certified_table build(const program& p, const catalog& cat) {
        certified_table t;
        for (const auto& c : p.certifications) {
            auto& h = t.courses[c.course];
            const std::string attr = rules::certified_attribute(c.course);
            auto days_of = [&](const attributes& attrs, std::string_view who, const std::string& id) -> std::pair<std::int32_t, std::int32_t> {
                const auto completed = date_attribute(attrs, attr, who, id);
                return completed ? rules::certified_days(c, *completed, p.cal) : std::pair<std::int32_t, std::int32_t>{1, 0};
            };
            for (const auto& x : cat.participants()) h.person.push_back(days_of(x.attrs, "participant", x.id));
            for (const auto& x : cat.partners()) h.partner.push_back(days_of(x.attrs, "partner", x.id));
        }
        return t;
    }
};

}  // namespace incentives::detail
