// Budgets: a total for a rule or a program, allocated over its lines under a declared policy.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include <incentives/allocation.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

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

/// What each line gets under a budget. `asked` holds the lines' amounts (each >= 0) in the order the
/// policy pays them: for event_date and reject, the order in which their measure was reached (the
/// caller sorts); pro_rata does not depend on the order. Within the budget every line gets what it
/// asked. Over it, pro_rata splits the budget by the amounts asked, exactly to `minor_units` places
/// by largest remainder; event_date pays in order until the budget is spent; reject pays in order
/// each line that still fits whole.
[[nodiscard]] inline std::vector<decimal> allocate_budget(const budget& b, std::span<const decimal> asked, int minor_units) {
    decimal total;
    for (const auto& a : asked) total += a;
    std::vector<decimal> out(asked.begin(), asked.end());
    if (!(b.amount < total)) return out;
    if (b.policy == budget::policy_t::pro_rata) {
        int places = b.amount.scale() > minor_units ? b.amount.scale() : minor_units;
        return allocate(b.amount.rescale(places, rounding_mode::unnecessary), asked, minor_units);
    }
    decimal left = b.amount;
    const decimal zero = decimal::from_units(0, minor_units);
    for (auto& a : out) {
        decimal pay = a < left ? a : left;
        if (b.policy == budget::policy_t::reject && pay < a) pay = zero;
        a = pay;
        left -= pay;
    }
    return out;
}

}  // namespace incentives::rules
