// incentives::decimal: an exact fixed-point decimal (128-bit mantissa, scale 0..36).
// Addition, subtraction and multiplication are exact; only rescale() and divide() round, with a
// named mode. Anything that does not fit is a calculation_error, never a wrap or a silent rounding.
#pragma once

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>
#include <fmt/format.h>

#include <incentives/errors.hpp>
#include <incentives/rounding.hpp>

namespace incentives {

// __extension__ keeps -Wpedantic quiet about the (GCC and Clang) 128-bit integer types.
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

namespace detail {

inline constexpr int128 int128_max = static_cast<int128>((~static_cast<uint128>(0)) >> 1);

/// 10^n for n in 0..38, the largest powers an int128 holds.
[[nodiscard]] constexpr int128 pow10(int n) noexcept {
    int128 p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}

/// Decimal digits of a non-negative int128 (no sign, no separators).
[[nodiscard]] inline std::string int128_digits(int128 v) {
    auto u = v < 0 ? static_cast<uint128>(-(v + 1)) + 1 : static_cast<uint128>(v);
    char buf[40];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
        u /= 10;
    } while (u != 0);
    std::string out(static_cast<std::size_t>(n), '0');
    for (int i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = buf[n - 1 - i];
    return out;
}

/// An int128 as signed decimal text, for messages and conversions.
[[nodiscard]] inline std::string int128_to_string(int128 v) {
    return v < 0 ? "-" + int128_digits(v) : int128_digits(v);
}

using big_int = boost::multiprecision::cpp_int;

[[nodiscard]] inline big_int to_big(int128 v) {
    big_int b = static_cast<std::uint64_t>(static_cast<uint128>(v < 0 ? -v : v) >> 64);
    b <<= 64;
    b += static_cast<std::uint64_t>(static_cast<uint128>(v < 0 ? -v : v));
    return v < 0 ? big_int(-b) : b;
}

/// Narrows a wide integer back to int128; false when it does not fit the decimal range.
[[nodiscard]] inline bool from_big(const big_int& b, int128& out) {
    static const big_int limit = to_big(int128_max);
    if (b > limit || b < -limit) return false;
    big_int m = abs(b);
    auto lo = static_cast<std::uint64_t>(m & 0xFFFFFFFFFFFFFFFFull);
    auto hi = static_cast<std::uint64_t>(m >> 64);
    auto u = (static_cast<uint128>(hi) << 64) | lo;
    out = b < 0 ? -static_cast<int128>(u) : static_cast<int128>(u);
    return true;
}

/// num / den rounded by `mode`; den != 0. Works for int128 and big_int alike.
template <class Int>
[[nodiscard]] Int divide_rounded(const Int& num, const Int& den, rounding_mode mode, bool& inexact) {
    Int q = num / den;  // truncates toward zero
    Int r = num % den;
    inexact = r != 0;
    if (!inexact) return q;
    bool negative = (num < 0) != (den < 0);
    Int ar = r < 0 ? Int(-r) : r;
    Int ad = den < 0 ? Int(-den) : den;
    Int other = ad - ar;  // compare |r| with |den| / 2 without doubling (no overflow)
    int cmp_half = ar < other ? -1 : (ar == other ? 0 : 1);
    bool odd = (q % 2) != 0;
    if (round_away(mode, negative, odd, cmp_half, true)) q += negative ? -1 : 1;
    return q;
}

[[noreturn]] inline void overflow(std::string_view what) {
    throw calculation_error("incentives.calculation.overflow", std::string(what));
}

}  // namespace detail

/// An exact decimal number: units x 10^-scale, |units| < 2^127, 0 <= scale <= max_scale.
class decimal {
public:
    /// The largest number of places a decimal carries (an amount at 2, times a rate at 6, times an
    /// exchange rate at 8, times a share at 18 still fits).
    static constexpr int max_scale = 36;

    /// Zero, at scale 0.
    constexpr decimal() noexcept = default;

    /// An integer, exactly, at scale 0.
    template <std::integral Int>
        requires(!std::same_as<Int, bool>)
    constexpr explicit decimal(Int value) noexcept : units_(static_cast<int128>(value)) {}

    /// Binary floating point never becomes money: these do not compile.
    template <std::floating_point Float>
    decimal(Float) = delete;

    /// units x 10^-scale; throws calculation_error when the scale or the units are out of range.
    [[nodiscard]] static decimal from_units(int128 units, int scale) {
        if (scale < 0 || scale > max_scale)
            detail::overflow("decimal scale " + std::to_string(scale) + " is outside 0.." +
                             std::to_string(max_scale));
        if (units < -detail::int128_max) detail::overflow("decimal units below -(2^127 - 1)");
        decimal d;
        d.units_ = units;
        d.scale_ = static_cast<std::int8_t>(scale);
        return d;
    }

    /// Parses "12.50", "-0.001", "+3", "1E+3", "2.5e-3" exactly; throws input_error otherwise.
    [[nodiscard]] static decimal parse(std::string_view text);

    /// The mantissa: the value is units() x 10^-scale().
    [[nodiscard]] constexpr int128 units() const noexcept { return units_; }
    /// Digits after the decimal point.
    [[nodiscard]] constexpr int scale() const noexcept { return scale_; }
    /// -1, 0 or 1.
    [[nodiscard]] constexpr int signum() const noexcept { return units_ < 0 ? -1 : (units_ > 0 ? 1 : 0); }
    [[nodiscard]] constexpr bool is_zero() const noexcept { return units_ == 0; }

    /// Exact text with exactly scale() places, never an exponent: parse(to_string()) == *this.
    [[nodiscard]] std::string to_string() const {
        std::string digits = detail::int128_digits(units_);
        if (scale_ > 0) {
            auto s = static_cast<std::size_t>(scale_);
            if (digits.size() <= s) digits.insert(0, s + 1 - digits.size(), '0');
            digits.insert(digits.size() - s, 1, '.');
        }
        return units_ < 0 ? "-" + digits : digits;
    }

    /// The same value with trailing zeros after the point removed (smallest scale).
    [[nodiscard]] constexpr decimal normalized() const noexcept {
        decimal d = *this;
        if (d.units_ == 0) {
            d.scale_ = 0;
            return d;
        }
        while (d.scale_ > 0 && d.units_ % 10 == 0) {
            d.units_ /= 10;
            --d.scale_;
        }
        return d;
    }

    /// This value at `places` digits, rounded by `mode` when digits are dropped.
    [[nodiscard]] decimal rescale(int places, rounding_mode mode) const {
        check_places(places, "rescale");
        if (places >= scale_) {
            int128 u;
            if (__builtin_mul_overflow(units_, detail::pow10(places - scale_), &u))
                detail::overflow(to_string() + " does not fit at " + std::to_string(places) + " places");
            return from_units(u, places);
        }
        bool inexact = false;
        int128 q = detail::divide_rounded(units_, detail::pow10(scale_ - places), mode, inexact);
        if (inexact && mode == rounding_mode::unnecessary) rounding_needed(places);
        return from_units(q, places);
    }

    /// this / divisor, rounded by `mode` to `places` digits. Division by zero is a calculation_error.
    [[nodiscard]] decimal divide(const decimal& divisor, int places, rounding_mode mode) const {
        check_places(places, "divide");
        if (divisor.units_ == 0)
            throw calculation_error("incentives.calculation.division_by_zero",
                                    "division of " + to_string() + " by zero");
        // result units = round(units * 10^(places + divisor.scale - scale) / divisor.units)
        int e = places + divisor.scale_ - scale_;
        bool inexact = false;
        int128 q = 0;
        int128 num = units_, den = divisor.units_;
        bool fits = e >= 0 ? (e <= 38 && !__builtin_mul_overflow(num, detail::pow10(e), &num))
                           : (-e <= 38 && !__builtin_mul_overflow(den, detail::pow10(-e), &den));
        if (fits) {
            q = detail::divide_rounded(num, den, mode, inexact);
        } else {
            detail::big_int bn = detail::to_big(units_), bd = detail::to_big(divisor.units_);
            detail::big_int p = boost::multiprecision::pow(detail::big_int(10), static_cast<unsigned>(e >= 0 ? e : -e));
            (e >= 0 ? bn : bd) *= p;
            if (!detail::from_big(detail::divide_rounded(bn, bd, mode, inexact), q))
                detail::overflow(to_string() + " / " + divisor.to_string() + " does not fit at " +
                                 std::to_string(places) + " places");
        }
        if (inexact && mode == rounding_mode::unnecessary) rounding_needed(places);
        return from_units(q, places);
    }

    [[nodiscard]] constexpr decimal operator-() const noexcept {
        decimal d = *this;
        d.units_ = -d.units_;  // the range is symmetric, so this never overflows
        return d;
    }

    friend decimal operator+(const decimal& a, const decimal& b) { return add(a, b, false); }
    friend decimal operator-(const decimal& a, const decimal& b) { return add(a, b, true); }

    /// Exact product at scale a.scale() + b.scale(); trailing zeros are dropped only if needed to fit.
    friend decimal operator*(const decimal& a, const decimal& b) {
        int scale = a.scale_ + b.scale_;
        int128 u;
        if (!__builtin_mul_overflow(a.units_, b.units_, &u) && scale <= max_scale && u >= -detail::int128_max)
            return from_units(u, scale);
        detail::big_int p = detail::to_big(a.units_) * detail::to_big(b.units_);
        while (scale > 0 && (scale > max_scale || !detail::from_big(p, u)) && p % 10 == 0) {
            p /= 10;
            --scale;
        }
        if (scale > max_scale || !detail::from_big(p, u))
            detail::overflow("decimal multiplication overflows: " + a.to_string() + " * " + b.to_string());
        return from_units(u, scale);
    }

    decimal& operator+=(const decimal& o) { return *this = *this + o; }
    decimal& operator-=(const decimal& o) { return *this = *this - o; }
    decimal& operator*=(const decimal& o) { return *this = *this * o; }

    /// Equality by value: 1.0 == 1.00.
    friend constexpr bool operator==(const decimal& a, const decimal& b) noexcept { return compare(a, b) == 0; }
    friend constexpr std::strong_ordering operator<=>(const decimal& a, const decimal& b) noexcept {
        int c = compare(a, b);
        return c < 0 ? std::strong_ordering::less
                     : (c == 0 ? std::strong_ordering::equal : std::strong_ordering::greater);
    }

    /// A hash that ignores the scale, consistent with ==.
    [[nodiscard]] std::size_t hash() const noexcept {
        decimal n = normalized();
        auto u = static_cast<uint128>(n.units_);
        std::size_t h = std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(u)) ^
                        (std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(u >> 64)) * 0x9E3779B97F4A7C15ull);
        return h ^ (static_cast<std::size_t>(n.scale_) * 0x100000001B3ull);
    }

private:
    static void check_places(int places, std::string_view op) {
        if (places < 0 || places > max_scale)
            throw calculation_error("incentives.calculation.scale", std::string(op) + " to " + std::to_string(places) +
                                                                        " places: expected 0.." + std::to_string(max_scale));
    }

    [[noreturn]] void rounding_needed(int places) const {
        throw calculation_error("incentives.calculation.rounding_necessary",
                                to_string() + " cannot be represented at " + std::to_string(places) +
                                    " places without rounding (mode unnecessary)");
    }

    static decimal add(const decimal& a, const decimal& b, bool subtract) {
        int scale = a.scale_ > b.scale_ ? a.scale_ : b.scale_;
        int128 x, y, u;
        bool ok = !__builtin_mul_overflow(a.units_, detail::pow10(scale - a.scale_), &x) &&
                  !__builtin_mul_overflow(b.units_, detail::pow10(scale - b.scale_), &y) &&
                  !(subtract ? __builtin_sub_overflow(x, y, &u) : __builtin_add_overflow(x, y, &u)) &&
                  u >= -detail::int128_max;
        if (ok) return from_units(u, scale);
        // Trailing zeros may be all that stands in the way (e.g. 1e20 + 0.500000000000000000).
        decimal na = a.normalized(), nb = b.normalized();
        if (na.scale_ != a.scale_ || nb.scale_ != b.scale_) return add(na, nb, subtract);
        detail::overflow(std::string("decimal ") + (subtract ? "subtraction" : "addition") +
                         " overflows: " + a.to_string() + (subtract ? " - " : " + ") + b.to_string());
    }

    static constexpr int compare(const decimal& a, const decimal& b) noexcept {
        if (a.scale_ == b.scale_) return a.units_ < b.units_ ? -1 : (a.units_ > b.units_ ? 1 : 0);
        bool a_finer = a.scale_ > b.scale_;
        const decimal& fine = a_finer ? a : b;
        const decimal& coarse = a_finer ? b : a;
        int128 lifted;
        int c;
        if (__builtin_mul_overflow(coarse.units_, detail::pow10(fine.scale_ - coarse.scale_), &lifted))
            c = coarse.units_ < 0 ? -1 : 1;  // |coarse| exceeds anything at the finer scale
        else
            c = lifted < fine.units_ ? -1 : (lifted > fine.units_ ? 1 : 0);
        return a_finer ? -c : c;
    }

    int128 units_ = 0;
    std::int8_t scale_ = 0;
};

/// |d|, exact.
[[nodiscard]] constexpr decimal abs(const decimal& d) noexcept { return d.signum() < 0 ? -d : d; }

inline decimal decimal::parse(std::string_view text) {
    auto fail = [&](std::string_view why) -> decimal {
        throw input_error("incentives.input.decimal_syntax",
                          "\"" + std::string(text) + "\" is not a decimal number: " + std::string(why) +
                              " (expected digits with an optional sign, one '.' and an optional exponent, "
                              "e.g. \"-12.50\" or \"2.5e-3\")");
    };
    std::size_t i = 0, n = text.size();
    if (n == 0) return fail("empty text");
    bool negative = false;
    if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
    int128 units = 0;
    int frac_digits = 0, digits = 0;
    int zeros_before_point = 0, zeros_after_point = 0;  // trailing zeros not yet multiplied into units
    bool point = false;
    auto too_many_digits = [&] {
        detail::overflow("\"" + std::string(text) + "\" has more significant digits than a decimal holds (38)");
    };
    for (; i < n; ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            ++digits;
            if (point) ++frac_digits;
            if (c == '0') {
                ++(point ? zeros_after_point : zeros_before_point);
                continue;
            }
            int shift = zeros_before_point + zeros_after_point + 1;
            if (shift > 38 || __builtin_mul_overflow(units, detail::pow10(shift), &units) ||
                __builtin_add_overflow(units, c - '0', &units))
                too_many_digits();
            zeros_before_point = zeros_after_point = 0;
        } else if (c == '.') {
            if (point) return fail("a second '.' at position " + std::to_string(i + 1));
            point = true;
        } else if (c == 'e' || c == 'E') {
            break;
        } else {
            return fail("unexpected '" + std::string(1, c) + "' at position " + std::to_string(i + 1));
        }
    }
    // Zeros before the point are significant; zeros at the end of the fraction only set the scale,
    // so the ones that do not fit are dropped (1.000...000 with 40 zeros is still 1).
    if (zeros_before_point > 38 || __builtin_mul_overflow(units, detail::pow10(zeros_before_point), &units))
        too_many_digits();
    for (; zeros_after_point > 0; --zeros_after_point) {
        int128 next;
        if (__builtin_mul_overflow(units, 10, &next)) {
            frac_digits -= zeros_after_point;
            break;
        }
        units = next;
    }
    if (digits == 0) return fail("no digits");
    long exponent = 0;
    if (i < n) {  // at 'e' or 'E'
        ++i;
        bool exp_negative = false;
        if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        if (i == n) return fail("an exponent without digits");
        for (; i < n; ++i) {
            char c = text[i];
            if (c < '0' || c > '9')
                return fail("unexpected '" + std::string(1, c) + "' in the exponent at position " + std::to_string(i + 1));
            if (exponent > 1000000) detail::overflow("\"" + std::string(text) + "\" has an exponent out of range");
            exponent = exponent * 10 + (c - '0');
        }
        if (exp_negative) exponent = -exponent;
    }
    long scale = frac_digits - exponent;
    while (scale > max_scale && units % 10 == 0 && units != 0) {
        units /= 10;
        --scale;
    }
    if (units == 0 && scale > max_scale) scale = max_scale;
    if (scale > max_scale)
        detail::overflow("\"" + std::string(text) + "\" has more than " + std::to_string(max_scale) + " decimal places");
    if (scale < 0) {
        if (scale < -38 || __builtin_mul_overflow(units, detail::pow10(static_cast<int>(-scale)), &units) ||
            units > detail::int128_max)
            detail::overflow("\"" + std::string(text) + "\" is too large for a decimal");
        scale = 0;
    }
    return from_units(negative ? -units : units, static_cast<int>(scale));
}

namespace literals {
/// 12.50_d: a decimal literal, parsed exactly from its spelling (never through a double).
template <char... Chars>
[[nodiscard]] decimal operator""_d() {
    static constexpr char text[] = {Chars...};
    return decimal::parse(std::string_view(text, sizeof...(Chars)));
}
}  // namespace literals

}  // namespace incentives

template <>
struct std::hash<incentives::decimal> {
    std::size_t operator()(const incentives::decimal& d) const noexcept { return d.hash(); }
};

template <>
struct fmt::formatter<incentives::decimal> : fmt::formatter<std::string_view> {
    auto format(const incentives::decimal& d, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(d.to_string(), ctx);
    }
};
