// The phased KPI plan: program-level counts and measures tracked month by month against monthly
// targets, with the cumulative attainment, funnel ratios and a traffic light by declared thresholds
// (the planning table of a partner program: 700 partners registered, 60% of them active, 30% trained).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/decimal.hpp>

namespace incentives::rules {

/// One KPI: what it counts each month, and its monthly targets.
struct kpi {
    enum class count_t : unsigned char {
        partners_registered,  ///< partners whose `registered` date falls in the month
        partners_active,      ///< registered partners with activity (a rule's events) in the month, see `active`
        people_trained,       ///< participants whose `certified.<course>` date falls in the month
        measure,              ///< the sum of a rule's measure (or its event count) over every beneficiary in the month
    };
    enum class active_t : unsigned char {
        month,               ///< counted in every month with activity (registered by the month's end)
        since_registration,  ///< counted once, in the month of its first activity on or after registration
    };
    std::string id;
    count_t count = count_t::partners_registered;
    active_t active = active_t::month;
    std::string rule;            ///< partners_active, measure: the rule (per month) whose events count
    bool events = false;         ///< measure: count the rule's events instead of its measure
    std::string course;          ///< people_trained
    std::vector<decimal> targets;        ///< one per month of the program (empty: `percent` of `of`)
    std::optional<decimal> percent;      ///< the target is this fraction of another KPI's target, month by month
    std::string of;                      ///< that KPI (also the denominator of the funnel ratio)
    friend bool operator==(const kpi&, const kpi&) = default;
};
inline constexpr std::array<std::string_view, 4> kpi_count_names{"partners_registered", "partners_active", "people_trained", "measure"};
inline constexpr std::array<std::string_view, 2> kpi_active_names{"month", "since_registration"};

/// The plan: the KPIs and the thresholds of the traffic light on the cumulative attainment
/// (green at or above `green` of the cumulative target, amber at or above `amber`, red below).
struct kpi_plan {
    std::vector<kpi> table;
    decimal green = decimal(1);
    decimal amber = decimal::from_units(90, 2);
    friend bool operator==(const kpi_plan&, const kpi_plan&) = default;
};

}  // namespace incentives::rules
