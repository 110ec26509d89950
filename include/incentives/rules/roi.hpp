// Engagement and return on investment of a program: participation and activity rates, sales over a
// baseline (the prior year, or a control group of partners outside the program), what the program
// cost, and ROI = (incremental sales x margin - cost) / cost, per segment.
#pragma once

#include <string>

#include <incentives/decimal.hpp>

namespace incentives::rules {

struct roi_plan {
    enum class baseline_t : unsigned char {
        prior_year,     ///< the same partners' sales in the year before (the rule's measure, looked back a year)
        control_group,  ///< partners outside the program (control_field == control_value): their mean sales x the program's partners
    };
    std::string sales;           ///< a rule crediting partners whose measure is the channel's sales
    baseline_t baseline = baseline_t::prior_year;
    std::string control_field;   ///< control_group: a partner field (segment, an attribute...)
    std::string control_value;   ///< ... whose value marks a partner as outside the program
    decimal margin;              ///< the margin earned on incremental sales (0.25 = 25%)
    std::string segment;         ///< the partner field the report is split by ("" one row)
    friend bool operator==(const roi_plan&, const roi_plan&) = default;
};

}  // namespace incentives::rules
