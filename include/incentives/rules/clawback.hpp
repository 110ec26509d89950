// Clawback: a return inside the window reverses what its sale earned, as a negative line.
#pragma once

#include <string_view>

#include <incentives/decimal.hpp>
#include <incentives/detail/wide.hpp>
#include <incentives/errors.hpp>
#include <incentives/rounding.hpp>

namespace incentives::rules {

/// Returns within `days` of the original sale reverse what the sale earned, as negative lines in the
/// period of the return that reference the sale and the return.
struct clawback {
    enum class basis_t : unsigned char {
        proportional,  ///< the sale's share of the line, times the returned fraction
        recompute,     ///< the line recomputed without the returned part; the difference is clawed back
    };
    int days = 0;
    basis_t basis = basis_t::proportional;
    friend bool operator==(const clawback&, const clawback&) = default;
};

[[nodiscard]] inline std::string_view to_string(clawback::basis_t b) noexcept {
    return b == clawback::basis_t::proportional ? "proportional" : "recompute";
}

/// The proportional clawback of a return: -(line amount x sale's measure / line's measure x
/// returned / sold), rounded once to `places` by `mode` as the negative amount it is (so `floor`
/// rounds toward minus infinity). Zero when the line or its measure is zero.
[[nodiscard]] inline decimal proportional_clawback(const decimal& line_amount, const decimal& sale_measure,
                                                   const decimal& line_measure, std::int64_t returned, std::int64_t sold,
                                                   int places, rounding_mode mode) {
    if (line_measure.is_zero() || line_amount.is_zero() || sold == 0) return decimal::from_units(0, places);
    try {
        decimal num = -(line_amount * sale_measure * decimal(returned));
        return num.divide(line_measure * decimal(sold), places, mode);
    } catch (const calculation_error&) {
        // The products exceed 38 digits while the clawback itself may fit: the same ratio, rounded
        // once, in a wide integer.
    }
    const int128 num[] = {-line_amount.units(), sale_measure.units(), int128{returned}};
    const int128 den[] = {line_measure.units(), int128{sold}};
    int128 units = 0;
    if (!detail::wide_ratio(num, line_amount.scale() + sale_measure.scale(), den, line_measure.scale(), places, mode, units))
        detail::overflow("the clawback of a line of " + line_amount.to_string() + " (a return of " + std::to_string(returned) + " of " +
                         std::to_string(sold) + ") does not fit a decimal");
    return decimal::from_units(units, places);
}

}  // namespace incentives::rules
