// Schedules: how a measure becomes money — a rate, a fixed amount per unit, per event or per
// group, a multiple, tier tables (retroactive or marginal) and lookup tables keyed by attributes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <incentives/decimal.hpp>
#include <incentives/rules/measure.hpp>
#include <incentives/rules/tiers.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::rules {

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

/// What a schedule of a simple kind pays on a measure: rate, per_unit, per_event and multiple pay
/// measure x value; fixed pays its value once for a measure above zero. Tier tables pay through
/// apply_tiers, lookup tables per event (the engine sums them as events arrive).
[[nodiscard]] inline decimal apply_simple(const schedule& s, const decimal& measure) {
    if (s.kind == schedule::kind_t::fixed) return measure.signum() > 0 ? s.value : decimal();
    return measure * s.value;
}

[[nodiscard]] inline std::string_view to_string(schedule::kind_t k) noexcept {
    constexpr std::string_view names[] = {"rate", "per_unit", "per_event", "fixed", "multiple", "tiers", "lookup"};
    return names[static_cast<int>(k)];
}

}  // namespace incentives::rules
