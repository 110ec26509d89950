// Accelerators: the amount multiplied by the band of plan attainment reached.
#pragma once

#include <vector>

#include <incentives/decimal.hpp>

namespace incentives::rules {

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

/// The band reached by `measure` against `target` (attainment >= from, compared as
/// measure >= from x target so that no division or rounding decides a band); nullptr below the
/// first band.
[[nodiscard]] inline const accelerator::band* band_reached(const accelerator& a, const decimal& measure,
                                                           const decimal& target) {
    const accelerator::band* hit = nullptr;
    for (const auto& b : a.bands)
        if (!(measure < b.from * target)) hit = &b;
    return hit;
}

/// The multiplier for `measure` against `target`: the band's, or 1 below the first band.
[[nodiscard]] inline decimal multiplier(const accelerator& a, const decimal& measure, const decimal& target) {
    const auto* b = band_reached(a, measure, target);
    return b ? b->multiplier : decimal(1);
}

}  // namespace incentives::rules
