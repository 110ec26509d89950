// Exact allocation: split a whole into parts by weights so that the parts add up to the whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <span>
#include <vector>

#include <incentives/decimal.hpp>

namespace incentives {

namespace detail {

/// Splits `total` whole units by non-negative weights with the largest-remainder method.
/// Each part gets floor(total x w / W); the units left over go one each to the largest remainders,
/// ties to the lower index. A negative total is split as its magnitude, then negated, so a split
/// and the split of its negation mirror each other. Throws input_error for a negative weight or
/// weights that are all zero.
[[nodiscard]] inline std::vector<int128> allocate_units(int128 total, std::span<const decimal> weights) {
    if (weights.empty())
        throw input_error("incentives.input.allocation_weights", "allocation needs at least one weight");
    int scale = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (weights[i].signum() < 0)
            throw input_error("incentives.input.allocation_weights",
                              "weight " + std::to_string(i) + " is negative (" + weights[i].to_string() +
                                  "): expected weights >= 0");
        scale = std::max(scale, weights[i].scale());
    }
    std::vector<big_int> w(weights.size());
    big_int sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        w[i] = to_big(weights[i].units()) * boost::multiprecision::pow(big_int(10), static_cast<unsigned>(scale - weights[i].scale()));
        sum += w[i];
    }
    if (sum == 0)
        throw input_error("incentives.input.allocation_weights", "all allocation weights are zero: nothing to split by");
    bool negative = total < 0;
    big_int whole = to_big(negative ? -total : total);
    std::vector<int128> parts(weights.size());
    std::vector<big_int> remainder(weights.size());
    big_int given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        big_int q;
        boost::multiprecision::divide_qr(big_int(whole * w[i]), sum, q, remainder[i]);
        (void)from_big(q, parts[i]);  // q <= whole, so it fits
        given += q;
    }
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    auto left = static_cast<std::size_t>(whole - given);  // fewer than weights.size()
    for (std::size_t k = 0; k < left; ++k) ++parts[order[k]];
    if (negative)
        for (auto& p : parts) p = -p;
    return parts;
}

}  // namespace detail

/// Splits `amount` by `weights` at `places` digits (at least the amount's own scale); the parts sum
/// exactly to the amount. See detail::allocate_units for the rule and its tie-break.
[[nodiscard]] inline std::vector<decimal> allocate(const decimal& amount, std::span<const decimal> weights, int places) {
    decimal whole = amount.rescale(std::max(places, amount.scale()), rounding_mode::unnecessary);
    std::vector<decimal> out;
    out.reserve(weights.size());
    for (int128 u : detail::allocate_units(whole.units(), weights)) out.push_back(decimal::from_units(u, whole.scale()));
    return out;
}

}  // namespace incentives
