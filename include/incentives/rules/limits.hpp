// Caps and floors: what one beneficiary earns from a rule over its own period, or a cap over a longer
// period shared by the lines inside it.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

/// A cap (at most) or floor (at least) on what one beneficiary earns from the rule over `per`
/// (a period at least as long as the rule's; the rule's own period when not given).
struct limit {
    enum class kind_t : unsigned char { cap, floor };
    kind_t kind = kind_t::cap;
    decimal amount;
    std::optional<period_unit> per;
    friend bool operator==(const limit&, const limit&) = default;

    /// Whether the limit spans a longer period than the rule's own `unit`.
    [[nodiscard]] bool longer_than(period_unit unit) const noexcept { return per && *per != unit; }
};

/// A line's amount under a cap or floor of its own period.
[[nodiscard]] inline decimal apply_limit(const limit& l, const decimal& amount) {
    if (l.kind == limit::kind_t::cap) return l.amount < amount ? l.amount : amount;
    return amount < l.amount ? l.amount : amount;
}

/// A cap over a longer period shared by the lines inside it, in period order: each line gets at
/// most what is left of the cap. Returns the capped amounts, one per line, in the same order.
[[nodiscard]] inline std::vector<decimal> share_cap(const decimal& cap, std::span<const decimal> amounts) {
    std::vector<decimal> out;
    out.reserve(amounts.size());
    decimal used;
    for (const auto& a : amounts) {
        decimal left = cap - used;
        out.push_back(left < a ? left : a);
        used += out.back();
    }
    return out;
}

}  // namespace incentives::rules
