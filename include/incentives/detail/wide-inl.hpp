// Definitions of detail/wide.hpp with Boost.Multiprecision's cpp_int. Compiled once into the library
// (src/incentives.cpp); with INCENTIVES_HEADER_ONLY, included by detail/wide.hpp and inline.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

#include <incentives/detail/config.hpp>
#include <incentives/detail/wide.hpp>
#include <incentives/rounding.hpp>

namespace incentives::detail {

using big_int = boost::multiprecision::cpp_int;

INCENTIVES_INLINE big_int to_big(int128 v) {
    big_int b = static_cast<std::uint64_t>(static_cast<uint128>(v < 0 ? -v : v) >> 64);
    b <<= 64;
    b += static_cast<std::uint64_t>(static_cast<uint128>(v < 0 ? -v : v));
    return v < 0 ? big_int(-b) : b;
}

/// Narrows a wide integer back to int128; false when it does not fit the decimal range.
INCENTIVES_INLINE bool from_big(const big_int& b, int128& out) {
    constexpr int128 int128_max = static_cast<int128>((~static_cast<uint128>(0)) >> 1);
    static const big_int limit = to_big(int128_max);
    if (b > limit || b < -limit) return false;
    big_int m = abs(b);
    auto lo = static_cast<std::uint64_t>(m & 0xFFFFFFFFFFFFFFFFull);
    auto hi = static_cast<std::uint64_t>(m >> 64);
    auto u = (static_cast<uint128>(hi) << 64) | lo;
    out = b < 0 ? -static_cast<int128>(u) : static_cast<int128>(u);
    return true;
}

/// num / den rounded by `mode` for wide operands (one divide_qr); the same result as divide_rounded.
INCENTIVES_INLINE big_int divide_rounded_wide(const big_int& num, const big_int& den, rounding_mode mode,
                                              bool& inexact) {
    big_int q, r;
    boost::multiprecision::divide_qr(num, den, q, r);
    inexact = r != 0;
    if (!inexact) return q;
    bool negative = (num < 0) != (den < 0);
    if (r < 0) r = -r;
    big_int other = den < 0 ? big_int(-den) : den;
    other -= r;
    int cmp_half = r.compare(other);
    bool odd = boost::multiprecision::bit_test(q < 0 ? big_int(-q) : q, 0);
    if (round_away(mode, negative, odd, cmp_half < 0 ? -1 : (cmp_half == 0 ? 0 : 1), true)) q += negative ? -1 : 1;
    return q;
}

/// 10^n as a big_int, n in 0..80 from a table built once.
INCENTIVES_INLINE const big_int& big_pow10(int n) {
    static const std::array<big_int, 81> table = [] {
        std::array<big_int, 81> t;
        t[0] = 1;
        for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
        return t;
    }();
    return table[static_cast<std::size_t>(n)];
}

INCENTIVES_INLINE bool wide_divide(int128 num, int128 den, int e, rounding_mode mode, int128& q, bool& inexact) {
    big_int bn = to_big(num), bd = to_big(den);
    (e >= 0 ? bn : bd) *= big_pow10(e >= 0 ? e : -e);
    return from_big(divide_rounded_wide(bn, bd, mode, inexact), q);
}

INCENTIVES_INLINE bool wide_ratio(std::span<const int128> num, int num_scale, std::span<const int128> den, int den_scale, int places,
                                 rounding_mode mode, int128& q) {
    big_int n = 1, d = 1;
    for (int128 x : num) n *= to_big(x);
    for (int128 x : den) d *= to_big(x);
    // n x 10^-num_scale / (d x 10^-den_scale) at `places`: n x 10^(places - num_scale + den_scale) / d.
    const int e = places - num_scale + den_scale;
    (e >= 0 ? n : d) *= big_pow10(e >= 0 ? e : -e);
    bool inexact = false;
    return from_big(divide_rounded_wide(n, d, mode, inexact), q);
}

INCENTIVES_INLINE bool wide_multiply(int128 a, int128 b, int max_scale, int& scale, int128& units) {
    big_int p = to_big(a) * to_big(b);
    while (scale > 0 && (scale > max_scale || !from_big(p, units)) && p % 10 == 0) {
        p /= 10;
        --scale;
    }
    return scale <= max_scale && from_big(p, units);
}

INCENTIVES_INLINE bool wide_add(int128 a, int a_scale, int128 b, int b_scale, bool subtract, int128& units,
                                int& scale) {
    scale = a_scale > b_scale ? a_scale : b_scale;
    big_int x = to_big(a), y = to_big(b);
    x *= big_pow10(scale - a_scale);
    y *= big_pow10(scale - b_scale);
    big_int sum = subtract ? big_int(x - y) : big_int(x + y);
    while (!from_big(sum, units) && scale > 0 && sum % 10 == 0) {
        sum /= 10;
        --scale;
    }
    return from_big(sum, units);
}

INCENTIVES_INLINE bool allocate_units_wide(int128 total, std::span<const int128> units, std::span<const int> shifts,
                                           std::span<int128> parts) {
    const std::size_t n = units.size();
    std::vector<big_int> w(n);
    big_int sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        w[i] = to_big(units[i]) * big_pow10(shifts[i]);
        sum += w[i];
    }
    if (sum == 0) return false;
    bool negative = total < 0;
    big_int whole = to_big(negative ? -total : total);
    std::vector<big_int> remainder(n);
    big_int given = 0;
    for (std::size_t i = 0; i < n; ++i) {
        big_int q;
        boost::multiprecision::divide_qr(big_int(whole * w[i]), sum, q, remainder[i]);
        (void)from_big(q, parts[i]);  // q <= whole, so it fits
        given += q;
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    auto left = static_cast<std::size_t>(whole - given);  // fewer than n
    for (std::size_t k = 0; k < left; ++k) ++parts[order[k]];
    if (negative)
        for (auto& p : parts) p = -p;
    return true;
}

}  // namespace incentives::detail
