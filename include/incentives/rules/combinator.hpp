// Combinators: how a composite rule combines its children's amounts for one beneficiary and period.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include <incentives/decimal.hpp>

namespace incentives::rules {

/// How a composite rule combines its children for each beneficiary and period.
enum class combinator : unsigned char {
    none,      ///< a leaf rule
    sum_of,    ///< the children's amounts added
    max_of,    ///< the largest child amount
    first_of,  ///< each event counts for the first child that selects it (then added, as sum_of)
};

[[nodiscard]] inline std::string_view to_string(combinator c) noexcept {
    constexpr std::string_view names[] = {"none", "sum_of", "max_of", "first_of"};
    return names[static_cast<int>(c)];
}

/// The combined amount, and for max_of the child that won (the first of equal largest amounts).
struct combined {
    decimal amount;
    std::size_t winner = 0;
};

/// Combines the children's amounts (at least one). sum_of and first_of add them (first_of has already
/// given each event to one child); max_of takes the largest, the earliest child on a tie.
[[nodiscard]] inline combined combine(combinator c, std::span<const decimal> amounts) {
    combined out{amounts.front(), 0};
    for (std::size_t i = 1; i < amounts.size(); ++i) {
        if (c != combinator::max_of) out.amount += amounts[i];
        else if (out.amount < amounts[i]) out = {amounts[i], i};
    }
    return out;
}

}  // namespace incentives::rules
