// Exact allocation: split a whole into parts by weights so that the parts add up to the whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

#include <incentives/decimal.hpp>

namespace incentives {

namespace detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void allocation_weights_all_zero() {
    throw input_error("incentives.input.allocation_weights", "all allocation weights are zero: nothing to split by");
}

/// allocate_units in 128-bit arithmetic: false (and `parts` untouched) when an aligned weight, the
/// weight sum or a product |total| x weight does not fit, so that the caller takes the wide path.
/// The rule and the tie-break are the same; `scale` is the largest scale of the weights.
[[nodiscard]] inline bool allocate_units_narrow(int128 total, std::span<const decimal> weights, int scale,
                                                std::vector<int128>& parts) {
    const std::size_t n = weights.size();
    // Scratch: the aligned weights, then the remainders (index order), then a copy to select from.
    constexpr std::size_t small = 16;
    uint128 stack_buf[2 * small];
    std::vector<uint128> heap_buf;
    uint128* rem = stack_buf;
    if (n > small) {
        heap_buf.resize(2 * n);
        rem = heap_buf.data();
    }
    uint128* pick = rem + n;
    uint128 sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        int128 w;
        if (__builtin_mul_overflow(weights[i].units(), pow10(scale - weights[i].scale()), &w)) return false;
        rem[i] = static_cast<uint128>(w);  // weights are >= 0
        if (__builtin_add_overflow(sum, rem[i], &sum)) return false;
    }
    if (sum == 0) allocation_weights_all_zero();
    if (total < -int128_max) return false;
    bool negative = total < 0;
    uint128 whole = magnitude(total);
    for (std::size_t i = 0; i < n; ++i)  // every product fits before anything is written
        if (uint128 p; __builtin_mul_overflow(whole, rem[i], &p)) return false;
    parts.assign(n, 0);
    uint128 given = 0;
    const bool sum64 = (sum >> 64) == 0;
    for (std::size_t i = 0; i < n; ++i) {
        uint128 p = whole * rem[i], q;
        if (sum64 && (p >> 64) == 0) {  // a 64-bit division when it is enough
            auto p64 = static_cast<std::uint64_t>(p), s64 = static_cast<std::uint64_t>(sum);
            q = p64 / s64;
        } else {
            q = p / sum;
        }
        rem[i] = p - q * sum;
        parts[i] = static_cast<int128>(q);  // q <= whole
        given += q;
    }
    // The units left over (fewer than n) go one each to the largest remainders, ties to the lower
    // index: the first `left` indices of a stable sort by descending remainder.
    auto left = static_cast<std::size_t>(whole - given);
    if (left > 0) {
        std::copy(rem, rem + n, pick);
        std::nth_element(pick, pick + (left - 1), pick + n, std::greater<>());
        uint128 cut = pick[left - 1];  // the left-th largest remainder
        std::size_t above = 0;
        for (std::size_t i = 0; i < n; ++i) above += rem[i] > cut ? 1 : 0;
        std::size_t at_cut = left - above;  // this many of the remainders equal to `cut`, lowest indices first
        for (std::size_t i = 0; i < n; ++i) {
            if (rem[i] > cut) {
                ++parts[i];
            } else if (rem[i] == cut && at_cut > 0) {
                ++parts[i];
                --at_cut;
            }
        }
    }
    if (negative)
        for (auto& x : parts) x = -x;
    return true;
}

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
    std::vector<int128> parts;
    if (allocate_units_narrow(total, weights, scale, parts)) return parts;
    // Wide path: cpp_int throughout (detail/wide-inl.hpp).
    std::vector<int128> units(weights.size());
    std::vector<int> shifts(weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        units[i] = weights[i].units();
        shifts[i] = scale - weights[i].scale();
    }
    parts.assign(weights.size(), 0);
    if (!allocate_units_wide(total, units, shifts, parts)) allocation_weights_all_zero();
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
