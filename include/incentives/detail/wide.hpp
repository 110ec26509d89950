// The wide paths of decimal and allocation: the rare cases whose intermediates do not fit 128 bits
// (a product of two large mantissas, units scaled by 10^e before a division, an aligned sum, or a
// total times a weight in an allocation). Declarations only: they are computed with Boost's cpp_int
// in detail/wide-inl.hpp, compiled into the library (or inline with INCENTIVES_HEADER_ONLY), so that
// no public header parses Boost.Multiprecision.
#pragma once

#include <span>

#include <incentives/detail/config.hpp>
#include <incentives/rounding.hpp>

namespace incentives {

// The same typedefs as in decimal.hpp (a typedef may be repeated), so that this header stands alone.
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

namespace detail {

/// num x 10^e / den (e >= 0), or num / (den x 10^-e) (e < 0), rounded by `mode`, with the scaling
/// done in a wide integer; |e| <= 80, den != 0. Sets `inexact`; false when the quotient does not fit
/// a decimal's units (|q| <= 2^127 - 1), `q` then unspecified.
[[nodiscard]] bool wide_divide(int128 num, int128 den, int e, rounding_mode mode, int128& q, bool& inexact);

/// The product of `num` over the product of `den` (every den != 0; a decimal's units each, the
/// product of `num` at scale `num_scale` and that of `den` at `den_scale`), rounded by `mode` to
/// `places` digits, all in a wide integer: a ratio whose intermediates exceed 128 bits while the
/// result fits (a clawback's line x sale's measure x returned / (line's measure x sold)). False when
/// the result does not fit a decimal's units.
[[nodiscard]] bool wide_ratio(std::span<const int128> num, int num_scale, std::span<const int128> den, int den_scale, int places,
                              rounding_mode mode, int128& q);

/// The exact product a x b at `scale`, wide: drops trailing zeros of the product (decrementing
/// `scale`, never below 0) while the scale exceeds `max_scale` or the product does not fit the units.
/// True with `units` and `scale` set when it then fits and scale <= max_scale.
[[nodiscard]] bool wide_multiply(int128 a, int128 b, int max_scale, int& scale, int128& units);

/// a x 10^-a_scale +/- b x 10^-b_scale, exact at the larger scale in a wide integer, then trailing
/// zeros dropped (decrementing the scale, never below 0) while it does not fit. True with `units` and
/// `scale` set when it fits.
[[nodiscard]] bool wide_add(int128 a, int a_scale, int128 b, int b_scale, bool subtract, int128& units, int& scale);

/// allocate_units with wide intermediates: weight i is units[i] x 10^shifts[i] (units >= 0,
/// 0 <= shift <= 80); `parts` (same size, zeros) receives the split of `total` by largest remainder,
/// ties to the lower index, a negative total split as its magnitude and negated. False (parts
/// untouched) when the weights are all zero.
[[nodiscard]] bool allocate_units_wide(int128 total, std::span<const int128> units, std::span<const int> shifts,
                                       std::span<int128> parts);

}  // namespace detail
}  // namespace incentives

#ifdef INCENTIVES_HEADER_ONLY
#include <incentives/detail/wide-inl.hpp>
#endif
