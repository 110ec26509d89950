// Schedules: how a measure becomes money — a rate, a fixed amount per unit, per event or per
// group, a multiple, tier tables (retroactive or marginal) and lookup tables keyed by attributes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <incentives/decimal.hpp>
#include <incentives/rules/measure.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::rules {

/// One row of a tier table: the band [from, next row's from) pays `value` (a rate, or a fixed amount).
struct tier {
    decimal from;
    std::optional<decimal> to;  ///< optional explicit upper bound; must equal the next row's from
    decimal value;
    std::string name;  ///< e.g. "gold"
    friend bool operator==(const tier&, const tier&) = default;
};

/// A tier table. Retroactive: the whole measure at the value of the tier reached. Marginal: each band
/// of the measure at its own value. Bounds are half-open [from, to): validated for order, gaps and
/// overlaps when the program is built.
struct tier_table {
    enum class basis_t : unsigned char { retroactive, marginal };
    enum class value_t : unsigned char { rate, amount };  ///< a rate on the measure, or a fixed payout
    basis_t basis = basis_t::retroactive;
    value_t value = value_t::rate;
    std::optional<measure> on;  ///< what selects the tier, when not the rule's measure (e.g. growth %)
    std::vector<tier> rows;
    friend bool operator==(const tier_table&, const tier_table&) = default;
};

/// A rate looked up per event by the values of some fields (e.g. product category x partner tier).
struct lookup_table {
    std::vector<field> keys;
    std::map<std::vector<std::string>, decimal> rates;
    std::optional<decimal> fallback;  ///< for key combinations not in the table; none: pays zero
    friend bool operator==(const lookup_table&, const lookup_table&) = default;
};

/// How the measure becomes an amount.
struct schedule {
    enum class kind_t : unsigned char {
        rate,       ///< measure x value (a percent given as 2% is 0.02)
        per_unit,   ///< quantity x value
        per_event,  ///< count x value
        fixed,      ///< value once per beneficiary and period that has a non-zero measure
        multiple,   ///< measure x value (e.g. 8 x monthly recurring revenue)
        tiers,
        lookup,
    };
    kind_t kind = kind_t::rate;
    decimal value;
    tier_table tiers_;
    lookup_table lookup_;
    friend bool operator==(const schedule&, const schedule&) = default;

    /// Whether the payout is a sum of per-event amounts (so rounding per event line is meaningful).
    [[nodiscard]] bool is_linear() const noexcept { return kind != kind_t::tiers && kind != kind_t::fixed; }
};

[[nodiscard]] inline std::string_view to_string(schedule::kind_t k) noexcept {
    constexpr std::string_view names[] = {"rate", "per_unit", "per_event", "fixed", "multiple", "tiers", "lookup"};
    return names[static_cast<int>(k)];
}

}  // namespace incentives::rules
