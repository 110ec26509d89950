// A program: currency, calendar, rounding, input policies and rules. validate() checks every
// invariant when the program is built, so running a valid program fails only for data reasons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>


#include <incentives/calendar.hpp>
#include <incentives/currency.hpp>
#include <incentives/detail/config.hpp>
#include <incentives/rounding.hpp>
#include <incentives/rules/certification.hpp>
#include <incentives/rules/contest.hpp>
#include <incentives/rules/deal_registration.hpp>
#include <incentives/rules/kpi.hpp>
#include <incentives/rules/fund.hpp>
#include <incentives/rules/points.hpp>
#include <incentives/rules/referral.hpp>
#include <incentives/rules/roi.hpp>
#include <incentives/rules/rule.hpp>

namespace incentives {

/// Where amounts are rounded to the currency's minor unit.
struct rounding_policy {
    enum class point_t : unsigned char {
        event,      ///< each event's contribution (linear schedules only)
        line,       ///< each payout line: rule x beneficiary x period
        statement,  ///< only a beneficiary's total per period; lines stay exact
    };
    rounding_mode mode = rounding_mode::half_even;
    point_t point = point_t::line;
    friend bool operator==(const rounding_policy&, const rounding_policy&) = default;
};

[[nodiscard]] inline std::string_view to_string(rounding_policy::point_t p) noexcept {
    constexpr std::string_view names[] = {"event", "line", "statement"};
    return names[static_cast<int>(p)];
}

/// What to do with an event whose id was already seen: an error, or ignore it (never pay twice).
enum class duplicate_policy : unsigned char { error, ignore };

/// What to do with events of a kind that no rule selects (a typo such as "sael", or "refund" where
/// the program knows "return"): refuse them, take them and say so (the result lists each such kind
/// and its count), or take them silently.
enum class unknown_kind_policy : unsigned char { error, warn, ignore };

/// A validated program definition.
struct program {
    std::string name;
    currency currency_ = currency::of("EUR");
    calendar cal;
    rounding_policy rounding;
    duplicate_policy duplicates = duplicate_policy::error;
    unknown_kind_policy unknown_kinds = unknown_kind_policy::warn;
    int amount_places = -1;    ///< places accepted on event amounts; -1: the currency's minor units
    int quantity_places = 0;   ///< places accepted on quantities
    std::vector<rules::rule> rules;
    std::optional<rules::budget> budget_;  ///< a budget over every rule
    std::vector<rules::fund> funds;        ///< MDF and co-op funds (engine/ledger.hpp)
    std::optional<rules::deal_registration> deals;  ///< deal registration (engine/deals.hpp)
    std::vector<rules::referral_program> referrals; ///< referral and affiliate programs (engine/referrals.hpp)
    std::optional<rules::points_program> points;     ///< points, lots and the shop (engine/points.hpp)
    std::vector<rules::certification> certifications; ///< courses that gate rules (`certified:` in a selection)
    std::vector<rules::contest> contests;             ///< competitions ranked over the rules' measures (engine/contests.hpp)
    std::optional<rules::kpi_plan> kpis;             ///< the phased KPI plan (engine/kpis.hpp)
    std::optional<rules::roi_plan> roi;              ///< the engagement and ROI report (engine/roi.hpp)
    std::optional<std::uint64_t> seed;                ///< keys every random draw (a contest's lot); declared, never the clock

    [[nodiscard]] int amount_scale() const noexcept {
        return amount_places < 0 ? currency_.minor_units() : amount_places;
    }
    friend bool operator==(const program&, const program&) = default;
};

/// Checks every invariant of `p`; throws validation_error with the path of the offending part. The
/// one validator: the engine calls it, `incentives validate` calls it, and a program it accepts fails
/// a run only for data reasons. (Defined in validate.hpp, compiled into the library.)
void validate(const program& p);

}  // namespace incentives

#ifdef INCENTIVES_HEADER_ONLY
#include <incentives/validate.hpp>
#endif
