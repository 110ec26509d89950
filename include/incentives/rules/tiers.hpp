// Tier tables: a measure paid at the value of the tier it reaches (retroactive) or band by band
// (marginal), and the function that applies one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <incentives/decimal.hpp>
#include <incentives/rules/measure.hpp>

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

    /// The explicit top of the table (the last row's `to`), if it has one.
    [[nodiscard]] const std::optional<decimal>& top() const noexcept { return rows.back().to; }
};

/// What a tier table pays for one beneficiary and period.
struct tier_outcome {
    std::optional<std::size_t> row;  ///< the tier reached; none below the first row
    decimal amount;                  ///< exact, before modifiers
    bool above_top = false;          ///< the tier measure passed the table's top: the excess earned nothing
};

/// Applies a tier table. `measure` is what is paid on, `on` what picks the tier (the same value
/// unless the table has `on`). Below the first row nothing is paid. Above a closed table's top the
/// excess earns nothing more and there is no cliff: a marginal table pays its full bands; a
/// retroactive one pays the top row's rate on the measure up to the top (on the whole measure when
/// the tier is picked by another measure), or the top row's amount.
[[nodiscard]] inline tier_outcome apply_tiers(const tier_table& t, const decimal& measure, const decimal& on) {
    tier_outcome out;
    for (std::size_t i = 0; i < t.rows.size(); ++i)
        if (!(on < t.rows[i].from)) out.row = i;
    if (!out.row) return out;
    const std::size_t k = *out.row;
    out.above_top = k + 1 == t.rows.size() && t.top() && !(on < *t.top());
    const bool rate = t.value == tier_table::value_t::rate;
    if (t.basis == tier_table::basis_t::retroactive) {
        const tier& row = t.rows[k];
        decimal paid_on = (out.above_top && !t.on) ? *t.top() : measure;
        out.amount = rate ? paid_on * row.value : row.value;
        return out;
    }
    // Marginal: each band reached pays its own value on the part of the measure inside it.
    decimal reach = out.above_top ? *t.top() : on;
    for (std::size_t i = 0; i <= k; ++i) {
        decimal upper = i + 1 < t.rows.size() ? t.rows[i + 1].from : reach;
        if (reach < upper) upper = reach;
        out.amount += rate ? (upper - t.rows[i].from) * t.rows[i].value : t.rows[i].value;
    }
    return out;
}

}  // namespace incentives::rules
