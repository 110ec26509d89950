// Certifications: a course a person (or a partner) completed, valid for a declared time, that gates
// other rules ("sold while certified": select `certified: <course>`). The completion dates are
// reference data, as an LMS exports them: the participant's (partner's) attribute
// `certified.<course>` (YYYY-MM-DD), so that the gate never depends on the order events arrive in.
#pragma once

#include <optional>
#include <string>

#include <incentives/calendar.hpp>
#include <incentives/rules/fund.hpp>

namespace incentives::rules {

struct certification {
    std::string course;
    std::optional<lot_expiry> valid;  ///< the last day it holds, from the completion date (nullopt: never lapses)
    friend bool operator==(const certification&, const certification&) = default;
};

/// The attribute that holds a completion date of `course`.
[[nodiscard]] inline std::string certified_attribute(std::string_view course) { return "certified." + std::string(course); }

/// The days [first, last] a certification completed on `completed` holds.
[[nodiscard]] inline std::pair<std::int32_t, std::int32_t> certified_days(const certification& c, date completed, const calendar& cal) {
    return {completed.days(), c.valid ? last_usable_day(*c.valid, completed, cal).days() : INT32_MAX};
}

}  // namespace incentives::rules
