// Modifiers: what happens to a beneficiary's amount after the schedule — qualification thresholds,
// accelerators by plan attainment, caps and floors, budgets with a declared policy, clawback.
#pragma once

#include <optional>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::rules {

/// Pay only when the measure reaches `min_measure` and the partner is eligible.
struct threshold {
    std::optional<decimal> min_measure;
    std::optional<selector> eligible;  ///< over partner fields, e.g. partner.trained in [yes]
    friend bool operator==(const threshold&, const threshold&) = default;
};

/// Multiplies the amount by the band of plan attainment (measure / target) reached:
/// e.g. {0: 0.5, 0.5: 1, 1: 1.5} pays half below 50% of plan and 1.5x from 100%.
struct accelerator {
    struct band {
        decimal from;  ///< attainment as a fraction: 1 = 100% of plan
        decimal multiplier;
        friend bool operator==(const band&, const band&) = default;
    };
    std::vector<band> bands;
    friend bool operator==(const accelerator&, const accelerator&) = default;
};

/// A cap (at most) or floor (at least) on what one beneficiary earns from the rule over `per`
/// (a period at least as long as the rule's; the rule's own period when not given).
struct limit {
    enum class kind_t : unsigned char { cap, floor };
    kind_t kind = kind_t::cap;
    decimal amount;
    std::optional<period_unit> per;
    friend bool operator==(const limit&, const limit&) = default;
};

/// A total budget for a rule or a program, and what happens when it runs out.
struct budget {
    enum class policy_t : unsigned char {
        pro_rata,    ///< every line scaled down by budget / total, allocated exactly
        event_date,  ///< lines paid in the order their measure was reached, until the budget is spent
        reject,      ///< in the same order, a line that does not fit entirely is rejected
    };
    decimal amount;
    policy_t policy = policy_t::pro_rata;
    friend bool operator==(const budget&, const budget&) = default;
};

[[nodiscard]] inline std::string_view to_string(budget::policy_t p) noexcept {
    constexpr std::string_view names[] = {"pro_rata", "event_date", "reject"};
    return names[static_cast<int>(p)];
}

/// Returns within `days` of the original sale reverse what the sale earned, as negative lines in the
/// period of the return that reference the sale.
struct clawback {
    int days = 0;
    friend bool operator==(const clawback&, const clawback&) = default;
};

}  // namespace incentives::rules
