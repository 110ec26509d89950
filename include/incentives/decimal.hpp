// incentives::decimal: an exact fixed-point decimal (128-bit mantissa, scale 0..36).
// Addition, subtraction and multiplication are exact; only rescale() and divide() round, with a
// named mode. Anything that does not fit is a calculation_error, never a wrap or a silent rounding.
#pragma once

#include <array>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>


#include <incentives/detail/wide.hpp>
#include <incentives/errors.hpp>
#include <incentives/rounding.hpp>

namespace incentives {

// __extension__ keeps -Wpedantic quiet about the (GCC and Clang) 128-bit integer types.
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

namespace detail {

inline constexpr int128 int128_max = static_cast<int128>((~static_cast<uint128>(0)) >> 1);

/// 10^0 .. 10^38, the powers of ten an int128 holds.
inline constexpr std::array<int128, 39> pow10_table = [] {
    std::array<int128, 39> t{};
    t[0] = 1;
    for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
    return t;
}();

/// 10^n for n in 0..38, the largest powers an int128 holds.
[[nodiscard]] constexpr int128 pow10(int n) noexcept {
    if (static_cast<unsigned>(n) < pow10_table.size()) return pow10_table[static_cast<std::size_t>(n)];
    int128 p = 1;  // n < 0 is 1; n > 38 does not fit
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}

/// |v| as an unsigned value; exact for every int128, including the most negative.
[[nodiscard]] constexpr uint128 magnitude(int128 v) noexcept {
    return v < 0 ? static_cast<uint128>(0) - static_cast<uint128>(v) : static_cast<uint128>(v);
}

/// Writes the decimal digits of `u` backwards, ending just before `end`; returns the first digit.
/// At most 39 characters.
inline char* write_digits_backward(uint128 u, char* end) noexcept {
    constexpr std::uint64_t chunk = 10000000000000000000ull;  // 10^19: at most two chunks, then 64 bits
    char* p = end;
    while ((u >> 64) != 0) {
        uint128 q = u / chunk;
        auto r = static_cast<std::uint64_t>(u - q * chunk);
        for (int i = 0; i < 19; ++i) {
            *--p = static_cast<char>('0' + r % 10);
            r /= 10;
        }
        u = q;
    }
    auto v = static_cast<std::uint64_t>(u);
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

/// Decimal digits of a non-negative int128 (no sign, no separators).
[[nodiscard]] inline std::string int128_digits(int128 v) {
    char buf[40];
    char* end = buf + sizeof buf;
    char* p = write_digits_backward(magnitude(v), end);
    return std::string(p, end);
}

/// An int128 as signed decimal text, for messages and conversions.
[[nodiscard]] inline std::string int128_to_string(int128 v) {
    return v < 0 ? "-" + int128_digits(v) : int128_digits(v);
}

/// Room for the text of any decimal: a sign, 39 digits and a point, or "-0." and 36 places.
inline constexpr std::size_t decimal_text_capacity = 48;

/// units x 10^-scale as decimal::to_string() spells it, written into `buf`; returns the text.
[[nodiscard]] inline std::string_view decimal_text(int128 units, int scale, char (&buf)[decimal_text_capacity]) noexcept {
    char digits[40];
    char* end = digits + sizeof digits;
    char* first = write_digits_backward(magnitude(units), end);
    auto n = static_cast<std::size_t>(end - first);
    char* out = buf;
    if (units < 0) *out++ = '-';
    auto s = scale > 0 ? static_cast<std::size_t>(scale) : std::size_t{0};
    if (s == 0) {
        std::memcpy(out, first, n);
        out += n;
    } else if (n <= s) {  // 0.000ddd
        *out++ = '0';
        *out++ = '.';
        std::memset(out, '0', s - n);
        out += s - n;
        std::memcpy(out, first, n);
        out += n;
    } else {  // ddd.ddd
        std::memcpy(out, first, n - s);
        out += n - s;
        *out++ = '.';
        std::memcpy(out, first + (n - s), s);
        out += s;
    }
    return std::string_view(buf, static_cast<std::size_t>(out - buf));
}

/// num / den rounded by `mode`; den != 0. Works for any signed integer type.
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

/// The rounding step on magnitudes: |num| / |den| = uq remainder ur; returns the signed, rounded
/// quotient (the same as divide_rounded's).
template <class UInt>
[[nodiscard]] constexpr int128 round_magnitude(UInt uq, UInt ur, UInt ad, bool negative, rounding_mode mode,
                                               bool& inexact) noexcept {
    inexact = ur != 0;
    if (inexact) {
        UInt other = ad - ur;  // compare ur with ad / 2 without doubling
        int cmp_half = ur < other ? -1 : (ur == other ? 0 : 1);
        if (round_away(mode, negative, (uq & 1) != 0, cmp_half, true)) ++uq;
    }
    auto m = static_cast<uint128>(uq);
    return static_cast<int128>(negative ? static_cast<uint128>(0) - m : m);
}

/// divide_rounded for int128 (the same result): one division on magnitudes, in 64 bits when both fit.
[[nodiscard]] inline int128 divide_rounded(const int128& num, const int128& den, rounding_mode mode,
                                           bool& inexact) noexcept {
    bool negative = (num < 0) != (den < 0);
    uint128 an = magnitude(num), ad = magnitude(den);
    if (((an | ad) >> 64) == 0) [[likely]] {
        auto n64 = static_cast<std::uint64_t>(an), d64 = static_cast<std::uint64_t>(ad);
        std::uint64_t q = n64 / d64;
        return round_magnitude<std::uint64_t>(q, n64 - q * d64, d64, negative, mode, inexact);
    }
    uint128 q = an / ad;
    return round_magnitude<uint128>(q, an - q * ad, ad, negative, mode, inexact);
}

/// x / 10^K and its remainder, with the divisor a constant (a multiplication, not a division).
template <int K>
[[nodiscard, gnu::always_inline]] inline std::uint64_t divide_by_pow10(std::uint64_t x, std::uint64_t& rem) noexcept {
    constexpr auto p = static_cast<std::uint64_t>(pow10_table[K]);
    std::uint64_t q = x / p;
    rem = x - q * p;
    return q;
}

/// num / 10^k (k in 1..38) rounded by `mode`: the same as divide_rounded(num, pow10(k), ...). When
/// |num| < 2^64 and k <= 8 (a product rescaled to cents, say) the divisor is a constant in each case
/// of a switch, so the quotient takes a multiplication and shifts instead of a division.
[[nodiscard]] inline int128 divide_pow10_rounded(int128 num, int k, rounding_mode mode, bool& inexact) noexcept {
    uint128 an = magnitude(num);
    if ((an >> 64) == 0 && k >= 1 && k <= 8) [[likely]] {
        auto x = static_cast<std::uint64_t>(an);
        std::uint64_t q, r;
        switch (k) {
            case 1: q = divide_by_pow10<1>(x, r); break;
            case 2: q = divide_by_pow10<2>(x, r); break;
            case 3: q = divide_by_pow10<3>(x, r); break;
            case 4: q = divide_by_pow10<4>(x, r); break;
            case 5: q = divide_by_pow10<5>(x, r); break;
            case 6: q = divide_by_pow10<6>(x, r); break;
            case 7: q = divide_by_pow10<7>(x, r); break;
            default: q = divide_by_pow10<8>(x, r); break;
        }
        return round_magnitude<std::uint64_t>(q, r, static_cast<std::uint64_t>(pow10_table[static_cast<std::size_t>(k)]),
                                              num < 0, mode, inexact);
    }
    return divide_rounded(num, pow10(k), mode, inexact);
}

/// Divides v by the largest 10^t with t <= limit that divides it, and returns t (v == 0: limit).
[[nodiscard]] inline int strip_trailing_zeros(int128& v, int limit) noexcept {
    if (v == 0) return limit;
    if ((v & 1) != 0 || limit <= 0) return 0;
    int stripped = 0;
    // |v| < 10^39, so at most 38 zeros: greedy powers of two from 32 down find them all.
    for (int step = 32; step > 0; step /= 2) {
        if (step > limit - stripped) continue;
        int128 p = pow10(step);
        int128 q = v / p;
        if (q * p == v) {
            v = q;
            stripped += step;
        }
    }
    return stripped;
}

/// Brings num / den to num x 10^e / den in int128 (scaling whichever operand `e` says);
/// false when that does not fit.
[[nodiscard]] inline bool scale_for_division(int128& num, int128& den, int e) noexcept {
    return e >= 0 ? (e <= 38 && !__builtin_mul_overflow(num, pow10(e), &num))
                  : (-e <= 38 && !__builtin_mul_overflow(den, pow10(-e), &den));
}

[[noreturn, gnu::cold, gnu::noinline]] inline void overflow(std::string_view what) {
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
        if (static_cast<unsigned>(scale) > static_cast<unsigned>(max_scale)) [[unlikely]]
            scale_out_of_range(scale);
        if (units < -detail::int128_max) [[unlikely]]
            units_out_of_range();
        return decimal(units, scale, unchecked{});
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
        char buf[detail::decimal_text_capacity];
        return std::string(detail::decimal_text(units_, scale_, buf));
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
            if (__builtin_mul_overflow(units_, detail::pow10(places - scale_), &u)) [[unlikely]]
                rescale_overflow(*this, places);
            return decimal(u, places, unchecked{});  // |u| >= |units| grew by a power of ten: never -2^127
        }
        bool inexact = false;
        int128 q = detail::divide_pow10_rounded(units_, scale_ - places, mode, inexact);
        if (inexact && mode == rounding_mode::unnecessary) [[unlikely]]
            rounding_needed(places);
        return decimal(q, places, unchecked{});  // |q| <= |units| / 10 + 1
    }

    /// this / divisor, rounded by `mode` to `places` digits. Division by zero is a calculation_error.
    [[nodiscard]] decimal divide(const decimal& divisor, int places, rounding_mode mode) const {
        check_places(places, "divide");
        if (divisor.units_ == 0) [[unlikely]]
            division_by_zero(*this);
        // result units = round(units * 10^(places + divisor.scale - scale) / divisor.units)
        int e = places + divisor.scale_ - scale_;
        int128 num = units_, den = divisor.units_;
        if (!detail::scale_for_division(num, den, e)) [[unlikely]]
            return divide_wide(*this, divisor, places, mode);
        bool inexact = false;
        int128 q = detail::divide_rounded(num, den, mode, inexact);
        if (inexact && mode == rounding_mode::unnecessary) [[unlikely]]
            rounding_needed(places);
        return decimal(q, places, unchecked{});  // |q| <= |num|, and num is never -2^127
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
            [[likely]] return decimal(u, scale, unchecked{});
        return multiply_wide(a, b);
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
    /// For results whose range and scale are already known to be valid.
    struct unchecked {};
    constexpr decimal(int128 units, int scale, unchecked) noexcept
        : units_(units), scale_(static_cast<std::int8_t>(scale)) {}

    static void check_places(int places, std::string_view op) {
        if (static_cast<unsigned>(places) > static_cast<unsigned>(max_scale)) [[unlikely]]
            places_out_of_range(places, op);
    }

    // The error paths: out of line and cold, so that the operations above stay small and inline.

    [[noreturn, gnu::cold, gnu::noinline]] static void scale_out_of_range(int scale) {
        detail::overflow("decimal scale " + std::to_string(scale) + " is outside 0.." + std::to_string(max_scale));
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void units_out_of_range() {
        detail::overflow("decimal units below -(2^127 - 1)");
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void places_out_of_range(int places, std::string_view op) {
        throw calculation_error("incentives.calculation.scale", std::string(op) + " to " + std::to_string(places) +
                                                                    " places: expected 0.." + std::to_string(max_scale));
    }

    [[noreturn, gnu::cold, gnu::noinline]] void rounding_needed(int places) const {
        throw calculation_error("incentives.calculation.rounding_necessary",
                                to_string() + " cannot be represented at " + std::to_string(places) +
                                    " places without rounding (mode unnecessary)");
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void rescale_overflow(const decimal& a, int places) {
        detail::overflow(a.to_string() + " does not fit at " + std::to_string(places) + " places");
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void division_by_zero(const decimal& a) {
        throw calculation_error("incentives.calculation.division_by_zero", "division of " + a.to_string() + " by zero");
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void division_overflow(const decimal& a, const decimal& b,
                                                                         int places) {
        detail::overflow(a.to_string() + " / " + b.to_string() + " does not fit at " + std::to_string(places) +
                         " places");
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void multiplication_overflow(const decimal& a, const decimal& b) {
        detail::overflow("decimal multiplication overflows: " + a.to_string() + " * " + b.to_string());
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void addition_overflow(const decimal& a, const decimal& b,
                                                                         bool subtract) {
        detail::overflow(std::string("decimal ") + (subtract ? "subtraction" : "addition") +
                         " overflows: " + a.to_string() + (subtract ? " - " : " + ") + b.to_string());
    }

    /// divide() when units x 10^e does not fit an int128. Trailing zeros of the divisor (or, when the
    /// divisor is the one scaled up, of the dividend) cancel against 10^e first; the value is the same,
    /// and usually the int128 path then applies. Otherwise the division is done wide (detail::wide_divide).
    [[gnu::noinline]] static decimal divide_wide(const decimal& a, const decimal& b, int places, rounding_mode mode) {
        int e = places + b.scale_ - a.scale_;
        int128 num = a.units_, den = b.units_;
        if (e > 0)
            e -= detail::strip_trailing_zeros(den, e);
        else if (e < 0)
            e += detail::strip_trailing_zeros(num, -e);
        bool inexact = false;
        int128 q = 0;
        int128 sn = num, sd = den;
        if (detail::scale_for_division(sn, sd, e)) {
            q = detail::divide_rounded(sn, sd, mode, inexact);
        } else if (!detail::wide_divide(num, den, e, mode, q, inexact)) {
            division_overflow(a, b, places);
        }
        if (inexact && mode == rounding_mode::unnecessary) a.rounding_needed(places);
        return decimal(q, places, unchecked{});
    }

    /// operator* when the product or its scale does not fit directly: drop trailing zeros of the
    /// exact product while the scale is too large or the units do not fit.
    [[gnu::noinline]] static decimal multiply_wide(const decimal& a, const decimal& b) {
        int scale = a.scale_ + b.scale_;
        int128 u;
        if (!__builtin_mul_overflow(a.units_, b.units_, &u) && u >= -detail::int128_max) {
            while (scale > max_scale && u % 10 == 0) {  // the units fit: only the scale is too large
                u /= 10;
                --scale;
            }
            if (scale > max_scale) multiplication_overflow(a, b);
            return decimal(u, scale, unchecked{});
        }
        if (!detail::wide_multiply(a.units_, b.units_, max_scale, scale, u)) multiplication_overflow(a, b);
        return decimal(u, scale, unchecked{});
    }

    static decimal add(const decimal& a, const decimal& b, bool subtract) {
        int128 u;
        if (a.scale_ == b.scale_) [[likely]] {
            if (!(subtract ? __builtin_sub_overflow(a.units_, b.units_, &u)
                           : __builtin_add_overflow(a.units_, b.units_, &u)) &&
                u >= -detail::int128_max) [[likely]]
                return decimal(u, a.scale_, unchecked{});
            return add_retry(a, b, subtract);
        }
        // Align the coarser operand to the finer scale.
        int128 x = a.units_, y = b.units_;
        bool ok = a.scale_ < b.scale_ ? !__builtin_mul_overflow(x, detail::pow10(b.scale_ - a.scale_), &x)
                                      : !__builtin_mul_overflow(y, detail::pow10(a.scale_ - b.scale_), &y);
        if (ok && !(subtract ? __builtin_sub_overflow(x, y, &u) : __builtin_add_overflow(x, y, &u)) &&
            u >= -detail::int128_max) [[likely]]
            return decimal(u, a.scale_ > b.scale_ ? a.scale_ : b.scale_, unchecked{});
        return add_retry(a, b, subtract);
    }

    /// add() when the aligned sum does not fit: trailing zeros may be all that stands in the way
    /// (e.g. 1e20 + 0.500000000000000000), so retry with normalised operands before giving up.
    [[gnu::cold, gnu::noinline]] static decimal add_retry(const decimal& a, const decimal& b, bool subtract) {
        decimal na = a.normalized(), nb = b.normalized();
        if (na.scale_ != a.scale_ || nb.scale_ != b.scale_) return add(na, nb, subtract);
        // The exact sum in a wide integer: it may still fit although an operand did not at the
        // common scale (2^127 + 2 at one place, minus (2^127 - 1) at one place, is 0.3).
        int128 u = 0;
        int scale = 0;
        if (!detail::wide_add(a.units_, a.scale_, b.units_, b.scale_, subtract, u, scale))
            addition_overflow(a, b, subtract);
        return decimal(u, scale, unchecked{});
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
                if (units != 0) ++(point ? zeros_after_point : zeros_before_point);  // leading zeros add nothing
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

